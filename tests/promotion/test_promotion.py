"""Promotion services on every DB back end: atomic links, aggregates, rules, votes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api import world
from tests.api.conftest import make_settings
from trunkline.db.models import CIVote, Promotion
from trunkline.errors import UnsafeNameError
from trunkline.promotion import PurgedBuildError, ReservedNameError, UnknownBuildError
from trunkline.promotion.promote import PromoteRequest, promote
from trunkline.promotion.votes import VoteInput, report_result

pytestmark = pytest.mark.db


def _req(b: world.Build, name: str) -> PromoteRequest:
    return PromoteRequest(b.commit_hash, b.distro_hash, name)


def _vote(b: world.Build, job: str, success: bool = True) -> VoteInput:
    return VoteInput(
        job, "http://ci", 100, success, commit_hash=b.commit_hash, distro_hash=b.distro_hash
    )


def test_promote_points_a_relative_link_at_the_build(db_session: Session, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    b = world.add_build(db_session, settings.builder.repos_path, "pkg", 1)
    done = promote(db_session, settings, [_req(b, "current-passed-ci")], None)
    link = settings.builder.repos_path / "current-passed-ci"
    assert not os.path.isabs(os.readlink(link))
    assert (link / "delorean.repo").is_file()
    assert done[0].promotion.promotion_name == "current-passed-ci"


@pytest.mark.parametrize(
    ("name", "error"),
    [("current", ReservedNameError), ("../x", UnsafeNameError), ("a\x00b", UnsafeNameError)],
)
def test_promote_refuses_bad_names(
    db_session: Session, tmp_path: Path, name: str, error: type[Exception]
) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    b = world.add_build(db_session, settings.builder.repos_path, "pkg", 1)
    with pytest.raises(error):
        promote(db_session, settings, [_req(b, name)], None)


def test_promote_refuses_a_build_whose_repo_is_gone(db_session: Session, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    b = world.add_build(db_session, settings.builder.repos_path, "pkg", 1)
    for f in (settings.builder.repos_path / "01").rglob("*"):
        if f.is_file():
            f.unlink()
    for d in sorted((settings.builder.repos_path / "01").rglob("*"), reverse=True):
        d.rmdir()
    with pytest.raises(PurgedBuildError, match="repo not found"):
        promote(db_session, settings, [_req(b, "x")], None)


def test_components_write_an_aggregate_with_its_own_hash(
    db_session: Session, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, "sqlite://", builder={"use_components": True})
    repos = settings.builder.repos_path
    net = world.add_build(db_session, repos, "pkg-net", 1, component="network")
    comp = world.add_build(db_session, repos, "pkg-comp", 2, component="compute")
    done = promote(db_session, settings, [_req(net, "promoted"), _req(comp, "promoted")], None)
    agg = done[-1].promotion.aggregate_hash
    assert agg is not None and len(agg) == 32
    assert (repos / "component" / "network" / "promoted" / "delorean.repo").is_file()
    text = (repos / "promoted" / "delorean.repo").read_text()
    assert "[delorean-component-compute]" in text and "[delorean-component-network]" in text
    assert (repos / "promoted" / agg[:2] / agg[2:4] / agg / "delorean.repo.md5").read_text() == agg
    assert (
        report_result(
            db_session, settings, VoteInput("agg-job", "u", 5, True, aggregate_hash=agg), None
        ).commit
        is None
    )


def test_a_rule_promotes_once_every_job_passed(db_session: Session, tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, "sqlite://", promotion={"rules": {"current-passed-ci": ["job-a", "job-b"]}}
    )
    b = world.add_build(db_session, settings.builder.repos_path, "pkg", 1)
    assert report_result(db_session, settings, _vote(b, "job-a"), None).auto_promotions == ()
    assert report_result(db_session, settings, _vote(b, "job-b", False), None).auto_promotions == ()
    made = report_result(db_session, settings, _vote(b, "job-b"), None).auto_promotions
    assert [(p.promotion_name, p.automatic, p.user) for p in made] == [
        ("current-passed-ci", True, None)
    ]
    assert (settings.builder.repos_path / "current-passed-ci").is_symlink()
    again = report_result(db_session, settings, _vote(b, "job-a"), None).auto_promotions
    assert again == ()
    rows = db_session.scalars(select(Promotion).where(Promotion.automatic.is_(True))).all()
    assert len(rows) == 1


def test_a_vote_on_unknown_hashes_is_refused(db_session: Session, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    fake = world.Build(0, "x", "ffff", "eeee", None)
    with pytest.raises(UnknownBuildError, match="combination not found"):
        report_result(db_session, settings, _vote(fake, "j"), None)


def test_a_rule_promotes_an_aggregate_once_every_job_passed_on_it(
    db_session: Session, tmp_path: Path
) -> None:
    settings = make_settings(
        tmp_path,
        "sqlite://",
        builder={"use_components": True},
        promotion={"rules": {"promoted-components": ["agg-a", "agg-b"]}},
    )
    repos = settings.builder.repos_path
    net = world.add_build(db_session, repos, "pkg-net", 1, component="network")
    comp = world.add_build(db_session, repos, "pkg-comp", 2, component="compute")
    done = promote(db_session, settings, [_req(net, "tested"), _req(comp, "tested")], None)
    agg = done[-1].promotion.aggregate_hash
    assert agg is not None

    def vote(job: str, success: bool = True) -> tuple[Promotion, ...]:
        v = VoteInput(job, "http://ci", 100, success, aggregate_hash=agg)
        return report_result(db_session, settings, v, None).auto_promotions

    assert vote("agg-a") == ()
    assert vote("agg-b", False) == ()
    made = vote("agg-b")
    assert sorted((p.promotion_name, p.component, p.automatic, p.user) for p in made) == [
        ("promoted-components", "compute", True, None),
        ("promoted-components", "network", True, None),
    ]
    for component, build in (("network", net), ("compute", comp)):
        link = repos / "component" / component / "promoted-components"
        assert link.resolve().name.startswith(build.commit_hash)
    text = (repos / "promoted-components" / "delorean.repo").read_text()
    assert "[delorean-component-compute]" in text and "[delorean-component-network]" in text
    assert made[-1].aggregate_hash == agg  # same builds, same content: DLRN's md5 is the same
    assert vote("agg-a") == ()  # already promoted: nothing moves again


def test_a_rule_that_cannot_promote_keeps_the_vote(db_session: Session, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://", promotion={"rules": {"passed": ["job-a"]}})
    b = world.add_build(db_session, settings.builder.repos_path, "pkg", 1)
    for f in sorted((settings.builder.repos_path / "01").rglob("*"), reverse=True):
        f.unlink() if f.is_file() else f.rmdir()
    result = report_result(db_session, settings, _vote(b, "job-a"), None)
    assert result.auto_promotions == ()
    votes = db_session.scalars(select(CIVote).where(CIVote.commit_id == b.id)).all()
    assert [(v.ci_name, v.ci_vote) for v in votes] == [("job-a", True)]
    assert not (settings.builder.repos_path / "passed").exists()
