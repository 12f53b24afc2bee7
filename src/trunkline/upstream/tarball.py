"""The source tarball of one upstream commit.

Two ways, chosen by ``[build] sdist``:

* ``git archive`` of the commit under ``<top_dir>/`` (always possible, fast);
* a Python sdist (``python -m build --sdist --no-isolation``, with
  ``PBR_VERSION``/``SETUPTOOLS_SCM_PRETEND_VERSION`` set so pbr and setuptools-scm
  need no git metadata), for projects whose tarball must hold generated files
  (``PKG-INFO``, egg-info). ``auto`` uses it when the commit has ``setup.py`` or
  ``pyproject.toml`` and falls back to ``git archive`` (noting it in the build log)
  when the build backend is not installed; ``always`` makes that a build failure.

Whatever the way, the tarball is ``<top_dir>.tar.gz`` with every file under
``<top_dir>/``, so the spec's ``%setup -n <name>-%{upstream_version}`` finds it.
"""

from __future__ import annotations

import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Literal

from trunkline import gitcmd
from trunkline.errors import BuildError, CommandError
from trunkline.process import run

SdistMode = Literal["auto", "never", "always"]
PYTHON_MARKERS = ("setup.py", "pyproject.toml")


def _has_python_build(mirror: Path, sha: str) -> bool:
    out = gitcmd.bare(mirror).run("ls-tree", "--name-only", sha, timeout=60)
    return any(name in PYTHON_MARKERS for name in out.stdout.split())


def _archive(mirror: Path, sha: str, out: Path, top_dir: str, log_path: Path | None) -> Path:
    gitcmd.bare(mirror).run(
        "archive",
        "--format=tar.gz",
        f"--prefix={top_dir}/",
        "-o",
        str(out),
        sha,
        timeout=600,
        log_path=log_path,
    )
    return out


def _repack(sdist: Path, out: Path, top_dir: str) -> None:
    """Rewrite an sdist so its single top directory is named ``top_dir``."""
    with tarfile.open(sdist) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            parts = member.name.split("/", 1)
            member.name = top_dir if len(parts) == 1 else f"{top_dir}/{parts[1]}"
            fileobj = src.extractfile(member) if member.isfile() else None
            dst.addfile(member, fileobj)


def _sdist(
    mirror: Path, sha: str, out: Path, top_dir: str, version: str, log_path: Path | None
) -> Path:
    with tempfile.TemporaryDirectory(prefix="sdist-", dir=out.parent) as tmp:
        # A real (shared, cheap) checkout: pbr and setuptools-scm list the files to ship
        # from git, so an sdist made from a bare export would silently miss files.
        tree = Path(tmp) / "tree"
        gitcmd.NOWHERE.run("clone", "--quiet", "--shared", "--no-checkout", str(mirror), str(tree))
        gitcmd.at(tree).run("checkout", "--quiet", "--detach", sha)
        dist = Path(tmp) / "dist"
        run(
            [
                sys.executable,
                "-m",
                "build",
                "--sdist",
                "--no-isolation",
                "--outdir",
                str(dist),
                ".",
            ],
            cwd=tree,
            timeout=600,
            log_path=log_path,
            # Never download build dependencies (setup_requires) at build time.
            env={
                "PBR_VERSION": version,
                "SETUPTOOLS_SCM_PRETEND_VERSION": version,
                "PIP_NO_INDEX": "1",
            },
        )
        built = sorted(dist.glob("*.tar.gz"))
        if not built:
            raise BuildError(f"{top_dir}: python -m build produced no sdist")
        _repack(built[0], out, top_dir)
    return out


def make_tarball(
    mirror: Path,
    sha: str,
    dest_dir: Path,
    *,
    top_dir: str,
    version: str,
    mode: SdistMode = "auto",
    log_path: Path | None = None,
) -> Path:
    """Write ``<dest_dir>/<top_dir>.tar.gz`` for commit ``sha`` of the bare ``mirror``.

    Raises:
        BuildError: ``mode="always"`` and the sdist cannot be built.
        CommandError: git cannot archive the commit.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    out = dest_dir / f"{top_dir}.tar.gz"
    use_sdist = mode == "always" or (mode == "auto" and _has_python_build(mirror, sha))
    if not use_sdist:
        return _archive(mirror, sha, out, top_dir, log_path)
    try:
        return _sdist(mirror, sha, out, top_dir, version, log_path)
    except (CommandError, BuildError) as exc:
        if mode == "always":
            raise BuildError(f"{top_dir}: sdist failed: {exc}") from None
        if log_path is not None:
            with log_path.open("a", encoding="utf-8") as fh:
                fh.write(f"sdist failed ({exc}); using git archive instead\n")
        return _archive(mirror, sha, out, top_dir, log_path)
