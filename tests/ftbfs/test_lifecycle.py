"""The FTBFS lifecycle end to end: real builds open, attach to and close periods.

Each case runs the real build cycle (git, rpmbuild, createrepo_c, SQLite) on the
tiny cycle world and reads the ``ftbfs`` rows and the outbox rows written with
the builds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from tests.builder.cycle_world import SPEC, CycleWorld, make_cycle_world
from tests.ftbfs.routes import ftbfs_router
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.db.models import BuildStatus, Commit, Ftbfs, OutboxMessage

pytestmark = pytest.mark.slow

COMMON = {
    "ftbfs_id", "builder", "package", "component", "maintainers", "opened_at", "nvr",
    "distgit_branch", "upstream_branch", "distgit_url", "upstream_url", "review_origin",
    "log_url", "repo_url", "commit_id",
}  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> CycleWorld:
    return make_cycle_world(tmp_path, ("alpha",))


def periods(cycle: BuildCycle) -> list[Ftbfs]:
    with cycle.sessions() as session:
        return list(session.scalars(select(Ftbfs).order_by(Ftbfs.id)))


def messages(cycle: BuildCycle) -> list[tuple[str, str, dict[str, Any]]]:
    with cycle.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(m.channel, m.topic, json.loads(m.payload)) for m in rows]


def fixed_spec(name: str) -> str:
    """The distgit fix for an upstream that dropped the config file: the spec writes it."""
    return SPEC.format(name=name).replace(
        f"install -D -m 0644 {name}.conf",
        f"mkdir -p %{{buildroot}}%{{_sysconfdir}}/{name} && echo 'x = 1' >",
    )


def test_open_attach_and_close_by_a_distgit_fix(world: CycleWorld) -> None:
    rdo = yaml.safe_load((world.metadata / "rdo.yml").read_text())
    rdo["packages"][0]["review-origin"] = "ssh://review.example.org:29418/alpha-distgit"
    (world.metadata / "rdo.yml").write_text(yaml.safe_dump(rdo))
    cycle = BuildCycle(world.settings(), senders={}, router=ftbfs_router())
    cycle.run(CycleOptions())
    assert periods(cycle) == [] and messages(cycle) == []

    culprit = world.break_upstream("alpha")
    cycle.run(CycleOptions())
    [period] = periods(cycle)
    assert period.closed_at is None and period.attempts == 1
    assert (period.culprit_state, period.culprit_commit_hash) == ("single", culprit)
    sent = messages(cycle)
    assert [(c, t) for c, t, _ in sent] == [("mail", "ftbfs.opened"), ("review", "ftbfs.opened")]
    payload = sent[0][2]
    assert COMMON | {"culprit", "log_excerpt", "attempts", "event_id"} == set(payload)
    assert payload["package"] == "alpha" and payload["maintainers"] == ["packager@example.com"]
    assert payload["culprit"]["state"] == "single"
    assert payload["culprit"]["upstream"]["hash"] == culprit
    assert payload["culprit"]["upstream"]["subject"] == "Drop the config file"
    assert payload["culprit"]["distgit"] is None
    assert any("alpha.conf" in line for line in payload["log_excerpt"])
    assert any("Bad exit status" in line for line in payload["log_excerpt"])
    assert payload["log_url"].endswith("/rpmbuild.log")
    assert Path(payload["log_url"].removeprefix("file://")).is_file()
    assert payload["nvr"].startswith("alpha-1.0.1-0.")
    assert payload["review_origin"] == "ssh://review.example.org:29418/alpha-distgit"
    assert payload["distgit_branch"] == "rpm-master" and payload["upstream_branch"] == "master"

    # a later failing upstream commit attaches: no new event
    world.upstreams["alpha"].commit("Unrelated change", {"NEWS": "more\n"})
    cycle.run(CycleOptions())
    [period] = periods(cycle)
    assert period.attempts == 2 and period.closed_at is None
    assert len(messages(cycle)) == 2

    # a distgit fix rebuilds the last upstream commit in the same cycle and closes it
    fix = world.distgits["alpha"].commit(
        "Write the config file", {"alpha.spec": fixed_spec("alpha")}
    )
    report = cycle.run(CycleOptions())
    assert [(o.status, o.distro_hash) for o in report.outcomes] == [(BuildStatus.SUCCESS, fix)]
    [period] = periods(cycle)
    assert period.closed_at is not None and period.fixed_by == "distgit"
    closed = messages(cycle)[2:]
    assert [(c, t) for c, t, _ in closed] == [("mail", "ftbfs.fixed"), ("review", "ftbfs.fixed")]
    fixed = closed[0][2]
    assert COMMON | {"fixed_by", "fix", "closed_at", "duration_seconds", "review_id",
                     "review_url", "event_id"} == set(fixed)  # fmt: skip
    assert fixed["fix"]["hash"] == fix and fixed["fix"]["subject"] == "Write the config file"
    assert fixed["ftbfs_id"] == period.id
    assert fixed["duration_seconds"] == period.closed_at - period.opened_at


def test_first_build_failing_opens_with_unknown_culprit_and_upstream_fix(
    world: CycleWorld,
) -> None:
    world.break_upstream("alpha")
    cycle = BuildCycle(world.settings(), senders={}, router=ftbfs_router())
    cycle.run(CycleOptions())
    [period] = periods(cycle)
    assert period.culprit_state == "unknown" and period.last_good_commit_id is None
    assert messages(cycle)[0][2]["culprit"] == {
        "state": "unknown",
        "upstream": None,
        "distgit": None,
    }
    world.upstream_commit("alpha", "Bring it back", "x = 3\n")
    cycle.run(CycleOptions())
    [period] = periods(cycle)
    assert period.fixed_by == "upstream"
    # a new failure after the fix opens a new period
    world.break_upstream("alpha")
    cycle.run(CycleOptions())
    assert [p.closed_at is None for p in periods(cycle)] == [False, True]


def test_retry_is_not_a_failure(world: CycleWorld) -> None:
    """A build that times out is RETRY: no period opens."""
    cycle = BuildCycle(world.settings(), senders={}, router=ftbfs_router())
    cycle.run(CycleOptions())
    world.upstream_commit("alpha", "Slow build")
    slow = world.settings().replace(build=world.settings().build.replace(timeout=0.001))
    report = BuildCycle(slow, senders={}, router=ftbfs_router()).run(CycleOptions())
    assert [o.status for o in report.outcomes] == [BuildStatus.RETRY]
    assert periods(cycle) == [] and messages(cycle) == []


def test_a_cycle_without_ftbfs_reads_the_open_periods_once(tmp_path: Path) -> None:
    """The happy path costs one query per cycle, not one per package."""
    from sqlalchemy import event

    names = ("a1", "a2", "a3")
    world = make_cycle_world(tmp_path, names)
    cycle = BuildCycle(world.settings(), senders={}, router=ftbfs_router())
    cycle.run(CycleOptions())
    for name in names:
        world.upstream_commit(name, "Move on")
    seen: list[str] = []
    engine = cycle.sessions.kw["bind"]

    def count(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if "ftbfs" in statement.lower():
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    report = cycle.run(CycleOptions())
    event.remove(engine, "before_cursor_execute", count)
    assert len(report.outcomes) == len(names)
    assert len(seen) == 1, seen
    with cycle.sessions() as session:
        assert session.scalar(select(Commit.id).where(Commit.status != "SUCCESS")) is None
