"""Validation: every rule on a small tree (exact message), and the real snapshot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.metadata.conftest import MINI_RDO
from trunkline.cli.app import main
from trunkline.metadata.validate import validate_tree

Tree = Callable[[dict[str, str]], Path]


def _lines(write_tree: Tree, rdo: str, **extra: str) -> list[str]:
    files = {"rdo.yml": rdo, **{k.replace("__", "/") + ".yml": v for k, v in extra.items()}}
    return [str(p) for p in validate_tree(write_tree(files), ["rdo.yml"]).problems]


def test_the_minimal_tree_is_valid(write_tree: Tree):
    assert _lines(write_tree, MINI_RDO) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      source-branch: 31.0.0",
            "      source_branch: 31.0.0",
            "rdo.yml:44: error: package 'nova' field 'tags.epoxy.source_branch': unknown key in "
            "the overrides of tag 'epoxy' (did you mean 'source-branch'?)",
        ),
        (
            "  conf: core\n  tags:",
            "  conf: core\n  upstrem: x\n  tags:",
            "rdo.yml:41: error: package 'nova' field 'upstrem': unknown key in a package entry "
            "(did you mean 'upstream'?)",
        ),
        (
            "    flamingo:\n    epoxy:\n      source",
            "    zed:\n      source-branch: x\n    epoxy:\n      source",
            "rdo.yml:42: error: package 'nova' field 'tags.zed': tag 'zed' names no release "
            "(expected one of the releases, RELEASE-uc, or dependency, under-review, "
            "version-locked)",
        ),
        (
            "  conf: core\n  tags:",
            "  conf: cor\n  tags:",
            "rdo.yml:39: error: package 'python-nova' field 'conf': unknown conf 'cor' "
            "(expected one of: core)",
        ),
        (
            "      component: network",
            "      component: netwrk",
            "rdo.yml:39: error: package 'openstack-nova' field 'tags.epoxy.component': unknown "
            "component 'netwrk' in tag 'epoxy' (expected one declared under 'components')",
        ),
        (
            "    component: common\n",
            "    component: commons\n",
            "rdo.yml:39: error: package 'openstack-nova' field 'component': unknown component "
            "'commons' (expected one declared under 'components')",
        ),
        (
            "    - core@example.com",
            "    - core.example.com",
            "rdo.yml:39: error: package 'openstack-nova' field 'maintainers': 'core.example.com' "
            "is not an e-mail address (expected user@domain)",
        ),
        (
            "openstack-%(project)s\n    upstream",
            "openstack-%(projekt)s\n    upstream",
            "rdo.yml:39: error: package 'openstack-%(projekt)s' field 'name': cannot substitute "
            "'openstack-%(projekt)s' (expected %(key)s naming a package field)",
        ),
        (
            "  status: maintained",
            "  status: retired",
            "rdo.yml:15: error: field 'status': release 'epoxy': status 'retired' (expected one "
            "of development, maintained, extended_maintenance, eol)",
        ),
        (
            "  status: maintained",
            "  status: development",
            "rdo.yml:15: error: field 'status': release 'epoxy': more than one development "
            "release (flamingo, epoxy; expected exactly one)",
        ),
        (
            "      url: http://example.com/baseos/\n",
            "",
            "rdo.yml:12: error: field 'distrepos.url': release 'flamingo' repo 'el9s': distrepo "
            "'BaseOS' has no url (expected url: BASEURL)",
        ),
        (
            "  name: python-oslo-config\n",
            "  name: openstack-nova\n",
            "rdo.yml:39: error: package 'openstack-nova' field 'name': duplicate package name "
            "(also used by project 'oslo-config'; expected unique names)",
        ),
    ],
)
def test_each_rule_reports_one_line(write_tree: Tree, old: str, new: str, expected: str):
    assert old in MINI_RDO
    assert expected in _lines(write_tree, MINI_RDO.replace(old, new, 1))


def test_buildsys_tags_rules(write_tree: Tree):
    bsys = (
        "packages:\n- project: nova\n  buildsys-tags:\n"
        "    cloud9s-openstack-flamingo-testing: python-nova-1-1.el9s\n"
        "    cloud9s-openstack-zed-testing: openstack-nova-1-1.el9s\n"
    )
    lines = _lines(write_tree, "import: [bsys.yml]\n" + MINI_RDO, bsys=bsys)
    assert lines == [
        "bsys.yml:4: error: package 'openstack-nova' field "
        "'buildsys-tags.cloud9s-openstack-flamingo-testing': NVR 'python-nova-1-1.el9s' does "
        "not start with the package name (expected 'openstack-nova-VERSION-RELEASE')",
        "bsys.yml:5: error: package 'nova' field 'buildsys-tags.cloud9s-openstack-zed-testing': "
        "buildsys-tag 'cloud9s-openstack-zed-testing' is not declared by any release repo "
        "(expected one of releases[].repos[].buildsys-tags)",
    ]


def test_duplicate_project_in_one_file(write_tree: Tree):
    lines = _lines(write_tree, MINI_RDO + "- project: nova\n  conf: core\n")
    assert (
        "rdo.yml:50: error: package 'nova' field 'project': duplicate project (also defined "
        "at rdo.yml:39; expected one entry per project)" in lines
    )


def test_real_snapshot_reports_every_problem(snapshot: Path):
    report = validate_tree(snapshot, ["rdo-full.yml"])
    lines = [str(p) for p in report.errors]
    # 77 before issue 11 item 8, plus 3 tag files holding entries of another tag (see
    # test_btag_sources.py for the lines)
    assert len(lines) == 80
    assert sum("expected every entry of this file keyed to" in ln for ln in lines) == 3
    assert (
        "deps.yml:2877: error: package 'python-markupsafe' field 'project': duplicate "
        "project (also defined at deps.yml:1568; expected one entry per project)"
    ) in lines
    assert (
        "rdo.yml:26: error: field 'distrepos.url': release 'flamingo' repo 'el9s': distrepo "
        "'CentOS Stream 9 CRB' has no url (expected url: BASEURL)"
    ) in lines
    dup_names = {p.package for p in report.errors if "duplicate package name" in p.message}
    assert dup_names == {
        "python-mox3",
        "python-oslotest",
        "python-stevedore",
        "python-debtcollector",
        "python-cliff",
    }
    assert sum("does not start with the package name" in ln for ln in lines) == 57


EPOXY_REPOS = "  repos:\n  - name: el9s\n    buildsys: cbs/cloud9s-openstack-epoxy-el9s\n"


@pytest.mark.parametrize(
    ("rdo", "expected"),
    [
        (
            MINI_RDO + "- name: python-orphan\n  conf: core\n",
            "rdo.yml:50: error: package 'python-orphan' field 'project': missing (expected the "
            "rdoinfo project name)",
        ),
        (  # no name anywhere: not in the entry, no conf, no package-default name
            MINI_RDO.replace("  name: python-%(project)s\n", "", 1) + "- project: bare\n",
            "rdo.yml:49: error: package 'bare' field 'name': missing (expected the RPM name, "
            "from the entry or its conf)",
        ),
        (
            MINI_RDO.replace("  maintainers:\n  - default@example.com\n", "", 1)
            + "- project: bare\n",
            "rdo.yml:48: error: package 'python-bare' field 'maintainers': missing (expected at "
            "least one e-mail)",
        ),
        (
            MINI_RDO + "- project: bare\n  maintainers: bare@example.com\n",
            "rdo.yml:50: error: package 'python-bare' field 'maintainers': not a list (expected a "
            "list of e-mails)",
        ),
        (
            MINI_RDO.replace(EPOXY_REPOS, "", 1),
            "rdo.yml:14: error: field 'repos': release 'epoxy': missing (expected a list of repos)",
        ),
    ],
)
def test_required_fields_report_one_line(write_tree: Tree, rdo: str, expected: str):
    assert rdo != MINI_RDO
    assert _lines(write_tree, rdo) == [expected]


UNKNOWN_NULL_TAG = MINI_RDO.replace("    flamingo:\n    epoxy:\n", "    zed:\n    epoxy:\n", 1)
ZED_WARNING = (
    "rdo.yml:42: warning: package 'nova' field 'tags.zed': tag 'zed' names no release "
    "(expected one of the releases, RELEASE-uc, or dependency, under-review, version-locked)"
)


def test_an_unknown_tag_without_overrides_is_only_a_warning(write_tree: Tree):
    report = validate_tree(write_tree({"rdo.yml": UNKNOWN_NULL_TAG}), ["rdo.yml"])
    assert report.errors == []
    assert [str(p) for p in report.warnings] == [ZED_WARNING]


def test_cli_validate_prints_warnings_apart_and_exits_zero(
    write_tree: Tree, capsys: pytest.CaptureFixture[str]
):
    root = write_tree({"rdo.yml": UNKNOWN_NULL_TAG})
    for flag, shown in (([], True), (["-W"], True), (["--no-warnings"], False)):
        with pytest.raises(SystemExit) as exit_:
            main(["validate", "--info", str(root), *flag])
        out = capsys.readouterr()
        assert exit_.value.code == 0, flag
        assert out.out == (f"{ZED_WARNING}\n" if shown else ""), flag
        assert out.err == "0 errors, 1 warnings\n", flag


def test_cli_validate_errors_exit_3_and_lists_errors_before_warnings(
    write_tree: Tree, capsys: pytest.CaptureFixture[str]
):
    root = write_tree({"rdo.yml": UNKNOWN_NULL_TAG + "- project: bare\n  maintainers: [bare]\n"})
    error = (
        "rdo.yml:50: error: package 'python-bare' field 'maintainers': 'bare' is not an "
        "e-mail address (expected user@domain)"
    )
    with pytest.raises(SystemExit) as exit_:
        main(["validate", "--info", str(root)])
    out = capsys.readouterr()
    assert exit_.value.code == 3
    assert out.out.splitlines() == [error, ZED_WARNING]
    assert out.err == (
        f"1 errors, 1 warnings\ntrunkline: error: validate: 1 errors (first: {error})\n"
    )
