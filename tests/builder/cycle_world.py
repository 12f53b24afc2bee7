"""A tiny world for build-cycle tests: upstream repos, distgits, rdoinfo metadata, settings.

Packages are plain-file noarch projects (a config file installed by the spec), so a
real rpmbuild takes well under a second each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import GitRepo, git
from trunkline.config import Settings, settings_from_dict

BASE_DATE = datetime(2025, 11, 10, 10, 0, 0)

SPEC = """\
%global srcname {name}
%{{!?upstream_version: %global upstream_version %{{version}}}}

Name:           {name}
Version:        XXX
Release:        XXX
Summary:        The {name} test package
License:        Apache-2.0
URL:            https://example.com/{name}
Source0:        {name}-%{{upstream_version}}.tar.gz
BuildArch:      noarch

%description
A test package of the {name} project.

%prep
%autosetup -n {name}-%{{upstream_version}}

%build

%install
install -D -m 0644 {name}.conf %{{buildroot}}%{{_sysconfdir}}/{name}/{name}.conf

%files
%config(noreplace) %{{_sysconfdir}}/{name}/{name}.conf

%changelog
* Tue Nov 18 2025 Test Packager <packager@example.com> - 0.0.1-1
- Initial package
"""


@dataclass
class CycleWorld:
    """Repos and config of one test builder."""

    root: Path
    upstreams: dict[str, GitRepo]
    distgits: dict[str, GitRepo]
    metadata: Path

    def settings(self, **builder: Any) -> Settings:
        """Settings of a builder following this world (overrides go to [builder])."""
        raw: dict[str, Any] = {
            "builder": {"data_dir": str(self.root / "data"), "dist": ".el9s", **builder},
            "packages": {"source": "rdoinfo", "path": str(self.metadata), "tag": "trunk"},
        }
        return settings_from_dict(raw)

    def upstream_commit(self, name: str, message: str, content: str | None = None) -> str:
        """Add an upstream commit changing the package's config file."""
        repo = self.upstreams[name]
        files = {f"{name}.conf": content if content is not None else f"# {message}\n"}
        return repo.commit(message, files)

    def break_upstream(self, name: str) -> str:
        """Upstream drops the file the spec installs: the next build fails (FTBFS)."""
        repo = self.upstreams[name]
        repo.git("rm", "-q", f"{name}.conf")
        return repo.commit("Drop the config file")


def make_cycle_world(root: Path, names: tuple[str, ...] = ("alpha", "beta")) -> CycleWorld:
    """Create upstreams (tagged 1.0.0), distgits (branch rpm-master) and rdoinfo metadata."""
    upstreams: dict[str, GitRepo] = {}
    distgits: dict[str, GitRepo] = {}
    packages = []
    for i, name in enumerate(names):
        up = GitRepo(root / "upstream" / name)
        up.path.mkdir(parents=True)
        git(up.path, "init", "-q")
        up.commit(
            "Initial import",
            {f"{name}.conf": "x = 1\n", "README": name},
            date=(BASE_DATE + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S +0000"),
        )
        up.tag("1.0.0")
        dg = GitRepo(root / "distgit" / name)
        dg.path.mkdir(parents=True)
        git(dg.path, "init", "-q")
        git(dg.path, "checkout", "-q", "-b", "rpm-master")
        dg.commit("Initial spec", {f"{name}.spec": SPEC.format(name=name)})
        upstreams[name], distgits[name] = up, dg
        packages.append(
            {
                "project": name,
                "name": name,
                "upstream": up.url,
                "master-distgit": dg.url,
                "maintainers": ["packager@example.com"],
                "tags": {"trunk": None},
            }
        )
    meta = root / "metadata"
    write_rdoinfo(meta, packages)
    return CycleWorld(root, upstreams, distgits, meta)


def write_rdoinfo(meta: Path, packages: list[dict[str, Any]]) -> None:
    """Write ``meta/rdo.yml``: one development release "trunk" and ``packages``."""
    rdo = {
        "releases": [
            {
                "name": "trunk",
                "status": "development",
                "branch": "rpm-master",
                "upstream_branch": "master",
                "repos": [{"name": "el9s", "buildsys": "cbs/trunk-el9s"}],
            }
        ],
        "package-configs": {},
        "packages": packages,
    }
    meta.mkdir(exist_ok=True)
    (meta / "rdo.yml").write_text(yaml.safe_dump(rdo, sort_keys=False))
