"""A transient failure (a build timeout) is RETRY, retried next run, FAILED after maxretries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builder.cycle_world import make_cycle_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import settings_from_dict
from trunkline.db.models import BuildStatus, Commit

pytestmark = pytest.mark.slow


def test_a_timed_out_build_is_retried_next_run_then_failed_after_maxretries(
    tmp_path: Path,
) -> None:
    world = make_cycle_world(tmp_path, ("alpha", "beta"))
    dg = world.distgits["alpha"]
    spec = dg.path / "alpha.spec"
    dg.commit(
        "slow build", {"alpha.spec": spec.read_text().replace("%build\n", "%build\nsleep 30\n")}
    )
    raw = world.settings(maxretries=1).to_dict()
    raw["build"]["timeout"] = 2.0
    settings = settings_from_dict(raw)
    cycle = BuildCycle(settings)

    first = cycle.run(CycleOptions())
    assert [(o.package, o.status) for o in first.retried] == [("alpha", BuildStatus.RETRY)]
    assert "timed out" in first.retried[0].error
    assert first.retried[0].repo is None  # nothing published for a RETRY

    second = cycle.run(CycleOptions())  # retried: the pair is built again ...
    assert [(o.package, o.status) for o in second.outcomes] == [("alpha", BuildStatus.FAILED)]
    assert cycle.run(CycleOptions()).planned == []  # ... and after maxretries it is FTBFS

    with cycle.sessions() as session:
        alpha = list(
            session.scalars(
                select(Commit).where(Commit.project_name == "alpha").order_by(Commit.id)
            )
        )
    assert [(r.status, r.retries) for r in alpha] == [
        (BuildStatus.RETRY, 1),
        (BuildStatus.FAILED, 2),
    ]
    assert alpha[0].repo_dir == "" and (settings.builder.repos_path / alpha[1].repo_dir).is_dir()
