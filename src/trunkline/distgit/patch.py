"""``trunkline distgit patch``: refresh patch files from the patches branch and commit.

Regenerates ``NNNN-*.patch`` and the ``PatchNNNN:`` lines (see :mod:`.patches`),
then, unless ``--no-bump``, bumps Release and adds a changelog entry naming the
new patches (``Update patches`` when none is new), and commits; ``--amend``
folds the change into the previous commit. The patches branch is
``patches/<branch>-patches`` after a fetch of the ``patches`` remote, or the
local ``<branch>-patches`` with ``--local-patches``. Under rpmautospec the
Release and changelog are left alone (the commit message is the entry); on an
RDO master distgit (``Release: XXX``) there is no bump either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trunkline.distgit import gitops, release, state
from trunkline.distgit.commit import commit, commit_message
from trunkline.distgit.fix import restore_on_error
from trunkline.distgit.patches import PatchUpdate, update_patches
from trunkline.rpmspec import editor


@dataclass(frozen=True)
class PatchResult:
    """What ``patch`` did; ``commit`` is None when the patches were already current."""

    commit: str | None
    update: PatchUpdate
    changes: tuple[str, ...]


def resolve_patches_branch(repo: Path, *, local: bool, patches_branch: str | None) -> str:
    """The ref of the patches branch, fetching the ``patches`` remote first unless local."""
    if patches_branch:
        return patches_branch
    branch = gitops.current_branch(repo)
    if not local:
        gitops.fetch(repo, "patches")
        gitops.fetch(repo, "upstream", tags=True)
    return gitops.find_patches_ref(repo, branch, local=local)


def patch(
    repo: Path,
    *,
    local: bool = False,
    patches_branch: str | None = None,
    no_bump: bool = False,
    amend: bool = False,
    release_part: str | None = None,
    date: str | None = None,
) -> PatchResult:
    """Regenerate the patches and commit (see the module docstring).

    ``release_part`` chooses the Release number to bump, as rdopkg's ``-R`` (see
    :mod:`.release`).

    Raises:
        InputError: dirty distgit, no patches branch, no upstream tag, command in progress,
            bad release part.
    """
    state.refuse_if_in_progress(repo)
    gitops.ensure_clean(repo)
    spec_path = editor.find_spec(repo)
    head = resolve_patches_branch(repo, local=local, patches_branch=patches_branch)
    try:
        update = update_patches(repo, spec_path, head)
        if gitops.is_clean(repo) and not amend:
            return PatchResult(None, update, ())
        changes = update.new_subjects or ("Update patches",)
        info = editor.read_spec(spec_path)
        if info.placeholder:
            no_bump = True  # RDO master: DLRN sets Release and the changelog
        if not no_bump:
            name, email = gitops.identity(repo)
            release.bump(spec_path, release_part)
            editor.add_changelog_entry(spec_path, changes, name, email, date=date)
        message = commit_message(spec_path, changes, no_bump=no_bump, patches_branch=head)
        sha = commit(repo, message, amend=amend)
    except Exception:
        restore_on_error(repo)
        raise
    return PatchResult(sha, update, tuple(changes))
