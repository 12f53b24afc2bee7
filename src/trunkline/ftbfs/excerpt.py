"""The lines of a build log that explain why the build failed, for a mail or a page.

A failing rpmbuild/mock log is thousands of lines; its tail is usually rpmbuild's
summary (``RPM build errors:`` / ``Bad exit status``) and not the cause. This module
picks the lines a packager looks for, each with a little context:

* rpmbuild: ``error: ...`` lines (``File not found``, ``Bad exit status from
  /var/tmp/rpm-tmp.X (%build)``, ``Installed (but unpackaged) file(s) found``),
  ``RPM build errors:`` and the indented lines under it;
* missing BuildRequires: rpmbuild's ``Failed build dependencies:`` block, dnf/mock's
  ``No matching package to install: 'foo'`` and ``Error: Unable to find a match``;
* compilers and make: ``file.c:12:5: error: ...``, ``make: *** [...] Error 1``;
* Python: a traceback's last frame and its exception line (``ValueError: ...``);
* mock: ``ERROR: Exception(...)`` / ``ERROR: Command failed``.

Shapes: the log is text (``str``); the excerpt a ``list[str]`` of at most
``max_lines`` lines, in log order, non-adjacent chunks separated by ``"..."``. A log
with none of these lines gives its last ``TAIL`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

MAX_LINES = 50
TAIL = 20
BEFORE = 2  # lines of context before a matched line
AFTER = 2  # and after it
READ_BYTES = 4 * 1024 * 1024  # the end of a huge log is where the failure is
SEPARATOR = "..."

# (pattern, lines before, lines after): where a failure is explained
_KEYS: tuple[tuple[re.Pattern[str], int, int], ...] = (
    (re.compile(r"^\s*error: "), BEFORE, AFTER),
    (re.compile(r"^\s*RPM build errors:"), 0, 6),
    (re.compile(r"^\s*Bad exit status"), BEFORE, 0),
    (re.compile(r"Failed build dependencies:"), 0, 8),
    (re.compile(r"No matching package to install"), 1, 1),
    (re.compile(r"^\s*Error: Unable to find a match"), 1, 1),
    (re.compile(r":\d+(?::\d+)?: (?:fatal )?error: "), BEFORE, AFTER),
    (re.compile(r"^make(?:\[\d+\])?: \*\*\* .*Error \d+"), 1, 0),
    (re.compile(r"^ERROR: (?:Exception|Command failed)"), 1, 3),
)
_TRACEBACK = re.compile(r"^\s*Traceback \(most recent call last\):")
_EXCEPTION = re.compile(r"^\s*[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b.*")
# lines every failure of an rpmbuild section has: they say where, not why
_GENERIC = re.compile(
    r"Bad exit status|^RPM build errors:|^Executing\(|^exit \d|^\[exit \d+\]$"  # [exit N]: ours
    r"|^ERROR: Command failed"
)
# what varies between two runs of the same failure: hashes, numbers, temp names, paths
_VOLATILE = (
    (re.compile(r"rpm-tmp\.\w+"), "rpm-tmp.X"),
    (re.compile(r"\b[0-9a-f]{7,64}\b"), "H"),
    (re.compile(r"\d+"), "N"),
    (re.compile(r"/\S*/BUILD(?:ROOT)?/\S*?/"), "/BUILD/"),
)


def _key_ranges(lines: Sequence[str]) -> list[tuple[int, int, int]]:
    """(matched line, range start, range end exclusive) of every explaining line."""
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _TRACEBACK.match(line):
            end = i + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end]):
                end += 1
            if end < len(lines) and _EXCEPTION.match(lines[end]):
                # the last frame (two lines) and the exception line
                found.append((end, max(i, end - 2), end + 1))
            i = end
            continue
        for pattern, before, after in _KEYS:
            if pattern.search(line):
                found.append((i, max(0, i - before), min(len(lines), i + 1 + after)))
                break
        i += 1
    return found


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def excerpt(text: str, max_lines: int = MAX_LINES) -> list[str]:
    """The lines of ``text`` that explain the failure (see the module doc).

    Over ``max_lines``, the first chunks (the first error is usually the cause) and
    the last ones (rpmbuild's summary) are kept, a ``"..."`` line between them.
    """
    lines = text.splitlines()
    keys = _key_ranges(lines)
    if not keys:
        return lines[-min(TAIL, max_lines) :]
    out: list[str] = []
    for n, (start, end) in enumerate(_merge([(s, e) for _, s, e in keys])):
        if n:
            out.append(SEPARATOR)
        out.extend(lines[start:end])
    if len(out) <= max_lines:
        return out
    head = (max_lines - 1) // 2
    return [*out[:head], SEPARATOR, *out[len(out) - (max_lines - 1 - head) :]]


def signature(text: str) -> frozenset[str]:
    """What a failure says about its cause, with what varies between runs normalised away.

    The lines of the explaining chunks (context included: the line before rpmbuild's
    ``Bad exit status`` is the failing command's complaint), without shell traces
    (``+ cmd``) and rpmbuild's generic summary lines, which every failure of a section
    shares; only a log with nothing else keeps those. Hashes, numbers and temp names
    are replaced. Two failures with intersecting signatures failed for the same
    reason (bisection tells the culprit's failure from another one at a midpoint).
    Empty when the log has no explaining line.
    """
    lines = text.splitlines()
    specific: set[str] = set()
    generic: set[str] = set()
    for _idx, start, end in _key_ranges(lines):
        for raw in lines[start:end]:
            line = raw.strip()
            if not line or line.startswith("+ ") or line == SEPARATOR:
                continue
            kind = generic if _GENERIC.search(line) else specific
            for pattern, repl in _VOLATILE:
                line = pattern.sub(repl, line)
            kind.add(line)
    return frozenset(specific or generic)


def read_log(path: Path) -> str:
    """The last ``READ_BYTES`` of a log file as text (undecodable bytes replaced)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - READ_BYTES))
        return fh.read().decode("utf-8", errors="replace")


def best_log(logs: Sequence[Path]) -> tuple[Path | None, list[str]]:
    """The log that explains a failure best and its excerpt.

    The first of ``logs`` with an explaining line wins (``rpmbuild.log`` before the
    driver's ``build.log`` when both explain); without any, the tail of the largest.
    """
    existing = [p for p in logs if p.is_file()]
    order = sorted(existing, key=lambda p: (p.name != "rpmbuild.log", p.name != "build.log"))
    for path in order:
        text = read_log(path)
        if _key_ranges(text.splitlines()):
            return path, excerpt(text)
    if not existing:
        return None, []
    largest = max(existing, key=lambda p: p.stat().st_size)
    return largest, excerpt(read_log(largest))
