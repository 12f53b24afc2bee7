"""A small real world for the distgit tools: upstream, patches and distgit git repos.

Upstream ``foo`` has tags 1.0.0, 1.1.0 and 1.2.0 with a ``requirements.txt`` that
changes between them; 1.2.0 rewrites the line the first patch touches, so
rebasing the patches onto it conflicts. The patches repo carries
``rpm-master-patches`` (three commits on 1.0.0, one of them ``DROP-IN:`` that the
spec's ``# patches_ignore=`` skips). The distgit is on ``rpm-master`` with an
RDO-style spec and the remotes ``upstream`` and ``patches`` (file:// URLs), as
``trunkline distgit clone`` (or rdopkg) sets them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.conftest import git as conftest_git

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Upstream Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Upstream Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
PACKAGER = ("Pat Packager", "pat@example.com")

REQS_100 = """\
# The order of packages is significant
pbr>=2.0.0 # Apache-2.0
oslo.config>=9.0.0 # Apache-2.0
requests>=2.14.2 # Apache-2.0
PyYAML>=5.3.1 # MIT
six>=1.10.0
futures>=3.0;python_version=='2.7' # BSD
"""
REQS_110 = """\
pbr>=2.0.0 # Apache-2.0
oslo.config>=9.2.0 # Apache-2.0
requests>=2.14.2 # Apache-2.0
PyYAML>=5.3.1 # MIT
keystoneauth1>=3.4.0 # Apache-2.0
stevedore>=1.20.0 # Apache-2.0
"""
REQS_120 = REQS_110.replace("stevedore>=1.20.0", "stevedore>=3.0.0")

CORE_100 = "def run():\n    return 'foo'\n\n\ndef crash():\n    raise SystemExit(1)\n"
CORE_120 = CORE_100.replace("raise SystemExit(1)", "raise SystemExit(2)  # changed upstream")

SPEC = """\
%{!?sources_gpg: %{!?dlrn:%global sources_gpg 1} }
%global sources_gpg_sign 0x2ef3fe0ec2b075ab7458b5f8b702b20b13df2318
%{!?upstream_version: %global upstream_version %{version}%{?milestone}}
# we are excluding some BRs from automatic generator
%global excluded_brs doc8 bandit pre-commit hacking flake8-import-order
%global pypi_name foo
%global with_doc 1

%global common_desc \\
Foo is a library used by the tests of trunkline's distgit tools.

Name:           python-%{pypi_name}
Version:        1.0.0
Release:        1%{?dist}
Summary:        Foo library for OpenStack

License:        Apache-2.0
URL:            https://opendev.org/openstack/%{pypi_name}
Source0:        https://tarballs.openstack.org/%{pypi_name}/%{pypi_name}-%{upstream_version}.tar.gz
#
# patches_base=1.0.0
# patches_ignore=DROP-IN
#

# Required for tarball sources verification
%if 0%{?sources_gpg} == 1
Source101:      https://tarballs.openstack.org/%{pypi_name}/%{pypi_name}-%{upstream_version}.tar.gz.asc
Source102:      https://releases.openstack.org/_static/%{sources_gpg_sign}.txt
%endif

BuildArch:      noarch

# Required for tarball sources verification
%if 0%{?sources_gpg} == 1
BuildRequires:  /usr/bin/gpgv2
%endif
BuildRequires:  git-core
BuildRequires:  python3-devel
BuildRequires:  pyproject-rpm-macros

%description
%{common_desc}

%package -n python3-%{pypi_name}
Summary:        Foo library for OpenStack
%{?python_provide:%python_provide python3-%{pypi_name}}

Requires:       python3-pbr >= 2.0.0
Requires:       python3-oslo-config >= 2:9.0.0
Requires:       python3-requests
Requires:       python3-pyyaml >= 5.3
Requires:       python3-six >= 1.10.0
Requires:       python3-netaddr >= 0.7.18

%description -n python3-%{pypi_name}
%{common_desc}

%if 0%{?with_doc}
%package -n python-%{pypi_name}-doc
Summary:        Documentation for foo

%description -n python-%{pypi_name}-doc
Documentation for foo.
%endif

%package -n python3-%{pypi_name}-tests
Summary:        Tests for foo
Requires:       python3-%{pypi_name} = %{version}-%{release}
Requires:       python3-oslotest

%description -n python3-%{pypi_name}-tests
Tests for foo.

%prep
%{?gpgverify:%{gpgverify}  --keyring=%{SOURCE102} --signature=%{SOURCE101} --data=%{SOURCE0}}
%autosetup -n %{pypi_name}-%{upstream_version} -S git

sed -i /^[[:space:]]*-c{env:.*_CONSTRAINTS_FILE.*/d tox.ini

%generate_buildrequires
%pyproject_buildrequires -t -e %{default_toxenv}

%build
%pyproject_wheel

%if 0%{?with_doc}
%tox -e docs
rm -rf doc/build/html/.{doctrees,buildinfo}
%endif

%install
%pyproject_install

%check
%tox -e %{default_toxenv}

%files -n python3-%{pypi_name}
%license LICENSE
%doc README.rst
%{python3_sitelib}/%{pypi_name}
%{python3_sitelib}/%{pypi_name}-*.dist-info
%exclude %{python3_sitelib}/%{pypi_name}/tests

%if 0%{?with_doc}
%files -n python-%{pypi_name}-doc
%license LICENSE
%doc doc/build/html
%endif

%files -n python3-%{pypi_name}-tests
%{python3_sitelib}/%{pypi_name}/tests

%changelog
* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org> 1.0.0-1
- Update to 1.0.0

"""

# The same package built with setuptools macros: no pyproject-rpm-macros, so no
# dependency generator, and every Python Requires is the spec's own business.
SPEC_SETUPTOOLS = (
    SPEC.replace("BuildRequires:  pyproject-rpm-macros\n", "BuildRequires:  python3-setuptools\n")
    .replace("%generate_buildrequires\n%pyproject_buildrequires -t -e %{default_toxenv}\n\n", "")
    .replace("%pyproject_wheel", "%{py3_build}")
    .replace("%pyproject_install", "%{py3_install}")
)


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run git as this world's upstream developer; return stdout."""
    return conftest_git(repo, *args, date=date, identity=GIT_ENV)


def commit(repo: Path, message: str, files: dict[str, str], date: str) -> str:
    """Write files, commit them, return the hash."""
    for rel, content in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


@dataclass(frozen=True)
class World:
    """Paths of the three repos."""

    upstream: Path
    patches: Path
    distgit: Path

    def spec(self) -> Path:
        """The distgit's spec file."""
        return self.distgit / "python-foo.spec"

    def spec_text(self) -> str:
        """The spec file's content."""
        return self.spec().read_text()

    def head_message(self) -> str:
        """The distgit's last commit message."""
        return git(self.distgit, "log", "-1", "--format=%B")


def build_upstream(path: Path) -> None:
    """Upstream foo with tags 1.0.0, 1.1.0, 1.2.0."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    commit(
        path,
        "Initial import",
        {
            "README.rst": "foo\n",
            "foo/__init__.py": "",
            "foo/core.py": CORE_100,
            "requirements.txt": REQS_100,
        },
        "2024-01-01T00:00:00",
    )
    git(path, "tag", "-a", "1.0.0", "-m", "1.0.0")
    commit(path, "Add feature", {"foo/feature.py": "FEATURE = 1\n"}, "2024-02-01T00:00:00")
    commit(path, "Require keystoneauth1", {"requirements.txt": REQS_110}, "2024-02-02T00:00:00")
    git(path, "tag", "-a", "1.1.0", "-m", "1.1.0")
    commit(
        path,
        "Change crash code",
        {"foo/core.py": CORE_120, "requirements.txt": REQS_120},
        "2024-03-01T00:00:00",
    )
    git(path, "tag", "-a", "1.2.0", "-m", "1.2.0")


def build_patches(path: Path, upstream: Path) -> None:
    """The patches repo: ``rpm-master-patches`` = 1.0.0 + three downstream commits."""
    git(path.parent, "clone", "-q", str(upstream), str(path))
    git(path, "checkout", "-q", "-b", "rpm-master-patches", "1.0.0")
    crash_fixed = CORE_100.replace("raise SystemExit(1)", "return 1  # fixed downstream")
    commit(path, "Fix foo crash", {"foo/core.py": crash_fixed}, "2024-01-05T00:00:00")
    commit(path, "DROP-IN: local build hack", {"hack.txt": "hack\n"}, "2024-01-06T00:00:00")
    commit(
        path, "Use system certs", {"foo/certs.py": "CERTS = '/etc/pki'\n"}, "2024-01-07T00:00:00"
    )
    git(path, "checkout", "-q", "master")


def build_distgit(path: Path, upstream: Path, patches: Path, spec: str = SPEC) -> None:
    """The distgit on ``rpm-master`` with remotes ``upstream`` and ``patches``."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "rpm-master")
    git(path, "config", "user.name", PACKAGER[0])
    git(path, "config", "user.email", PACKAGER[1])
    commit(path, "python-foo-1.0.0-1", {"python-foo.spec": spec}, "2024-03-04T00:00:00")
    git(path, "remote", "add", "upstream", upstream.resolve().as_uri())
    git(path, "remote", "add", "patches", patches.resolve().as_uri())
    git(path, "fetch", "-q", "upstream", "--tags")
    git(path, "fetch", "-q", "patches")


def build_world(root: Path, spec: str = SPEC) -> World:
    """Upstream, patches and distgit under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    world = World(root / "foo", root / "foo-patches", root / "python-foo")
    build_upstream(world.upstream)
    build_patches(world.patches, world.upstream)
    build_distgit(world.distgit, world.upstream, world.patches, spec)
    return world
