"""Run one ``dlrn`` cycle in DLRN's venv and print its measures as JSON (``bench_scale``).

Usage: ``python run_dlrn.py PROJECTS_INI [dlrn options...]``. The module-level
``post_build`` and ``process_build_result`` of ``dlrn.shell`` (DLRN's serial,
locked post-processing of every build: symlinks, versions.csv, createrepo_c,
.repo, DB, reports, commit.yaml, links) are wrapped with timers; the last
stdout line is a JSON object: wall seconds of ``dlrn.shell.main``, the
post-processing seconds of each build, how many builds failed, the exit code,
and the peak RSS of this process (``VmHWM``, see ``benchmarks/scale/procpeak.py``) and
of its largest child (sampled).
"""

import json
import logging
import sys
import time

from benchmarks.scale.procpeak import DescendantPeaks, vm_hwm_kb
from dlrn import shell

post_seconds = []
failures = []


def _timed_pair():
    post_build = shell.post_build
    process_build_result = shell.process_build_result
    pending = {}

    def timed_post_build(status, *args, **kwargs):
        start = time.perf_counter()
        try:
            return post_build(status, *args, **kwargs)
        finally:
            pending["post"] = time.perf_counter() - start

    def timed_result(status, *args, **kwargs):
        start = time.perf_counter()
        try:
            return process_build_result(status, *args, **kwargs)
        finally:
            post_seconds.append(pending.pop("post", 0.0) + time.perf_counter() - start)
            if status[3] is not None:
                failures.append(f"{status[0].project_name}: {status[3]}"[:300])

    shell.post_build = timed_post_build
    shell.process_build_result = timed_result


def main():
    """Run ``dlrn --config-file INI ...``; print the JSON measures."""
    _timed_pair()
    sys.argv = ["dlrn", "--config-file", sys.argv[1], *sys.argv[2:]]
    children = DescendantPeaks()
    start = time.perf_counter()
    code = shell.main()
    wall = time.perf_counter() - start
    children.stop()
    logging.shutdown()
    print(
        json.dumps(
            {
                "wall": wall,
                "exit": code,
                "built": len(post_seconds),
                "failed": len(failures),
                "failures": failures[:3],
                "post": post_seconds,
                "maxrss_kb": vm_hwm_kb(),  # VmHWM: ru_maxrss carries the parent's peak
                "helpers_kb": 0,  # DLRN keeps no helper process
                "children_maxrss_kb": children.largest_kb,
            }
        )
    )


if __name__ == "__main__":
    main()
