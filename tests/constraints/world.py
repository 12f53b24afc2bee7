"""A tiny package world for the uc tests: real noarch RPMs (rpmbuild) in real repos (createrepo_c).

Three repositories, as a builder sees them: ``delorean`` (its own ``current``),
``deps`` and ``baseos``. Each package is a subpackage of one spec per repo
(rpm lets a subpackage set its own Version and Epoch), so the whole world is
three rpmbuild runs and three createrepo_c runs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

UC_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "upper-constraints"
UC_2025_1 = UC_DIR / "upper-constraints-stable-2025.1.txt"
UC_ZED = UC_DIR / "upper-constraints-zed-eom.txt"


@dataclass(frozen=True)
class Pkg:
    """A binary package: name, version, epoch, its ``Provides:`` lines."""

    name: str
    version: str
    epoch: str = ""
    provides: tuple[str, ...] = ()


# Versions against stable/2025.1's constraints (in comments).
WORLD: dict[str, tuple[Pkg, ...]] = {
    "delorean": (
        Pkg(
            "python3-oslo-config", "9.7.2", provides=("python3dist(oslo-config) = 9.7.2",)
        ),  # 9.7.2
        Pkg("python3-oslo-log", "7.0.0", provides=("python3dist(oslo-log) = 7.0.0",)),  # 7.1.0
        Pkg(
            "python3-novaclient",
            "18.10.0",
            provides=("python3dist(python-novaclient) = 18.10.0",),  # 18.9.0
        ),
    ),
    "deps": (
        Pkg("python3-pyyaml", "6.0.1", provides=("python3dist(pyyaml) = 6.0.1",)),  # 6.0.2
        Pkg("python3-routes", "2.5.1", epoch="1", provides=("python3dist(routes) = 2.5.1",)),
        Pkg("python3-webob", "1.8.7", provides=("python3dist(webob) = 1.8.7",)),  # 1.8.9
        Pkg("python3-alabaster", "1.0.0", provides=("python3dist(alabaster) = 1.0.0",)),
    ),
    "baseos": (
        Pkg("python3-webob", "1.8.9", provides=("python3dist(webob) = 1.8.9",)),
        Pkg("python3-dns", "2.7.0"),  # no python3dist provide: pymod2pkg names it
        Pkg("python3-pbr", "7.1.0", provides=("python3.12dist(pbr) = 7.1.0",)),  # 7.0.0
    ),
}


def spec_text(repo: str, pkgs: tuple[Pkg, ...]) -> str:
    """One spec whose subpackages are ``pkgs``."""
    parts = [
        f"Name: uc-{repo}\nVersion: 1\nRelease: 1\nSummary: t\nLicense: MIT\nBuildArch: noarch\n"
        "%description\nt\n"
    ]
    for p in pkgs:
        head = f"%package -n {p.name}\nVersion: {p.version}\nSummary: t\n"
        if p.epoch:
            head += f"Epoch: {p.epoch}\n"
        head += "".join(f"Provides: {line}\n" for line in p.provides)
        parts.append(f"{head}%description -n {p.name}\nt\n%files -n {p.name}\n")
    return "".join(parts)


def build_repo(top: Path, repo: str, pkgs: tuple[Pkg, ...]) -> Path:
    """rpmbuild ``pkgs`` and make a repository of them at ``top/repo``; return it."""
    work = top / f"{repo}-build"
    work.mkdir(parents=True)
    spec = work / f"uc-{repo}.spec"
    spec.write_text(spec_text(repo, pkgs))
    argv = ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {work}", str(spec)]
    subprocess.run(argv, check=True, capture_output=True)
    out = top / repo
    out.mkdir()
    for rpm in (work / "RPMS").rglob("*.rpm"):
        rpm.rename(out / rpm.name)
    subprocess.run(["createrepo_c", "--quiet", str(out)], check=True, capture_output=True)
    return out


def build_world(top: Path) -> dict[str, Path]:
    """Every repository of :data:`WORLD` under ``top``."""
    return {repo: build_repo(top, repo, pkgs) for repo, pkgs in WORLD.items()}
