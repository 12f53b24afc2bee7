"""Commit a distgit change with the conventional message RDO's tooling writes.

The subject is the NVR (``python-foo-1.2.0-1``), the body repeats the new
``%changelog`` lines under ``Changelog:`` and ends with ``Resolves: rhbz#N`` for
every bug the changes mention; a patches-only update without a bump says
``Updated patches from BRANCH``. ``--amend`` keeps an existing ``Change-Id``.
With rpmautospec (``%autochangelog``) the commit message is the changelog: its
subject is the first change and the others follow as ``- change`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from trunkline import gitcmd
from trunkline.distgit import gitops
from trunkline.errors import InputError
from trunkline.rpmspec import editor

_BUG = re.compile(r"rhbz#(\d+)")
_CHANGE_ID = re.compile(r"^Change-Id: (I[0-9a-fA-F]+)$", re.MULTILINE)


def commit_message(
    spec_path: Path,
    changes: Sequence[str],
    *,
    no_bump: bool = False,
    patches_branch: str | None = None,
    extra: str = "",
) -> str:
    """The commit message for a distgit change (see the module docstring)."""
    if no_bump:
        return f"Updated patches from {patches_branch}" if patches_branch else "Updated patches"
    info = editor.read_spec(spec_path)
    if info.autochangelog:
        rest = "".join(f"\n- {c}" for c in changes[1:])
        return changes[0] + ("\n" + rest if rest else "") + (f"\n\n{extra}" if extra else "")
    msg = info.nvr + "\n\nChangelog:\n" + "\n".join(f"- {c}" for c in changes)
    bugs: list[str] = []
    for change in changes:
        bugs.extend(b for b in _BUG.findall(change) if b not in bugs)
    if bugs:
        msg += "\n\n" + "\n".join(f"Resolves: rhbz#{b}" for b in bugs)
    if extra:
        msg += "\n\n" + extra
    return msg


def commit(repo: Path, message: str, *, amend: bool = False, allow_empty: bool = False) -> str:
    """Commit all tracked changes; returns the new commit hash.

    ``allow_empty`` is for rpmautospec specs, where a commit alone is a release
    (its message the changelog entry, ``%autorelease`` counts it).

    Raises:
        InputError: there is nothing to commit.
    """
    if gitops.is_clean(repo) and not amend and not allow_empty:
        raise InputError(f"{repo}: no distgit changes to commit")
    args = ["commit", "--quiet", "-a", "-F", "-"]
    if allow_empty:
        args.append("--allow-empty")
    git = gitcmd.checkout(repo)
    if amend:
        previous = git.output("log", "-1", "--format=%B")
        match = _CHANGE_ID.search(previous)
        if match:
            message += f"\n\nChange-Id: {match.group(1)}\n"
        args.append("--amend")
    git.run(*args, input_text=message)
    return git.output("rev-parse", "HEAD")
