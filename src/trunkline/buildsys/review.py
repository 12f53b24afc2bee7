"""A metadata change pushed for review: clone, edit with the metadata editor, commit, push.

The seed's "Promote CBS tags update" review: the ``buildsys-tags/<tag>.yml``
change is made by :class:`~trunkline.metadata.edit.MetadataEditor` (comments
and layout kept; refused if it adds a validation error) in a fresh clone of the
metadata repo's ``[stable] review_branch``, committed, and pushed to
``refs/for/<branch>`` of ``[stable] review_url`` (default: ``[packages] path``),
the way Gerrit receives changes. Real git throughout.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import CommandError, SourceError
from trunkline.metadata.edit import MetadataEditor

AUTHOR = gitcmd.identity("trunkline", "trunkline@localhost")


def push_review(
    repo_url: str,
    branch: str,
    info_files: Sequence[str],
    edit: Callable[[MetadataEditor], None],
    message: str,
) -> str | None:
    """Apply ``edit`` to a clone of ``repo_url``'s ``branch`` and push it for review.

    Returns:
        The pushed commit's hash; None when the branch already says it (nothing pushed).

    Raises:
        SourceError: the repo cannot be cloned or the push is refused.
        MetadataError: the edit is refused (it would add a validation error).
    """
    with tempfile.TemporaryDirectory(prefix="trunkline-review-") as tmp:
        work = Path(tmp) / "metadata"
        try:
            gitcmd.NOWHERE.run(
                "clone", "--quiet", "--branch", branch, "--single-branch", repo_url, str(work)
            )
        except CommandError as exc:
            raise SourceError(f"{repo_url}: cannot clone branch {branch}: {exc.detail}") from None
        editor = MetadataEditor(work, info_files, cache_dir=Path(tmp) / "cache")
        edit(editor)
        changed = editor.save()
        if not changed or not gitcmd.at(work).output("status", "--porcelain"):
            return None
        git = gitcmd.at(work).with_env(**AUTHOR)
        git.run("add", "--all")
        git.run("commit", "--quiet", "-m", message)
        sha = git.output("rev-parse", "HEAD")
        try:
            git.run("push", "--quiet", repo_url, f"HEAD:refs/for/{branch}")
        except CommandError as exc:
            raise SourceError(
                f"{repo_url}: push to refs/for/{branch} refused: {exc.detail}"
            ) from None
        return sha
