"""The in-progress state of a multi-step distgit command (``--continue`` / ``--abort``).

``new-version`` rebases the patches branch in a separate git worktree; when the
rebase stops on a conflict, the command saves what it was doing in
``.git/trunkline-distgit.json`` and exits. The user resolves the conflict in the
worktree and runs the command again with ``--continue`` (or ``--abort``). The
distgit checkout itself is untouched until the last step, so an aborted run
leaves it exactly as it was.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import InputError

STATE_FILE = "trunkline-distgit.json"


@dataclass(frozen=True)
class InProgress:
    """A stopped ``new-version`` run."""

    command: str
    old_version: str
    new_version: str
    new_tag: str
    patches_branch: str
    worktree: str
    distgit_branch: str
    orig_head: str
    changelog_commits: bool = False

    def to_json(self) -> str:
        """Serialize for the state file."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def state_path(repo: Path) -> Path:
    """Where the state file of this distgit lives (inside ``.git``)."""
    git_dir = Path(gitcmd.checkout(repo).output("rev-parse", "--git-dir"))
    return (git_dir if git_dir.is_absolute() else repo / git_dir) / STATE_FILE


def load(repo: Path) -> InProgress | None:
    """The saved state, or None when nothing is in progress.

    Raises:
        InputError: the state file is unreadable.
    """
    path = state_path(repo)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return InProgress(**data)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path}: unreadable in-progress state ({exc}); remove it") from None


def save(repo: Path, state: InProgress) -> Path:
    """Write the state file and return its path."""
    path = state_path(repo)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(state.to_json() + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def clear(repo: Path) -> None:
    """Forget the in-progress state."""
    state_path(repo).unlink(missing_ok=True)


def refuse_if_in_progress(repo: Path) -> None:
    """Commands must not start while another one is stopped half-way.

    Raises:
        InputError: a state file exists.
    """
    current = load(repo)
    if current is not None:
        raise InputError(
            f"{state_path(repo)}: '{current.command}' to {current.new_version} is in progress; "
            f"run it with --continue or --abort"
        )
