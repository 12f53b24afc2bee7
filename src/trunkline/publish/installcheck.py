"""Installability check: can dnf install a build's packages from the new repo + base repos?

It runs real dnf (libsolv) in a throw-away install root with a *test*
transaction: dependencies are resolved against the freshly published hashed repo
and the configured base repos only (no host repos, no network unless a base repo
URL points there), file conflicts are checked, and nothing is installed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trunkline.db.models import InstallStatus
from trunkline.process import run


@dataclass(frozen=True)
class InstallCheck:
    """Outcome of an installability check: status and, when it failed, dnf's reason."""

    status: InstallStatus
    detail: str


def _problem_lines(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    picked = [ln for ln in lines if ln.startswith(("- ", "Problem", "Error"))]
    return "; ".join(picked or lines[-3:])[:2000]


def dnf_base_args(root: Path, cache: Path, repos: Sequence[tuple[str, str]]) -> list[str]:
    """The dnf arguments that isolate it in ``root`` with only ``repos`` (id, baseurl)."""
    empty = root / "etc" / "yum.repos.d"
    empty.mkdir(parents=True, exist_ok=True)
    args = [
        "dnf",
        "-y",
        "--installroot",
        str(root),
        "--releasever",
        "9",
        "--nogpgcheck",
        f"--setopt=reposdir={empty}",
        f"--setopt=cachedir={cache}",
        "--setopt=install_weak_deps=False",
        "--disableplugin=*",
    ]
    for repo_id, url in repos:
        args.append(f"--repofrompath={repo_id},{url}")
    return args


def check_installable(
    repo: Path,
    rpms: Sequence[Path],
    base_repos: Sequence[str],
    *,
    work_dir: Path,
    log_path: Path | None = None,
    timeout: float = 600,
) -> InstallCheck:
    """Resolve and test-install ``rpms`` with the new repo and the base repos.

    Returns:
        INSTALLABLE, or UNINSTALLABLE with dnf's problem lines.
    """
    if not rpms:
        return InstallCheck(InstallStatus.UNCHECKED, "no binary packages")
    work_dir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="root-", dir=work_dir))
    try:
        repos = [("trunkline-new", repo.resolve().as_uri())]
        repos += [(f"base{i}", url) for i, url in enumerate(base_repos)]
        argv = dnf_base_args(root, work_dir / "cache", repos)
        argv += ["--setopt=tsflags=test", "install", *(str(p) for p in rpms)]
        result = run(argv, timeout=timeout, log_path=log_path, check=False)
        if result.ok:
            return InstallCheck(InstallStatus.INSTALLABLE, "")
        return InstallCheck(
            InstallStatus.UNINSTALLABLE, _problem_lines(result.stderr + result.stdout)
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
