"""Side by side: rdopkg 1.8.0 and trunkline on copies of the same distgit.

Each test builds one world (upstream, patches, distgit), copies the distgit, runs
the rdopkg command in one copy and the trunkline command in the other, and
compares the resulting spec files line by line. Where they differ, the
difference is listed here on purpose (``KNOWN_DIFFERENCES``) with the reason.
For reqcheck, the categories must be the same except where rdopkg compares
version strings instead of versions (``STRING_COMPARE_WRONG``).
"""

from __future__ import annotations

import difflib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.compat.rdopkg_peer import run_rdopkg
from tests.distgit.world import SPEC, SPEC_SETUPTOOLS, World, build_world, commit, git
from trunkline.distgit.fix import fix
from trunkline.distgit.newversion import new_version
from trunkline.distgit.patch import patch
from trunkline.distgit.reqcheck import reqcheck

pytestmark = pytest.mark.slow

RDOINFO = {
    "rdo-full.yml": "import:\n- rdo.yml\n",
    "rdo.yml": (
        "releases: []\n"
        "package-configs:\n  lib:\n    name: python-%(project)s\n"
        "    maintainers: [pat@example.com]\n"
        "packages:\n- project: foo\n  conf: lib\n  tags:\n    flamingo:\n"
    ),
}

# rdopkg's new-version, when it rewrites "# patches_base=", also deletes the bare "#"
# line above it (its regex eats the preceding comment line). trunkline keeps it.
NEW_VERSION_DIFF = ["+#"]
# Requirements where rdopkg's string comparison of the ">=" clause is wrong, per ref:
# rdopkg category -> trunkline category. (python-pyyaml, spec ">= 5.3" vs upstream
# ">=5.3.1", is a real mismatch for both.)
STRING_COMPARE_WRONG = {
    "1.0.0": {
        # spec ">= 2.1.0" is stricter than upstream ">=2.0.0": met, not a mismatch
        "python-pbr": ("mismatch", "met"),
        # spec ">= 1.10" vs upstream ">=1.10.0": the same version, different strings
        "python-six": ("mismatch", "met"),
    },
    "1.1.0": {
        "python-pbr": ("mismatch", "met"),
        # not a comparison bug: rdopkg finds "removed" requirements only on
        # upstream/stable/* branches (none here); trunkline also looks at older tags
        "python-six": ("excess", "removed"),
    },
}


@dataclass(frozen=True)
class Pair:
    """Two copies of one distgit: rdopkg works in one, trunkline in the other."""

    world: World
    peer: Path
    ours: Path
    rdoinfo: Path
    home: Path

    def rdopkg(self, *args: str) -> str:
        return run_rdopkg(self.peer, self.rdoinfo, self.home, *args).stdout

    def spec_diff(self) -> list[str]:
        """Lines only rdopkg's spec has (``-``) and only ours has (``+``)."""
        peer = (self.peer / "python-foo.spec").read_text().splitlines()
        ours = (self.ours / "python-foo.spec").read_text().splitlines()
        return [
            line
            for line in difflib.unified_diff(peer, ours, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]

    def patch_files(self, repo: Path) -> dict[str, str]:
        return {p.name: p.read_text() for p in sorted(repo.glob("*.patch"))}


def rdopkg_copies(root: Path, distgit: Path) -> tuple[Path, Path, Path, Path]:
    """(rdopkg's copy of ``distgit``, ours, an rdoinfo repo naming it, rdopkg's HOME)."""
    peer = root / "peer" / "python-foo"
    ours = root / "ours" / "python-foo"
    shutil.copytree(distgit, peer, symlinks=True)
    shutil.copytree(distgit, ours, symlinks=True)
    info = root / "rdoinfo"
    info.mkdir()
    git(info, "init", "-q", "-b", "master")
    commit(info, "rdoinfo", RDOINFO, "2024-01-01T00:00:00")
    home = root / "home"
    home.mkdir()
    return peer, ours, info, home


def make_pair(root: Path, spec: str = SPEC) -> Pair:
    world = build_world(root / "world", spec)
    return Pair(world, *rdopkg_copies(root, world.distgit))


# rdopkg puts Patch lines right after the "# patches_base=" line, even when more magic
# comments follow (it splits the block); trunkline puts them after the whole block.
# With patches_ignore first, both put them in the same place.
PATCH_PLACEMENT_DIFF = ["+# patches_ignore=DROP-IN", "+#", "-", "-# patches_ignore=DROP-IN", "-#"]
SPEC_IGNORE_FIRST = SPEC.replace(
    "# patches_base=1.0.0\n# patches_ignore=DROP-IN\n",
    "# patches_ignore=DROP-IN\n# patches_base=1.0.0\n",
)


def test_fix_gives_the_same_spec(rdopkg_python: Path, tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    result = run_rdopkg(pair.peer, pair.rdoinfo, pair.home, "fix", check=False)
    assert "edit" in (result.stdout + result.stderr).lower()  # rdopkg stops for an editor
    spec = pair.peer / "python-foo.spec"
    head, _, entries = spec.read_text().partition("%changelog\n")
    header, _, rest = entries.partition("\n\n")  # rdopkg leaves the entry empty
    rest = rest.lstrip("\n")
    spec.write_text(f"{head}%changelog\n{header}\n- Rebuild for the new macros\n\n{rest}")
    pair.rdopkg("-c")

    fix(pair.ours, ["Rebuild for the new macros"])

    assert pair.spec_diff() == []
    assert git(pair.peer, "log", "-1", "--format=%B") == git(pair.ours, "log", "-1", "--format=%B")


@pytest.mark.parametrize("spec", [SPEC_IGNORE_FIRST, SPEC], ids=["ignore-first", "base-first"])
def test_patch_gives_the_same_spec_and_patch_files(
    rdopkg_python: Path, tmp_path: Path, spec: str
) -> None:
    pair = make_pair(tmp_path, spec)
    pair.rdopkg("patch")

    patch(pair.ours)

    # base-first: rdopkg splits the magic comment block, trunkline keeps it whole
    expected = [] if spec is SPEC_IGNORE_FIRST else PATCH_PLACEMENT_DIFF
    assert pair.spec_diff() == expected
    assert pair.patch_files(pair.peer) == pair.patch_files(pair.ours)
    assert git(pair.peer, "log", "-1", "--format=%B") == git(pair.ours, "log", "-1", "--format=%B")


def test_new_version_gives_the_same_spec_and_patch_files(
    rdopkg_python: Path, tmp_path: Path
) -> None:
    pair = make_pair(tmp_path, SPEC_IGNORE_FIRST)
    pair.rdopkg("new-version", "-U", "-n", "1.1.0")

    new_version(pair.ours, "1.1.0")

    assert pair.spec_diff() == NEW_VERSION_DIFF
    assert pair.patch_files(pair.peer) == pair.patch_files(pair.ours)


def test_new_version_bump_only_gives_the_same_spec(rdopkg_python: Path, tmp_path: Path) -> None:
    pair = make_pair(tmp_path, SPEC_IGNORE_FIRST)
    pair.rdopkg("new-version", "-U", "-n", "-b", "1.1.0")

    new_version(pair.ours, "1.1.0", bump_only=True)

    assert pair.spec_diff() == NEW_VERSION_DIFF


def _peer_categories(pair: Pair, *args: str) -> dict[str, list[str]]:
    result = run_rdopkg(
        pair.peer, pair.rdoinfo, pair.home, "reqcheck", "-o", "json", *args, check=False
    )
    data = json.loads(result.stdout[result.stdout.index("{") :])
    return {k: sorted(i["name"] for i in v) for k, v in data.items() if isinstance(v, list)}


@pytest.mark.parametrize("ref", ["1.0.0", "1.1.0"])
def test_reqcheck_same_categories_except_string_comparison(
    rdopkg_python: Path, tmp_path: Path, ref: str
) -> None:
    # setuptools macros: rdopkg knows no dependency generator, so compare hand-written Requires
    spec = SPEC_SETUPTOOLS.replace("python3-six >= 1.10.0", "python3-six >= 1.10").replace(
        "python3-pbr >= 2.0.0", "python3-pbr >= 2.1.0"
    )
    pair = make_pair(tmp_path, spec)

    peer = _peer_categories(pair, "-R", ref)
    ours = reqcheck(pair.ours, ref=ref).categories()

    moved = {}
    for category in ours:
        for name in set(peer.get(category, [])) ^ set(ours[category]):
            src = next(c for c in peer if name in peer[c])
            dst = next(c for c in ours if name in ours[c])
            moved[name] = (src, dst)
    assert moved == STRING_COMPARE_WRONG[ref]
