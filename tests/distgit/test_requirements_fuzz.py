"""Property-based fuzz of the requirements reader (hypothesis).

Any ``requirements.txt`` text, PEP 508 lines built from a grammar (names,
extras, version clauses, every PEP 508 marker variable, URLs, comments) mixed
with garbage, gives the applicable requirements or an :class:`InputError` whose
message is one line naming the file and line; never another exception.
``packaging`` is the oracle for what a valid line is. Derandomized; every crash
found is kept as an ``@example``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from trunkline.distgit.requirements import parse_requirements
from trunkline.errors import InputError

SOURCE = "deadbeef:requirements.txt"

names = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?", fullmatch=True)
versions = st.one_of(
    st.from_regex(
        r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}(\.\*|(a|b|rc|\.post|\.dev)[0-9])?", fullmatch=True
    ),
    st.text(alphabet="0123456789.*+!abcrv-", max_size=8),
)
operators = st.sampled_from(["==", "!=", ">=", "<=", ">", "<", "~=", "==="])
clauses = st.lists(st.tuples(operators, versions).map("".join), max_size=3).map(",".join)
# every variable PEP 508 defines (and packaging's newer ones), plus one that does not exist
MARKER_VARS = [
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform_machine",
    "platform_python_implementation",
    "implementation_name",
    "implementation_version",
    "extra",
]
marker_values = st.one_of(versions, st.sampled_from(["linux", "win32", "x86_64", "cpython", ""]))
markers = st.lists(
    st.tuples(
        st.sampled_from(MARKER_VARS),
        st.sampled_from(["==", "!=", "<", ">=", "~=", "===", "in", "not in"]),
        marker_values,
    ).map(lambda t: f"{t[0]} {t[1]} '{t[2]}'"),
    min_size=1,
    max_size=3,
).map(" and ".join)


@st.composite
def pep508_lines(draw: st.DrawFn) -> str:
    line = draw(names)
    if draw(st.booleans()):
        line += "[" + ",".join(draw(st.lists(names, min_size=1, max_size=2))) + "]"
    if draw(st.booleans()):
        line += " @ https://example.com/" + draw(names) + ".tar.gz"
    else:
        line += draw(clauses)
    if draw(st.booleans()):
        line += draw(st.sampled_from([";", "; ", " ;"])) + draw(markers)
    if draw(st.booleans()):
        line += draw(st.sampled_from([" # comment", "\t#x", "  # ;python_version<'2'"]))
    return line


lines = st.one_of(
    pep508_lines(),
    st.text(max_size=30),
    st.sampled_from(["", "#", "-r other.txt", "-e .", "--index-url x", "\\", "pbr>=2.0 \\"]),
)


@settings(
    max_examples=1000,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(body=st.lists(lines, max_size=6), python=st.sampled_from(["3.9", "3.12", "2.7", "3"]))
@example(body=["a; platform_machine == 'x86_64'"], python="3.9")  # undefined in our env
@example(body=["a; platform_release >= '5'"], python="3.9")
@example(body=["a; implementation_version >= '3'"], python="3.9")
@example(body=["a; python_version ~= 'x'"], python="3.9")  # UndefinedComparison
@example(body=["a; os_name < 'posix'"], python="3.9")  # no order for strings
def test_any_requirements_text_parses_or_fails_in_one_line(body: list[str], python: str):
    text = "\n".join(body)
    try:
        reqs = parse_requirements(text, python_version=python, source=SOURCE)
    except InputError as exc:
        msg = str(exc)
        assert "\n" not in msg, msg
        assert msg.startswith(f"{SOURCE}:"), msg
        return
    for req in reqs:
        assert req.package
        assert req.lower_bound is None or isinstance(req.lower_bound, str)
        Requirement(req.module + req.specifier)  # what we kept is valid PEP 508


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(line=pep508_lines())
def test_a_line_packaging_accepts_is_never_an_error_when_markers_hold(line: str):
    """The oracle: a line packaging parses is read unless its markers cannot be evaluated."""
    try:
        Requirement(line.split(" #", 1)[0].split("\t#", 1)[0])
    except InvalidRequirement:
        return
    try:
        parse_requirements(line, source=SOURCE)
    except InputError as exc:
        assert "marker" in str(exc), str(exc)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("a; platform_machine == 'x86_64'", True),
        ("a; platform_machine == 'aarch64'", False),  # the build target, not this host
        ("a; implementation_version >= '3.9'", True),
        ("a; platform_release == ''", True),
    ],
)
def test_every_marker_variable_has_a_fixed_value(line: str, kept: bool):
    assert [r.module for r in parse_requirements(line, source=SOURCE)] == (["a"] if kept else [])


def test_a_marker_that_cannot_be_evaluated_is_one_line():
    with pytest.raises(InputError) as err:
        parse_requirements("six\na>=1; python_version ~= 'x'\n", source=SOURCE)
    assert str(err.value) == (
        f"{SOURCE}:2: marker 'python_version ~= \"x\"' cannot be evaluated: Undefined "
        "<Op('~=')> on '3.9' and 'x'. (expected a PEP 508 comparison, e.g. python_version "
        ">= '3.9')"
    )
