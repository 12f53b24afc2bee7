"""Regenerate a distgit's ``NNNN-*.patch`` files from its patches branch.

The patches are the commits between the patches base and the patches branch.
The base is the ``# patches_base=REF+N`` magic comment (skip the first N commits
after REF) or the upstream tag of the spec's Version; commits whose subject
matches ``# patches_ignore=REGEX`` are left out. Patch files are written with
the same ``git format-patch`` options rdopkg uses, so both tools produce
byte-identical files, and the spec's ``PatchNNNN:`` lines are rewritten.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.distgit import gitops
from trunkline.errors import SpecError
from trunkline.rpmspec import editor

log = logging.getLogger(__name__)

_FORMAT_PATCH = (
    "-c",
    "core.abbrev=7",
    "format-patch",
    "--no-renames",
    "--no-signature",
    "-N",
    "--ignore-submodules",
    "--stat=80",
    "--summary",
)


@dataclass(frozen=True)
class PatchesBase:
    """Where the patches start: a ref, and how many commits after it to skip."""

    ref: str
    skip: int = 0


@dataclass(frozen=True)
class PatchUpdate:
    """What regenerating the patches did."""

    base: str
    head: str
    head_sha: str
    files: tuple[str, ...]
    commits: tuple[gitops.Commit, ...]
    ignored: tuple[gitops.Commit, ...]
    new_subjects: tuple[str, ...]  # newest first


def patches_base(repo: Path, info: editor.SpecInfo, version: str | None = None) -> PatchesBase:
    """The patches base from ``# patches_base=`` or the upstream tag of ``version``.

    A patches_base holding a macro, or naming another version than the one we
    generate for, means "the version tag": only its ``+N`` is kept. The version
    tag is the spec's upstream version (:func:`.gitops.spec_upstream_ref`).
    """
    raw = info.magic.get("patches_base")
    skip = 0
    ref: str | None = None
    if raw:
        base, _, count = raw.partition("+")
        skip = int(count) if count.isdigit() else 0
        if base and "%" not in base and version is None:
            ref = base
    if ref is None or gitops.rev_parse(repo, ref) is None:
        ref = gitops.version_tag(repo, version) if version else gitops.spec_upstream_ref(repo, info)
    return PatchesBase(ref, skip)


def ignore_regex(info: editor.SpecInfo) -> re.Pattern[str] | None:
    """The compiled ``# patches_ignore=`` regex, if any.

    Raises:
        SpecError: the regex does not compile.
    """
    raw = info.magic.get("patches_ignore")
    if not raw:
        return None
    try:
        return re.compile(raw)
    except re.error as exc:
        raise SpecError(f"{info.path}: patches_ignore={raw!r} is not a regex: {exc}") from None


def _ranges(kept: list[tuple[gitops.Commit, bool]]) -> list[list[gitops.Commit]]:
    """Split commits into runs of consecutive kept ones (each run is one format-patch)."""
    runs: list[list[gitops.Commit]] = []
    previous_kept = False
    for commit, keep in kept:
        if keep:
            if not previous_kept:
                runs.append([])
            runs[-1].append(commit)
        previous_kept = keep
    return runs


def _old_patch_ids(repo: Path, files: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """Commit hashes and subjects of the current patch files (to detect new patches)."""
    hashes: set[str] = set()
    subjects: set[str] = set()
    for name in files:
        path = repo / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("From ") and len(line.split()) > 1:
                hashes.add(line.split()[1])
            elif line.startswith("Subject:"):
                subjects.add(re.sub(r"^Subject:\s*(\[PATCH[^]]*\]\s*)?", "", line).strip())
                break
    return hashes, subjects


def update_patches(
    repo: Path, spec_path: Path, head: str, base: PatchesBase | None = None
) -> PatchUpdate:
    """Rewrite the patch files and ``PatchNNNN:`` lines from ``base..head``.

    Old patch files named by the spec are removed (``git rm``), new ones are
    written and ``git add``-ed, and ``%global commit`` follows ``head``.

    Args:
        repo: the distgit checkout.
        spec_path: its spec.
        head: the patches branch ref (``patches/rpm-master-patches`` or a local branch).
        base: where patches start; by default from the spec (see :func:`patches_base`).

    Returns:
        What changed, including the subjects of patches that are new (for the changelog).
    """
    info = editor.read_spec(spec_path)
    base = base or patches_base(repo, info)
    regex = ignore_regex(info)
    all_commits = gitops.commits(repo, base.ref, head)[base.skip :]
    marked = [(c, not (regex and regex.search(c.subject))) for c in all_commits]
    old_hashes, old_subjects = _old_patch_ids(repo, info.patch_files)
    for name in info.patch_files:
        gitcmd.checkout(repo).output("rm", "--quiet", "-f", "--ignore-unmatch", "--", name)
    files: list[str] = []
    for run_commits in _ranges(marked):
        start = len(files) + 1
        rng = f"{run_commits[0].sha}~..{run_commits[-1].sha}"
        out = gitcmd.checkout(repo).output(*_FORMAT_PATCH, "--start-number", str(start), rng)
        files.extend(line.strip() for line in out.splitlines() if line.strip())
    if files:
        gitcmd.checkout(repo).output("add", "--", *files)
    editor.set_patches(spec_path, files)
    head_sha = gitops.rev_parse(repo, head) or head
    editor.set_global_macro(spec_path, "commit", head_sha)
    kept = tuple(c for c, keep in marked if keep)
    # newest first, as the changelog (and rdopkg) lists them
    new = tuple(
        c.subject
        for c in reversed(kept)
        if not any(c.sha.startswith(h) or h.startswith(c.sha) for h in old_hashes)
        and c.subject not in old_subjects
    )
    log.info("%d patches on top of %s (%d skipped by base)", len(kept), base.ref, base.skip)
    return PatchUpdate(
        base=base.ref,
        head=head,
        head_sha=head_sha,
        files=tuple(files),
        commits=kept,
        ignored=tuple(c for c, keep in marked if not keep),
        new_subjects=new,
    )
