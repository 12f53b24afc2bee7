"""``uc propose``: move the ``source-branch`` pins of a tag to upper-constraints, as one commit.

:func:`plan_bumps` applies RDO's rules (:mod:`trunkline.constraints.rules`) to
the loaded metadata; :func:`propose` writes the bumps through the metadata
editor (comments, order and quoting kept; one validation for the whole batch,
where releng's ``update_tag`` reloads rdoinfo per project), commits
``tags/<tag>.yml`` with a message listing each ``old -> new`` and a Gerrit
``Change-Id``, and with ``push`` sends it to the review remote's
``refs/for/<branch>``. No bump: nothing is written or committed.

The errors of the committed tree are cached per git tree (validation depends on
the files only), so the next proposal on that commit validates once, not twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trunkline import gitcmd
from trunkline.constraints.rules import SKIP, is_version, locked, project_of
from trunkline.constraints.ucfile import Constraint
from trunkline.errors import CommandError, InputError, MetadataError
from trunkline.metadata.catalog import Metadata
from trunkline.publish.atomic import write_file_atomic

BOT_NAME = "trunkline uc propose"
BOT_EMAIL = "trunkline@localhost"


@dataclass(frozen=True)
class Bump:
    """One pin to move: project, old pin (None: unpinned), new pin."""

    project: str
    old: str | None
    new: str

    def line(self) -> str:
        """``project: old -> new`` (``(none)`` when unpinned)."""
        return f"{self.project}: {self.old or '(none)'} -> {self.new}"


@dataclass
class Plan:
    """What a proposal would do.

    Attributes:
        bumps: pins to write, in constraints order.
        held: pins higher than upper-constraints, kept (a downgrade was not asked).
        skipped: project -> why it is left alone (skip list, version-locked,
            under-review, not tagged); modules naming no project are not listed.
    """

    bumps: list[Bump] = field(default_factory=list)
    held: list[Bump] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def _higher(pin: str, uc: str) -> bool:
    import rpm

    return int(rpm.labelCompare(("0", pin, ""), ("0", uc, ""))) > 0


def plan_bumps(
    md: Metadata, constraints: Sequence[Constraint], tag: str, *, allow_downgrade: bool = False
) -> Plan:
    """The bumps RDO's rules give for ``tag`` (see the module docstring)."""
    plan = Plan()
    seen: set[str] = set()
    for con in constraints:
        project = project_of(con.module)
        pkg = md.by_project(project)
        if pkg is None or project in seen:
            continue
        seen.add(project)
        if project in SKIP:
            plan.skipped[project] = "skip list"
        elif locked(pkg.tags, tag):
            plan.skipped[project] = "version-locked"
        elif "under-review" in pkg.tags:
            plan.skipped[project] = "under-review"
        elif tag not in pkg.tags:
            plan.skipped[project] = f"not tagged {tag}"
        else:
            over = pkg.tags[tag]
            old = over.get("source-branch") if isinstance(over, dict) else None
            old = None if old is None else str(old)
            if old == con.version:
                continue
            bump = Bump(project, old, con.version)
            higher = old is not None and is_version(old) and _higher(old, con.version)
            if higher and not allow_downgrade:
                plan.held.append(bump)
                continue
            plan.bumps.append(bump)
    return plan


def commit_message(tag: str, bumps: Sequence[Bump], parent: str) -> str:
    """RDO's bot title, one line per bump, and a Change-Id derived from the content."""
    body = "\n".join(b.line() for b in bumps)
    title = f"Bump rdoinfo {tag} tags to latest upper-constraints"
    change = hashlib.sha1(f"{parent}\n{title}\n{body}".encode(), usedforsecurity=False)
    return f"{title}\n\n{body}\n\nChange-Id: I{change.hexdigest()}\n"


@dataclass(frozen=True)
class Proposal:
    """The outcome: the plan, the commit made (None: no change) and where it was pushed."""

    plan: Plan
    commit: str | None
    pushed: str | None


def _git(root: Path) -> gitcmd.Git:
    git = gitcmd.at(root)
    if not git.run("config", "user.email", check=False).stdout.strip():
        git = git.with_env(**gitcmd.identity(BOT_NAME, BOT_EMAIL))
    return git


def _baseline_file(tree: str, info_files: Sequence[str]) -> Path:
    from trunkline.metadata.cache import default_cache_dir

    key = hashlib.sha256("|".join((tree, *info_files)).encode()).hexdigest()
    return default_cache_dir() / "validated" / f"{key}.json"


def _clean_tree(git: gitcmd.Git) -> str | None:
    """The git tree of HEAD when the work tree has no change at all (else None)."""
    if git.output("status", "--porcelain", "--untracked-files=no"):
        return None
    return git.output("rev-parse", "HEAD^{tree}")


def _read_baseline(tree: str | None, info_files: Sequence[str]) -> list[tuple[str, ...]] | None:
    """The validation errors cached for a committed tree (validation is a pure function
    of the tree's content), or None."""
    if tree is None:
        return None
    try:
        data = json.loads(_baseline_file(tree, info_files).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, list):
        return None
    return [tuple(str(x) for x in k) for k in data if isinstance(k, list)]


def _write_baseline(
    tree: str, info_files: Sequence[str], errors: Sequence[tuple[str, ...]]
) -> None:
    write_file_atomic(_baseline_file(tree, info_files), json.dumps(errors))


def _review_target(git: gitcmd.Git, root: Path, remote: str) -> tuple[str, str]:
    """``(remote, refs/for/<branch>)``, checked before anything is written.

    Raises:
        InputError: not on a branch, or no such remote.
    """
    branch = git.run("symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    if not branch:
        raise InputError(f"{root}: not on a branch (expected one to push refs/for/<branch>)")
    if remote not in git.output("remote").split():
        raise InputError(f"{root}: no git remote {remote!r} to push the review to")
    return remote, f"refs/for/{branch}"


def propose(
    root: Path,
    info_files: Sequence[str],
    constraints: Sequence[Constraint],
    tag: str,
    *,
    allow_downgrade: bool = False,
    push_remote: str | None = None,
) -> Proposal:
    """Plan, write, validate, commit and (``push_remote``) push the bumps of ``tag``.

    Args:
        root: the metadata git work tree.
        info_files: its entry files (``rdo-full.yml``).
        constraints: the upper-constraints for the release.
        tag: the tag whose pins move (``flamingo-uc``); ``tags/<tag>.yml`` must exist.
        allow_downgrade: also lower pins that are above upper-constraints.
        push_remote: push the commit to this remote's ``refs/for/<branch>``.

    Raises:
        MetadataError: the tag file is missing or has uncommitted changes, or the
            edit would add a validation error (nothing written).
        InputError: the work tree is not on a branch or the remote is unknown.
        CommandError: git failed.
    """
    from trunkline.metadata.edit import MetadataEditor

    rel = f"tags/{tag}.yml"
    if not (root / rel).is_file():
        raise MetadataError(f"{root / rel}: not found (expected the file of tag {tag!r})")
    git = _git(root)
    try:
        dirty = git.output("status", "--porcelain", "--", rel)
    except CommandError as exc:
        raise MetadataError(f"{root}: not a git work tree ({exc})") from None
    if dirty:
        raise MetadataError(f"{root / rel}: has uncommitted changes (commit or reset them first)")
    target = _review_target(git, root, push_remote) if push_remote is not None else None
    editor = MetadataEditor(root, info_files)
    plan = plan_bumps(editor.md, constraints, tag, allow_downgrade=allow_downgrade)
    if not plan.bumps:
        return Proposal(plan, None, None)
    for bump in plan.bumps:
        editor.pin(bump.project, tag, bump.new)
    tree = _clean_tree(git)
    written = editor.save(baseline=_read_baseline(tree, info_files))
    parent = git.output("rev-parse", "HEAD")
    message = commit_message(tag, plan.bumps, parent)
    try:
        git.run("commit", "-q", "-F", "-", "--", *written, input_text=message)
    except CommandError:
        git.run("checkout", "-q", "HEAD", "--", *written)  # leave the tree as it was
        raise
    commit = git.output("rev-parse", "HEAD")
    if tree is not None:  # the tree is still clean: what was validated is what was committed
        _write_baseline(git.output("rev-parse", "HEAD^{tree}"), info_files, editor.errors)
    pushed = None
    if target is not None:
        remote, pushed = target
        git.run("push", "-q", remote, f"HEAD:{pushed}")
    return Proposal(plan, commit, pushed)
