"""``trunkline distgit lint``: sanity checks of a distgit, and rpmlint when installed.

rdopkg's two sanity checks (BuildArch must follow the Source/Patch lines when
patches are applied with ``%autosetup``/``git am``; one ``patches_base`` only)
plus what breaks builds in practice: a spec rpm cannot parse, patch files named
by the spec but missing, ``.patch`` files no spec line uses, and a top changelog
entry that does not match Version-Release. rpmlint (``pip install rpmlint``; it
needs the rpm Python bindings) runs on the spec and, when given, on an SRPM; it
is looked up next to the running Python first, so a venv's copy is found
without activating the venv.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from trunkline.errors import SpecError
from trunkline.process import run
from trunkline.rpmspec import editor

EXIT_PROBLEMS = 23  # rdopkg lint's exit code when problems are found
# rpmlint exits 0 (clean), 64 (errors found) or 66 (badness over the threshold)
RPMLINT_OK = (0, 64, 66)


@dataclass(frozen=True)
class Problem:
    """One finding: ``E`` (error), ``W`` (warning) or ``I`` (note), the check, one line."""

    level: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.check}: {self.message}"


def sanity(repo: Path) -> list[Problem]:
    """The built-in checks (see the module docstring)."""
    try:
        spec_path = editor.find_spec(repo)
        info = editor.read_spec(spec_path)
    except SpecError as exc:
        return [Problem("E", "spec", str(exc))]
    text = spec_path.read_text(encoding="utf-8", errors="replace")
    problems: list[Problem] = []
    lines = text.splitlines()
    if any(ln.startswith(("%autosetup", "git am %{patches}")) for ln in lines):
        arch = next((i for i, ln in enumerate(lines) if ln.startswith("BuildArch:")), None)
        src = [i for i, ln in enumerate(lines) if re.match(r"(Source|Patch)\d*:", ln)]
        if arch is not None and src and arch < max(src):
            problems.append(
                Problem("E", "buildarch", "BuildArch must come after the Source and Patch lines")
            )
    bases = [ln for ln in lines if re.match(r"#\s*patches_base", ln)]
    if len(bases) > 1:
        problems.append(Problem("E", "patches_base", f"{len(bases)} patches_base comments"))
    for name in info.patch_files:
        if not (repo / name).is_file():
            problems.append(Problem("E", "patches", f"{name}: named by the spec but missing"))
    for path in sorted(repo.glob("*.patch")):
        if path.name not in info.patch_files:
            problems.append(Problem("W", "patches", f"{path.name}: not used by the spec"))
    top = (
        next((ln for ln in lines[lines.index("%changelog") + 1 :] if ln.startswith("*")), None)
        if "%changelog" in lines
        else None
    )
    if info.autochangelog or info.placeholder:
        pass  # rpmautospec writes the changelog; DLRN empties a master distgit's
    elif top is None:
        problems.append(Problem("W", "changelog", "no %changelog entry"))
    elif not top.rstrip().endswith((info.vr, f"{info.version}-{info.release}")):
        problems.append(Problem("W", "changelog", f"top entry is not for {info.vr}: {top.strip()}"))
    return problems


def rpmlint_tool() -> str | None:
    """The rpmlint executable: the one of this Python's environment, else on ``PATH``."""
    local = Path(sys.executable).parent / "rpmlint"
    if local.is_file():
        return str(local)
    return shutil.which("rpmlint")


def rpmlint(repo: Path, srpm: Path | None = None) -> list[Problem]:
    """rpmlint's errors and warnings on the spec (and ``srpm``).

    When rpmlint is not installed, the only finding is an ``I`` note saying so;
    when it crashes, an ``E`` with its last line.
    """
    tool = rpmlint_tool()
    if tool is None:
        return [Problem("I", "rpmlint", "not installed; skipped (pip install rpmlint)")]
    targets = [str(editor.find_spec(repo))]
    if srpm is not None:
        if not srpm.is_file():
            return [Problem("E", "rpmlint", f"{srpm}: SRPM not found")]
        targets.append(str(srpm))
    result = run([tool, *targets], cwd=repo, check=False)
    problems = []
    for line in result.stdout.splitlines():
        match = re.match(r"^(\S+?):(?:\d+:)?\s*([EW]):\s*(.*)$", line)
        if match:
            problems.append(
                Problem(match.group(2), "rpmlint", f"{match.group(1)}: {match.group(3)}")
            )
    if result.returncode not in RPMLINT_OK and not problems:
        lines = (result.stderr + result.stdout).strip().splitlines() or ["no output"]
        problems.append(
            Problem("E", "rpmlint", f"rpmlint failed (exit {result.returncode}): {lines[-1]}")
        )
    return problems


def lint(
    repo: Path, checks: tuple[str, ...] = ("sanity", "rpmlint"), *, srpm: Path | None = None
) -> list[Problem]:
    """Run the chosen checks on a distgit (rpmlint also on ``srpm`` when given)."""
    problems: list[Problem] = []
    if "sanity" in checks:
        problems += sanity(repo)
    if "rpmlint" in checks and not any(p.check == "spec" for p in problems):
        try:
            problems += rpmlint(repo, srpm)
        except SpecError as exc:  # no spec, or several: the sanity check's finding
            problems.append(Problem("E", "spec", str(exc)))
    return problems
