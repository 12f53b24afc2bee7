"""Reading rpmbuild's output: the one line that says why a build failed, and its BuildRequires.

Shared by the drivers (rpmbuild's own output, or mock's ``build.log`` which holds
the same rpmbuild output), so that an FTBFS is reported as
``%install: install: cannot stat 'foo.conf': No such file or directory`` rather
than rpm's generic ``Bad exit status from /var/tmp/rpm-tmp.X``.
"""

from __future__ import annotations

import re
from pathlib import Path

from trunkline.process import error_line, run

_BAD_EXIT = re.compile(r"^error: Bad exit status from \S+ \((%\w+)\)")
_NOT_PROVIDED = re.compile(r"^no package provides (.+)$")
_NOT_OWNED = re.compile(r"^file (.+) is not owned by any package$")


def rpmbuild_error(output: str) -> str:
    """The meaningful one-line reason of a failed rpmbuild.

    Args:
        output: rpmbuild's stderr (or a log holding its output).

    Returns:
        ``%section: <last message of the failing script>`` for a scriptlet failure,
        the unmet dependencies for a dependency failure, else the first ``error:`` message.
    """
    lines = [ln.rstrip() for ln in output.splitlines()]
    for i, line in enumerate(lines):
        match = _BAD_EXIT.match(line)
        if match is None:
            continue
        cause = next(
            (
                ln.strip()
                for ln in reversed(lines[:i])
                if ln.strip() and not ln.startswith("+ ") and not ln.startswith("Executing(")
            ),
            "",
        )
        return f"{match.group(1)}: {cause}" if cause else line.removeprefix("error: ")
    for i, line in enumerate(lines):
        if line.startswith("error: Failed build dependencies"):
            deps = [
                ln.strip().split(" is needed by ")[0] for ln in lines[i + 1 :] if ln[:1] == "\t"
            ]
            return "unmet BuildRequires: " + ", ".join(deps)
    for line in lines:
        if line.startswith("error: "):
            return line.removeprefix("error: ")
    return error_line(output)


def srpm_buildrequires(srpm: Path, *, log_path: Path | None = None) -> tuple[str, ...]:
    """The BuildRequires recorded in a source RPM (``rpmlib(...)`` ones left out).

    Read by the ``rpm`` command (``-qp --requires``, one per line as ``name [op
    version]``), not librpm: the builder then never loads librpm (~3 MB, issue #10).

    Raises:
        CommandError: rpm cannot read the file.
    """
    argv = ["rpm", "-qp", "--nosignature", "--nodigest", "--requires", str(srpm)]
    result = run(argv, log_path=log_path, timeout=120)
    deps = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return tuple(d for d in deps if not d.startswith("rpmlib("))


def unmet_buildrequires(deps: tuple[str, ...], *, log_path: Path | None = None) -> tuple[str, ...]:
    """The dependencies this host cannot satisfy.

    A dependency is met when the host's rpm database provides its name
    (``rpm -q --whatprovides``), or, for a file dependency, when the file exists.
    Version constraints are not checked (the name is what the host lacks here).

    Args:
        deps: dependency strings, ``name [op version]``.
        log_path: the build log the query is recorded in.

    Returns:
        The unmet ones, as given, in order.
    """
    if not deps:
        return ()
    names = {dep: dep.split(" ", 1)[0] for dep in deps}
    result = run(
        ["rpm", "-q", "--whatprovides", *dict.fromkeys(names.values())],
        log_path=log_path,
        check=False,
        timeout=120,
    )
    missing: set[str] = set()
    for line in result.stdout.splitlines():
        for pattern in (_NOT_PROVIDED, _NOT_OWNED):
            match = pattern.match(line.strip())
            if match is not None:
                missing.add(match.group(1))
    return tuple(
        dep
        for dep, name in names.items()
        if name in missing and not (name.startswith("/") and Path(name).exists())
    )
