"""The installability check after each build: recorded, reported, and (by policy) blocking."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import settings_from_dict
from trunkline.db.models import BuildStatus, Commit, InstallStatus

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> CycleWorld:
    return make_cycle_world(tmp_path, ("alpha", "beta"))


def require_missing_package(world: CycleWorld) -> None:
    dg = world.distgits["alpha"]
    spec = dg.path / "alpha.spec"
    text = spec.read_text().replace("BuildArch:", "Requires:       libmissing >= 2\nBuildArch:")
    dg.commit("Require libmissing", {"alpha.spec": text})


def newest(cycle: BuildCycle, project: str) -> Commit:
    with cycle.sessions() as session:
        stmt = select(Commit).where(Commit.project_name == project).order_by(Commit.id.desc())
        row = session.scalars(stmt.limit(1)).first()
    assert row is not None
    return row


@pytest.mark.parametrize("policy", ["record", "block-current"])
def test_an_uninstallable_build_is_recorded_and_the_policy_decides_about_current(
    world: CycleWorld, policy: str
) -> None:
    settings = world.settings()
    raw = settings.to_dict()
    raw["install_check"] = {"enabled": True, "policy": policy}
    settings = settings_from_dict(raw)
    repos = settings.builder.repos_path
    cycle = BuildCycle(settings)
    cycle.run(CycleOptions())
    assert newest(cycle, "alpha").install_status is InstallStatus.INSTALLABLE
    before = os.readlink(repos / "current")

    require_missing_package(world)
    report = cycle.run(CycleOptions())
    assert [o.status for o in report.outcomes] == [BuildStatus.SUCCESS]
    row = newest(cycle, "alpha")
    assert row.install_status is InstallStatus.UNINSTALLABLE
    assert "libmissing" in row.notes
    status_page = (repos / "report.html").read_text()
    assert "UNINSTALLABLE" in status_page
    if policy == "record":
        assert os.readlink(repos / "current") == row.repo_dir
    else:
        assert os.readlink(repos / "current") == before


def make_base_repo(root: Path, provides: str) -> Path:
    """A local stand-in for an OS repo: one package providing ``provides``."""
    top, repo = root / "base-top", root / "base-repo"
    spec = top / "base.spec"
    top.mkdir()
    spec.write_text(
        "Name: base-os\nVersion: 1\nRelease: 1\nSummary: b\nLicense: MIT\nBuildArch: noarch\n"
        f"Provides: {provides}\n%description\nb\n%files\n%changelog\n"
    )
    subprocess.run(
        [
            "rpmbuild",
            "-bb",
            "--quiet",
            "--define",
            f"_topdir {top}",
            "--define",
            f"_rpmdir {repo}",
            str(spec),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True, capture_output=True)
    return repo


def test_a_dependency_from_the_configured_base_repos_makes_the_build_installable(
    world: CycleWorld, tmp_path: Path
) -> None:
    base = make_base_repo(tmp_path, "libmissing = 2.1")
    require_missing_package(world)
    raw = world.settings().to_dict()
    raw["install_check"] = {"enabled": True, "base_repos": [base.as_uri()]}
    cycle = BuildCycle(settings_from_dict(raw))
    cycle.run(CycleOptions(packages=("alpha",)))
    assert newest(cycle, "alpha").install_status is InstallStatus.INSTALLABLE
