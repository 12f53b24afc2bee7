"""Run every benchmark module (``python -m benchmarks [NAME ...]``).

Each ``benchmarks/bench_<name>.py`` exposes ``main(argv) -> int`` that prints a
table; this runner runs them in name order (or only the named ones) and exits
non-zero if any of them failed. Names come first; from the first argument that
starts with ``-`` on, everything (``--quick``, ``--no-dlrn``, ``--scale 1``) is
passed on to every selected benchmark, option values included.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the selected benchmarks; return the number that failed."""
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    first = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    picked, options = argv[:first], argv[first:]  # options (with values) go to each one
    wanted = [a if a.startswith("bench_") else f"bench_{a}" for a in picked] or names
    failed = 0
    for name in wanted:
        if name not in names:
            print(f"benchmarks: unknown benchmark {name!r} (have: {', '.join(names)})")
            return 2
        start = time.monotonic()
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        rc = int(module.main(options))
        verdict = "ok" if rc == 0 else f"FAILED ({rc})"
        print(f"=== {name}: {verdict} in {time.monotonic() - start:.1f}s")
        failed += rc != 0
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
