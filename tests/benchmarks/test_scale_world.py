"""The scale benchmark's synthetic world and DLRN stand-ins are real and usable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.scale.dlrn_side import SHIM, write_ini
from benchmarks.scale.world import BASE_TIME, add_upstream_commit, make_world

from trunkline.metadata.sources import make_source

ROOT = Path(__file__).resolve().parents[2]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_world_has_tagged_upstreams_distgits_and_package_lists(tmp_path: Path) -> None:
    world = make_world(tmp_path / "w", 3, (2,))

    assert world.names == ("python-pkg0000", "python-pkg0001", "python-pkg0002")
    up = world.upstream("python-pkg0001")
    assert _git(up, "describe", "--tags") == "1.0.0"
    assert (
        _git(up, "log", "-1", "--format=%ct %s")
        == f"{BASE_TIME + 60} Initial import of python-pkg0001"
    )
    assert _git(up, "show", "HEAD:python-pkg0001.conf").startswith("# python-pkg0001")
    spec = _git(world.distgit("python-pkg0001"), "show", "rpm-master:python-pkg0001.spec")
    assert "Name:           python-pkg0001" in spec
    followed = make_source(world.settings(tmp_path / "data", 2)).packages()
    assert [p.name for p in followed] == ["python-pkg0000", "python-pkg0001"]
    assert followed[1].upstream == str(up)
    dlrn = json.loads(world.dlrn_packages(3).read_text())
    assert [p["master-distgit"] for p in dlrn] == [str(world.distgit(n)) for n in world.names]


def test_an_upstream_change_is_one_new_commit_on_master(tmp_path: Path) -> None:
    world = make_world(tmp_path / "w", 1)
    up = world.upstream("python-pkg0000")
    before = _git(up, "rev-parse", "master")

    after = add_upstream_commit(world, "python-pkg0000", BASE_TIME + 999)

    assert _git(up, "rev-parse", f"{after}^") == before
    assert _git(up, "describe", "--tags", after).startswith("1.0.0-1-g")
    assert f"x = {BASE_TIME + 999}" in _git(up, "show", f"{after}:python-pkg0000.conf")


def test_dlrn_ini_names_the_shim_drivers_and_the_data_dir(tmp_path: Path) -> None:
    ini = write_ini(tmp_path / "dlrn", tmp_path / "pkgs.json", 2)

    text = ini.read_text()
    assert f"datadir={tmp_path / 'dlrn'}\n" in text
    assert "pkginfo_driver=tl_dlrn_shim.StaticInfoDriver" in text
    assert f"scriptsdir={SHIM}/scripts" in text
    assert f"packages_file={tmp_path / 'pkgs.json'}" in text
    assert "workers=2\n" in text
    assert "@" not in text


@pytest.mark.slow
def test_stand_in_build_srpm_makes_a_dlrn_versioned_srpm(tmp_path: Path) -> None:
    world = make_world(tmp_path / "w", 1)
    name = "python-pkg0000"
    head = add_upstream_commit(world, name, BASE_TIME + 999)
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", str(world.upstream(name)), str(data / name)], check=True)
    distgit = data / f"{name}_distro"
    subprocess.run(["git", "clone", "-q", str(world.distgit(name)), str(distgit)], check=True)

    subprocess.run(
        [
            str(SHIM / "scripts" / "build_srpm.sh"),
            "centos9",
            name,
            str(out),
            str(data),
            "",
            str(distgit),
        ],
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DLRN_SOURCE_COMMIT": head, "RELEASE_DATE": "20260101000000"},
    )

    assert sorted(p.name for p in out.glob("*.src.rpm")) == [
        f"{name}-1.0.1-0.20260101000000.{head[:7]}.el9.src.rpm"
    ]
    assert (out / "rpmbuild.log").read_text().startswith("Wrote: ")


@pytest.mark.slow
def test_a_measured_cycle_builds_and_leaves_rpm_libraries_to_the_helpers(tmp_path: Path) -> None:
    # The scale benchmark's builder step, as `make bench` runs it: every package built,
    # and rpm, specfile and createrepo_c only in the helpers, never in the measured builder.
    world = make_world(tmp_path / "w", 3)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale.tl_child", str(world.root), "3",
         str(tmp_path / "data"), "2"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["statuses"] == {"SUCCESS": 3}
    assert result["commands"]["rpmbuild"] == 6  # the SRPM and the RPMs of each
    assert result["helped_loaded"] == []
    assert result["pydantic_loaded"] is False  # config is msgspec's (issue 10: memory)
