"""The speed-ups change nothing: fast YAML loader, indexes, lazy cache, file reuse, process pool."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.metadata.conftest import MINI_RDO
from trunkline.errors import MetadataLoadError
from trunkline.metadata import Metadata, load_metadata, readers
from trunkline.metadata.fastyaml import FastSafeLoader
from trunkline.metadata.load import Document, merge_documents, merge_values, read_documents
from trunkline.metadata.query import filter_packages, parse_filter

Tree = Callable[[dict[str, str]], Path]


@pytest.fixture(scope="module")
def snapshot_texts(snapshot: Path) -> dict[str, str]:
    """Every YAML file of the real snapshot, by relative path."""
    return {
        str(p.relative_to(snapshot)): p.read_text(encoding="utf-8")
        for p in sorted(snapshot.rglob("*.yml"))
    }


@pytest.fixture(scope="module")
def cached_md(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Metadata:
    """The snapshot as a warm query sees it: unpickled from the cache, packages lazy."""
    cache = tmp_path_factory.mktemp("warm")
    load_metadata(snapshot, info_files=("rdo-full.yml",), cache_dir=cache)
    return load_metadata(snapshot, info_files=("rdo-full.yml",), cache_dir=cache)


def test_fast_loader_equals_pyyaml_on_every_snapshot_file(snapshot_texts: dict[str, str]) -> None:
    assert len(snapshot_texts) > 100
    for rel, text in snapshot_texts.items():
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
        assert yaml.load(text, Loader=FastSafeLoader) == expected, rel  # noqa: S506


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\nb: 0777\nc: 1:20\nd: 2024-01-02\ne: 1.10\nf: ~\n",
        "<<: {a: 1}\nb: 2\n",
        "a: {<<: {x: 1}, y: 2}\n",
        "a: !!set {x, y}\nb: !!omap [x: 1]\nc: !!binary aGVsbG8=\n",
        "1: one\ntrue: yes\n",
        "a: &shared {k: v}\nb: *shared\n",
        "a: &loop [*loop]\n",
        "a: 1\na: 2\n",
        "- a\n- {b: [c, 1.5, null]}\n",
    ],
)
def test_fast_loader_equals_pyyaml_on_unusual_yaml(text: str) -> None:
    expected = yaml.load(text, Loader=yaml.CSafeLoader)
    got = yaml.load(text, Loader=FastSafeLoader)  # noqa: S506
    assert repr(got) == repr(expected)


def test_fast_loader_keeps_aliases_shared_like_pyyaml() -> None:
    data = yaml.load("a: &m {k: v}\nb: *m\n", Loader=FastSafeLoader)  # noqa: S506
    assert data["a"] is data["b"]


def test_in_place_merge_equals_distroinfo_merge_and_leaves_documents_alone(
    snapshot: Path,
) -> None:
    docs = read_documents(snapshot, ["rdo-full.yml"])
    before = copy.deepcopy([d.data for d in docs])
    merged = merge_documents(docs)
    assert [d.data for d in docs] == before
    # the reference: distroinfo's pure merge, one copy per file
    packages: dict[Any, Any] = {}
    for doc in docs:
        for item in doc.data.get("packages") or []:
            old = packages.get(item.get("project"))
            packages[item["project"]] = item if old is None else merge_values(old, item)
    assert merged["packages"] == list(packages.values())


@pytest.mark.parametrize(
    "filters",
    [
        ["maintainers:johnsomor"],
        ["tags:^flamingo$", "conf:client"],
        ["tags:~^flamingo$", "conf:rpmfactory"],
        ["buildsys-tags:cloud10s-openstack-flamingo-testing"],
        ["name:^openstack-octavia", "name:~-ui$"],
        ["oslo"],
        ["upstream:opendev.org/openstack/oslo", "component:~common"],
        ["component:~."],
        ["nosuchkey:x"],
        ["nosuchkey:~x"],
    ],
)
def test_indexed_filters_give_what_a_full_scan_gives(
    cached_md: Metadata, full_md: Metadata, filters: list[str]
) -> None:
    parsed = [parse_filter(f) for f in filters]
    scanned = [p.project for p in filter_packages(full_md.packages, parsed)]
    assert [p.project for p in cached_md.filter(parsed)] == scanned
    assert [p.project for p in full_md.filter(parsed)] == scanned


def test_the_cached_model_answers_like_the_fresh_one(
    cached_md: Metadata, full_md: Metadata
) -> None:
    assert cached_md.package("python-oslo-config").raw == full_md.package("python-oslo-config").raw
    assert [p.name for p in cached_md.packages] == [p.name for p in full_md.packages]
    assert cached_md.tag_names() == full_md.tag_names()
    tag = "cloud9s-openstack-epoxy-release"
    assert len(cached_md.by_buildsys_tag(tag)) == len(full_md.by_buildsys_tag(tag)) > 100
    assert [p.raw for p in cached_md.packages] == [p.raw for p in full_md.packages]


def _tree(write_tree: Tree) -> Path:
    return write_tree(
        {
            "rdo.yml": MINI_RDO + "import:\n- tags/a.yml\n- tags/b.yml\n",
            "tags/a.yml": "packages:\n- project: nova\n  tags:\n    flamingo-uc:\n",
            "tags/b.yml": "packages:\n- project: oslo-config\n  tags:\n    flamingo-uc:\n",
        }
    )


def test_after_one_file_changes_only_that_file_is_parsed_again(
    write_tree: Tree, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(write_tree)
    read: list[str] = []
    real = readers._read_one

    def counting(root_: str, rel: str, loader: type[Any]) -> readers.FileResult:
        read.append(rel)
        return real(root_, rel, loader)

    monkeypatch.setattr(readers, "_read_one", counting)
    monkeypatch.setattr(readers, "pool_workers", lambda: 0)
    load_metadata(root, cache_dir=cache_dir)
    assert sorted(read) == ["rdo.yml", "tags/a.yml", "tags/b.yml"]
    read.clear()
    (root / "tags" / "b.yml").write_text("packages:\n- project: oslo-config\n  tags:\n    epoxy:\n")
    md = load_metadata(root, cache_dir=cache_dir)
    assert read == ["tags/b.yml"]
    assert sorted(md.package("python-oslo-config").tags) == ["epoxy"]
    assert sorted(md.package("openstack-nova").tags) == ["epoxy", "flamingo", "flamingo-uc"]


def test_parallel_parse_reads_the_same_documents_and_errors(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(write_tree)
    serial = read_documents(root, ["rdo.yml"])
    monkeypatch.setattr(readers, "pool_workers", lambda: 2)
    monkeypatch.setattr(readers, "POOL_MIN_BYTES", 0)
    pooled = read_documents(root, ["rdo.yml"])
    assert pooled == serial
    assert [d.path for d in pooled] == ["rdo.yml", "tags/a.yml", "tags/b.yml"]
    (root / "tags" / "b.yml").unlink()
    (root / "tags" / "a.yml").write_text("packages: [\n")
    with pytest.raises(MetadataLoadError) as err:
        read_documents(root, ["rdo.yml"])
    assert str(err.value).startswith("tags/a.yml:2: not valid YAML: ")
    (root / "tags" / "a.yml").write_text("packages: []\n")
    with pytest.raises(MetadataLoadError) as err:
        read_documents(root, ["rdo.yml"])
    assert str(err.value) == (
        f"rdo.yml: field 'import': {root / 'tags/b.yml'}: file not found "
        "(expected an rdoinfo YAML file)"
    )


def test_documents_are_ordered_as_distroinfo_reads_them(write_tree: Tree) -> None:
    root = write_tree(
        {
            "top.yml": "import:\n- a.yml\n- b.yml\n",
            "a.yml": "import:\n- deep/c.yml\n",
            "b.yml": "import:\n- a.yml\n",
            "deep/c.yml": "{}\n",
        }
    )
    docs = read_documents(root, ["top.yml"])
    assert docs == [
        Document("top.yml", {"import": ["a.yml", "b.yml"]}),
        Document("a.yml", {"import": ["deep/c.yml"]}),
        Document("deep/c.yml", {}),
        Document("b.yml", {"import": ["a.yml"]}),
    ]


WARM_QUERY = textwrap.dedent(
    """
    import json, sys
    from trunkline.cli.app import main
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    heavy = ("sqlalchemy", "alembic", "fastapi", "pydantic", "yaml", "multiprocessing", "logging")
    loaded = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy})
    print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
    """
)


def test_a_warm_cli_query_imports_no_heavy_module(write_tree: Tree, tmp_path: Path) -> None:
    root = write_tree({"rdo.yml": MINI_RDO})
    env = {**os.environ, "TRUNKLINE_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-c", WARM_QUERY, "info", "--info", str(root), "--json", "nova"]
    first = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert json.loads(first.stdout)[0]["name"] == "openstack-nova", first.stderr
    warm = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert json.loads(warm.stdout)[0]["name"] == "openstack-nova"
    assert json.loads(warm.stderr.strip().splitlines()[-1]) == {"code": 0, "loaded": []}


def test_conf_counts_come_from_the_index(cached_md: Metadata, full_md: Metadata) -> None:
    counts: dict[str, int] = {}
    for pkg in full_md.packages:
        if pkg.conf is not None:
            counts[pkg.conf] = counts.get(pkg.conf, 0) + 1
    assert cached_md.value_counts("conf") == counts
    assert counts["fedora-dependency"] == 803
    assert len(cached_md) == len(full_md.packages) == 1367


def test_cli_text_output_shows_one_field_per_line(write_tree: Tree, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from trunkline.cli.app import cli

    root = write_tree({"rdo.yml": MINI_RDO})
    env = {"TRUNKLINE_CACHE_DIR": str(tmp_path / "cache")}
    res = CliRunner(env=env).invoke(cli, ["info", "--info", str(root), "name:nova$"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[:4] == ["1 packages found:", "", "name: openstack-nova", "project: nova"]
    tags = lines.index("tags:")
    assert lines[tags + 1 : tags + 5] == [
        "  flamingo:",
        "  epoxy:",
        "    source-branch: 31.0.0",
        "    component: network",
    ]
    assert lines[-2:] == ["maintainers:", "- core@example.com"]
