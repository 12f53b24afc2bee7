"""``build --run CMD``: run a command for each package's newest commit instead of building.

DLRN's ``--run PROG`` (``dlrn/build.py`` ``run`` with ``do_build=False``): implies
``--head-only``, takes every package's newest commit whether or not it was built,
writes nothing to the database, and runs::

    CMD TARGET PACKAGE REPO_DIR DATA_DIR BASEURL DISTGIT_DIR

where ``REPO_DIR`` is where a build of that commit is (or would be) published and
``DISTGIT_DIR`` a git checkout of the distgit at the commit's distgit hash (made in
a temporary directory and removed after the command). The build environment
(``[build] env``, ``--build-env``) is the command's environment. CMD is split as a
shell would (``--run 'echo hello'``); DLRN takes one program name.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.builder.cycle import _mirror_paths
from trunkline.config import Settings
from trunkline.errors import CommandError, InputError
from trunkline.process import run
from trunkline.publish.record import BuildRecorder
from trunkline.upstream.poll import Candidate


@dataclass(frozen=True)
class RunResult:
    """What CMD did for one package: its exit status (None: it could not start or timed out,
    ``error`` says which) and its output."""

    package: str
    commit_hash: str
    returncode: int | None
    error: str = ""
    stdout: str = ""
    stderr: str = ""

    def line(self) -> str:
        """``run NAME HASH8: exit N`` (or why it did not run)."""
        what = f"exit {self.returncode}" if self.returncode is not None else self.error
        return f"run {self.package} {self.commit_hash[:8]}: {what}"


def split_command(cmd: str) -> list[str]:
    """``cmd`` as argv, as a shell splits it.

    Raises:
        InputError: it is empty or its quotes do not close.
    """
    try:
        argv = shlex.split(cmd)
    except ValueError as exc:
        raise InputError(f"--run {cmd!r}: {exc}") from None
    if not argv:
        raise InputError("--run: empty command")
    return argv


def run_per_commit(
    settings: Settings,
    planned: Sequence[Candidate],
    argv: list[str],
    *,
    stop: bool = False,
    report: Callable[[RunResult], None] = lambda _r: None,
) -> list[RunResult]:
    """Run ``argv`` + DLRN's 6 arguments for each of ``planned``, in order.

    ``stop``: run nothing after the first command that fails (DLRN ``--stop``).
    ``report`` is called with each result as it comes.
    """
    recorder = BuildRecorder(settings)
    results = []
    try:
        for cand in planned:
            result = _run_one(settings, recorder, cand, argv)
            report(result)
            results.append(result)
            if stop and result.returncode != 0:
                break
    finally:
        recorder.close()
    return results


def _run_one(
    settings: Settings, recorder: BuildRecorder, cand: Candidate, argv: list[str]
) -> RunResult:
    pkg = cand.package
    b = settings.builder
    repo = b.repos_path / recorder.relpath_of(
        pkg.component, cand.commit.commit_hash, cand.distro.commit_hash
    )
    b.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=b.data_dir) as tmp:
        distgit = Path(tmp) / f"{pkg.name}_distro"
        source = Path(pkg.distgit) if pkg.local_distgit else _mirror_paths(settings, pkg)[1]
        gitcmd.NOWHERE.run("clone", "-q", "--no-checkout", "--shared", str(source), str(distgit))
        gitcmd.at(distgit).run("checkout", "-q", cand.distro.commit_hash)
        args = [*argv, b.target, pkg.name, str(repo), str(b.data_dir), b.baseurl, str(distgit)]
        try:
            proc = run(args, env=settings.build.env, timeout=settings.build.timeout, check=False)
        except CommandError as exc:  # it could not start, or ran past the build timeout
            return RunResult(pkg.name, cand.commit.commit_hash, None, exc.detail)
    return RunResult(
        pkg.name, cand.commit.commit_hash, proc.returncode, stdout=proc.stdout, stderr=proc.stderr
    )
