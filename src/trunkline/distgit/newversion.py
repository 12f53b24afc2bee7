"""``trunkline distgit new-version``: rebase a distgit onto a new upstream version.

Steps: pick the version (given, or the newest upstream tag by rpm ordering),
rebase the patches branch onto the new tag in a private git worktree
(``.git/trunkline-rebase``), then edit the spec (Version, Release reset,
patches_base, a literal version in Source0), regenerate the patches, make the
new tarball and ``sources`` line when the distgit has a lookaside ``sources``
file (:mod:`.sources`), add the changelog entry (``Update to X`` as rdopkg; with
``changelog_commits`` also one ``Upstream: SUBJECT`` line per upstream commit)
and commit ``NVR`` with the upstream changes in the message. A rebase conflict stops with
the state saved (:mod:`.state`); the distgit checkout is untouched until the
rebase is done, so ``--abort`` leaves it as it was and ``--continue`` resumes
after the user resolved the conflict in the worktree.

Versions are upstream versions: the spec's current one is its
``%{upstream_version}`` (Version + milestone, :func:`.gitops.spec_upstream_ref`),
and a new ``10.0.0.0rc1`` becomes Version ``10.0.0`` with ``%global milestone
.0rc1`` and Release ``0.1%{?milestone}%{?dist}``, as rdopkg and RDO do; the
``# patches_base=`` comment names the tag when it is not the Version (and goes
away when it is). A Version held in a macro keeps the reference; rpmautospec
specs keep ``%autorelease`` and get no changelog entry (the commit message is it).
A spec still holding RDO master's ``Version: XXX`` (a new stable branch) gets
its first real version, as RDO's branch-opening commits do; the version must
then be given, and there is no old tag to list upstream changes from.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.distgit import gitops, sources, state
from trunkline.distgit.commit import commit, commit_message
from trunkline.distgit.fix import restore_on_error
from trunkline.distgit.patches import PatchesBase, patches_base, update_patches
from trunkline.distgit.reqdiff import ReqDiff, reqdiff
from trunkline.errors import InputError
from trunkline.rpmspec import editor
from trunkline.rpmspec.versions import compare_versions

log = logging.getLogger(__name__)

WORKTREE = "trunkline-rebase"
COMMAND = "new-version"


@dataclass(frozen=True)
class NewVersionResult:
    """The outcome: a commit, or a rebase stopped on a conflict."""

    old_version: str
    new_version: str
    commit: str | None = None
    conflict_worktree: Path | None = None
    conflict_detail: str = ""
    patches: tuple[str, ...] = ()
    upstream_changes: tuple[str, ...] = ()
    requirements: ReqDiff | None = None
    source_update: sources.SourcesUpdate | None = None


def _tag_version(tag: str) -> str:
    return tag[1:] if tag[:1] == "v" and tag[1:2].isdigit() else tag


def latest_version(repo: Path) -> str:
    """The newest upstream version among the tags on the upstream branch.

    Raises:
        InputError: there are no version tags.
    """
    upstream_heads = [
        ref
        for ref in ("upstream/HEAD", "upstream/master", "upstream/main")
        if gitops.rev_parse(repo, ref)
    ]
    args = ["tag", "--list"]
    if upstream_heads:
        args += ["--merged", upstream_heads[0]]
    listed = gitcmd.checkout(repo).output(*args).split()
    versions = [_tag_version(t) for t in listed if _tag_version(t)[:1].isdigit()]
    if not versions:
        raise InputError(f"{repo}: no upstream version tags found (fetch the 'upstream' remote)")
    best = versions[0]
    for version in versions[1:]:
        if compare_versions(version, best) > 0:
            best = version
    return best


def _worktree_path(repo: Path) -> Path:
    return state.state_path(repo).parent / WORKTREE


def _remove_worktree(repo: Path, path: Path) -> None:
    git = gitcmd.checkout(repo)
    if path.exists():
        git.run("worktree", "remove", "--force", str(path))
    git.run("worktree", "prune")


def _rebase_in_progress(worktree: Path) -> bool:
    for name in ("rebase-merge", "rebase-apply"):
        path = Path(gitcmd.checkout(worktree).output("rev-parse", "--git-path", name))
        if (path if path.is_absolute() else worktree / path).exists():
            return True
    return False


def _last_line(output: str) -> str:
    lines = output.strip().splitlines()
    return lines[-1] if lines else "git rebase stopped without a message"


def _conflict(st: state.InProgress, detail: str) -> NewVersionResult:
    return NewVersionResult(
        st.old_version,
        st.new_version,
        conflict_worktree=Path(st.worktree),
        conflict_detail=detail,
    )


def new_version(
    repo: Path,
    version: str | None = None,
    *,
    bump_only: bool = False,
    local: bool = False,
    changelog_commits: bool = False,
    date: str | None = None,
) -> NewVersionResult:
    """Start a rebase to ``version`` (see the module docstring).

    Args:
        repo: the distgit checkout.
        version: the new upstream version; the newest upstream tag when None.
        bump_only: only Version/Release/Source/changelog, no patches rebase.
        local: use the local patches branch instead of the ``patches`` remote's.
        changelog_commits: list the upstream commit subjects in the changelog entry.
        date: the changelog date (today by default).

    Raises:
        InputError: dirty distgit, version not newer, unknown tag, or a run in progress.
    """
    state.refuse_if_in_progress(repo)
    gitops.ensure_clean(repo)
    spec_path = editor.find_spec(repo)
    info = editor.read_spec(spec_path)
    if info.placeholder and version is None:
        raise InputError(
            f"{spec_path}: Version is DLRN's placeholder '{info.raw_version}'; "
            "give the version to set (new-version VERSION)"
        )
    branch = gitops.current_branch(repo)
    gitops.fetch(repo, "upstream", tags=True)
    if not local:
        gitops.fetch(repo, "patches")
    target = version or latest_version(repo)
    current = info.upstream_version or info.version
    if not info.placeholder and compare_versions(target, current) <= 0 and version is None:
        raise InputError(f"{spec_path}: version {current} is already the newest ({target})")
    new_tag = gitops.version_tag(repo, target)
    st = state.InProgress(
        command=COMMAND,
        old_version=current,
        new_version=target,
        new_tag=new_tag,
        patches_branch="",
        worktree="",
        distgit_branch=branch,
        orig_head=gitcmd.checkout(repo).output("rev-parse", "HEAD"),
        changelog_commits=changelog_commits,
    )
    if bump_only:
        return _finish(repo, st, bump_only=True, date=date)
    try:
        head = gitops.find_patches_ref(repo, branch, local=local)
    except InputError:
        if info.patches:
            raise
        return _finish(repo, st, bump_only=False, date=date)
    local_branch = head.split("/", 1)[1] if not local else head
    base = patches_base(repo, info)
    if not local:
        gitcmd.checkout(repo).output("branch", "--quiet", "--force", local_branch, head)
    worktree = _worktree_path(repo)
    _remove_worktree(repo, worktree)
    gitcmd.checkout(repo).output("worktree", "add", "--quiet", str(worktree), local_branch)
    st = dataclasses.replace(st, patches_branch=local_branch, worktree=str(worktree))
    state.save(repo, st)
    result = gitcmd.checkout(worktree).run(
        "rebase", "--quiet", "--onto", new_tag, base.ref, check=False
    )
    if not result.ok:
        return _conflict(st, _last_line(result.stdout + result.stderr))
    return _finish(repo, st, bump_only=False, date=date)


def continue_new_version(repo: Path, *, date: str | None = None) -> NewVersionResult:
    """Resume after the user resolved the rebase conflict in the worktree.

    Raises:
        InputError: nothing is in progress.
    """
    st = state.load(repo)
    if st is None or st.command != COMMAND:
        raise InputError(f"{repo}: no new-version in progress to continue")
    worktree = Path(st.worktree)
    if _rebase_in_progress(worktree):
        result = gitcmd.checkout(worktree).run("rebase", "--continue", check=False)
        if not result.ok:
            return _conflict(st, _last_line(result.stdout + result.stderr))
    return _finish(repo, st, bump_only=False, date=date)


def abort_new_version(repo: Path) -> state.InProgress:
    """Abandon a stopped new-version: abort the rebase, drop the worktree and the state.

    Raises:
        InputError: nothing is in progress.
    """
    st = state.load(repo)
    if st is None or st.command != COMMAND:
        raise InputError(f"{repo}: no new-version in progress to abort")
    worktree = Path(st.worktree)
    if worktree.exists() and _rebase_in_progress(worktree):
        gitcmd.checkout(worktree).run("rebase", "--abort", check=False)
    _remove_worktree(repo, worktree)
    state.clear(repo)
    return st


def _update_patches_base(
    spec_path: Path, info: editor.SpecInfo, new_version: str, rpm_version: str
) -> None:
    """``# patches_base=`` after a version change, as rdopkg's ``set_patches_base_version``.

    A base holding a macro is left alone. The new tag is written when it is not the
    Version (a milestone) or when ``patches_ignore``/``+N`` need an explicit base;
    otherwise an existing comment is dropped (the Version tag is the base).
    """
    raw = info.magic.get("patches_base")
    if raw is not None and "%" in raw:
        return
    skip = raw.partition("+")[2] if raw else ""
    needed = new_version != rpm_version or bool(skip) or "patches_ignore" in info.magic
    value = new_version + (f"+{skip}" if skip else "")
    if not needed:
        if raw is not None:
            editor.remove_magic_comment(spec_path, "patches_base")
    elif raw is None:
        editor.add_magic_comment(spec_path, "patches_base", value)
    else:
        editor.set_magic_comment(spec_path, "patches_base", value)


def _finish(
    repo: Path, st: state.InProgress, *, bump_only: bool, date: str | None
) -> NewVersionResult:
    """Edit the spec, regenerate patches, commit; drop worktree and state."""
    spec_path = editor.find_spec(repo)
    info = editor.read_spec(spec_path)
    old_tag = None if info.placeholder else gitops.spec_upstream_ref(repo, info)
    upstream = (
        tuple(c.subject for c in gitops.commits(repo, old_tag, st.new_tag)) if old_tag else ()
    )
    if st.worktree:
        _remove_worktree(repo, Path(st.worktree))
    name, email = gitops.identity(repo)
    changes = [f"Update to {st.new_version}"]
    if st.changelog_commits:
        changes += [f"Upstream: {subject}" for subject in upstream]
    files: tuple[str, ...] = ()
    update: sources.SourcesUpdate | None = None
    try:
        old_tarball = sources.old_tarball_name(repo, spec_path)
        rpm_version, _ = editor.set_version(spec_path, st.new_version)
        _update_patches_base(spec_path, info, st.new_version, rpm_version)
        update = sources.update_sources(
            repo,
            spec_path,
            old_version=st.old_version,
            new_version=st.new_version,
            tag=st.new_tag,
            old_name=old_tarball,
        )
        if not bump_only:
            skip_n = patches_base(repo, info).skip if info.magic.get("patches_base") else 0
            head = st.patches_branch or st.new_tag
            patch_update = update_patches(repo, spec_path, head, PatchesBase(st.new_tag, skip_n))
            files = patch_update.files
        editor.add_changelog_entry(spec_path, changes, name, email, date=date)
        extra = ""
        if upstream and not st.changelog_commits:
            extra = f"Upstream changes ({old_tag}..{st.new_tag}):\n" + "\n".join(
                f"- {s}" for s in upstream
            )
        sha = commit(repo, commit_message(spec_path, changes, extra=extra))
    except Exception:
        restore_on_error(repo)
        if update is not None and update.created and update.tarball is not None:
            update.tarball.unlink(missing_ok=True)
        raise
    state.clear(repo)
    return NewVersionResult(
        st.old_version,
        st.new_version,
        commit=sha,
        patches=files,
        upstream_changes=upstream,
        requirements=reqdiff(repo, old_tag, st.new_tag) if old_tag else None,
        source_update=update,
    )
