"""One commit through the pipeline with real rpmbuild: spec rewrite, SRPM, binary RPMs."""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from trunkline.builder.drivers.base import BuildRequest, BuildResult
from trunkline.builder.drivers.rpmbuild import RpmbuildDriver
from trunkline.builder.pipeline import BuildJob, PipelineResult, build_commit, source_name
from trunkline.db.models import BuildStatus

RELEASE = "0.20251118100000.0d094ba"

PY_SPEC = """\
%{!?sources_gpg: %{!?dlrn:%global sources_gpg 1} }
%global pypi_name hello
%{!?upstream_version: %global upstream_version %{version}%{?milestone}}
%global common_desc \\
A tiny Python project packaged the RDO way.

Name:           python-%{pypi_name}
Version:        XXX
Release:        XXX
Summary:        Hello library
License:        Apache-2.0
URL:            https://example.com/hello
Source0:        https://tarballs.example.com/%{pypi_name}/%{pypi_name}-%{upstream_version}.tar.gz
%if 0%{?sources_gpg} == 1
Source101:      https://tarballs.example.com/%{pypi_name}/%{pypi_name}-%{upstream_version}.tar.gz.asc
%endif
Source1:        hello.conf
BuildArch:      noarch

%description
%{common_desc}

%package -n     python%{python3_pkgversion}-%{pypi_name}
Summary:        Hello library
%{?python_provide:%python_provide python%{python3_pkgversion}-%{pypi_name}}
BuildRequires:  python%{python3_pkgversion}-devel
BuildRequires:  %{py3_dist setuptools}
Requires:       python-%{pypi_name}-common = %{version}-%{release}

%description -n python%{python3_pkgversion}-%{pypi_name}
%{common_desc}

%package common
Summary:        Hello configuration

%description common
%{common_desc}

%prep
%autosetup -n %{pypi_name}-%{upstream_version}

%build
%{py3_build}

%install
%{py3_install}
install -D -m 0644 %{SOURCE1} %{buildroot}%{_sysconfdir}/hello/hello.conf

%files -n python%{python3_pkgversion}-%{pypi_name}
%{python3_sitelib}/%{pypi_name}
%{python3_sitelib}/%{pypi_name}-*.egg-info

%files common
%config(noreplace) %{_sysconfdir}/hello/hello.conf

%changelog
* Tue Nov 18 2025 Packager <packager@example.com> - 1.0.0-1
- Initial package
"""

CONF_SPEC = """\
%{!?upstream_version: %global upstream_version %{version}}
Name:           alpha
Version:        XXX
Release:        XXX
Summary:        Alpha
License:        Apache-2.0
Source0:        alpha-%{upstream_version}.tar.gz
BuildArch:      noarch
BuildRequires:  alpha-build-helper >= 2

%description
Alpha.

%prep
%autosetup -n alpha-%{upstream_version}

%install
install -D -m 0644 alpha.conf %{buildroot}%{_sysconfdir}/alpha/alpha.conf

%files
%config(noreplace) %{_sysconfdir}/alpha/alpha.conf

%changelog
"""


def _tarball(path: Path, top: str, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            data = content.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _job(root: Path, distgit: Path, tarball: Path | None, version: str, **kw: object) -> BuildJob:
    (root / "work").mkdir(exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    fields: dict[str, object] = {
        "package": distgit.name,
        "distgit_dir": distgit,
        "spec_name": None,
        "tarball": tarball,
        "version": version,
        "release": RELEASE,
        "dist": ".el9s",
        "macros": {},
        "workdir": root / "work",
        "log_dir": root / "logs",
        "timeout": 300.0,
        "keep_changelog": False,
    }
    fields.update(kw)
    return BuildJob(**fields)  # type: ignore[arg-type]


def _conf_distgit(root: Path, spec: str = CONF_SPEC) -> Path:
    distgit = root / "alpha"
    distgit.mkdir(parents=True)
    (distgit / "alpha.spec").write_text(spec)
    return distgit


@dataclass
class PyBuild:
    root: Path
    result: PipelineResult


@pytest.fixture(scope="module")
def py_build(tmp_path_factory: pytest.TempPathFactory) -> PyBuild:
    """A pbr-style Python project (upstream 1.0.1.dev3) built from an RDO-style distgit."""
    root = tmp_path_factory.mktemp("pybuild")
    distgit = root / "python-hello"
    distgit.mkdir()
    (distgit / "python-hello.spec").write_text(PY_SPEC)
    (distgit / "hello.conf").write_text("greeting = hello\n")
    (distgit / ".git").mkdir()  # a checkout's .git never reaches SOURCES
    tarball = _tarball(
        root / "hello-1.0.1.dev3.tar.gz",
        "hello-1.0.1.dev3",
        {
            "setup.py": "from setuptools import setup\n"
            "setup(name='hello', version='1.0.1', packages=['hello'])\n",
            "hello/__init__.py": "GREETING = 'hello'\n",
        },
    )
    result = build_commit(_job(root, distgit, tarball, "1.0.1.dev3"), RpmbuildDriver())
    return PyBuild(root, result)


@pytest.mark.slow
def test_a_python_package_builds_with_fallback_macros(py_build: PyBuild) -> None:
    result = py_build.result
    assert result.status is BuildStatus.SUCCESS, result.error
    assert result.error == ""
    assert result.nvr == f"python-hello-1.0.1-{RELEASE}.el9s"
    assert result.srpm is not None
    assert result.srpm.name == f"python-hello-1.0.1-{RELEASE}.el9s.src.rpm"
    assert sorted(p.name for p in result.rpms) == [
        f"python-hello-common-1.0.1-{RELEASE}.el9s.noarch.rpm",
        f"python3-hello-1.0.1-{RELEASE}.el9s.noarch.rpm",
    ]
    files = subprocess.run(
        ["rpm", "-qpl", str(next(p for p in result.rpms if p.name.startswith("python3")))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "/site-packages/hello/__init__.py" in files


@pytest.mark.slow
def test_the_srpm_carries_the_rewritten_spec_and_dlrn_named_tarball(py_build: PyBuild) -> None:
    assert py_build.result.srpm is not None
    listing = subprocess.run(
        ["rpm", "-qpl", str(py_build.result.srpm)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(listing) == sorted(
        ["hello.conf", f"hello-1.0.1.dev3-{RELEASE}.tar.gz", "python-hello.spec"]
    )
    spec = (py_build.root / "work" / "rpmbuild" / "SPECS" / "python-hello.spec").read_text()
    assert spec.startswith(
        f"%global dlrn_nvr hello-1.0.1.dev3-{RELEASE}\n%global dlrn 1\n"
        "%define upstream_version 1.0.1.dev3\n"
    )
    assert "- Initial package" not in spec


@pytest.mark.slow
def test_logs_and_unmet_buildrequires_are_recorded(py_build: PyBuild) -> None:
    result = py_build.result
    logs = py_build.root / "logs"
    assert result.logs[:2] == (logs / "build.log", logs / "rpmbuild.log")
    build_log = (logs / "build.log").read_text()
    assert "$ rpmbuild -bs --nodeps" in build_log
    assert "version 1.0.1 (upstream 1.0.1.dev3)" in build_log
    assert "$ rpmbuild --rebuild" in (logs / "rpmbuild.log").read_text()
    # this host's rpm database provides neither: recorded, not silently ignored
    assert result.unmet_buildrequires == ("python3-devel", "python3dist(setuptools)")
    assert "unmet BuildRequires: python3-devel, python3dist(setuptools)" in build_log


@pytest.mark.slow
def test_a_failing_build_is_failed_with_the_meaningful_line(tmp_path: Path) -> None:
    distgit = _conf_distgit(tmp_path)
    tarball = _tarball(tmp_path / "alpha-1.0.0.tar.gz", "alpha-1.0.0", {"README": "no conf\n"})
    result = build_commit(_job(tmp_path, distgit, tarball, "1.0.0"), RpmbuildDriver())
    assert result.status is BuildStatus.FAILED
    assert result.error == "%install: install: cannot stat 'alpha.conf': No such file or directory"
    assert result.rpms == ()
    assert result.srpm is not None and result.srpm.is_file()
    assert result.nvr == f"alpha-1.0.0-{RELEASE}.el9s"
    assert result.unmet_buildrequires == ("alpha-build-helper >= 2",)
    assert "cannot stat 'alpha.conf'" in (tmp_path / "logs" / "rpmbuild.log").read_text()


def test_a_malformed_spec_fails_with_one_line_naming_it(tmp_path: Path) -> None:
    distgit = _conf_distgit(tmp_path, CONF_SPEC.replace("%install", "%if 0%{?fedora}\n%install"))
    tarball = _tarball(tmp_path / "alpha-1.0.0.tar.gz", "alpha-1.0.0", {"alpha.conf": "x\n"})
    result = build_commit(_job(tmp_path, distgit, tarball, "1.0.0"), RpmbuildDriver())
    assert result.status is BuildStatus.FAILED
    assert result.error == f"{distgit / 'alpha.spec'}: cannot be parsed: line 17: Unclosed %if"
    assert result.srpm is None and result.rpms == ()
    assert (distgit / "alpha.spec").read_text().count("%if 0%{?fedora}") == 1  # distgit untouched


def test_a_missing_patch_fails_the_srpm_step(tmp_path: Path) -> None:
    distgit = _conf_distgit(
        tmp_path, CONF_SPEC.replace("BuildArch:", "Patch0001: fix.patch\nBuildArch:")
    )
    tarball = _tarball(tmp_path / "alpha-1.0.0.tar.gz", "alpha-1.0.0", {"alpha.conf": "x\n"})
    result = build_commit(_job(tmp_path, distgit, tarball, "1.0.0"), RpmbuildDriver())
    assert result.status is BuildStatus.FAILED
    sources = tmp_path / "work" / "rpmbuild" / "SOURCES"
    assert result.error == (
        f"SRPM build failed: Bad file: {sources / 'fix.patch'}: No such file or directory"
    )
    assert result.srpm is None


def test_a_distgit_without_spec_fails(tmp_path: Path) -> None:
    distgit = tmp_path / "empty"
    distgit.mkdir()
    result = build_commit(_job(tmp_path, distgit, None, "1.0.0"), RpmbuildDriver())
    assert result.status is BuildStatus.FAILED
    assert result.error == f"{distgit}: no *.spec file in the distgit"


def test_several_specs_need_the_package_name(tmp_path: Path) -> None:
    distgit = _conf_distgit(tmp_path)
    (distgit / "other.spec").write_text(CONF_SPEC)
    result = build_commit(_job(tmp_path, distgit, None, "1.0.0", package="beta"), RpmbuildDriver())
    assert result.error == (
        f"{distgit}: several spec files (alpha.spec, other.spec) and none is beta.spec"
    )


def test_a_timeout_is_retry(tmp_path: Path) -> None:
    distgit = _conf_distgit(tmp_path)
    tarball = _tarball(tmp_path / "alpha-1.0.0.tar.gz", "alpha-1.0.0", {"alpha.conf": "x\n"})
    result = build_commit(
        _job(tmp_path, distgit, tarball, "1.0.0", timeout=0.001), RpmbuildDriver()
    )
    assert result.status is BuildStatus.RETRY
    assert result.error.startswith("SRPM build: rpmbuild failed (exit -9): timed out after")


class _FlakyDriver:
    """A driver whose environment fails (a mirror down): transient."""

    name = "flaky"
    isolated = True

    def __init__(self) -> None:
        self.requests: list[BuildRequest] = []

    def build(self, request: BuildRequest) -> BuildResult:
        self.requests.append(request)
        return BuildResult(ok=False, error="mirror unreachable\nretry later", transient=True)


def test_a_transient_driver_failure_is_retry(tmp_path: Path) -> None:
    distgit = _conf_distgit(tmp_path)
    tarball = _tarball(tmp_path / "alpha-1.0.0.tar.gz", "alpha-1.0.0", {"alpha.conf": "x\n"})
    driver = _FlakyDriver()
    job = _job(tmp_path, distgit, tarball, "1.0.0", macros={"rdo": "1"})
    result = build_commit(job, driver)
    assert result.status is BuildStatus.RETRY
    assert result.error == "mirror unreachable retry later"
    (request,) = driver.requests
    assert request.dist == ".el9s" and request.macros == {"rdo": "1"}
    assert request.package_name == "alpha"
    assert request.log_path == tmp_path / "logs" / "rpmbuild.log"
    assert request.srpm.name == f"alpha-1.0.0-{RELEASE}.el9s.src.rpm"


def test_source_name_is_dlrns() -> None:
    assert source_name(Path("/x/nova-31.0.0.tar.gz"), RELEASE) == f"nova-31.0.0-{RELEASE}.tar.gz"
    assert source_name(Path("x-1.tar.xz"), "0.1") == "x-1-0.1.tar.xz"
