"""Property-based fuzz of the metadata loader and ``validate`` (hypothesis).

Whatever a metadata tree holds (random bytes, or rdoinfo's structure with hostile
values), ``load_metadata`` and ``validate_tree`` give a result or raise a
:class:`TrunklineError` whose message is one line naming the file; never another
exception. Derandomized, so CI runs the same examples every time; every crash
found is kept as an ``@example``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trunkline.errors import MetadataLoadError, TrunklineError
from trunkline.metadata import load_metadata
from trunkline.metadata.validate import validate_tree

SETTINGS = settings(
    max_examples=800,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Scalars YAML can hold, with the ones rdoinfo code trips on (%, :, ~, huge ints, NaN).
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["%(project)s", "%(nope)s", "%", "%%", "a@b", "~", "null", "..", "/etc"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
TAGS = ["flamingo", "epoxy", "flamingo-uc", "version-locked", "zed"]
BTAGS = ["cloud9s-openstack-flamingo-testing", "cloud9s-openstack-epoxy-testing", "x"]


def _maybe(key: str, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), strategy.map(lambda v: {key: v}))


def _entry() -> st.SearchStrategy[Any]:
    """A package entry: the real keys with valid-looking or hostile values."""
    project = st.one_of(st.sampled_from(["nova", "oslo-config", "x"]), values)
    tags = st.one_of(
        st.dictionaries(
            st.sampled_from(TAGS),
            st.one_of(st.none(), st.fixed_dictionaries({"source-branch": values}), values),
            max_size=3,
        ),
        values,
    )
    btags = st.one_of(
        st.dictionaries(st.sampled_from(BTAGS), st.one_of(st.text(max_size=20), values)),
        values,
    )
    parts = [
        _maybe("project", project),
        _maybe("conf", st.one_of(st.just("core"), values)),
        _maybe("name", st.one_of(st.just("python-%(project)s"), values)),
        _maybe("maintainers", st.one_of(st.just(["a@example.com"]), values)),
        _maybe("tags", tags),
        _maybe("buildsys-tags", btags),
        _maybe("upstream", values),
        _maybe("component", values),
    ]

    def merge(ds: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for d in ds:
            out.update(d)
        return out

    return st.one_of(st.tuples(*parts).map(lambda t: merge(list(t))), values)


def _release() -> st.SearchStrategy[Any]:
    repo = st.one_of(
        st.fixed_dictionaries(
            {"name": st.one_of(st.just("el9s"), values)},
            optional={
                "branch": values,
                "buildsys-tags": st.one_of(st.lists(st.sampled_from(BTAGS)), values),
                "distrepos": st.one_of(
                    st.lists(st.fixed_dictionaries({"name": values}, optional={"url": values})),
                    values,
                ),
            },
        ),
        values,
    )
    return st.one_of(
        st.fixed_dictionaries(
            {"name": st.one_of(st.sampled_from(["flamingo", "epoxy"]), values)},
            optional={
                "status": st.one_of(st.sampled_from(["development", "maintained"]), values),
                "branch": values,
                "repos": st.one_of(st.lists(repo, max_size=2), values),
            },
        ),
        values,
    )


documents = st.fixed_dictionaries(
    {},
    optional={
        "releases": st.one_of(st.lists(_release(), max_size=2), values),
        "package-default": st.one_of(
            st.fixed_dictionaries({"name": st.just("python-%(project)s")}), values
        ),
        "package-configs": st.one_of(
            st.dictionaries(st.sampled_from(["core", "x"]), st.one_of(values, st.just({})))
        ),
        "components": st.one_of(st.lists(values, max_size=2), values),
        "packages": st.one_of(st.lists(_entry(), max_size=4), values),
        "import": st.one_of(
            st.lists(st.sampled_from(["more.yml", "../x.yml", "/abs.yml", "rdo.yml", ""])),
            values,
        ),
    },
)


def _check(root: Path, files: list[str]) -> None:
    """Load and validate; a failure must be one line naming a file of the tree."""
    for run in (
        lambda: load_metadata(root, info_files=("rdo.yml",), cache_dir=root.parent / "cache"),
        lambda: validate_tree(root, ["rdo.yml"]),
    ):
        try:
            run()
        except TrunklineError as exc:
            msg = str(exc)
            assert "\n" not in msg, msg
            assert any(f in msg for f in files) or str(root) in msg, msg


def _write(tmp: str, files: dict[str, bytes]) -> Path:
    root = Path(tmp) / "meta"
    root.mkdir()
    for rel, data in files.items():
        (root / rel).write_bytes(data)
    return root


def _dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True).encode()


@settings(SETTINGS, max_examples=400)  # two files per example: keep it under ~15 s
@given(main=documents, more=documents)
@example(main={"import": ["more.yml"]}, more={"import": ["rdo.yml"]})  # a cycle
@example(main={"import": ["\0"]}, more={})  # NUL in a path: ValueError from stat()
@example(main={"releases": True}, more={})  # 'bool' object is not iterable
@example(main={"packages": [{"project": ["a"]}]}, more={})  # unhashable merge key
@example(main={"releases": [{"name": {}}]}, more={})  # unhashable merge key
@example(main={"packages": [{"project": "nova", "conf": []}]}, more={})  # unhashable lookup
@example(main={"packages": [{"project": "a", "tags": {"x": {"component": {}}}}]}, more={})
@example(main={"releases": [{"name": "a", "repos": 5}]}, more={})  # 'int' not iterable
@example(main={"releases": [{"name": "a", "repos": [{"distrepos": True}]}]}, more={})
@example(main={"package-configs": {"core": [1]}}, more={})  # 'list' has no .items()
@example(main={"components": 3}, more={})
def test_hostile_values_in_the_rdoinfo_structure(main: dict[str, Any], more: dict[str, Any]):
    """Two files (rdo.yml importing or not more.yml) of rdoinfo's keys, any values."""
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(tmp, {"rdo.yml": _dump(main), "more.yml": _dump(more)})
        _check(root, ["rdo.yml", "more.yml"])


yaml_bytes = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    st.lists(
        st.sampled_from(
            [
                *("packages:", "- project: nova", "  tags:", "    flamingo:", "import: [x]"),
                *("&a", "*a", "!!python/object:os.system", "? [a]", ": b", "\t", "%YAML 1.1"),
                *("---", "'", '"'),
            ]
        ),
        max_size=12,
    ).map(lambda lines: "\n".join(lines).encode()),
)


@SETTINGS
@given(data=yaml_bytes)
@example(data=b"\xff\xfe")  # not UTF-8
@example(data=b"- a\n- b\n")  # a list at the top
@example(data=b"a: *x\n")  # an undefined alias
def test_random_bytes_as_a_metadata_file(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        root = _write(tmp, {"rdo.yml": data})
        _check(root, ["rdo.yml"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("releases: true\n", "rdo.yml:1: error: field 'releases': True is not a list"),
        (
            "packages:\n- project: [nova]\n",
            "rdo.yml:2: error: field 'project': ['nova'] is not a name",
        ),
        (
            "packages:\n- project: nova\n  conf: {a: 1}\n",
            "rdo.yml:3: error: package 'nova' field 'conf': {'a': 1} is not a name",
        ),
        (
            "releases:\n- name: x\n  repos: 5\n",
            "rdo.yml:3: error: field 'releases.repos': 5 is not a list",
        ),
        (
            "package-configs:\n  core: [1]\n",
            "rdo.yml:2: error: field 'package-configs.core': [1] is not a mapping",
        ),
    ],
)
def test_a_wrong_container_is_one_line_from_load_and_from_validate(
    tmp_path: Path, text: str, expected: str
):
    """The loader stops at it (one line, file and field); validate reports it and goes on."""
    root = _write(str(tmp_path), {"rdo.yml": text.encode()})
    with pytest.raises(MetadataLoadError) as err:
        load_metadata(root, info_files=("rdo.yml",), cache_dir=tmp_path / "cache")
    _, _, what = expected.partition(": error: ")
    assert str(err.value) == f"rdo.yml: {what}"
    assert expected in [str(p) for p in validate_tree(root, ["rdo.yml"]).errors]
