"""The report on the real 2025.1 constraints against real repositories (rpmbuild + createrepo_c)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pymod2pkg
import pytest

from tests.constraints.conftest import uc_settings
from tests.constraints.world import UC_2025_1, UC_ZED, WORLD
from trunkline.config import Settings
from trunkline.constraints.report import UcRow, UcStatus, counts
from trunkline.constraints.repos import pep503, read_repo
from trunkline.constraints.service import cache_dir, compute_report
from trunkline.errors import InputError

# module -> (package, packaged, repo, also, mapped_by, status), per target Python
EXPECTED = {
    "3.12": {
        "oslo.config": ("python3-oslo-config", "9.7.2-1", "delorean", (), "python3dist", "equal"),
        "oslo.log": ("python3-oslo-log", "7.0.0-1", "delorean", (), "python3dist", "lower"),
        "python-novaclient": (
            "python3-novaclient",
            "18.10.0-1",
            "delorean",
            (),
            "python3dist",
            "greater",
        ),
        "PyYAML": ("python3-pyyaml", "6.0.1-1", "deps", (), "python3dist", "lower"),
        "Routes": ("python3-routes", "1:2.5.1-1", "deps", (), "python3dist", "equal"),
        "WebOb": ("python3-webob", "1.8.9-1", "baseos", ("deps",), "python3dist", "equal"),
        "alabaster": ("python3-alabaster", "1.0.0-1", "deps", (), "python3dist", "equal"),
        "dnspython": ("python3-dns", "2.7.0-1", "baseos", (), "pymod2pkg", "equal"),
        "pbr": ("python3-pbr", "7.1.0-1", "baseos", (), "python3dist", "greater"),
        "voluptuous": ("", "", "", (), "", "missing"),
    },
    "3.9": {
        # alabaster===0.7.16;python_version=='3.9'
        "alabaster": ("python3-alabaster", "1.0.0-1", "deps", (), "python3dist", "greater"),
        # only python3.12dist(pbr): found by pymod2pkg's name at 3.9
        "pbr": ("python3-pbr", "7.1.0-1", "baseos", (), "pymod2pkg", "greater"),
        "oslo.config": ("python3-oslo-config", "9.7.2-1", "delorean", (), "python3dist", "equal"),
    },
}
CASES = [(py, mod, exp) for py, mods in EXPECTED.items() for mod, exp in mods.items()]


@pytest.fixture(scope="module")
def reports(
    tmp_path_factory: pytest.TempPathFactory, uc_repos: dict[str, Path]
) -> dict[str, dict[str, UcRow]]:
    settings = uc_settings(tmp_path_factory.mktemp("uc-report"), uc_repos)
    out: dict[str, dict[str, UcRow]] = {}
    for py in EXPECTED:
        report = compute_report(settings, uc=str(UC_2025_1), python=py, release="epoxy")
        out[py] = {r.module: r for r in report.rows}
    return out


@pytest.mark.parametrize(("python", "module", "expected"), CASES)
def test_each_module_maps_to_the_package_the_repos_ship(
    reports: dict[str, dict[str, UcRow]], python: str, module: str, expected: tuple[object, ...]
) -> None:
    row = reports[python][module]
    got = (row.package, row.packaged, row.repo, row.also, row.mapped_by, row.status.value)
    assert got == expected
    assert row.release == "epoxy"


def test_every_applicable_module_has_a_row_and_missing_ones_are_kept(
    reports: dict[str, dict[str, UcRow]],
) -> None:
    rows = reports["3.12"]
    shipped = sum(len(pkgs) for pkgs in WORLD.values()) - 1  # webob is in two repos
    c = counts(rows.values())
    assert c["equal"] + c["lower"] + c["greater"] == shipped
    assert c["missing"] == len(rows) - shipped > 500
    assert rows["alabaster"].uc_version == "1.0.0"
    assert reports["3.9"]["alabaster"].uc_version == "0.7.16"


def test_python3dist_names_agree_with_pymod2pkg(reports: dict[str, dict[str, UcRow]]) -> None:
    """Where the repos name the package by its provide, pymod2pkg (the peer) names the same."""
    found = [r for r in reports["3.12"].values() if r.mapped_by == "python3dist"]
    assert len(found) == 8
    for row in found:
        assert pymod2pkg.module2package(row.module, "fedora", py_vers=["py3"]) == row.package


def test_the_chosen_packages_are_those_dnf_resolves(
    tmp_path: Path, uc_repos: dict[str, Path], reports: dict[str, dict[str, UcRow]]
) -> None:
    """Real dnf (libsolv) over the same repos picks the same newest provider of each module."""
    from trunkline.publish.installcheck import dnf_base_args

    repos = [(rid, uc_repos[rid].as_uri()) for rid in ("delorean", "deps", "baseos")]
    rows = [
        r for r in reports["3.12"].values() if r.mapped_by == "python3dist" and r.module != "pbr"
    ]
    provides = ",".join(f"python3dist({pep503(r.module)})" for r in rows)
    argv = [
        *dnf_base_args(tmp_path / "root", tmp_path / "cache", repos),
        "repoquery",
        "--quiet",
        "--latest-limit=1",
        "--qf=%{name} %{epoch}:%{version}-%{release} %{repoid}",
        f"--whatprovides={provides}",
    ]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    seen = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    for row in rows:
        epoch, _, vr = seen[row.package][0].partition(":")
        assert (f"{epoch}:{vr}" if epoch != "0" else vr) == row.packaged
        assert seen[row.package][1] == row.repo


def test_a_repo_index_is_cached_by_the_primary_checksum(
    settings: Settings, uc_repos: dict[str, Path]
) -> None:
    cdir = cache_dir(settings)
    first = read_repo("deps", str(uc_repos["deps"]), cdir)
    cached = list(cdir.glob("*.json"))
    assert len(cached) == 1
    data = json.loads(cached[0].read_text())
    assert data["names"]["python3-routes"] == ["1", "2.5.1", "1"]
    again = read_repo("deps", str(uc_repos["deps"]), cdir)
    assert again == first


def test_a_repo_over_http_is_read_from_its_repodata(
    tmp_path: Path, uc_repos: dict[str, Path], http_dir: str
) -> None:
    shutil.copytree(uc_repos["deps"], tmp_path / "deps")
    index = read_repo("deps", f"{http_dir}/deps/", tmp_path / "cache")
    assert index.provider("PyYAML", "3.12") == ("python3-pyyaml", ("0", "6.0.1", "1"))
    assert index.names["python3-routes"] == ("1", "2.5.1", "1")
    with pytest.raises(InputError, match=r"repo nope: .*HTTP 404 \(expected 200\)"):
        read_repo("nope", f"{http_dir}/nope", tmp_path / "cache")


def test_zed_constraints_report_too(settings: Settings) -> None:
    report = compute_report(settings, uc=str(UC_ZED), python="3.9", release="zed")
    rows = {r.module: r for r in report.rows}
    assert rows["oslo.config"].status is UcStatus.GREATER  # 9.7.2 shipped, 9.0.0 constrained
    assert rows["WebOb"].status is UcStatus.GREATER
    assert report.repos == ("delorean", "deps", "baseos")


@pytest.mark.parametrize(
    ("uc", "message"),
    [
        ("/nonexistent/uc.txt", "not found"),
        ("", "no upper-constraints source"),
    ],
)
def test_bad_sources_are_one_line_errors(settings: Settings, uc: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compute_report(settings, uc=uc or None)


def test_a_configured_repo_without_repodata_is_an_error(
    tmp_path: Path, uc_repos: dict[str, Path]
) -> None:
    settings = uc_settings(tmp_path, {**uc_repos, "deps": tmp_path})
    with pytest.raises(InputError, match=r"repo deps: .*repomd.xml: not found"):
        compute_report(settings, uc=str(UC_2025_1))


def test_repo_files_name_further_repos(
    tmp_path: Path, uc_repos: dict[str, Path], http_dir: str
) -> None:
    """RDO's dashboard reads delorean-deps.repo: its enabled sections are repos too."""
    (tmp_path / "deps.repo").write_text(
        f"[rdo-deps]\nname=deps\nbaseurl={uc_repos['deps'].as_uri()}\nenabled=1\n\n"
        "[rdo-debug]\nname=off\nbaseurl=http://127.0.0.1:9/nowhere\nenabled=0\n"
    )
    settings = uc_settings(
        tmp_path,
        uc_repos,
        repos={"baseos": str(uc_repos["baseos"])},
        repo_files=[f"{http_dir}/deps.repo"],
    )
    report = compute_report(settings, uc=str(UC_2025_1))
    assert report.repos == ("delorean", "baseos", "rdo-deps")
    rows = {r.module: r for r in report.rows}
    assert (rows["PyYAML"].repo, rows["WebOb"].also) == ("rdo-deps", ("rdo-deps",))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[m]\nmetalink=https://x\n", r"\[m\] has no baseurl"),
        ("[v]\nbaseurl=http://x/$releasever/\n", r"\[v\] baseurl .* has a dnf variable"),
        ("[deps]\nbaseurl=file:///x\n", r"repo id 'deps' given twice"),
        ("not a repo file\n", r"not a repo file"),
    ],
)
def test_bad_repo_files(tmp_path: Path, uc_repos: dict[str, Path], text: str, message: str) -> None:
    (tmp_path / "x.repo").write_text(text)
    settings = uc_settings(tmp_path, uc_repos, repo_files=[str(tmp_path / "x.repo")])
    with pytest.raises(InputError, match=message):
        compute_report(settings, uc=str(UC_2025_1))
