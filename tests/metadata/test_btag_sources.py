"""Buildsys-tag entries set twice (issue 11 item 8): conflicting NVRs, files keyed to another tag.

The oracle is distroinfo itself (peer venv): it merges the two NVRs silently, the
file imported last winning. trunkline's loader does the same (same merged value,
checked below); only ``validate`` differs, on purpose: it reports the conflict,
naming both files, because which build a tag holds must not depend on import order.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.metadata.conftest import MINI_RDO
from tests.metadata.peer import peer_python
from trunkline.errors import MetadataError
from trunkline.metadata import load_metadata
from trunkline.metadata.edit import MetadataEditor
from trunkline.metadata.validate import validate_tree

Tree = Callable[[dict[str, str]], Path]
EXE = str(Path(sys.executable).parent / "trunkline")

FT = "cloud9s-openstack-flamingo-testing"
ET = "cloud9s-openstack-epoxy-testing"
# MINI_RDO declares only flamingo-testing; declare the epoxy one too so only our rules speak.
RDO = MINI_RDO.replace(
    "    buildsys: cbs/cloud9s-openstack-epoxy-el9s\n",
    f"    buildsys: cbs/cloud9s-openstack-epoxy-el9s\n    buildsys-tags:\n    - {ET}\n",
    1,
)


def _btag_file(*entries: tuple[str, str, str | None]) -> str:
    """A buildsys-tags file: one ``(project, tag, nvr)`` entry each, ``project`` first."""
    out = "packages:\n"
    for project, tag, nvr in entries:
        value = "" if nvr is None else f" {nvr}"
        out += f"- project: {project}\n  buildsys-tags:\n    {tag}:{value}\n"
    return out


def _tree(write_tree: Tree, files: dict[str, str]) -> Path:
    imports = "".join(f"- {rel}\n" for rel in files)
    return write_tree({"rdo.yml": f"import:\n{imports}" + RDO, **files})


def _lines(root: Path) -> list[str]:
    return [str(p) for p in validate_tree(root, ["rdo.yml"]).problems]


NOVA1 = "openstack-nova-31.0.0-1.el9s"
NOVA2 = "openstack-nova-31.0.1-1.el9s"
F_FILE = f"buildsys-tags/{FT}.yml"
E_FILE = f"buildsys-tags/{ET}.yml"


def _conflict(file: str, line: int, nvr: str, first: str, at: str, tag: str = FT) -> str:
    return (
        f"{file}:{line}: error: package 'nova' field 'buildsys-tags.{tag}': NVR {nvr!r} "
        f"conflicts with {first!r} set at {at} (the file loaded last wins; expected one NVR "
        "per package and tag)"
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(  # the case: a tag file copied from the previous release
            {
                F_FILE: _btag_file(("nova", FT, NOVA1)),
                E_FILE: _btag_file(("nova", FT, NOVA2)),
            },
            [
                f"{E_FILE}:4: error: package 'nova' field 'buildsys-tags.{FT}': 1 entry keyed "
                f"to buildsys-tag '{FT}', the tag of {F_FILE} (with another NVR); expected "
                f"every entry of this file keyed to '{ET}'",
                _conflict(E_FILE, 4, NOVA2, NOVA1, f"{F_FILE}:4"),
            ],
            id="copied-file",
        ),
        pytest.param(  # two entries for one project in one file
            {F_FILE: _btag_file(("nova", FT, NOVA1), ("nova", FT, NOVA2))},
            [_conflict(F_FILE, 7, NOVA2, NOVA1, f"{F_FILE}:4")],
            id="same-file",
        ),
        pytest.param(  # not a tag file: rdo.yml itself sets the NVR too
            {F_FILE: _btag_file(("nova", FT, NOVA1)), "more.yml": _btag_file(("nova", FT, NOVA2))},
            [_conflict("more.yml", 4, NOVA2, NOVA1, f"{F_FILE}:4")],
            id="other-file",
        ),
        pytest.param(  # three values: each later one names the first
            {
                F_FILE: _btag_file(("nova", FT, NOVA1)),
                "a.yml": _btag_file(("nova", FT, NOVA2)),
                "b.yml": _btag_file(("nova", FT, "openstack-nova-31.0.2-1.el9s")),
            },
            [
                _conflict("a.yml", 4, NOVA2, NOVA1, f"{F_FILE}:4"),
                _conflict("b.yml", 4, "openstack-nova-31.0.2-1.el9s", NOVA1, f"{F_FILE}:4"),
            ],
            id="three-files",
        ),
        pytest.param(  # the same NVR twice is redundant, not ambiguous
            {F_FILE: _btag_file(("nova", FT, NOVA1)), "a.yml": _btag_file(("nova", FT, NOVA1))},
            [],
            id="same-value",
        ),
        pytest.param(  # both tags in their own files: nothing to say
            {F_FILE: _btag_file(("nova", FT, NOVA1)), E_FILE: _btag_file(("nova", ET, NOVA2))},
            [],
            id="two-tags",
        ),
    ],
)
def test_conflicting_nvrs_name_both_files(
    write_tree: Tree, files: dict[str, str], expected: list[str]
):
    assert _lines(_tree(write_tree, files)) == expected


def test_a_null_nvr_is_not_a_conflict(write_tree: Tree):
    """A later null never wins the merge (distroinfo ``_merge``); it is reported as no NVR."""
    root = _tree(
        write_tree,
        {F_FILE: _btag_file(("nova", FT, NOVA1)), "a.yml": _btag_file(("nova", FT, None))},
    )
    assert _lines(root) == [
        f"a.yml:4: error: package 'nova' field 'buildsys-tags.{FT}': None is not an NVR "
        "(expected NAME-VERSION-RELEASE)"
    ]


def test_a_whole_file_keyed_to_another_tag_is_one_line(write_tree: Tree):
    projects = ["nova", "oslo-config"]
    nvrs = {"nova": NOVA1, "oslo-config": "python-oslo-config-10.0.0-1.el9s"}
    epoxy = _btag_file(*((p, ET, nvrs[p]) for p in projects))
    root = _tree(write_tree, {E_FILE: epoxy, F_FILE: epoxy})  # copied, not renamed
    assert _lines(root) == [
        f"{F_FILE}:4: error: field 'buildsys-tags.{ET}': 2 entries keyed to buildsys-tag "
        f"'{ET}', the tag of {E_FILE} (2 of them set there with the same NVR); expected every "
        f"entry of this file keyed to '{FT}'"
    ]


def test_a_foreign_tag_without_a_file_and_version_locked(write_tree: Tree):
    btags = (
        f"packages:\n- project: nova\n  buildsys-tags:\n    {ET}: {NOVA1}\n    version-locked:\n"
    )
    root = _tree(write_tree, {F_FILE: btags})
    assert _lines(root) == [
        f"{F_FILE}:4: error: package 'nova' field 'buildsys-tags.{ET}': 1 entry keyed to "
        f"buildsys-tag '{ET}' (no buildsys-tags/{ET}.yml holds it); expected every entry of "
        f"this file keyed to '{FT}'"
    ]


PEER_MERGE = r"""
import json, sys
from distroinfo.info import DistroInfo
info = DistroInfo(sys.argv[2], local_info=sys.argv[1]).get_info()
json.dump({p['project']: p.get('buildsys-tags') for p in info['packages']}, sys.stdout)
"""


def test_distroinfo_keeps_the_last_nvr_silently_and_so_does_the_loader(write_tree: Tree):
    """The oracle: distroinfo merges the conflict without a word, the file loaded last winning.

    trunkline loads the same value (rdopkg-compatible queries), and only ``validate``
    differs from distroinfo: it reports the conflict instead of keeping silent.
    """
    files = {F_FILE: _btag_file(("nova", FT, NOVA1)), E_FILE: _btag_file(("nova", FT, NOVA2))}
    root = _tree(write_tree, files)
    res = subprocess.run(
        [str(peer_python()), "-c", PEER_MERGE, str(root), "rdo.yml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr  # no error, no warning: distroinfo says nothing
    assert res.stderr == ""
    assert json.loads(res.stdout)["nova"] == {FT: NOVA2}
    md = load_metadata(root, info_files=("rdo.yml",), cache_dir=root.parent / "cache")
    nova = md.by_project("nova")
    assert nova is not None
    assert nova.buildsys_tags == {FT: NOVA2}
    assert any("conflicts with" in line for line in _lines(root))


def test_real_snapshot_tag_files_keyed_to_another_tag(snapshot: Path):
    """The 2025-07 snapshot: three tag files hold entries of another tag, no NVR conflicts.

    Counted independently with plain PyYAML: 28,364 assignments; the flamingo el10s build
    file is a byte-for-byte copy of the epoxy one (128 entries, all repeating it), and two
    single entries sit in the build-tag file of their release.
    """
    errors = [str(p) for p in validate_tree(snapshot, ["rdo-full.yml"]).errors]
    assert [ln for ln in errors if "conflicts with" in ln] == []
    assert [ln for ln in errors if "expected every entry of this file" in ln] == [
        "buildsys-tags/cloud10s-openstack-flamingo-el10s-build.yml:4: error: field "
        "'buildsys-tags.cloud10s-openstack-epoxy-el10s-build': 128 entries keyed to "
        "buildsys-tag 'cloud10s-openstack-epoxy-el10s-build', the tag of "
        "buildsys-tags/cloud10s-openstack-epoxy-el10s-build.yml (128 of them set there with "
        "the same NVR); expected every entry of this file keyed to "
        "'cloud10s-openstack-flamingo-el10s-build'",
        "buildsys-tags/cloud7-openstack-train-el7-build.yml:142: error: package "
        "'python-keyczar' field 'buildsys-tags.cloud7-openstack-train-candidate': 1 entry "
        "keyed to buildsys-tag 'cloud7-openstack-train-candidate', the tag of "
        "buildsys-tags/cloud7-openstack-train-candidate.yml (not set there); expected every "
        "entry of this file keyed to 'cloud7-openstack-train-el7-build'",
        "buildsys-tags/cloud8s-openstack-yoga-el8-build.yml:235: error: package "
        "'python-googleapis-common-protos' field 'buildsys-tags.cloud8s-openstack-yoga-testing'"
        ": 1 entry keyed to buildsys-tag 'cloud8s-openstack-yoga-testing', the tag of "
        "buildsys-tags/cloud8s-openstack-yoga-testing.yml (with the same NVR); expected every "
        "entry of this file keyed to 'cloud8s-openstack-yoga-el8-build'",
    ]


def test_installed_script_reports_a_conflict_in_a_copy_of_the_snapshot(
    snapshot: Path, tmp_path: Path
):
    """``trunkline validate`` as installed: the copied file given one different NVR, exit 3."""
    copy = tmp_path / "rdoinfo"
    shutil.copytree(snapshot, copy)
    flamingo = copy / "buildsys-tags/cloud10s-openstack-flamingo-el10s-build.yml"
    text = flamingo.read_text()
    old = "cloud10s-openstack-epoxy-el10s-build: ImageMagick-6.9.12.98-1.el10s"
    assert old in text
    flamingo.write_text(text.replace(old, old.replace("1.el10s", "2.el10s"), 1))
    res = subprocess.run(
        [EXE, "validate", "--info", str(copy)], capture_output=True, text=True, check=False
    )
    assert res.returncode == 3, res.stderr
    conflicts = [ln for ln in res.stdout.splitlines() if "conflicts with" in ln]
    assert conflicts == [
        "buildsys-tags/cloud10s-openstack-flamingo-el10s-build.yml:4: error: package "
        "'ImageMagick' field 'buildsys-tags.cloud10s-openstack-epoxy-el10s-build': NVR "
        "'ImageMagick-6.9.12.98-2.el10s' conflicts with 'ImageMagick-6.9.12.98-1.el10s' set at "
        "buildsys-tags/cloud10s-openstack-epoxy-el10s-build.yml:4 (the file loaded last "
        "wins; expected one NVR per package and tag)"
    ]
    assert "(127 of them set there with the same NVR, 1 with another)" in res.stdout
    assert res.stderr.startswith("81 errors, 0 warnings\n")


def test_set_nvr_refuses_an_edit_a_stale_copy_would_override(write_tree: Tree):
    """The copy is loaded last: a new NVR in the tag's own file would lose the merge."""
    root = _tree(
        write_tree,
        {F_FILE: _btag_file(("nova", FT, NOVA1)), E_FILE: _btag_file(("nova", FT, NOVA1))},
    )
    before = (root / F_FILE).read_text()
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.set_nvr("nova", FT, NOVA2)
    with pytest.raises(MetadataError) as err:
        editor.save()
    # new: the conflict, and the copy's line now says "with another NVR" (was "the same")
    assert str(err.value) == (
        f"edit refused, it would add: {E_FILE}:4: error: package 'nova' field "
        f"'buildsys-tags.{FT}': 1 entry keyed to buildsys-tag '{FT}', the tag of {F_FILE} "
        f"(with another NVR); expected every entry of this file keyed to '{ET}' (and 1 more)"
    )
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.set_nvr("nova", FT, NOVA2)
    after = validate_tree(root, ["rdo.yml"], overrides=editor.texts()).errors
    assert _conflict(E_FILE, 4, NOVA1, NOVA2, f"{F_FILE}:4") in [str(p) for p in after]
    assert (root / F_FILE).read_text() == before


def test_an_edit_that_moves_a_known_conflict_is_not_refused(write_tree: Tree):
    """A problem already there compares equal after lines move, also the line its message names."""
    rdo_nova = f"      component: network\n  buildsys-tags:\n    {FT}: {NOVA1}\n"
    root = write_tree(
        {
            "rdo.yml": f"import: [{F_FILE}]\n"
            + RDO.replace("      component: network\n", rdo_nova, 1),
            F_FILE: _btag_file(("nova", FT, NOVA2)),
        }
    )
    assert _lines(root) == [_conflict(F_FILE, 4, NOVA2, NOVA1, "rdo.yml:50")]
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "c")
    editor.pin("nova", "flamingo", "abc123")
    assert editor.save() == ["rdo.yml"]
    assert _lines(root) == [_conflict(F_FILE, 4, NOVA2, NOVA1, "rdo.yml:51")]
