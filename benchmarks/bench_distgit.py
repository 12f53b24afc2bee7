"""rdopkg 1.8.0 vs trunkline on the same distgit: wall time of fix, patch, new-version, reqcheck.

Builds the test world of ``tests/distgit/world.py`` (upstream with three tags,
patches branch, RDO-style distgit) and runs each command in a fresh copy for
each tool, in a subprocess for both (so both pay interpreter start-up). rdopkg
runs from its own venv (``.peers/rdopkg-distgit``, see ``tests/compat``) with a
local rdoinfo clone; it stops ``fix`` for an editor, so its ``fix`` row is the
two calls ``fix`` + ``-c`` with the changelog line written in between. trunkline is
timed twice: through its CLI (which pays the start-up of the whole ``trunkline``
command tree) and as the library call alone, after undoing the CLI's commit.

A second table times ``new-version -b 1.1.0`` in-process on the same distgit with
and without a Fedora-style lookaside ``sources`` file: the difference is what the
offline tarball (``git archive`` of the tag) and its SHA512 cost. rdopkg has no
offline equivalent (its ``new-version`` runs ``fedpkg new-sources``, which downloads
the tarball), so it has no column there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.compat.rdopkg_peer import run_rdopkg
from tests.compat.test_rdopkg_distgit import SPEC_IGNORE_FIRST, Pair, make_pair
from tests.distgit.world import commit
from tests.peervenv import PeerUnavailableError

from trunkline.distgit.fix import fix
from trunkline.distgit.newversion import new_version
from trunkline.distgit.patch import patch
from trunkline.distgit.reqcheck import reqcheck

REPEAT = 3
TRUNKLINE = [sys.executable, "-m", "trunkline"]


def _ours(pair: Pair, *args: str) -> None:
    subprocess.run(
        [*TRUNKLINE, "distgit", *args, "-C", str(pair.ours)], check=False, capture_output=True
    )


def _peer_fix(pair: Pair) -> None:
    run_rdopkg(pair.peer, pair.rdoinfo, pair.home, "fix", check=False)
    spec = pair.peer / "python-foo.spec"
    head, _, entries = spec.read_text().partition("%changelog\n")
    header, _, rest = entries.partition("\n\n")
    spec.write_text(f"{head}%changelog\n{header}\n- Rebuild\n\n{rest.lstrip()}")
    run_rdopkg(pair.peer, pair.rdoinfo, pair.home, "-c")


CASES: list[
    tuple[str, Callable[[Pair], object], Callable[[Pair], object], Callable[[Pair], object]]
] = [
    ("fix", _peer_fix, lambda p: _ours(p, "fix", "-m", "Rebuild"), lambda p: fix(p.ours, ["x"])),
    ("patch", lambda p: p.rdopkg("patch"), lambda p: _ours(p, "patch"), lambda p: patch(p.ours)),
    (
        "new-version 1.1.0",
        lambda p: p.rdopkg("new-version", "-U", "-n", "1.1.0"),
        lambda p: _ours(p, "new-version", "1.1.0"),
        lambda p: new_version(p.ours, "1.1.0"),
    ),
    (
        "reqcheck -R 1.1.0",
        lambda p: run_rdopkg(p.peer, p.rdoinfo, p.home, "reqcheck", "-R", "1.1.0", check=False),
        lambda p: _ours(p, "reqcheck", "-R", "1.1.0"),
        lambda p: reqcheck(p.ours, ref="1.1.0"),
    ),
]


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _lookaside_rows() -> list[tuple[str, float]]:
    """Best-of-REPEAT seconds of ``new-version -b 1.1.0`` without and with ``sources``."""
    plain: list[float] = []
    lookaside: list[float] = []
    for _ in range(REPEAT):
        root = Path(tempfile.mkdtemp(prefix="bench-distgit-src-"))
        try:
            pair = make_pair(root, SPEC_IGNORE_FIRST)
            plain.append(_timed(lambda: new_version(pair.peer, "1.1.0", bump_only=True)))  # noqa: B023
            files = {"sources": f"SHA512 (foo-1.0.0.tar.gz) = {'ab' * 64}\n"}
            files[".gitignore"] = "/foo-1.0.0.tar.gz\n"
            commit(pair.ours, "lookaside", files, "2024-03-05T00:00:00")
            lookaside.append(_timed(lambda: new_version(pair.ours, "1.1.0", bump_only=True)))  # noqa: B023
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return [("no sources file", min(plain)), ("lookaside sources", min(lookaside))]


def main(argv: list[str]) -> int:
    """Print the table; 0 when rdopkg could run, 1 otherwise."""
    del argv
    rows: list[tuple[str, float, float, float]] = []
    try:
        for name, peer, ours, library in CASES:
            times: list[list[float]] = [[], [], []]
            for _ in range(REPEAT):
                root = Path(tempfile.mkdtemp(prefix="bench-distgit-"))
                try:
                    pair = make_pair(root, SPEC_IGNORE_FIRST)
                    times[0].append(_timed(lambda: peer(pair)))  # noqa: B023
                    times[1].append(_timed(lambda: ours(pair)))  # noqa: B023
                    git_reset = ["git", "-C", str(pair.ours), "reset", "-q", "--hard", "HEAD~"]
                    if name != "reqcheck -R 1.1.0":
                        subprocess.run(git_reset, check=True)
                    subprocess.run(["git", "-C", str(pair.ours), "clean", "-qfdx"], check=True)
                    times[2].append(_timed(lambda: library(pair)))  # noqa: B023
                finally:
                    shutil.rmtree(root, ignore_errors=True)
            rows.append((name, min(times[0]), min(times[1]), min(times[2])))
    except PeerUnavailableError as exc:
        print(f"skipped: {exc}")
        return 1
    print(
        f"{'command':<20} {'rdopkg 1.8.0 (s)':>17} {'trunkline CLI (s)':>18} {'in-process (s)':>15}"
    )
    for name, peer_s, ours_s, lib_s in rows:
        print(f"{name:<20} {peer_s:>17.2f} {ours_s:>18.2f} {lib_s:>15.2f}")
    print(
        f"(best of {REPEAT}, fresh distgit copies; 'trunkline CLI' includes the start-up of "
        "`python -m trunkline`, 'in-process' is the distgit function alone)"
    )
    print(f"\n{'new-version -b 1.1.0':<24} {'in-process (s)':>15}")
    for label, seconds in _lookaside_rows():
        print(f"{label:<24} {seconds:>15.2f}")
    print("(lookaside: + tarball by git archive of the tag, SHA512, sources and .gitignore)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
