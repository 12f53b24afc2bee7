"""Culprit bisection with real builds: batched upstream commits, one of them breaks.

The builder follows head only, so one failing build covers eight upstream commits;
bisection builds midpoints (real rpmbuild) that are never recorded nor published.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from tests.ftbfs.routes import ftbfs_router
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.db.models import BuildStatus, Commit, Ftbfs, OutboxMessage
from trunkline.ftbfs.bisect import Verdict, bisect
from trunkline.reports.render import generate_reports

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> CycleWorld:
    return make_cycle_world(tmp_path, ("alpha",))


def _commits(world: CycleWorld, breaking: dict[int, str]) -> list[str]:
    """Eight upstream commits; ``breaking[i]`` says how commit i (1-based) breaks the build."""
    repo = world.upstreams["alpha"]
    made = []
    for i in range(1, 9):
        how = breaking.get(i)
        if how == "drop":
            repo.git("rm", "-q", "-r", "alpha.conf")
            made.append(repo.commit(f"Change {i}: drop the config file"))
        elif how == "dir":  # another failure: the file becomes a directory
            repo.git("rm", "-q", "alpha.conf")
            made.append(repo.commit(f"Change {i}: config as a directory", {"alpha.conf/x": "1\n"}))
        else:
            made.append(repo.commit(f"Change {i}", {f"notes/{i}.txt": f"{i}\n"}))
    return made


def test_bisection_names_the_fifth_of_eight_batched_commits(world: CycleWorld) -> None:
    cycle = BuildCycle(world.settings(head_only=True), senders={}, router=ftbfs_router())
    cycle.run(CycleOptions())
    made = _commits(world, {5: "drop"})
    report = cycle.run(CycleOptions())
    assert [o.status for o in report.outcomes] == [BuildStatus.FAILED]
    assert report.culprits and report.culprits[0][1] == "bisected"
    with cycle.sessions() as session:
        period = session.scalars(select(Ftbfs)).one()
        rows = session.scalars(select(Commit)).all()
        sent = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert (period.culprit_state, period.culprit_commit_hash) == ("bisected", made[4])
    # midpoints are not builds of the builder: two rows (first good, failing head), no repo
    assert [r.commit_hash for r in rows][1:] == [made[-1]]
    repos = world.settings().builder.repos_path
    assert not any(h[:8] in str(p) for h in made[:-1] for p in repos.rglob("*"))
    probed = sorted(p.name for p in (world.root / "data" / "bisect" / str(period.id)).iterdir())
    assert len(probed) == math.ceil(math.log2(8))
    assert all(
        (world.root / "data" / "bisect" / str(period.id) / p / "logs").is_dir() for p in probed
    )
    topics = [(m.channel, m.topic) for m in sent]
    assert topics == [
        ("mail", "ftbfs.opened"),
        ("review", "ftbfs.opened"),
        ("mail", "ftbfs.culprit"),
    ]
    # the FTBFS report names the bisected culprit, with the period's age and attempts
    page = (repos / "ftbfs.html").read_text()
    assert 'culprit <span class="culprit-state">bisected</span>' in page
    assert f'<code class="hash">{made[4][:10]}</code>' in page
    assert "open 0 days, 1 attempt(s)" in page and "review none" in page
    opened = json.loads(sent[0].payload)
    assert opened["culprit"]["state"] == "bisecting"
    culprit = json.loads(sent[2].payload)["culprit"]
    assert culprit["state"] == "bisected"
    assert culprit["upstream"]["hash"] == made[4]
    assert culprit["upstream"]["subject"] == "Change 5: drop the config file"

    # a run killed during the bisection left it 'bisecting': the next run, with nothing
    # to build, bisects again and announces the culprit
    with cycle.sessions() as session:
        session.get_one(Ftbfs, period.id).culprit_state = "bisecting"
        session.commit()
    again = cycle.run(CycleOptions())
    assert again.outcomes == [] and again.culprits == [(period.id, "bisected")]
    with cycle.sessions() as session:
        topics = [m.topic for m in session.scalars(select(OutboxMessage))]
    assert topics.count("ftbfs.culprit") == 2

    # the review sender records its change on the period: the status page links it
    with cycle.sessions() as session:
        row = session.get_one(Ftbfs, period.id)
        row.review_id, row.review_state = "4242", "NEW"
        row.review_url = "https://review.example.org/c/alpha-distgit/+/4242"
        session.commit()
        generate_reports(session, repos, project_name="t", baseurl="", full=True)
    status = (repos / "status_report.html").read_text()
    assert (
        '<a class="review" href="https://review.example.org/c/alpha-distgit/+/4242">4242</a>'
        " (NEW)" in status
    )


def test_a_midpoint_failing_for_another_reason_could_not_isolate(world: CycleWorld) -> None:
    cycle = BuildCycle(world.settings(head_only=True), senders={}, router=ftbfs_router())
    cycle.run(CycleOptions())
    _commits(world, {4: "dir", 5: "drop"})  # the first midpoint (4th) fails otherwise
    report = cycle.run(CycleOptions())
    assert report.culprits[0][1] == "could-not-isolate"
    with cycle.sessions() as session:
        period = session.scalars(select(Ftbfs)).one()
    assert period.culprit_state == "could-not-isolate" and period.culprit_commit_hash is None


@pytest.mark.parametrize("n", [2, 3, 5, 8, 13, 64])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_bisect_finds_the_first_bad_within_ceil_log2_probes(n: int, where: str) -> None:
    first_bad = {"first": 0, "middle": n // 2, "last": n - 1}[where]
    commits = [f"c{i}" for i in range(n)]
    probed: list[str] = []

    def probe(sha: str) -> Verdict:
        probed.append(sha)
        return Verdict.BAD if int(sha[1:]) >= first_bad else Verdict.GOOD

    result = bisect(commits, probe)
    assert result.culprit == first_bad
    assert len(probed) <= math.ceil(math.log2(n))
    assert commits[-1] not in probed  # known bad, never rebuilt
