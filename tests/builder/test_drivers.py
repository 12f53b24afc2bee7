"""Build drivers: the registry, the rpmbuild driver on this host, mock through a fake executable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trunkline.builder.drivers import DRIVERS, make_driver
from trunkline.builder.drivers.base import BuildRequest
from trunkline.builder.drivers.mock import MockDriver
from trunkline.builder.drivers.rpmbuild import RpmbuildDriver
from trunkline.builder.drivers.rpmlog import rpmbuild_error
from trunkline.config import BuildSettings, MockSettings, RpmbuildSettings
from trunkline.errors import ConfigError

SPEC = """\
Name:           tiny
Version:        1.0
Release:        1%{?dist}
Summary:        Tiny
License:        MIT
BuildArch:      noarch
BuildRequires:  tiny-build-helper >= 2
BuildRequires:  /bin/sh

%description
Tiny.

%install
install -d %{buildroot}%{_datadir}/tiny
echo %{greeting} > %{buildroot}%{_datadir}/tiny/greeting

%files
%{_datadir}/tiny
"""


# --- registry -------------------------------------------------------------------------


def test_drivers_are_registered_by_short_name() -> None:
    assert sorted(DRIVERS) == ["mock", "rpmbuild"]
    driver = make_driver(BuildSettings())
    assert (driver.name, driver.isolated) == ("rpmbuild", False)
    mock = make_driver(
        BuildSettings(driver="mock", mock=MockSettings(config="centos-stream-9-x86_64"))
    )
    assert (mock.name, mock.isolated) == ("mock", True)
    # "auto" (the default) picks mock as soon as a mock config is given
    auto = make_driver(BuildSettings(mock=MockSettings(config="centos-stream-9-x86_64")))
    assert auto.name == "mock"


def test_an_unknown_driver_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        make_driver(BuildSettings(driver="kojii"))
    assert (
        str(err.value)
        == "[build] driver = 'kojii': unknown build driver; expected one of: auto, mock, rpmbuild"
    )


def test_mock_needs_a_config() -> None:
    with pytest.raises(ConfigError) as err:
        make_driver(BuildSettings(driver="mock"))
    assert str(err.value) == (
        "[build.mock] config: required by build driver 'mock' "
        "(a mock -r argument, e.g. centos-stream-9-x86_64 or a .cfg path)"
    )


# --- rpmbuild error lines -----------------------------------------------------------


def test_rpmbuild_error_names_the_section_and_the_cause() -> None:
    stderr = (
        "+ cd /top/BUILD\n"
        "+ install -D -m 0644 missing.conf /top/BUILDROOT/x/etc/missing.conf\n"
        "install: cannot stat 'missing.conf': No such file or directory\n"
        "error: Bad exit status from /var/tmp/rpm-tmp.YAkYmy (%install)\n"
        "    Bad exit status from /var/tmp/rpm-tmp.YAkYmy (%install)\n"
    )
    assert rpmbuild_error(stderr) == (
        "%install: install: cannot stat 'missing.conf': No such file or directory"
    )


def test_rpmbuild_error_lists_failed_dependencies() -> None:
    stderr = (
        "error: Failed build dependencies:\n"
        "\t/bin/sh is needed by bad-1-1.noarch\n"
        "\tnonexistent-thing >= 2 is needed by bad-1-1.noarch\n"
    )
    assert rpmbuild_error(stderr) == "unmet BuildRequires: /bin/sh, nonexistent-thing >= 2"


def test_rpmbuild_error_falls_back_to_the_first_error_line() -> None:
    stderr = "warning: x\nerror: File not found: /top/BUILDROOT/x/etc/a.conf\nRPM build errors:\n"
    assert rpmbuild_error(stderr) == "File not found: /top/BUILDROOT/x/etc/a.conf"


# --- the rpmbuild driver, for real --------------------------------------------------


@pytest.fixture(scope="module")
def tiny_srpm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("srpm")
    (top / "tiny.spec").write_text(SPEC)
    subprocess.run(
        ["rpmbuild", "-bs", "--nodeps", "--define", f"_topdir {top}", str(top / "tiny.spec")],
        check=True,
        capture_output=True,
    )
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    return srpm


def _request(tmp_path: Path, srpm: Path, **kw: object) -> BuildRequest:
    out = tmp_path / "out"
    out.mkdir()
    return BuildRequest(srpm=srpm, output_dir=out, log_path=tmp_path / "rpmbuild.log", **kw)  # type: ignore[arg-type]


@pytest.mark.slow
def test_rpmbuild_builds_with_dist_and_macros_and_records_unmet_buildrequires(
    tmp_path: Path, tiny_srpm: Path
) -> None:
    request = _request(tmp_path, tiny_srpm, dist=".el9s", macros={"greeting": "hi"})
    result = RpmbuildDriver().build(request)
    assert result.ok, result.error
    assert [p.name for p in result.rpms] == ["tiny-1.0-1.el9s.noarch.rpm"]
    assert result.rpms[0].parent == request.output_dir
    assert not (request.output_dir / "rpmbuild").exists()  # the topdir is cleaned up
    # /bin/sh exists on this host even though no rpm provides it; the helper does not
    assert result.unmet_buildrequires == ("tiny-build-helper >= 2",)
    assert result.logs == (request.log_path,)
    log = request.log_path.read_text()
    assert "--define dist .el9s" in log and "--define greeting hi" in log and "--nodeps" in log


@pytest.mark.slow
def test_rpmbuild_without_nodeps_fails_on_unmet_buildrequires(
    tmp_path: Path, tiny_srpm: Path
) -> None:
    driver = RpmbuildDriver(RpmbuildSettings(nodeps=False))
    result = driver.build(_request(tmp_path, tiny_srpm))
    assert not result.ok and not result.transient
    assert result.error == "unmet BuildRequires: /bin/sh, tiny-build-helper >= 2"
    assert result.unmet_buildrequires == ("tiny-build-helper >= 2",)


def test_rpmbuild_timeout_is_transient(tmp_path: Path, tiny_srpm: Path) -> None:
    result = RpmbuildDriver().build(_request(tmp_path, tiny_srpm, timeout=0.001))
    assert not result.ok and result.transient
    assert result.error.startswith("rpmbuild failed (exit -9): timed out after")


# --- the mock driver, through a fake mock first on PATH -------------------------------

FAKE_MOCK = """\
#!{python}
# A stand-in for mock: records its argv, behaves as the -r config name says.
import json, pathlib, sys
argv = sys.argv[1:]
pathlib.Path({record!r}).write_text(json.dumps(argv))
config = argv[argv.index("-r") + 1]
out = pathlib.Path(argv[argv.index("--resultdir") + 1])
srpm = pathlib.Path(argv[-1])
name = srpm.name.removesuffix(".src.rpm")
print("INFO: mock.py version 5.0 starting...")
if config == "ok":
    (out / (name + ".src.rpm")).write_bytes(b"")
    (out / (name + ".noarch.rpm")).write_bytes(b"")
    (out / "build.log").write_text("Wrote: ...\\n")
    (out / "root.log").write_text("DEBUG\\n")
    sys.exit(0)
if config == "ftbfs":
    (out / "build.log").write_text(
        "+ install -D -m 0644 missing.conf /b/etc/missing.conf\\n"
        "install: cannot stat 'missing.conf': No such file or directory\\n"
        "error: Bad exit status from /var/tmp/rpm-tmp.abc (%install)\\n"
    )
    print("ERROR: Exception(tiny.src.rpm) Config(ftbfs) 0 minutes 3 seconds", file=sys.stderr)
    sys.exit(10)
if config == "mirror":
    print("ERROR: Command failed: dnf install: Curl error (6): no host", file=sys.stderr)
    sys.exit(30)
sys.exit(3)
"""


@pytest.fixture
def fake_mock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    record = tmp_path / "mock-argv.json"
    script = bindir / "mock"
    script.write_text(FAKE_MOCK.format(python=sys.executable, record=str(record)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    return record


def _mock_request(tmp_path: Path) -> BuildRequest:
    srpm = tmp_path / "tiny-1.0-1.el9s.src.rpm"
    srpm.write_bytes(b"")
    return _request(tmp_path, srpm, dist=".el9s", macros={"greeting": "hi"}, timeout=60.0)


def test_mock_command_line(tmp_path: Path, fake_mock: Path) -> None:
    driver = MockDriver(MockSettings(config="ok", extra_args=("--no-cleanup-after",)))
    request = _mock_request(tmp_path)
    result = driver.build(request)
    assert json.loads(fake_mock.read_text()) == [
        "-r",
        "ok",
        "--resultdir",
        str(request.output_dir),
        "--define",
        "dist .el9s",
        "--define",
        "greeting hi",
        "--postinstall",
        "--no-cleanup-after",
        "--rebuild",
        str(request.srpm),
    ]
    assert result.ok, result.error
    assert [p.name for p in result.rpms] == ["tiny-1.0-1.el9s.noarch.rpm"]  # the SRPM is not one
    assert result.logs == (
        request.log_path,
        request.output_dir / "build.log",
        request.output_dir / "root.log",
    )
    assert "mock.py version 5.0 starting" in request.log_path.read_text()


def test_mock_without_postinstall(tmp_path: Path, fake_mock: Path) -> None:
    driver = MockDriver(MockSettings(config="ok", install_after_build=False))
    driver.build(_mock_request(tmp_path))
    assert "--postinstall" not in json.loads(fake_mock.read_text())


def test_mock_build_failure_reads_the_build_log(tmp_path: Path, fake_mock: Path) -> None:
    result = MockDriver(MockSettings(config="ftbfs")).build(_mock_request(tmp_path))
    assert not result.ok and not result.transient
    assert result.error == (
        "mock exit 10: %install: install: cannot stat 'missing.conf': No such file or directory"
    )
    assert result.rpms == ()


def test_mock_package_manager_failure_is_transient(tmp_path: Path, fake_mock: Path) -> None:
    result = MockDriver(MockSettings(config="mirror")).build(_mock_request(tmp_path))
    assert not result.ok and result.transient
    assert result.error == (
        "mock exit 30: ERROR: Command failed: dnf install: Curl error (6): no host"
    )


def test_a_missing_mock_executable_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    driver = MockDriver(MockSettings(config="ok", mock_exe=str(tmp_path / "no-such-mock")))
    result = driver.build(_mock_request(tmp_path))
    assert not result.ok and not result.transient
    assert result.error.startswith("no-such-mock failed (exit 127): cannot start:")
