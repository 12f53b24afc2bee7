"""Loading: imports, distroinfo merge semantics, templates, overrides, sources and cache."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.metadata.conftest import MINI_RDO
from trunkline.errors import MetadataError, MetadataLoadError, UnknownPackageError
from trunkline.metadata import load_metadata
from trunkline.metadata.load import merge_values, read_documents

Tree = Callable[[dict[str, str]], Path]


def test_templates_are_applied_shallowly_and_package_keys_win(write_tree: Tree, cache_dir: Path):
    md = load_metadata(write_tree({"rdo.yml": MINI_RDO}), cache_dir=cache_dir)
    nova = md.package("openstack-nova")
    assert nova.upstream == "https://opendev.org/openstack/nova"
    assert nova.maintainers == ["core@example.com"]  # conf replaces the default list
    assert set(nova.tags) == {"flamingo", "epoxy"}  # entry tags replace default tags
    oslo = md.package("python-oslo-config")
    assert oslo.upstream == "https://opendev.org/openstack/oslo.config"
    assert oslo.tags == {"epoxy": None}  # from package-default
    assert oslo.master_distgit == "https://github.com/rdo-packages/oslo-config-distgit.git"


def test_release_overrides_apply_for_the_chosen_release_only(write_tree: Tree, cache_dir: Path):
    md = load_metadata(write_tree({"rdo.yml": MINI_RDO}), cache_dir=cache_dir)
    (nova_epoxy,) = [p for p in md.packages_for_release("epoxy") if p.project == "nova"]
    assert (nova_epoxy.source_branch, nova_epoxy.component) == ("31.0.0", "network")
    (nova_flamingo,) = md.packages_for_release("flamingo")
    assert (nova_flamingo.source_branch, nova_flamingo.component) == (None, "common")
    assert md.package("openstack-nova").pins() == {"epoxy": "31.0.0"}


def test_releases_and_repos_inherit_the_branch(write_tree: Tree, cache_dir: Path):
    md = load_metadata(write_tree({"rdo.yml": MINI_RDO}), cache_dir=cache_dir)
    rel = md.release("epoxy")
    assert (rel.status, rel.branch, rel.upstream_branch) == (
        "maintained",
        "epoxy-rdo",
        "stable/2025.1",
    )
    assert rel.repos[0].branch == "epoxy-rdo"
    with pytest.raises(MetadataError, match=r"^release 'zed': not defined \(known: flamingo, "):
        md.release("zed")
    with pytest.raises(UnknownPackageError) as err:
        md.package("nope")
    assert str(err.value) == "package 'nope': not in the metadata (expected a name)"


def test_merge_follows_distroinfo_semantics():
    assert merge_values({"a": {"x": 1}, "l": [1]}, {"a": {"y": 2}, "l": [2]}) == {
        "a": {"x": 1, "y": 2},
        "l": [1, 2],
    }
    assert merge_values("kept", None) == "kept"
    assert merge_values("old", "new") == "new"


def test_packages_merge_across_files_by_project(write_tree: Tree, cache_dir: Path):
    root = write_tree(
        {
            "rdo.yml": MINI_RDO.replace(
                "packages:\n", "import:\n- tags.yml\n- bsys.yml\npackages:\n"
            ),
            "tags.yml": "packages:\n- project: nova\n  tags:\n    flamingo:\n"
            "      source-branch: abc\n",
            "bsys.yml": "packages:\n- project: nova\n  buildsys-tags:\n"
            "    cloud9s-openstack-flamingo-testing: openstack-nova-1-1.el9s\n"
            "- project: nova\n  buildsys-tags:\n    other: openstack-nova-2-1.el9s\n",
        }
    )
    nova = load_metadata(root, cache_dir=cache_dir).package("openstack-nova")
    assert nova.tags["flamingo"] == {"source-branch": "abc"}
    assert nova.tags["epoxy"] == {"source-branch": "31.0.0", "component": "network"}
    assert nova.buildsys_tags == {
        "cloud9s-openstack-flamingo-testing": "openstack-nova-1-1.el9s",
        "other": "openstack-nova-2-1.el9s",
    }


def test_a_file_imported_twice_is_read_once(write_tree: Tree):
    root = write_tree(
        {
            "a.yml": "import: [b.yml, c.yml]\n",
            "b.yml": "import: [c.yml]\n",
            "c.yml": "packages: []\n",
        }
    )
    assert [d.path for d in read_documents(root, ["a.yml"])] == ["a.yml", "b.yml", "c.yml"]


def test_import_cycle_is_reported_with_its_chain(write_tree: Tree):
    root = write_tree({"a.yml": "import: [b.yml]\n", "b.yml": "import: [a.yml]\n"})
    with pytest.raises(MetadataLoadError) as err:
        read_documents(root, ["a.yml"])
    assert str(err.value) == "b.yml: field 'import': circular import a.yml -> b.yml -> a.yml"


def test_missing_import_and_bad_yaml_name_the_file(write_tree: Tree):
    root = write_tree({"a.yml": "import: [gone.yml]\n", "bad.yml": "packages: [\n"})
    with pytest.raises(MetadataLoadError) as err:
        read_documents(root, ["a.yml"])
    assert str(err.value) == (
        f"a.yml: field 'import': {root}/gone.yml: file not found (expected an rdoinfo YAML file)"
    )
    with pytest.raises(MetadataLoadError, match=r"^bad.yml:2: not valid YAML: "):
        read_documents(root, ["bad.yml"])
    with pytest.raises(MetadataLoadError) as err:
        read_documents(root, ["../etc/passwd"])
    assert "leaves the metadata tree" in str(err.value)


def test_cache_is_never_stale(write_tree: Tree, cache_dir: Path):
    root = write_tree({"rdo.yml": MINI_RDO})
    first = load_metadata(root, cache_dir=cache_dir)
    assert load_metadata(root, cache_dir=cache_dir).identity == first.identity
    text = (root / "rdo.yml").read_text().replace("31.0.0", "31.0.1")
    (root / "rdo.yml").write_text(text)
    os.utime(root / "rdo.yml", ns=(1, 1))  # even with an old mtime: size/mtime_ns differ
    nova = load_metadata(root, cache_dir=cache_dir).package("openstack-nova")
    assert nova.pins() == {"epoxy": "31.0.1"}


def test_git_ref_and_tarball_locations(
    make_git_repo: Callable[[str], GitRepo], cache_dir: Path, tmp_path: Path
):
    repo = make_git_repo("rdoinfo")
    repo.commit("v1", {"rdo.yml": MINI_RDO})
    repo.git("branch", "old")
    repo.commit("v2", {"rdo.yml": MINI_RDO.replace("31.0.0", "32.0.0")})
    pins = lambda md: md.package("openstack-nova").pins()  # noqa: E731
    assert pins(load_metadata(repo.path, ref="old", cache_dir=cache_dir)) == {"epoxy": "31.0.0"}
    assert pins(load_metadata(f"{repo.url}@old", cache_dir=cache_dir)) == {"epoxy": "31.0.0"}
    assert pins(load_metadata(repo.url, cache_dir=cache_dir)) == {"epoxy": "32.0.0"}
    with pytest.raises(MetadataLoadError, match=r"ref 'nope' not found"):
        load_metadata(repo.path, ref="nope", cache_dir=cache_dir)
    tarball = tmp_path / "rdoinfo.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(repo.path / "rdo.yml", arcname="rdoinfo-master/rdo.yml")
    assert pins(load_metadata(tarball, cache_dir=cache_dir)) == {"epoxy": "32.0.0"}
