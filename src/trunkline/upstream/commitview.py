"""A throw-away git repository whose HEAD is one commit of a bare mirror.

pbr and setuptools-scm compute a version from ``HEAD`` of a repository: pbr runs
``git describe --exact-match`` and ``git log --decorate`` on it, setuptools-scm
runs ``git describe --dirty --tags --long`` and ``git status`` in its work tree.
To ask them about any commit of a bare mirror without checking anything out and
without touching the mirror (whose ``HEAD`` other readers share), this module
makes a private git directory that holds only two files:

* ``HEAD``: the commit, detached;
* ``commondir``: the mirror's path, so objects, refs and tags are the mirror's own
  (the mechanism ``git worktree`` uses for linked work trees).

For setuptools-scm the private directory also gets an index read from the
commit with every entry marked ``skip-worktree``: the (empty) work tree then
counts as clean, as a fresh checkout of that commit would. Nothing upstream is
executed and no file of the commit is written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import SourceError


def common_git_dir(path: Path) -> Path:
    """The git directory holding the objects and refs of the repository at ``path``.

    Args:
        path: a bare repository, a work tree (or a folder in one) or a linked work tree.

    Raises:
        SourceError: ``path`` is not a directory in a git repository.
    """
    if not path.is_dir():
        raise SourceError(f"{path}: not a directory")
    result = gitcmd.at(path).run(
        "rev-parse", "--path-format=absolute", "--git-common-dir", check=False, timeout=60
    )
    if not result.ok:
        raise SourceError(f"{path}: not a git repository")
    return Path(result.stdout.strip())


def resolve_commit(repo: Path, ref: str) -> str:
    """The full hash of the commit ``ref`` names in the git repository ``repo``.

    Args:
        repo: a bare mirror or a repository's git directory.
        ref: a branch, tag or (abbreviated) hash.

    Raises:
        SourceError: ``repo`` is not a git repository or ``ref`` names no commit.
    """
    result = gitcmd.bare(repo).run(
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        check=False,
        timeout=60,
    )
    if not result.ok:
        raise SourceError(f"{repo}: ref {ref!r} names no commit")
    return result.stdout.strip()


@contextmanager
def commit_view(mirror: Path, sha: str, *, clean_index: bool = False) -> Iterator[Path]:
    """Yield a work-tree root whose ``.git`` has ``HEAD`` detached at ``sha``.

    Args:
        mirror: the bare mirror (absolute or relative path; stored absolute).
        sha: a full commit hash present in ``mirror``.
        clean_index: also write an index of ``sha`` with every entry
            ``skip-worktree``, so ``git status`` and ``git describe --dirty``
            report a clean tree (what setuptools-scm needs).

    Yields:
        The root directory (empty but for ``.git``), removed on exit.

    Raises:
        CommandError: git cannot read the commit's tree.
    """
    with tempfile.TemporaryDirectory(prefix="trunkline-version-") as tmp:
        root = Path(tmp)
        git_dir = root / ".git"
        git_dir.mkdir()
        (git_dir / "commondir").write_text(f"{mirror.resolve()}\n", encoding="utf-8")
        (git_dir / "HEAD").write_text(f"{sha}\n", encoding="utf-8")
        if clean_index:
            git = gitcmd.bare(git_dir)
            git.run("read-tree", sha, timeout=120)
            files = git.run("ls-files", "-z", timeout=120).stdout
            if files:
                skip = ("update-index", "-z", "--skip-worktree", "--stdin")
                git.run(*skip, timeout=120, input_text=files)
        yield root
