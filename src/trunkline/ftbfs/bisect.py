"""Naming the upstream commit that broke a package, by building midpoints.

When a failing build covers several upstream commits since the last good one
(head-only mode, skipped commits, the first build after a pause), the period opens
with culprit ``bisecting`` and the builder, after the cycle's queue is recorded and
published, bisects it: each midpoint is a real build with the builder's driver in
``<data_dir>/bisect/<ftbfs id>/<hash>/`` (only its logs are kept), never recorded
as a ``commits`` row and never published. Then the row gets ``bisected`` (or
``could-not-isolate``) and ``ftbfs.culprit`` is emitted in that transaction, so the
opening mail goes out at once and the culprit follows.

A midpoint that fails with a log signature (``excerpt.signature``) disjoint from
the first failing build's failed for another reason: the bisection stops with
``could-not-isolate`` rather than guess. A RETRY (infrastructure) stops it too.
At most ``ceil(log2 n)`` builds for ``n`` commits (the last is known bad).

A kill during a bisection leaves the row ``bisecting``; the next cycle (which reads
the open periods once, built or not) starts it again.
"""

from __future__ import annotations

import enum
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session, sessionmaker

from trunkline.config import Settings
from trunkline.db.engine import session_scope
from trunkline.db.models import BuildStatus, Commit, Ftbfs
from trunkline.errors import TrunklineError
from trunkline.ftbfs.culprit import (
    BISECTED,
    BISECTING,
    COULD_NOT_ISOLATE,
    SINGLE,
    UNKNOWN,
    Culprit,
    commits_between,
    describe,
)
from trunkline.ftbfs.excerpt import read_log, signature
from trunkline.ftbfs.lifecycle import CULPRIT, FtbfsLifecycle, PackageInfo
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.upstream.poll import Candidate
from trunkline.upstream.refs import CommitInfo, commit_info

log = logging.getLogger(__name__)


class Verdict(enum.Enum):
    """What building one midpoint said."""

    GOOD = "good"
    BAD = "bad"  # failed like the first failing build
    OTHER = "other"  # failed for another reason (or RETRY)


@dataclass(frozen=True)
class Bisection:
    """The outcome: the culprit's index in the commits (None: not isolated) and the probes."""

    culprit: int | None
    probes: tuple[tuple[str, Verdict], ...]


def bisect(commits: Sequence[str], probe: Callable[[str], Verdict]) -> Bisection:
    """The first bad commit of ``commits`` (oldest first; the last is known bad).

    The commit before the first is known good. ``probe`` builds one commit.
    """
    lo, hi = -1, len(commits) - 1
    probes: list[tuple[str, Verdict]] = []
    while hi - lo > 1:
        mid = (lo + hi) // 2
        verdict = probe(commits[mid])
        probes.append((commits[mid], verdict))
        if verdict is Verdict.OTHER:
            return Bisection(None, tuple(probes))
        if verdict is Verdict.GOOD:
            lo = mid
        else:
            hi = mid
    return Bisection(hi, tuple(probes))


def log_signature(paths: Sequence[Path]) -> frozenset[str]:
    """The union of the signatures of a build's logs."""
    sig: set[str] = set()
    for path in paths:
        if path.is_file():
            sig |= signature(read_log(path))
    return frozenset(sig)


BuildFn = Callable[[Candidate, Path], tuple[BuildStatus, tuple[Path, ...]]]


@dataclass(frozen=True)
class BisectContext:
    """What bisecting one builder's periods needs."""

    settings: Settings
    factory: sessionmaker[Session]
    lifecycle: FtbfsLifecycle
    packages: dict[str, FollowedPackage]
    build: BuildFn  # builds a candidate in a work dir: (status, logs)


def run_bisection(ctx: BisectContext, ftbfs_id: int) -> Culprit | None:
    """Bisect one period left ``bisecting``; record and emit its culprit.

    Returns:
        The culprit recorded, or None when the period is no longer bisecting (closed,
        bisected by an earlier run) or its package is not followed any more.
    """
    with session_scope(ctx.factory) as session:
        period = session.get(Ftbfs, ftbfs_id)
        if period is None or period.closed_at is not None or period.culprit_state != BISECTING:
            return None
        bad = session.get_one(Commit, period.first_failed_commit_id)
        good = (
            session.get(Commit, period.last_good_commit_id) if period.last_good_commit_id else None
        )
        project = period.project_name
        bad_pair = (bad.commit_hash, bad.distro_hash, bad.commit_branch, bad.repo_dir)
        good_hash = good.commit_hash if good is not None else None
    pkg = ctx.packages.get(project)
    info = ctx.lifecycle.packages.get(project, PackageInfo())
    mirror = info.sides.upstream_mirror
    if pkg is None:
        return None
    culprit = Culprit(UNKNOWN)
    if good_hash is not None and mirror is not None:
        try:
            culprit = _bisect_period(ctx, ftbfs_id, pkg, info, good_hash, bad_pair)
        except (TrunklineError, OSError) as exc:  # never fails the cycle: not isolated
            log.warning("%s: bisection stopped: %s", project, exc)
            culprit = Culprit(COULD_NOT_ISOLATE)
    with session_scope(ctx.factory) as session:
        period = session.get_one(Ftbfs, ftbfs_id)
        if period.closed_at is not None or period.culprit_state != BISECTING:
            return None
        period.culprit_state = culprit.state
        period.culprit_commit_hash = culprit.upstream.hash if culprit.upstream else None
        row = session.get_one(Commit, period.first_failed_commit_id)
        if ctx.lifecycle.emit:
            relpath = PurePosixPath(row.repo_dir) if row.repo_dir else None
            payload = {
                **ctx.lifecycle.common(period, row, info, relpath),
                "culprit": culprit.as_json(),
            }
            ctx.lifecycle.router.emit(session, CULPRIT, payload)
            ctx.lifecycle.emitted += 1
    return culprit


def _bisect_period(
    ctx: BisectContext,
    ftbfs_id: int,
    pkg: FollowedPackage,
    info: PackageInfo,
    good_hash: str,
    bad: tuple[str, str, str, str],
) -> Culprit:
    bad_hash, distro_hash, branch, repo_dir = bad
    mirror = info.sides.upstream_mirror
    assert mirror is not None
    commits = commits_between(mirror, good_hash, bad_hash)
    if len(commits) == 1:
        return Culprit(SINGLE, describe(mirror, commits[0], info.sides.upstream_url))
    bad_logs = tuple(sorted((ctx.settings.builder.repos_path / repo_dir).glob("*.log")))
    bad_sig = log_signature(bad_logs)
    distgit = info.sides.distgit_mirror
    distro = commit_info(distgit, distro_hash) if distgit is not None else None
    scratch = ctx.settings.builder.data_dir / "bisect" / str(ftbfs_id)

    def probe(sha: str) -> Verdict:
        found = commit_info(mirror, sha)
        cand = Candidate(
            pkg,
            found or CommitInfo(sha, int(time.time()), ""),
            distro or CommitInfo(distro_hash, int(time.time()), ""),
            branch,
        )
        root = scratch / sha[:12]
        if root.exists():
            shutil.rmtree(root)
        (root / "logs").mkdir(parents=True)
        status, logs = ctx.build(cand, root)
        for child in root.iterdir():  # keep the logs only
            if child.name != "logs":
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
        if status is BuildStatus.SUCCESS:
            verdict = Verdict.GOOD
        elif status is BuildStatus.FAILED and (log_signature(logs) & bad_sig or not bad_sig):
            verdict = Verdict.BAD
        else:
            verdict = Verdict.OTHER
        log.info("%s: bisect %s: %s", pkg.name, sha[:8], verdict.value)
        return verdict

    result = bisect(commits, probe)
    if result.culprit is None:
        return Culprit(COULD_NOT_ISOLATE)
    return Culprit(BISECTED, describe(mirror, commits[result.culprit], info.sides.upstream_url))
