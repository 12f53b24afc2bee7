"""Build drivers: the registry, the rpmbuild driver on this host, mock through a fake executable."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.httpdir import serve_directory
from trunkline.builder.drivers import DRIVERS, make_driver
from trunkline.builder.drivers.base import BuildRequest
from trunkline.builder.drivers.mock import MockDriver
from trunkline.builder.drivers.mockconfig import MockConfigParts, render
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
    out.mkdir(parents=True)
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


# --- the generated mock config: current repo, deps repo, build environment -------------

# A stand-in for mock that loads the -r config as mock does (include() inlined, then exec)
CONFIG_MOCK = """\
#!{python}
import json, os, pathlib, re, sys
argv = sys.argv[1:]
path = argv[argv.index("-r") + 1]
out = pathlib.Path(argv[argv.index("--resultdir") + 1])
include = re.compile(r"^\\s*include\\((.*)\\)", re.MULTILINE)
def inline(p):
    text = pathlib.Path(p).read_text()
    for arg in include.findall(text):
        text = include.sub(inline(eval(arg)).replace("\\\\", "\\\\\\\\"), text, count=1)
    return text
config_opts = {{"environment": {{"TERM": "vt100"}}}}
exec(inline(path))
pathlib.Path({record!r}).write_text(json.dumps({{
    "argv": argv, "dnf.conf": config_opts["dnf.conf"], "environment": config_opts["environment"],
    "root": config_opts["root"], "mtime": os.stat(path).st_mtime_ns}}))
(out / "tiny-1.0-1.el9s.noarch.rpm").write_bytes(b"")
"""

BASE_CFG = """\
config_opts['root'] = 'centos-stream-9-x86_64'
config_opts['dnf.conf'] = \"\"\"
[main]
keepcache=1

[baseos]
name=BaseOS
baseurl=https://mirror.example.org/BaseOS/
\"\"\"
"""

DEPS_REPO = """\
[delorean-flamingo-testing]
name=dlrn-flamingo-testing
baseurl=https://buildlogs.centos.org/centos/9-stream/cloud/x86_64/openstack-flamingo/
enabled=1
gpgcheck=0
module_hotfixes=1

[centos9-rabbitmq]
name=centos9-rabbitmq
baseurl=https://trunk.rdoproject.org/centos9-master/deps/rabbitmq/
enabled=1
"""


@pytest.fixture
def config_mock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    record = tmp_path / "mock-config.json"
    script = bindir / "mock"
    script.write_text(CONFIG_MOCK.format(python=sys.executable, record=str(record)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    (tmp_path / "centos9.cfg").write_text(BASE_CFG)
    return record


@pytest.fixture
def deps_server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving ``delorean-deps.repo`` (and 404 for the rest)."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "delorean-deps.repo").write_text(DEPS_REPO)
    (root / "not-a-repo.repo").write_text("<html>moved</html>\n")
    with serve_directory(root) as url:
        yield url


def _dlrn_like_request(tmp_path: Path, **kw: object) -> BuildRequest:
    srpm = tmp_path / "tiny-1.0-1.el9s.src.rpm"
    srpm.write_bytes(b"")
    current = tmp_path / "data" / "repos" / "current"
    defaults: dict[str, object] = {
        "dist": ".el9s",
        "repos": {"delorean-current": current.as_uri()},
        "env": {"GREETING": "hi there", "QUOTE": 'it\'s "fine"\\n'},
        "cache_dir": tmp_path / "data" / "driver-cache",
    }
    return _request(tmp_path, srpm, **{**defaults, **kw})


def _dnf_conf(record: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read_string(json.loads(record.read_text())["dnf.conf"])
    return parser


def test_mock_gets_the_current_repo_the_deps_repo_and_the_build_env(
    tmp_path: Path, config_mock: Path, deps_server: str
) -> None:
    base = tmp_path / "centos9.cfg"
    settings = MockSettings(config=str(base), deps_url=f"{deps_server}/delorean-deps.repo")
    request = _dlrn_like_request(tmp_path)
    result = MockDriver(settings).build(request)
    assert result.ok, result.error
    seen = json.loads(config_mock.read_text())
    generated = tmp_path / "data" / "driver-cache" / "mock" / "trunkline-centos9.cfg"
    assert seen["argv"][:2] == ["-r", str(generated)]
    assert seen["root"] == "centos-stream-9-x86_64"  # the base config's, included
    dnf = _dnf_conf(config_mock)
    assert dnf.sections() == [
        "main",
        "baseos",
        "delorean-current",
        "delorean-flamingo-testing",
        "centos9-rabbitmq",
    ]
    current = dict(dnf.items("delorean-current"))
    assert current["baseurl"] == (tmp_path / "data" / "repos" / "current").as_uri()
    assert (current["enabled"], current["gpgcheck"], current["priority"]) == ("1", "0", "1")
    assert dnf.get("delorean-flamingo-testing", "module_hotfixes") == "1"
    assert seen["environment"] == {
        "TERM": "vt100",
        "GREETING": "hi there",
        "QUOTE": 'it\'s "fine"\\n',
    }


def test_the_deps_repo_may_be_a_local_file(tmp_path: Path, config_mock: Path) -> None:
    deps = tmp_path / "deps.repo"
    deps.write_text(DEPS_REPO)
    for url in (deps.as_uri(), str(deps)):
        settings = MockSettings(config=str(tmp_path / "centos9.cfg"), deps_url=url)
        out = tmp_path / "out"
        if out.exists():
            shutil.rmtree(out)
        assert MockDriver(settings).build(_dlrn_like_request(tmp_path, env={})).ok
        assert "centos9-rabbitmq" in _dnf_conf(config_mock).sections()


def test_the_generated_config_is_rewritten_only_when_it_changes(
    tmp_path: Path, config_mock: Path
) -> None:
    driver = MockDriver(MockSettings(config=str(tmp_path / "centos9.cfg")))
    assert driver.build(_dlrn_like_request(tmp_path)).ok
    generated = Path(json.loads(config_mock.read_text())["argv"][1])
    os.utime(generated, ns=(1_000_000_000, 1_000_000_000))  # mock compares it with its cache
    shutil.rmtree(tmp_path / "out")
    assert driver.build(_dlrn_like_request(tmp_path)).ok
    assert json.loads(config_mock.read_text())["mtime"] == 1_000_000_000
    shutil.rmtree(tmp_path / "out")
    assert driver.build(_dlrn_like_request(tmp_path, env={"GREETING": "changed"})).ok
    seen = json.loads(config_mock.read_text())
    assert seen["mtime"] != 1_000_000_000
    assert seen["environment"]["GREETING"] == "changed"
    assert [p.name for p in generated.parent.iterdir()] == [generated.name]  # no temp left


def test_without_anything_to_add_mock_runs_with_the_base_config(
    tmp_path: Path, config_mock: Path
) -> None:
    base = str(tmp_path / "centos9.cfg")
    settings = MockSettings(config=base, current_repo=False)
    assert MockDriver(settings).build(_dlrn_like_request(tmp_path, env={})).ok
    assert json.loads(config_mock.read_text())["argv"][:2] == ["-r", base]
    assert not (tmp_path / "data" / "driver-cache").exists()


def test_current_repo_false_leaves_the_builder_s_repo_out(
    tmp_path: Path, config_mock: Path
) -> None:
    settings = MockSettings(config=str(tmp_path / "centos9.cfg"), current_repo=False)
    assert MockDriver(settings).build(_dlrn_like_request(tmp_path)).ok
    assert _dnf_conf(config_mock).sections() == ["main", "baseos"]
    assert json.loads(config_mock.read_text())["environment"]["GREETING"] == "hi there"


def test_an_unreachable_deps_repo_is_transient(
    tmp_path: Path, config_mock: Path, deps_server: str
) -> None:
    url = f"{deps_server}/missing.repo"
    settings = MockSettings(config=str(tmp_path / "centos9.cfg"), deps_url=url)
    result = MockDriver(settings).build(_dlrn_like_request(tmp_path))
    assert not result.ok and result.transient
    assert result.error == f"deps repo {url}: HTTP 404"
    assert not config_mock.exists()  # mock did not run


def test_a_deps_url_that_is_not_a_repo_file_fails_the_build(
    tmp_path: Path, config_mock: Path, deps_server: str
) -> None:
    url = f"{deps_server}/not-a-repo.repo"
    settings = MockSettings(config=str(tmp_path / "centos9.cfg"), deps_url=url)
    result = MockDriver(settings).build(_dlrn_like_request(tmp_path))
    assert not result.ok and not result.transient
    assert result.error == (
        f"mock config: deps repo {url}: not a repo file: File contains no section headers."
    )
    assert not config_mock.exists()


def test_a_mock_config_name_is_included_from_mock_s_config_dir() -> None:
    parts = MockConfigParts(base="centos-stream-9-x86_64", repos={}, repo_files=(), env={"A": "1"})
    assert render(parts).splitlines()[2:] == [
        "include('centos-stream-9-x86_64.cfg')",
        "config_opts['environment']['A'] = '1'",
    ]


# --- build environment with the rpmbuild driver, for real -----------------------------

ENV_SPEC = SPEC.replace(
    "%install\n",
    '%build\necho "greeting is \'$GREETING\'" >&2\ntest "$GREETING" = "hello world"\n\n%install\n',
)


@pytest.mark.slow
def test_rpmbuild_runs_the_spec_with_the_build_env(tmp_path: Path) -> None:
    top = tmp_path / "top"
    top.mkdir()
    (top / "tiny.spec").write_text(ENV_SPEC)
    subprocess.run(
        ["rpmbuild", "-bs", "--nodeps", "--define", f"_topdir {top}", str(top / "tiny.spec")],
        check=True,
        capture_output=True,
    )
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    without = RpmbuildDriver().build(_request(tmp_path / "a", srpm, macros={"greeting": "x"}))
    assert not without.ok
    assert without.error == "%build: greeting is ''"
    env = {"GREETING": "hello world"}
    with_env = RpmbuildDriver().build(
        _request(tmp_path / "b", srpm, macros={"greeting": "x"}, env=env)
    )
    assert with_env.ok, with_env.error


BUILDREQUIRES_FORMS = (
    "plain-name",
    "versioned >= 2.1",
    "exact = 1:1.0-3",
    "below < 4",
    "python3dist(setuptools) >= 40.8",
    "/usr/bin/pathfix.py",
    "(rich-a or rich-b)",
    "(python3-foo >= 1 with python3-foo < 2)",
    "%{name}-self-named",
)


def test_srpm_buildrequires_reads_what_librpm_reads(tmp_path: Path) -> None:
    """The rpmbuild driver reads an SRPM's BuildRequires with the rpm command (no librpm in
    the builder); every form a spec writes must come out as librpm's own reading of it."""
    from trunkline.builder.drivers.rpmlog import srpm_buildrequires

    spec = tmp_path / "forms.spec"
    spec.write_text(
        "Name: forms\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        + "".join(f"BuildRequires: {form}\n" for form in BUILDREQUIRES_FORMS)
        + "\n%description\nd\n\n%files\n",
        encoding="utf-8",
    )
    subprocess.run(
        ["rpmbuild", "-bs", "--nodeps", "--define", f"_topdir {tmp_path}", str(spec)],
        check=True,
        capture_output=True,
    )
    (srpm,) = (tmp_path / "SRPMS").glob("*.src.rpm")
    oracle = (
        "import os, sys, rpm\n"
        "ts = rpm.TransactionSet()\n"
        "ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES | rpm._RPMVSF_NODIGESTS)\n"
        "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        "h = ts.hdrFromFdno(fd)\n"
        "deps = [d.DNEVR()[2:] for d in rpm.ds(h, 'requirename')]\n"
        "print('\\n'.join(d for d in deps if not d.startswith('rpmlib(')))"
    )
    librpm = subprocess.run(
        [sys.executable, "-c", oracle, str(srpm)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert srpm_buildrequires(srpm) == tuple(librpm)
    assert "forms-self-named" in librpm and len(librpm) == len(BUILDREQUIRES_FORMS)
