"""The build cycle end to end: real git, real rpmbuild, real createrepo_c, real DB."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.builder.lock import BuilderLock
from trunkline.config import settings_from_dict
from trunkline.db.models import BuildStatus, CIVote, Commit
from trunkline.errors import ConfigError, InputError, LockedError, UnknownPackageError

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> CycleWorld:
    return make_cycle_world(tmp_path)


def rows(cycle: BuildCycle) -> list[Commit]:
    with cycle.sessions() as session:
        return list(session.scalars(select(Commit).order_by(Commit.id)))


def link(repos: Path, name: str) -> str:
    return os.readlink(repos / name)


def test_first_cycle_builds_every_head_and_publishes_a_repo_each(world: CycleWorld) -> None:
    settings = world.settings()
    cycle = BuildCycle(settings)
    report = cycle.run(CycleOptions())

    assert [o.status for o in report.outcomes] == [BuildStatus.SUCCESS] * 2
    built = rows(cycle)
    assert {r.project_name for r in built} == {"alpha", "beta"}
    repos = settings.builder.repos_path
    last = built[-1]
    repo = repos / last.repo_dir
    # DLRN layout: <h[0:2]>/<h[2:4]>/<commit>_<distro[:8]>
    h = last.commit_hash
    assert last.repo_dir == f"{h[:2]}/{h[2:4]}/{h}_{last.distro_hash[:8]}"
    names = sorted(p.name for p in repo.iterdir())
    for expected in ("repodata", "delorean.repo", "commit.yaml", "versions.csv", "build.log"):
        assert expected in names
    # NVR convention VERSION-0.<UTC commit timestamp>.<short hash>
    own = [n for n in names if n.endswith(".noarch.rpm")]
    assert any(n.startswith(f"{last.project_name}-1.0.0-0.") and f".{h[:7]}.el9s" in n for n in own)
    # the other package's newest good RPM is linked into this repo
    other = next(r for r in built if r.project_name != last.project_name)
    linked = [p for p in repo.iterdir() if p.is_symlink()]
    assert linked and all(p.resolve().exists() for p in linked)
    assert any(p.name.startswith(other.project_name) for p in linked)
    # current and consistent point at the newest repo
    assert link(repos, "current") == last.repo_dir
    assert link(repos, "consistent") == last.repo_dir
    commit_yaml = yaml.safe_load((repo / "commit.yaml").read_text())
    assert commit_yaml["commits"][0]["commit_hash"] == h
    assert commit_yaml["commits"][0]["status"] == "SUCCESS"
    assert (repos / "report.html").exists()


def test_nothing_new_builds_nothing(world: CycleWorld) -> None:
    cycle = BuildCycle(world.settings())
    cycle.run(CycleOptions())
    again = cycle.run(CycleOptions())
    assert again.planned == []
    assert len(rows(cycle)) == 2


def test_every_new_commit_is_built_in_commit_order_unless_head_only(world: CycleWorld) -> None:
    cycle = BuildCycle(world.settings())
    cycle.run(CycleOptions())
    first = world.upstream_commit("alpha", "Tune alpha")
    second = world.upstream_commit("alpha", "Tune alpha again")
    report = cycle.run(CycleOptions())
    assert [o.commit_hash for o in report.outcomes] == [first, second]

    world.upstream_commit("beta", "b1")
    newest = world.upstream_commit("beta", "b2")
    head_only = cycle.run(CycleOptions(head_only=True))
    assert [o.commit_hash for o in head_only.outcomes] == [newest]


def test_ftbfs_keeps_last_good_build_and_holds_consistent(world: CycleWorld) -> None:
    settings = world.settings()
    repos = settings.builder.repos_path
    cycle = BuildCycle(settings)
    cycle.run(CycleOptions())
    good_consistent = link(repos, "consistent")

    culprit = world.break_upstream("alpha")
    world.upstream_commit("beta", "Beta moves on")
    report = cycle.run(CycleOptions())

    failed = report.failed
    assert [(o.package, o.commit_hash) for o in failed] == [("alpha", culprit)]
    assert failed[0].error  # one line saying why
    fail_row = next(r for r in rows(cycle) if r.status is BuildStatus.FAILED)
    fail_dir = repos / fail_row.repo_dir
    assert (fail_dir / "rpmbuild.log").exists()
    assert not (fail_dir / "repodata").exists()
    # current moved to beta's new build, which still links alpha's last good RPM
    beta_row = rows(cycle)[-1]
    assert beta_row.project_name == "beta" and beta_row.status is BuildStatus.SUCCESS
    assert link(repos, "current") == beta_row.repo_dir
    assert any(p.name.startswith("alpha-") for p in (repos / beta_row.repo_dir).iterdir())
    assert link(repos, "consistent") == good_consistent

    world.upstream_commit("alpha", "Bring the config file back", "x = 2\n")
    fixed = cycle.run(CycleOptions())
    assert [o.status for o in fixed.outcomes] == [BuildStatus.SUCCESS]
    assert link(repos, "consistent") == link(repos, "current") != good_consistent
    with cycle.sessions() as session:
        votes = session.scalars(select(CIVote).where(CIVote.ci_name == "consistent")).all()
    assert len(votes) == 3  # first cycle's two builds + the fix


def test_dry_run_changes_nothing(world: CycleWorld) -> None:
    settings = world.settings()
    report = BuildCycle(settings).run(CycleOptions(dry_run=True))
    assert sorted(c.package.name for c in report.planned) == ["alpha", "beta"]
    assert report.outcomes == []
    assert not (settings.builder.repos_path / "current").exists()


def test_one_package_only_and_unknown_package(world: CycleWorld) -> None:
    cycle = BuildCycle(world.settings())
    report = cycle.run(CycleOptions(packages=("beta",)))
    assert [o.package for o in report.outcomes] == ["beta"]
    with pytest.raises(UnknownPackageError, match="'gamma'"):
        cycle.run(CycleOptions(packages=("gamma",)))


def test_unreachable_upstream_is_reported_and_others_still_build(world: CycleWorld) -> None:
    cycle = BuildCycle(world.settings())
    cycle.run(CycleOptions())
    world.upstream_commit("beta", "Beta moves on")
    alpha_dir = world.upstreams["alpha"].path
    alpha_dir.rename(alpha_dir.with_name("gone"))
    report = cycle.run(CycleOptions())
    assert [name for name, _ in report.source_errors] == ["alpha"]
    assert "\n" not in report.source_errors[0][1]
    assert [o.package for o in report.outcomes] == ["beta"]
    assert report.outcomes[0].status is BuildStatus.SUCCESS


def test_a_second_run_on_the_same_builder_is_refused(world: CycleWorld) -> None:
    settings = world.settings()
    with BuilderLock(settings.builder.data_dir), pytest.raises(LockedError, match="another"):
        BuildCycle(settings).run(CycleOptions())


def test_links_behind_the_database_are_repaired(world: CycleWorld) -> None:
    settings = world.settings()
    repos = settings.builder.repos_path
    cycle = BuildCycle(settings)
    cycle.run(CycleOptions())
    newest = rows(cycle)[-1].repo_dir
    oldest = rows(cycle)[0].repo_dir
    (repos / "current").unlink()
    (repos / "current").symlink_to(oldest)  # as if killed before the link moved
    report = cycle.run(CycleOptions())
    assert report.reconciled == ["current"]
    assert link(repos, "current") == newest


def test_dev_mode_builds_a_local_checkout_with_uncommitted_changes(world: CycleWorld) -> None:
    cycle = BuildCycle(world.settings())
    checkout = world.distgits["alpha"].path
    spec = checkout / "alpha.spec"
    spec.write_text(spec.read_text().replace("The alpha test package", "Locally patched alpha"))
    report = cycle.run(CycleOptions(packages=("alpha",), dev_distgit=checkout))
    assert [o.status for o in report.outcomes] == [BuildStatus.SUCCESS]
    with pytest.raises(InputError, match="--package"):
        cycle.run(CycleOptions(dev_distgit=checkout))


def test_a_bad_driver_config_stops_the_run_before_anything_is_built(world: CycleWorld) -> None:
    raw = world.settings().to_dict()
    raw["build"]["driver"] = "mock"  # without [build.mock] config
    settings = settings_from_dict(raw)
    with pytest.raises(ConfigError, match=r"^\[build.mock\] config: required"):
        BuildCycle(settings).run(CycleOptions())
    assert not (settings.builder.repos_path / "current").exists()


def _repodata_log(repos: Path, row: Commit) -> tuple[int, int, int, int]:
    """(packages, cached, from previous repo, read) from a build's createrepo.log."""
    log = (repos / row.repo_dir / "createrepo.log").read_text()
    found = re.search(r"(\d+) packages, (\d+) cached, (\d+) from \S+, (\d+) read", log)
    assert found, log
    packages, cached, previous, read = (int(g) for g in found.groups())
    return packages, cached, previous, read


def test_each_repo_reuses_the_previous_repos_repodata(world: CycleWorld) -> None:
    settings = world.settings()
    cycle = BuildCycle(settings)
    cycle.run(CycleOptions())
    first, second = rows(cycle)
    repos = settings.builder.repos_path
    own = len(second.artifact_list)
    # within one run the writer's cache describes the first build's RPMs
    assert _repodata_log(repos, second) == (
        own + len(first.artifact_list),
        len(first.artifact_list),
        0,
        own,
    )
    # a new run (new helper, empty cache) has it load the previous repo's metadata while
    # the first build runs (BuildRecorder.prepare): its first publication finds them cached
    world.upstream_commit("alpha", "Tune alpha")
    later = BuildCycle(world.settings())
    later.run(CycleOptions())
    newest = rows(later)[-1]
    packages, cached, previous, read = _repodata_log(repos, newest)
    assert (previous, read) == (0, len(newest.artifact_list))
    assert cached == packages - read > 0


def test_a_package_is_built_after_what_it_buildrequires(world: CycleWorld) -> None:
    dg = world.distgits["alpha"]
    spec = dg.path / "alpha.spec"
    # alpha's new commit is older than beta's, but alpha now BuildRequires beta
    spec.write_text(
        spec.read_text().replace("BuildArch:", "BuildRequires:  beta >= 1.0\nBuildArch:")
    )
    dg.commit("alpha needs beta to build")
    report = BuildCycle(world.settings(workers=2)).run(CycleOptions())
    assert report.dependencies == {"alpha": frozenset({"beta"})}
    assert [o.package for o in report.outcomes] == ["beta", "alpha"]
    assert all(o.status is BuildStatus.SUCCESS for o in report.outcomes)


def test_publishing_as_builds_finish_with_parallel_workers(tmp_path: Path) -> None:
    world = make_cycle_world(tmp_path, ("alpha", "beta", "gamma", "delta"))
    settings = world.settings(workers=2, publish_order="finish")
    cycle = BuildCycle(settings)
    report = cycle.run(CycleOptions())
    assert sorted(o.package for o in report.outcomes) == ["alpha", "beta", "delta", "gamma"]
    assert all(o.status is BuildStatus.SUCCESS for o in report.outcomes)
    repos = settings.builder.repos_path
    last = report.outcomes[-1]  # the last one published is what current shows
    assert link(repos, "current") == str(last.repo)
    current = repos / "current"
    names = {p.name.split("-1.0.0-")[0] for p in current.iterdir() if p.name.endswith(".rpm")}
    assert names == {"alpha", "beta", "gamma", "delta"}  # every package, own or linked
