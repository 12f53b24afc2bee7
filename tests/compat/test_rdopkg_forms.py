"""Side by side with rdopkg 1.8.0 on the spec forms of issue 11: milestones and epochs.

Same input, rdopkg in one copy of the distgit and trunkline in the other; the
resulting specs and commit messages must be identical, except where listed.
"""

from __future__ import annotations

import difflib
import time
from pathlib import Path

import pytest

from tests.compat.rdopkg_peer import run_rdopkg
from tests.compat.test_rdopkg_distgit import rdopkg_copies
from tests.distgit.rdo import git
from tests.distgit.test_spec_forms import MILESTONE, make_repos, spec_text
from trunkline.distgit.fix import fix
from trunkline.distgit.newversion import new_version

pytestmark = pytest.mark.slow
TODAY = time.strftime("%a %b %d %Y")  # rdopkg dates its entries in local time
# rc1 -> rc2: rdopkg expands the changelog EVR with the old %{milestone} still in rpm's
# macro context, so its entry names 0.2.0rc1 for the 0.2.0rc2 package (RDO's history
# has it too: openstack-glance-23.0.0-0.2.0rc2); trunkline writes the package's EVR.
STALE_MILESTONE = [
    f"-* {TODAY} RDO <dev@lists.rdoproject.org> 1:10.0.0-0.2.0rc1",
    f"+* {TODAY} RDO <dev@lists.rdoproject.org> 1:10.0.0-0.2.0rc2",
]


def _pair(root: Path, spec: str, tags: list[str]) -> tuple[Path, Path, Path, Path]:
    """(rdopkg's distgit, ours, rdoinfo repo, HOME) on copies of one distgit."""
    return rdopkg_copies(root, make_repos(root / "world", spec, tags).distgit)


def _diff(peer: Path, ours: Path) -> list[str]:
    a = (peer / "python-foo.spec").read_text().splitlines()
    b = (ours / "python-foo.spec").read_text().splitlines()
    return [
        ln
        for ln in difflib.unified_diff(a, b, lineterm="", n=0)
        if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
    ]


def _message(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%B")


def test_new_version_through_release_candidates_as_rdopkg(
    rdopkg_python: Path, tmp_path: Path
) -> None:
    peer, ours, info, home = _pair(tmp_path, MILESTONE, ["10.0.0.0rc1", "10.0.0.0rc2", "10.0.0"])

    for version in ("10.0.0.0rc2", "10.0.0"):
        run_rdopkg(peer, info, home, "new-version", "-U", "-n", "-b", version)
        new_version(ours, version, bump_only=True, date=TODAY)

        assert _diff(peer, ours) == STALE_MILESTONE  # the rc2 entry stays in the log
        # rdopkg lists no upstream changes in the message; trunkline appends them
        assert _message(ours).startswith(_message(peer))


@pytest.mark.parametrize("epoch", [None, "1"])
def test_fix_with_and_without_epoch_as_rdopkg(
    rdopkg_python: Path, tmp_path: Path, epoch: str | None
) -> None:
    e = f"{epoch}:" if epoch else ""
    spec = spec_text(
        epoch=epoch, changelog=f"* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org> {e}1.0.0-1\n- x\n"
    )
    peer, ours, info, home = _pair(tmp_path, spec, ["1.0.0"])
    result = run_rdopkg(peer, info, home, "fix", check=False)
    assert "edit" in (result.stdout + result.stderr).lower()  # rdopkg stops for an editor
    path = peer / "python-foo.spec"
    head, _, entries = path.read_text().partition("%changelog\n")
    header, _, rest = entries.partition("\n\n")  # rdopkg leaves the entry empty
    path.write_text(f"{head}%changelog\n{header}\n- Rebuild\n\n{rest.lstrip(chr(10))}")
    run_rdopkg(peer, info, home, "-c")

    fix(ours, ["Rebuild"], date=TODAY)

    assert _diff(peer, ours) == []
    assert header.endswith(f" {e}1.0.0-2")
    assert _message(peer) == _message(ours)
