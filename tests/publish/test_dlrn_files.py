"""DLRN 0.26.1's own code reads the files trunkline writes, and writes the same versions.csv.

Real builds through trunkline's build cycle (real git, rpmbuild, createrepo_c):
packages that succeed, one in FTBFS after a good build, one that never built
(FAILED first build), one whose newest build is a RETRY (build timeout), with and
without components. Then, in a peer venv holding ``dlrn==0.26.1`` from PyPI:

* ``dlrn.utils.loadYAML_list`` loads every ``commit.yaml`` and gives back the same
  19 fields (it raises on any key DLRN's Commit does not have);
* ``dlrn.shell.post_build_rpm`` (``build_repo=False``), run on a DLRN DB holding
  the builds recorded before each SUCCESS and on that build's own commit.yaml,
  writes a ``versions.csv`` identical to the one trunkline published.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from tests.peervenv import dlrn_peer
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import Settings, settings_from_dict
from trunkline.db.models import BuildStatus, Commit
from trunkline.metadata.sources import make_source
from trunkline.publish.commitfile import DLRN_FIELDS, commit_record
from trunkline.publish.versions_csv import parse_versions_csv

pytestmark = pytest.mark.slow

PEER = Path(__file__).with_name("dlrn_peer.py")


@pytest.fixture(scope="module")
def dlrn_python() -> Path:
    """The python of a venv holding DLRN 0.26.1 from PyPI."""
    return dlrn_peer()


def peer(python: Path, request: dict[str, Any]) -> Any:
    res = subprocess.run(
        [str(python), str(PEER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout)


@dataclass
class History:
    """A builder after several cycles, and the package list DLRN is given."""

    world: CycleWorld
    settings: Settings
    packages: list[dict[str, str]]

    @property
    def repos(self) -> Path:
        return self.settings.builder.repos_path

    def rows(self) -> list[Commit]:
        with BuildCycle(self.settings).sessions() as s:
            return list(s.scalars(select(Commit).order_by(Commit.id)))

    def component(self, row: Commit) -> str | None:
        return row.component if self.settings.builder.use_components else None


def slow_settings(world: CycleWorld, **builder: Any) -> Settings:
    raw = world.settings(**builder).to_dict()
    raw["build"]["timeout"] = 10.0
    return settings_from_dict(raw)


def dlrn_packages(
    world: CycleWorld, settings: Settings, components: dict[str, str]
) -> list[dict[str, str]]:
    """The package list as DLRN's rdoinfo driver hands it to post_build.

    In the order trunkline's package source gives (DLRN's is the rdoinfo file's):
    the same list in, the same rows out.
    """
    out = []
    for name in [p.name for p in make_source(settings).packages()]:
        pkg = {
            "name": name,
            "upstream": world.upstreams[name].url,
            "master-distgit": world.distgits[name].url,
        }
        if name in components:
            pkg["component"] = components[name]
        out.append(pkg)
    return out


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """alpha: good then FTBFS; beta: good twice; gamma: good then RETRY; delta: never built."""
    world = make_cycle_world(tmp_path_factory.mktemp("dlrn"), ("alpha", "beta", "gamma", "delta"))
    world.break_upstream("delta")
    settings = world.settings()
    BuildCycle(settings).run(CycleOptions())
    world.break_upstream("alpha")
    dg = world.distgits["gamma"]
    spec = (dg.path / "gamma.spec").read_text()
    dg.commit("slow build", {"gamma.spec": spec.replace("%build\n", "%build\nsleep 60\n")})
    slow = slow_settings(world)
    BuildCycle(slow).run(CycleOptions())
    world.upstream_commit("beta", "beta moves on")
    BuildCycle(slow).run(CycleOptions())
    return History(world, settings, dlrn_packages(world, settings, {}))


@pytest.fixture(scope="module")
def components_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """Two components; in each, a package builds and another fails."""
    comps = {"alpha": "network", "beta": "network", "gamma": "compute", "delta": "compute"}
    world = make_cycle_world(tmp_path_factory.mktemp("dlrn-comp"), tuple(comps))
    rdo = yaml.safe_load((world.metadata / "rdo.yml").read_text())
    for pkg in rdo["packages"]:
        pkg["component"] = comps[pkg["name"]]
    (world.metadata / "rdo.yml").write_text(yaml.safe_dump(rdo, sort_keys=False))
    world.break_upstream("delta")
    settings = world.settings(use_components=True)
    BuildCycle(settings).run(CycleOptions())
    world.upstream_commit("gamma", "gamma moves on")
    world.upstream_commit("beta", "beta moves on")
    BuildCycle(settings).run(CycleOptions())
    return History(world, settings, dlrn_packages(world, settings, comps))


def check_commit_files(h: History, python: Path) -> list[Commit]:
    rows = {r.id: r for r in h.rows()}
    files = sorted(h.repos.glob("**/commit.yaml"))
    published = [r for r in rows.values() if r.repo_dir]
    assert len(files) == len(published)  # every SUCCESS and FAILED build dir has one
    loaded = peer(python, {"load": [str(f) for f in files]})
    checked = []
    for path, records in zip(files, loaded, strict=True):
        ours = yaml.safe_load(path.read_text())["commits"]
        assert records == ours  # DLRN loads every field back as written
        assert tuple(sorted(records[0])) == tuple(sorted(DLRN_FIELDS))
        row = rows[int(records[0]["id"])]
        assert records[0] == commit_record(row, h.component(row))
        assert path.parent == h.repos / row.repo_dir
        if row.status is BuildStatus.SUCCESS:
            artifacts = records[0]["artifacts"].split(",")
            assert artifacts and all(a.startswith(f"repos/{row.repo_dir}/") for a in artifacts)
            assert all((h.repos / a.removeprefix("repos/")).is_file() for a in artifacts)
            assert any(a.endswith(".src.rpm") for a in artifacts)
        else:
            assert records[0]["artifacts"] == "None"
        checked.append(row)
    return checked


def check_versions_csv(h: History, python: Path, tmp: Path) -> None:
    rows = h.rows()
    good = [r for r in rows if r.status is BuildStatus.SUCCESS]
    assert good
    for row in good:
        state = tmp / f"state-{row.id}.yaml"
        before = [commit_record(r, h.component(r)) for r in rows if r.id < row.id]
        state.write_text(yaml.safe_dump({"commits": before}))
        request = {
            "datadir": str(tmp / f"dlrn-{row.id}"),
            "state": str(state),
            "commit": str(h.repos / row.repo_dir / "commit.yaml"),
            "packages": h.packages,
            "use_components": h.settings.builder.use_components,
        }
        theirs = peer(python, {"versions": request})
        ours = (h.repos / row.repo_dir / "versions.csv").read_text()
        assert ours == theirs, f"build #{row.id} {row.project_name}:\n{ours}\n---\n{theirs}"


def test_dlrn_loads_every_commit_yaml_with_the_same_fields(
    history: History, dlrn_python: Path
) -> None:
    checked = check_commit_files(history, dlrn_python)
    statuses = {r.status for r in checked}
    assert statuses == {BuildStatus.SUCCESS, BuildStatus.FAILED}
    assert BuildStatus.RETRY in {r.status for r in history.rows()}  # RETRY: no dir, no file


def test_versions_csv_is_what_dlrn_writes_for_the_same_state(
    history: History, dlrn_python: Path, tmp_path: Path
) -> None:
    check_versions_csv(history, dlrn_python, tmp_path)
    # and the classes the issue names, on the last build (beta's second)
    last = next(r for r in reversed(history.rows()) if r.status is BuildStatus.SUCCESS)
    got = {
        row["Project"]: row
        for row in parse_versions_csv((history.repos / last.repo_dir / "versions.csv").read_text())
    }
    assert list(got) == [p["name"] for p in history.packages]  # package-list order
    assert got["alpha"]["Status"] == "FAILED" and got["alpha"]["Pkg NVR"].endswith(".el9s")
    assert got["gamma"]["Status"] == "RETRY"
    assert got["delta"]["Status"] == "FAILED" and got["delta"]["Pkg NVR"] == ""
    assert got["beta"]["Status"] == "SUCCESS" and got["beta"]["Source Sha"] == last.commit_hash


def test_components_files_are_what_dlrn_reads_and_writes(
    components_history: History, dlrn_python: Path, tmp_path: Path
) -> None:
    checked = check_commit_files(components_history, dlrn_python)
    assert {r.component for r in checked} == {"network", "compute"}
    check_versions_csv(components_history, dlrn_python, tmp_path)
