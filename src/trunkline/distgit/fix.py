"""``trunkline distgit fix``: bump Release, add a changelog entry, commit.

The packaging-only change a maintainer makes most often. Unlike rdopkg, which
stops for an editor and needs ``rdopkg -c``, the message is given with ``-m``
(repeatable) or read from an editor by the CLI; the whole edit is one step, and
a failure restores the spec. With rpmautospec (``%autorelease`` and
``%autochangelog``) nothing in the spec changes: the commit, whose message is
the change, is the release. An RDO master distgit (``Release: XXX``) has no
Release to bump and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.distgit import gitops, release, state
from trunkline.distgit.commit import commit, commit_message
from trunkline.errors import InputError
from trunkline.rpmspec import editor


@dataclass(frozen=True)
class FixResult:
    """The commit a ``fix`` made."""

    commit: str
    nvr: str
    release: str
    changes: tuple[str, ...]


def restore_on_error(repo: Path) -> None:
    """Put tracked files back as HEAD has them (after a failed edit)."""
    gitcmd.checkout(repo).output("reset", "--quiet", "--hard", "HEAD")


def fix(
    repo: Path,
    changes: Sequence[str],
    *,
    release_part: str | None = None,
    date: str | None = None,
) -> FixResult:
    """Bump Release, prepend a changelog entry with ``changes`` and commit.

    Args:
        repo: the distgit checkout.
        changes: the changelog lines (without ``- ``).
        release_part: which Release number to bump, rdopkg's ``-R`` (see :mod:`.release`).
        date: the changelog date (today by default).

    Raises:
        InputError: no change text, a bad release part, a dirty distgit, or a command
            in progress.
    """
    lines = [c.strip() for c in changes if c.strip()]
    if not lines:
        raise InputError("fix: a changelog message is required (-m MESSAGE)")
    state.refuse_if_in_progress(repo)
    gitops.ensure_clean(repo)
    spec_path = editor.find_spec(repo)
    name, email = gitops.identity(repo)
    before = editor.read_spec(spec_path)
    try:
        new_release = release.bump(spec_path, release_part)
        editor.add_changelog_entry(spec_path, lines, name, email, date=date)
        sha = commit(repo, commit_message(spec_path, lines), allow_empty=before.autochangelog)
    except Exception:
        restore_on_error(repo)
        raise
    info = editor.read_spec(spec_path)
    # under %autorelease the Release is counted from git at build time: say so
    nvr = f"{info.name}-{info.version}-{info.raw_release}" if info.autorelease else info.nvr
    return FixResult(sha, nvr, new_release, tuple(lines))
