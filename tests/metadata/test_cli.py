"""The metadata commands end to end through ``trunkline.cli.app.main``: output, exit codes.

``info --yaml``, ``findpkg``, ``release`` (``-r/-R/-s/-p``) on the real snapshot,
and the ``meta`` edits (pin, unpin, tag, set-nvr, add-package) on a commented
tree: the files keep their comments and the next ``validate`` passes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.metadata.conftest import EDIT_TREE
from trunkline.cli.app import main
from trunkline.cli.metadata import package_record
from trunkline.metadata import Metadata

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``trunkline ARGS...``; return (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_:
            main(list(args))
        out = capsys.readouterr()
        code = exit_.value.code
        return (code if isinstance(code, int) else 1), out.out, out.err

    return _run


# --- queries on the real snapshot ------------------------------------------------------


def test_info_yaml_is_the_json_list_in_yaml(run: Run, snapshot: Path, full_md: Metadata):
    code, as_yaml, _ = run("info", "--info", str(snapshot), "--yaml", "component:octavia")
    assert code == 0
    code, as_json, _ = run("info", "--info", str(snapshot), "--json", "component:octavia")
    assert code == 0
    records = yaml.safe_load(as_yaml)
    assert records == json.loads(as_json)
    assert [r["name"] for r in records] == [
        "openstack-neutron-lbaas",
        "openstack-octavia",
        "python-octavia-lib",
        "python-octavia-tests-tempest",
    ]
    assert records[1] == package_record(full_md.package("openstack-octavia"))
    assert as_yaml.startswith("- name: openstack-neutron-lbaas\n  project: neutron-lbaas\n")
    assert list(records[0])[-1] == "maintainers"  # rdopkg's order, kept by the YAML


def test_info_yaml_applies_a_release_tag(run: Run, write_tree: Callable[..., Path]):
    root = write_tree(EDIT_TREE)
    code, out, _ = run("info", "--info", str(root), "--yaml", "-t", "epoxy", "^openstack-nova$")
    assert code == 0
    (nova,) = yaml.safe_load(out)
    assert (nova["source-branch"], nova["component"]) == ("31.0.0", "network")


def test_findpkg_by_project_url_and_strictly(run: Run, snapshot: Path):
    code, out, _ = run("findpkg", "--info", str(snapshot), "octavia")
    assert code == 0
    assert out.startswith("1 packages found:\n\nname: openstack-octavia\nproject: octavia\n")
    code, out, _ = run(
        "findpkg", "--info", str(snapshot), "--json", "git://opendev.org/openstack/oslo.config.git"
    )
    assert code == 0
    (rec,) = json.loads(out)
    assert (rec["name"], rec["upstream"]) == (
        "python-oslo-config",
        "https://opendev.org/openstack/oslo.config",
    )
    code, out, err = run("findpkg", "--info", str(snapshot), "-s", "oslo")
    assert (code, out) == (3, "")
    assert err == (
        "trunkline: error: findpkg 'oslo': no package matches "
        "(expected a name, project or upstream URL)\n"
    )
    code, out, _ = run("findpkg", "--info", str(snapshot), "oslo")  # best effort: a name match
    assert code == 0 and "\nname: puppet-oslo\n" in out


ALL_RELEASES = "flamingo epoxy dalmatian caracal bobcat antelope zed yoga xena wallaby victoria"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], f"{ALL_RELEASES} ussuri train\n"),
        (["-R", "el10s"], "flamingo epoxy\n"),
        (["-s", "maintained"], "epoxy dalmatian caracal bobcat\n"),
        (["-s", "eol", "-R", "el8s"], "yoga xena victoria ussuri train\n"),
        (["-s", "development", "-R", "el7"], "\n"),
        (
            ["-r", "flamingo"],
            "name: flamingo\nstatus: development\nbranch: rpm-master\nidentifier: 2025.2\n"
            "upstream_branch: master\nsource_branch: stable/2025.2\nrepos: el9s, el10s\n",
        ),
        (["-r", "wallaby", "-R", "el7"], ""),
    ],
)
def test_release_listings(run: Run, snapshot: Path, options: list[str], expected: str):
    code, out, _ = run("release", "--info", str(snapshot), *options)
    assert (code, out) == (0, expected)


def test_release_of_a_package_shows_pins_and_nvrs(run: Run, snapshot: Path):
    code, out, _ = run("release", "--info", str(snapshot), "-p", "python-oslo-config")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == ["flamingo: master", "epoxy: 9.7.1 (pinned)", "dalmatian: 9.6.0 (pinned)"]
    assert lines[12] == "train: 6.11.3 (pinned)"
    assert lines[13] == "flamingo-uc: 9.8.0 (pinned tag, not a release)"  # tags/flamingo-uc.yml
    nvrs = lines[14:]
    assert len(nvrs) == 33
    assert "  cloud9s-openstack-epoxy-release: python-oslo-config-9.7.1-1.el9s" in nvrs


def test_release_errors_name_what_is_unknown(run: Run, snapshot: Path):
    code, _, err = run("release", "--info", str(snapshot), "-r", "nosuch")
    assert code == 3
    assert err.startswith("trunkline: error: release 'nosuch': not defined (known: flamingo, ")
    code, _, err = run("release", "--info", str(snapshot), "-p", "nosuch")
    assert (code, err) == (
        3,
        "trunkline: error: package 'nosuch': not in the metadata (expected a name)\n",
    )


# --- meta edits ------------------------------------------------------------------------

TAGS_AFTER = (
    "# flamingo tags: edited by the release bot\npackages:\n"
    "- project: nova  # the compute service\n  tags:\n    flamingo:\n"
    "      source-branch: 31.1.0\n"
    "- project: oslo-config\n  tags:\n    flamingo:\n"
)
NVRS_AFTER = (
    "# NVRs in cloud9s-openstack-flamingo-testing\npackages:\n- project: nova\n"
    "  buildsys-tags:\n"
    "    cloud9s-openstack-flamingo-testing: openstack-nova-31.1.0-1.el9s  # first build\n"
    "- project: oslo-config\n  buildsys-tags:\n"
    "    cloud9s-openstack-flamingo-testing: python-oslo-config-9.8.0-1.el9s\n"
)
NEUTRON = "- project: neutron\n  conf: core\n  maintainers:\n  - net@example.com\n"


def test_meta_edits_keep_comments_and_the_tree_stays_valid(
    run: Run, write_tree: Callable[..., Path]
):
    root = write_tree(EDIT_TREE)
    where = ("--info", str(root))
    btag = "cloud9s-openstack-flamingo-testing"
    edits = [
        (("pin", "nova", "flamingo", "31.1.0"), "tags/flamingo.yml"),
        (("tag", "python-oslo-config", "flamingo"), "tags/flamingo.yml"),
        (
            ("set-nvr", "openstack-nova", btag, "openstack-nova-31.1.0-1.el9s"),
            f"buildsys-tags/{btag}.yml",
        ),
        (
            ("set-nvr", "oslo-config", btag, "python-oslo-config-9.8.0-1.el9s"),
            f"buildsys-tags/{btag}.yml",
        ),
        (
            ("add-package", "neutron", "--conf", "core", "--maintainer", "net@example.com"),
            "rdo.yml",
        ),
    ]
    for args, changed in edits:
        assert run("meta", *args, *where) == (0, f"updated {changed}\n", ""), args

    assert (root / "tags/flamingo.yml").read_text() == TAGS_AFTER
    assert (root / f"buildsys-tags/{btag}.yml").read_text() == NVRS_AFTER
    assert (root / "rdo.yml").read_text() == EDIT_TREE["rdo.yml"] + NEUTRON
    assert run("validate", *where) == (0, "", "0 errors, 0 warnings\n")

    _, out, _ = run("info", *where, "--json", "-t", "flamingo", "tags:flamingo")
    by_name = {r["name"]: r for r in json.loads(out)}
    assert by_name["openstack-nova"]["source-branch"] == "31.1.0"
    assert by_name["python-oslo-config"]["buildsys-tags"] == {
        btag: "python-oslo-config-9.8.0-1.el9s"
    }
    _, out, _ = run("findpkg", *where, "--json", "neutron")
    (neutron,) = json.loads(out)
    assert (neutron["name"], neutron["upstream"], neutron["maintainers"]) == (
        "openstack-neutron",
        "https://opendev.org/openstack/neutron",
        ["net@example.com"],
    )

    assert run("meta", "unpin", "nova", "flamingo", *where) == (
        0,
        "updated tags/flamingo.yml\n",
        "",
    )
    assert (root / "tags/flamingo.yml").read_text() == TAGS_AFTER.replace(
        "      source-branch: 31.1.0\n", ""
    )
    assert run("validate", *where)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("add-package", "glance", "--conf", "core", "--maintainer", "bad"),
            "edit refused, it would add: rdo.yml:54: error: package 'openstack-glance' field "
            "'maintainers': 'bad' is not an e-mail address (expected user@domain)",
        ),
        (
            ("set-nvr", "nova", "cloud9s-openstack-flamingo-testing", "python-nova-1-1"),
            "edit refused, it would add: buildsys-tags/cloud9s-openstack-flamingo-testing.yml:5: "
            "error: package 'openstack-nova' field "
            "'buildsys-tags.cloud9s-openstack-flamingo-testing': NVR 'python-nova-1-1' does not "
            "start with the package name (expected 'openstack-nova-VERSION-RELEASE')",
        ),
        (
            ("set-nvr", "nova", "cloud9s-openstack-zed-testing", "openstack-nova-1-1"),
            "buildsys-tag 'cloud9s-openstack-zed-testing': no file for it "
            "(expected buildsys-tags/cloud9s-openstack-zed-testing.yml imported)",
        ),
        (
            ("pin", "nova", "zed", "1.0"),
            "tag 'zed': names no release (expected one of epoxy, flamingo, or RELEASE-uc)",
        ),
        (
            ("pin", "nosuch", "flamingo", "1.0"),
            "package 'nosuch': not in the metadata (expected a name or project)",
        ),
        (
            ("unpin", "nova", "flamingo"),
            "package 'nova': field 'tags.flamingo.source-branch': not pinned "
            "(expected an existing pin)",
        ),
        (
            ("add-package", "nova", "--conf", "core"),
            "package 'nova': field 'project': already defined (expected a new project)",
        ),
        (
            ("add-package", "glance", "--conf", "cor"),
            "package 'glance': field 'conf': unknown conf 'cor' (expected a package-configs "
            "template)",
        ),
    ],
)
def test_meta_refusals_exit_3_and_change_nothing(
    run: Run, write_tree: Callable[..., Path], args: tuple[str, ...], message: str
):
    root = write_tree(EDIT_TREE)
    assert run("meta", *args, "--info", str(root)) == (3, "", f"trunkline: error: {message}\n")
    for rel, text in EDIT_TREE.items():
        assert (root / rel).read_text() == text, rel
