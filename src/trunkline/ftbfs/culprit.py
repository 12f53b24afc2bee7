"""Which commit broke a package: the commits between its last good and first bad build.

Shapes: a :class:`CommitRef` is one commit as a payload names it (``hash``,
``subject``, ``author``, ``url``); a :class:`Culprit` is the contract's ``culprit``
object, ``state`` one of:

* ``single``: exactly one commit changed on each side that changed (upstream and/or
  distgit) since the last good build: that is the culprit, no build needed;
* ``bisecting``: several upstream commits changed (head-only mode, skipped commits,
  the first build after a pause); ``ftbfs/bisect.py`` will build midpoints;
* ``bisected``: bisection named the upstream commit;
* ``could-not-isolate``: a midpoint failed for another reason, several distgit
  commits changed (distgit is not bisected: its commits rarely build alone), or
  several upstream commits changed together with the distgit;
* ``unknown``: no good build to compare with (a package's first build), or a
  mirror cannot tell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline import gitcmd
from trunkline.errors import TrunklineError
from trunkline.upstream.refs import commit_info

log = logging.getLogger(__name__)

SINGLE = "single"
BISECTING = "bisecting"
BISECTED = "bisected"
COULD_NOT_ISOLATE = "could-not-isolate"
UNKNOWN = "unknown"
STATES = (SINGLE, BISECTING, BISECTED, COULD_NOT_ISOLATE, UNKNOWN)


def commit_url(repo_url: str | None, sha: str) -> str | None:
    """The web page of commit ``sha`` of a repository served over HTTP(S), else None.

    ``https://host/org/repo(.git)`` -> ``https://host/org/repo/commit/<sha>``: the form
    GitHub, Gitea/Forgejo (opendev.org) and GitLab (redirected) all serve. A local
    path or an ssh URL has no web page.
    """
    if not repo_url or not repo_url.startswith(("http://", "https://")):
        return None
    return f"{repo_url.rstrip('/').removesuffix('.git')}/commit/{sha}"


@dataclass(frozen=True)
class CommitRef:
    """One commit named in a payload."""

    hash: str
    subject: str | None
    author: str | None
    url: str | None

    def as_json(self) -> dict[str, Any]:
        """The payload object ``{"hash", "subject", "author", "url"}``."""
        return {"hash": self.hash, "subject": self.subject, "author": self.author, "url": self.url}


def describe(mirror: Path | None, sha: str, repo_url: str | None) -> CommitRef:
    """``sha`` with its subject and author read from ``mirror`` (None where unknown)."""
    info = commit_info(mirror, sha) if mirror is not None else None
    return CommitRef(
        sha,
        info.subject if info else None,
        info.author if info else None,
        commit_url(repo_url, sha),
    )


@dataclass(frozen=True)
class Culprit:
    """The contract's ``culprit`` object."""

    state: str
    upstream: CommitRef | None = None
    distgit: CommitRef | None = None

    def as_json(self) -> dict[str, Any]:
        """``{"state", "upstream", "distgit"}`` with commit objects or null."""
        return {
            "state": self.state,
            "upstream": self.upstream.as_json() if self.upstream else None,
            "distgit": self.distgit.as_json() if self.distgit else None,
        }


def commits_between(mirror: Path, good: str, bad: str) -> list[str]:
    """Commits reachable from ``bad`` and not from ``good``, oldest first (``rev-list``).

    Raises:
        CommandError: git cannot read the mirror or one of the commits.
    """
    out = gitcmd.bare(mirror).output("rev-list", "--reverse", "--topo-order", f"{good}..{bad}")
    return out.split()


@dataclass(frozen=True)
class Sides:
    """Where one package's two histories are, to read commits from."""

    upstream_mirror: Path | None
    distgit_mirror: Path | None
    upstream_url: str | None
    distgit_url: str | None


def find_culprit(
    sides: Sides,
    good: tuple[str, str] | None,
    bad: tuple[str, str],
) -> tuple[Culprit, list[str]]:
    """The culprit of a failure from the (upstream, distgit) hashes of last good and bad.

    Returns:
        The culprit, and when it is ``bisecting`` the upstream commits to bisect
        (oldest first, the failing one last); otherwise an empty list.
    """
    if good is None:
        return Culprit(UNKNOWN), []
    try:
        up: list[str] = []
        if good[0] != bad[0]:
            if sides.upstream_mirror is None:
                return Culprit(UNKNOWN), []
            up = commits_between(sides.upstream_mirror, good[0], bad[0])
        dg: list[str] = []
        if good[1] != bad[1]:
            if sides.distgit_mirror is None:
                return Culprit(UNKNOWN), []
            dg = commits_between(sides.distgit_mirror, good[1], bad[1])
    except TrunklineError as exc:
        log.warning("culprit: cannot compare %s..%s: %s", good, bad, exc)
        return Culprit(UNKNOWN), []
    if not up and not dg:
        return Culprit(UNKNOWN), []  # rebuilt as is (force push back, environment)
    upstream = describe(sides.upstream_mirror, up[0], sides.upstream_url) if len(up) == 1 else None
    distgit = describe(sides.distgit_mirror, dg[0], sides.distgit_url) if len(dg) == 1 else None
    if len(up) > 1 and not dg:  # with a distgit change too, a midpoint proves nothing
        return Culprit(BISECTING), up
    if len(up) > 1 or len(dg) > 1:
        return Culprit(COULD_NOT_ISOLATE, upstream, distgit), []
    return Culprit(SINGLE, upstream, distgit), []
