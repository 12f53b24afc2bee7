"""Queries on the real snapshot; diff between git revisions; round-trip edits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import GitRepo
from tests.metadata.conftest import EDIT_TREE, MINI_RDO
from trunkline.cli.app import cli
from trunkline.errors import MetadataError
from trunkline.metadata import Metadata, load_metadata
from trunkline.metadata.diff import diff_metadata
from trunkline.metadata.edit import MetadataEditor
from trunkline.metadata.query import parse_filter
from trunkline.metadata.validate import validate_tree


@pytest.mark.parametrize(
    ("filters", "count"),
    [
        (["maintainers:johnsomor"], 10),
        (["component:octavia"], 4),
        (["tags:^flamingo$", "conf:client"], 29),
        (["tags:~^flamingo$", "conf:rpmfactory"], 144),
        (["buildsys-tags:cloud10s-openstack-flamingo-testing"], 335),
        (["^python-oslo-config$"], 1),
        (["name:^openstack-octavia", "name:~-ui$"], 1),
    ],
)
def test_filters_on_the_real_snapshot(full_md: Metadata, filters: list[str], count: int):
    assert len(full_md.filter([parse_filter(f) for f in filters])) == count


def test_lookups_on_the_real_snapshot(full_md: Metadata):
    assert len(full_md.packages) == 1367
    assert len(full_md.releases) == 13
    assert full_md.find("octavia").name == "openstack-octavia"  # type: ignore[union-attr]
    oslo = full_md.find("https://opendev.org/openstack/oslo.config")
    assert oslo is not None and oslo.name == "python-oslo-config"
    assert oslo.pins()["flamingo-uc"] == "9.8.0"
    assert len(oslo.buildsys_tags) == 33
    (uc,) = [p for p in full_md.packages_for_release("flamingo-uc") if p.project == "oslo-config"]
    assert uc.source_branch == "9.8.0"
    assert [r.name for r in full_md.releases_of(oslo)][:2] == ["flamingo", "epoxy"]
    # exact e-mail: 9 packages; the regex filter also matches johnsomor@redhat.com (designate-ui)
    assert [p.name for p in full_md.by_maintainer("johnsomor@gmail.com")] == [
        "openstack-designate",
        "openstack-neutron-lbaas",
        "openstack-neutron-lbaas-ui",
        "openstack-octavia",
        "openstack-octavia-ui",
        "python-designate-tests-tempest",
        "python-octavia-lib",
        "python-octavia-tests-tempest",
        "python-octaviaclient",
    ]
    assert full_md.by_maintainer("johnsomor") == []
    assert full_md.release("flamingo").source_branch == "stable/2025.2"


def test_diff_between_two_revisions(make_git_repo: Callable[[str], GitRepo], tmp_path: Path):
    repo = make_git_repo("rdoinfo")
    old = repo.commit("v1", {"rdo.yml": MINI_RDO})
    new_text = (
        MINI_RDO.replace("31.0.0", "31.1.0").replace("    flamingo:\n    epoxy:", "    epoxy:")
        + "- project: neutron\n  conf: core\n"
    )
    new = repo.commit("v2", {"rdo.yml": new_text})
    cache = tmp_path / "c"
    d = diff_metadata(
        load_metadata(repo.path, ref=old, cache_dir=cache),
        load_metadata(repo.path, ref=new, cache_dir=cache),
    )
    assert [p.name for p in d.added] == ["openstack-neutron"] and d.removed == []
    (change,) = d.changed
    assert change.describe() == "openstack-nova: tags -flamingo; pin epoxy: 31.0.0 -> 31.1.0"
    assert change.needs_rebuild


def test_edits_keep_comments_and_validate(write_tree: Callable[[dict[str, str]], Path]):
    tags = (
        "# flamingo tags\npackages:\n- project: nova  # the compute service\n"
        "  tags:\n    flamingo:\n"
    )
    root = write_tree(
        {
            "rdo.yml": MINI_RDO.replace("packages:\n", "import: [tags/flamingo.yml]\npackages:\n"),
            "tags/flamingo.yml": tags,
        }
    )
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.pin("openstack-nova", "flamingo", "abc123")
    editor.add_tag("python-oslo-config", "flamingo")
    assert editor.save() == ["tags/flamingo.yml"]
    assert (root / "tags/flamingo.yml").read_text() == (
        "# flamingo tags\npackages:\n- project: nova  # the compute service\n  tags:\n"
        "    flamingo:\n      source-branch: abc123\n- project: oslo-config\n  tags:\n"
        "    flamingo:\n"
    )
    md = load_metadata(root, cache_dir=root.parent / "c")
    assert md.package("openstack-nova").pins() == {"flamingo": "abc123", "epoxy": "31.0.0"}
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.unpin("nova", "flamingo")
    editor.save()
    assert "source-branch: abc123" not in (root / "tags/flamingo.yml").read_text()
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.add_package("neutron", "core", maintainers=["bad-address"])
    with pytest.raises(MetadataError) as err:
        editor.save()
    assert str(err.value) == (
        "edit refused, it would add: rdo.yml:51: error: package 'openstack-neutron' field "
        "'maintainers': 'bad-address' is not an e-mail address (expected user@domain)"
    )
    assert "neutron" not in (root / "rdo.yml").read_text()


def test_cli_info_json_and_validate(write_tree: Callable[[dict[str, str]], Path]):
    root = write_tree({"rdo.yml": MINI_RDO})
    runner = CliRunner()
    res = runner.invoke(cli, ["info", "--info", str(root), "--json", "-t", "epoxy", "nova"])
    assert res.exit_code == 0, res.output
    assert '"source-branch": "31.0.0"' in res.output and '"name": "openstack-nova"' in res.output
    res = runner.invoke(cli, ["validate", "--info", str(root)])
    assert res.exit_code == 0 and "0 errors, 0 warnings" in res.output
    bad = write_tree({"rdo.yml": MINI_RDO.replace("conf: core\n  tags", "conf: cor\n  tags")})
    res = runner.invoke(cli, ["validate", "--info", str(bad)])
    assert res.exit_code != 0
    assert "rdo.yml:39: error: package 'python-nova' field 'conf': unknown conf 'cor'" in res.output


def test_set_nvr_replaces_in_place_and_adds_new_entries(write_tree: Callable[..., Path]):
    root = write_tree(EDIT_TREE)
    btag = "cloud9s-openstack-flamingo-testing"
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.set_nvr("nova", btag, "openstack-nova-31.1.0-1.el9s")
    editor.set_nvr("python-oslo-config", btag, "python-oslo-config-9.8.0-1.el9s")
    assert editor.save() == [f"buildsys-tags/{btag}.yml"]
    assert (root / f"buildsys-tags/{btag}.yml").read_text() == (
        "# NVRs in cloud9s-openstack-flamingo-testing\npackages:\n- project: nova\n"
        "  buildsys-tags:\n"
        "    cloud9s-openstack-flamingo-testing: openstack-nova-31.1.0-1.el9s  # first build\n"
        "- project: oslo-config\n  buildsys-tags:\n"
        "    cloud9s-openstack-flamingo-testing: python-oslo-config-9.8.0-1.el9s\n"
    )
    md = load_metadata(root, cache_dir=root.parent / "c")
    assert [(p.name, p.buildsys_tags[btag]) for p in md.by_buildsys_tag(btag)] == [
        ("openstack-nova", "openstack-nova-31.1.0-1.el9s"),
        ("python-oslo-config", "python-oslo-config-9.8.0-1.el9s"),
    ]


def test_add_package_from_a_template(write_tree: Callable[..., Path]):
    root = write_tree(EDIT_TREE)
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.add_package("ovn-bgp", "core", name="python-ovn-bgp", maintainers=["a@example.com"])
    editor.add_package("glance", "core", file="tags/flamingo.yml")
    assert sorted(editor.save()) == ["rdo.yml", "tags/flamingo.yml"]
    assert (root / "rdo.yml").read_text() == EDIT_TREE["rdo.yml"] + (
        "- project: ovn-bgp\n  name: python-ovn-bgp\n  conf: core\n  maintainers:\n"
        "  - a@example.com\n"
    )
    assert (root / "tags/flamingo.yml").read_text() == EDIT_TREE["tags/flamingo.yml"] + (
        "- project: glance\n  conf: core\n"
    )
    md = load_metadata(root, cache_dir=root.parent / "c")
    ovn, glance = md.package("python-ovn-bgp"), md.package("openstack-glance")
    assert (ovn.project, ovn.upstream, ovn.maintainers) == (
        "ovn-bgp",
        "https://opendev.org/openstack/ovn-bgp",
        ["a@example.com"],
    )
    assert (glance.component, glance.maintainers) == ("common", ["core@example.com"])
    assert validate_tree(root, ["rdo.yml"]).problems == []
