"""The log excerpt picks the lines that explain a failure, from real rpmbuild logs.

Each case builds a tiny broken spec with the real ``rpmbuild`` and checks that the
excerpt holds the line rpmbuild (or gcc, or Python) wrote about the cause — not
only the tail. The mock/dnf forms (no mock here) are copied from mock logs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trunkline.ftbfs.excerpt import MAX_LINES, SEPARATOR, best_log, excerpt, signature
from trunkline.process import run

SPEC = """\
Name: broken
Version: 1.0
Release: 1
Summary: broken
License: MIT
BuildArch: {arch}
{extra}
%description
broken

%build
{build}

%install
{install}

%files
{files}
"""

CASES = {
    "missing-file": (
        {"install": "mkdir -p %{buildroot}/etc", "files": "/etc/broken.conf"},
        "error: File not found: ",
    ),
    "bad-exit-build": ({"build": "echo compiling; false"}, "Bad exit status from"),
    "missing-buildrequires": (
        {"extra": "BuildRequires: python3-nonexistent-package-xyz >= 9"},
        "python3-nonexistent-package-xyz >= 9 is needed by",
    ),
    "python-traceback": (
        {"build": "python3 -c 'import json; json.loads(\"{\")'"},
        "json.decoder.JSONDecodeError: Expecting property name",
    ),
    "compiler-error": (
        {
            "build": "printf 'int main(void) { return undefined_name; }\\n' > t.c\n"
            "gcc -c t.c -o t.o",
            "extra": "",
            "arch": "x86_64",
        },
        "error: \u2018undefined_name\u2019 undeclared",
    ),
    "unpackaged-files": (
        {
            "install": "mkdir -p %{buildroot}/etc && echo x > %{buildroot}/etc/extra.conf",
            "files": "",
        },
        "Installed (but unpackaged) file(s) found",
    ),
}


def _rpmbuild_log(tmp_path: Path, parts: dict[str, str]) -> str:
    fields = {"arch": "noarch", "extra": "", "build": "true", "install": "true", "files": ""}
    fields.update(parts)
    spec = tmp_path / "broken.spec"
    spec.write_text(SPEC.format(**fields))
    log = tmp_path / "rpmbuild.log"
    result = run(
        ["rpmbuild", "-bb", "--define", f"_topdir {tmp_path / 'top'}", str(spec)],
        log_path=log,
        check=False,
        env={"LC_ALL": "C.UTF-8"},
    )
    assert not result.ok, "the broken spec must fail"
    # some noise before, as in a real build log
    noise = "".join(f"+ install -m 644 file{i} /builddir\n" for i in range(300))
    return noise + log.read_text()


@pytest.mark.parametrize("case", sorted(CASES))
def test_excerpt_of_a_real_rpmbuild_failure_holds_its_cause(tmp_path: Path, case: str) -> None:
    parts, cause = CASES[case]
    text = _rpmbuild_log(tmp_path, parts)
    if cause.startswith("error: \u2018") and cause not in text:  # older gcc quotes with '
        cause = "error: 'undefined_name' undeclared"
    assert cause in text, "the real tool's message changed; update the case"
    lines = excerpt(text)
    assert 0 < len(lines) <= MAX_LINES
    assert any(cause in line for line in lines), lines
    assert not any("file299" in line for line in lines)  # not the noise around it
    assert signature(text), "an explained failure has a signature"


MOCK_FORMS = {
    "dnf-no-match": (
        "Last metadata expiration check: 0:00:01 ago.\n"
        "No matching package to install: 'python3-oslo-foo >= 2.0'\n"
        "Not all dependencies satisfied\n"
        "Error: Some packages could not be found.\n"
        "ERROR: Exception(/builddir/build/SRPMS/foo-1.0-1.src.rpm) Config(rdo) 0 minutes\n",
        "No matching package to install: 'python3-oslo-foo >= 2.0'",
    ),
    "mock-command-failed": (
        "Start: rpmbuild foo-1.0-1.src.rpm\n"
        "ERROR: Command failed: \n"
        " # /usr/bin/systemd-nspawn -q -M 2f1e /usr/bin/rpmbuild -bb --target noarch\n",
        "ERROR: Command failed",
    ),
    "make-error": (
        "gcc -O2 -c a.c\n"
        "a.c:3:1: error: expected ';' before '}' token\n"
        "make: *** [Makefile:4: a.o] Error 1\n",
        "a.c:3:1: error: expected ';' before '}' token",
    ),
}


@pytest.mark.parametrize("case", sorted(MOCK_FORMS))
def test_excerpt_of_mock_and_dnf_forms(case: str) -> None:
    text, cause = MOCK_FORMS[case]
    lines = excerpt("".join(f"noise {i}\n" for i in range(500)) + text)
    assert any(cause in line for line in lines), lines
    assert "noise 10" not in lines


def test_a_log_without_an_explaining_line_gives_its_tail() -> None:
    text = "".join(f"line {i}\n" for i in range(200))
    assert excerpt(text) == [f"line {i}" for i in range(180, 200)]


def test_many_errors_keep_the_first_and_the_last_within_the_limit() -> None:
    text = "".join(f"step {i}\nerror: failure number {i}\nafter {i}\n\n\n\n" for i in range(60))
    lines = excerpt(text)
    assert len(lines) == MAX_LINES
    assert "error: failure number 0" in lines
    assert "error: failure number 59" in lines
    assert SEPARATOR in lines


def test_signature_ignores_hashes_numbers_and_temp_files() -> None:
    one = "error: Bad exit status from /var/tmp/rpm-tmp.AbC123 (%build)\n"
    two = "error: Bad exit status from /var/tmp/rpm-tmp.XyZ987 (%build)\n"
    other = "error: File not found: /builddir/build/BUILDROOT/foo/etc/x.conf\n"
    assert signature(one) == signature(two)
    assert not signature(one) & signature(other)


def test_best_log_prefers_rpmbuild_log_that_explains(tmp_path: Path) -> None:
    build = tmp_path / "build.log"
    build.write_text("running\nsomething\n")
    rpm = tmp_path / "rpmbuild.log"
    rpm.write_text("x\nerror: File not found: /a\n")
    path, lines = best_log((build, rpm))
    assert path == rpm and "error: File not found: /a" in lines
    path, lines = best_log((build,))
    assert path == build and lines == ["running", "something"]
    assert best_log((tmp_path / "missing.log",)) == (None, [])
