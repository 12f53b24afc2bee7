"""Components: per-component hashed repos and links, and DLRN's top-level aggregate."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.db.models import BuildStatus

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> CycleWorld:
    world = make_cycle_world(tmp_path, ("alpha", "beta"))
    rdo = world.metadata / "rdo.yml"
    doc = yaml.safe_load(rdo.read_text())
    for pkg, component in zip(doc["packages"], ("network", "compute"), strict=True):
        pkg["component"] = component
    rdo.write_text(yaml.safe_dump(doc))
    return world


def repoquery(repo_dir: Path, cache: Path) -> list[str]:
    out = subprocess.run(
        [
            "dnf",
            "-q",
            "repoquery",
            f"--setopt=reposdir={repo_dir}",
            f"--setopt=cachedir={cache}",
            "--qf",
            "%{name}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(out.stdout.split())


def test_components_get_their_own_repos_links_and_an_aggregate(
    world: CycleWorld, tmp_path: Path
) -> None:
    settings = world.settings(use_components=True)
    repos = settings.builder.repos_path
    cycle = BuildCycle(settings)
    report = cycle.run(CycleOptions())
    assert [o.status for o in report.outcomes] == [BuildStatus.SUCCESS] * 2

    alpha = next(o for o in report.outcomes if o.package == "alpha")
    assert str(alpha.repo).startswith("component/network/")
    net_current = repos / "component" / "network" / "current"
    assert net_current.is_symlink()
    assert (net_current.parent / os.readlink(net_current)).resolve() == (
        repos / alpha.repo
    ).resolve()
    # a component's repo links only its own component's packages
    assert not [p for p in (repos / alpha.repo).iterdir() if p.name.startswith("beta")]

    top = repos / "current"
    assert top.is_dir() and not top.is_symlink()
    text = (top / "delorean.repo").read_text()
    assert "[delorean-component-compute]" in text and "[delorean-component-network]" in text
    digest = (top / "delorean.repo.md5").read_text()
    assert digest == hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
    assert (
        os.readlink(top / "delorean.repo") == f"{digest[:2]}/{digest[2:4]}/{digest}/delorean.repo"
    )
    assert repoquery(top, tmp_path / "cache") == ["alpha", "beta"]

    world.upstream_commit("alpha", "network moves on")
    cycle.run(CycleOptions())
    new_digest = (top / "delorean.repo.md5").read_text()
    assert new_digest != digest
    assert (repos / "current" / digest[:2] / digest[2:4] / digest / "delorean.repo").is_file()
    compute = (top / "delorean.repo").read_text().split("[delorean-component-network]")[0]
    assert compute == text.split("[delorean-component-network]")[0]  # compute did not move
