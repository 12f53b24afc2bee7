"""The rdoinfo package source: release branches, per-release pins, and the keys that change a build.

On the real snapshot every followed package must carry its ``tags.<release>``
pin (each form rdoinfo uses: version tags, ``v`` tags, commit hashes, branches,
eol tags) or else its release's ``upstream_branch``. The keys the snapshot does not
use (``build-tags-only``, ``version-from``, ``distro-branch``) are tried in every
form DLRN reads them, in a small tree: honoured, or one error line naming the file,
the package and the key.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from trunkline.config import settings_from_dict
from trunkline.errors import MetadataError
from trunkline.metadata.sources import FollowedPackage, make_source

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
if not DATA.is_dir():  # pragma: no cover - a checkout outside /work
    DATA = Path("/work/shared/data")
SNAPSHOT = DATA / "rdoinfo-2025-07"


def followed(path: Path, tag: str | None, data_dir: Path, **builder: Any) -> list[FollowedPackage]:
    settings = settings_from_dict(
        {
            "builder": {"data_dir": str(data_dir), **builder},
            "packages": {"source": "rdoinfo", "path": str(path), "tag": tag},
        }
    )
    return make_source(settings).packages()


def _snapshot_pins(release: str) -> dict[str, str]:
    """project -> source-branch pin for ``release``, read straight from the YAML files.

    A package's own ``source-branch`` in rdo.yml (puppet modules on ``main``), with the
    ``tags.<release>`` override of tags/<release>.yml on top.
    """
    pins = {}
    for name in ("rdo.yml", f"tags/{release}.yml"):
        data = yaml.load((SNAPSHOT / name).read_text(), Loader=yaml.CSafeLoader)
        for pkg in data["packages"]:
            over = (pkg.get("tags") or {}).get(release)
            for where in (pkg, over if isinstance(over, dict) else {}):
                if where.get("source-branch") is not None:
                    pins[pkg["project"]] = str(where["source-branch"])
    return pins


def _form(pin: str) -> str:
    if re.fullmatch(r"[0-9a-f]{40}", pin):
        return "commit"
    if re.fullmatch(r"v?\d+(\.\d+)*", pin):
        return "version tag"
    return "eol tag" if pin.endswith("-eol") else "branch"


@pytest.mark.parametrize(
    ("release", "upstream_branch", "distro_branch"),
    [
        ("flamingo", "master", "rpm-master"),
        ("epoxy", "stable/2025.1", "epoxy-rdo"),
        ("caracal", "stable/2024.1", "caracal-rdo"),
        ("antelope", "unmaintained/2023.1", "rpm-master"),
        ("train", "master", "rpm-master"),  # no upstream_branch: the builder's default
    ],
)
def test_real_snapshot_pins_and_release_branches(
    tmp_path: Path, release: str, upstream_branch: str, distro_branch: str
) -> None:
    pins = _snapshot_pins(release)
    pkgs = followed(SNAPSHOT, release, tmp_path)
    assert pkgs
    by_form: dict[str, int] = {}
    for pkg in pkgs:
        pin = pins.get(pkg.project)
        assert (pkg.source_branch, pkg.source_pinned) == (
            (pin, True) if pin is not None else (upstream_branch, False)
        ), pkg.name
        # the rpm-packaging template (openstack-macros) sets distro-branch: master
        expected = "master" if pkg.name == "openstack-macros" else distro_branch
        assert pkg.distro_branch == expected, pkg.name
        assert not pkg.tags_only
        if pin is not None:
            by_form[_form(pin)] = by_form.get(_form(pin), 0) + 1
    if release in {"epoxy", "caracal", "antelope"}:
        assert by_form.get("commit") and by_form.get("version tag")  # both forms were read


def test_the_snapshot_has_none_of_the_keys_tried_below() -> None:
    """If rdoinfo starts using them, the forms below must be checked against it.

    (``distro-branch`` is used, by the rpm-packaging template: see above.)
    """
    text = "".join(p.read_text() for p in SNAPSHOT.rglob("*.yml"))
    for key in ("build-tags-only", "version-from"):
        assert key not in text
    assert text.count("distro-branch: master") == 4


RDO = """\
releases:
- name: epoxy
  status: maintained
  branch: epoxy-rdo
  upstream_branch: stable/2025.1
  repos:
  - name: el9s
    buildsys: cbs/cloud9s-openstack-epoxy-el9s
package-configs:
  core:
    name: python-%(project)s
    upstream: https://opendev.org/openstack/%(project)s
    master-distgit: https://github.com/rdo-packages/%(project)s-distgit.git
    maintainers:
    - core@example.com
import:
- tags/epoxy.yml
packages:
"""


def tree(tmp_path: Path, entry: str, tag_entry: str = "") -> Path:
    """rdo.yml with one package entry ``entry``; tags/epoxy.yml with ``tag_entry``."""
    root = tmp_path / "rdoinfo"
    (root / "tags").mkdir(parents=True)
    (root / "rdo.yml").write_text(RDO + textwrap.indent(textwrap.dedent(entry), ""))
    tags = "packages:\n" + textwrap.dedent(tag_entry) if tag_entry else "packages: []\n"
    (root / "tags" / "epoxy.yml").write_text(tags)
    return root


BASE = """\
- project: foo
  conf: core
"""


@pytest.mark.parametrize(
    ("entry", "tag_entry", "tags_only"),
    [
        # DLRN's buildtagsonly(): the key at the top level, any value but false...
        (BASE + "  build-tags-only: true\n  tags: {epoxy: }\n", "", True),
        (BASE + "  build-tags-only:\n  tags: {epoxy: }\n", "", True),
        (BASE + "  build-tags-only: false\n  tags: {epoxy: }\n", "", False),
        # ... or a tag named build-tags-only
        (BASE + "  tags:\n    epoxy:\n    build-tags-only:\n", "", True),
        # per release, as distroinfo's apply_tag merges tags.<release> on top
        (BASE, "- project: foo\n  tags:\n    epoxy:\n      build-tags-only: true\n", True),
        (BASE + "  tags: {epoxy: }\n", "", False),
    ],
    ids=["top-true", "top-null", "top-false", "as-a-tag", "per-release", "absent"],
)
def test_build_tags_only_in_every_form_dlrn_reads(
    tmp_path: Path, entry: str, tag_entry: str, tags_only: bool
) -> None:
    (pkg,) = followed(tree(tmp_path, entry, tag_entry), "epoxy", tmp_path / "data")
    assert pkg.tags_only is tags_only


@pytest.mark.parametrize(
    ("entry", "tag_entry", "distro_branch"),
    [
        (BASE + "  distro-branch: epoxy-rdo-el10\n  tags: {epoxy: }\n", "", "epoxy-rdo-el10"),
        (BASE, "- project: foo\n  tags:\n    epoxy:\n      distro-branch: other\n", "other"),
        (BASE + "  tags: {epoxy: }\n", "", "epoxy-rdo"),
    ],
    ids=["top", "per-release", "release-branch"],
)
def test_distro_branch_wins_over_the_release_branch(
    tmp_path: Path, entry: str, tag_entry: str, distro_branch: str
) -> None:
    (pkg,) = followed(tree(tmp_path, entry, tag_entry), "epoxy", tmp_path / "data")
    assert pkg.distro_branch == distro_branch


@pytest.mark.parametrize(
    ("entry", "tag_entry", "message"),
    [
        (
            BASE + "  tags: {epoxy: }\n",
            # the form of DLRN's commit introducing it (openvswitch, rocky: v2.9.0)
            "- project: foo\n  tags:\n    epoxy:\n      version-from: v2.9.0\n",
            "tags/epoxy.yml: package 'python-foo' field 'tags.epoxy.version-from': not supported",
        ),
        (
            BASE + "  version-from: stable/2025.1\n  tags: {epoxy: }\n",
            "",
            "rdo.yml: package 'python-foo' field 'version-from': not supported",
        ),
        (
            BASE + "  build-tags-only: sometimes\n  tags: {epoxy: }\n",
            "",
            "rdo.yml: package 'python-foo' field 'build-tags-only': expected true, false or "
            "no value, got 'sometimes'",
        ),
        (
            BASE + "  tags: {epoxy: }\n",
            "- project: foo\n  tags:\n    epoxy:\n      source-branch: 2.10\n",
            "tags/epoxy.yml: package 'python-foo' field 'tags.epoxy.source-branch': expected a "
            "branch, tag or commit, got 2.1 (quote it: YAML reads 2.10 as the number 2.1)",
        ),
        (
            BASE + "  upstream: [https://a.example/x, https://b.example/y]\n  tags: {epoxy: }\n",
            "",
            "rdo.yml: package 'python-foo' field 'upstream': a list of upstreams is not "
            "supported (expected one git URL)",
        ),
        (
            BASE + "  tags: {epoxy: }\n",
            "- project: foo\n  tags:\n    epoxy:\n      source_branch: 31.0.0\n",
            "tags/epoxy.yml: package 'python-foo' field 'tags.epoxy.source_branch': unknown key "
            "in the overrides of tag 'epoxy' (did you mean 'source-branch'?)",
        ),
    ],
    ids=[
        "version-from-per-release",
        "version-from-top",
        "tags-only-value",
        "float-pin",
        "list",
        "override-typo",
    ],
)
def test_keys_that_cannot_be_honoured_are_one_line_errors(
    tmp_path: Path, entry: str, tag_entry: str, message: str
) -> None:
    with pytest.raises(MetadataError) as err:
        followed(tree(tmp_path, entry, tag_entry), "epoxy", tmp_path / "data")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_a_key_set_by_the_conf_template_names_the_template_file(tmp_path: Path) -> None:
    root = tree(tmp_path, BASE + "  tags: {epoxy: }\n")
    text = (root / "rdo.yml").read_text()
    (root / "rdo.yml").write_text(
        text.replace(
            "    name: python-%(project)s\n", "    name: python-%(project)s\n    version-from: v1\n"
        )
    )
    with pytest.raises(MetadataError, match=r"^rdo.yml: package 'python-foo' field 'version-from'"):
        followed(root, "epoxy", tmp_path / "data")


def test_a_package_of_another_release_is_not_checked(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        BASE
        + "  version-from: v1\n  tags: {dalmatian: }\n"
        + "- project: bar\n  conf: core\n  tags: {epoxy: }\n",
    )
    assert [p.name for p in followed(root, "epoxy", tmp_path / "data")] == ["python-bar"]
