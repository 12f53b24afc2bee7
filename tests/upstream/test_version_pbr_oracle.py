"""oslo.config's whole tag history: trunkline's Version is DLRN's normalisation of pbr's answer.

The upstream is the real oslo.config (``../shared/data/upstreams/oslo.config.bundle``):
releases, alpha/beta tags in both spellings (``1.2.0a1``, ``1.4.0.0a1``), ``-eol``,
``-em`` and ``-eom`` tags, stable and unmaintained branches. Every tag boundary is
sampled — the tagged commit, its parents (just before) and its children (just
after) — and for each commit:

* pbr itself (``_get_version_from_git`` in a clone checked out there) gives the
  upstream version, and DLRN's own ``setversionandrelease`` normalises it;
* trunkline's ``detect_version`` on the bare mirror must give the same upstream
  version, the same RPM Version, and say ``pbr``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pygit2
import pytest

from tests.upstream.oracles import PbrWalk, dlrn_normalize
from trunkline.upstream.mirror import refresh_mirror
from trunkline.upstream.version import detect_version

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
BUNDLE = SHARED_DATA / "upstreams" / "oslo.config.bundle"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def _tag_boundaries(mirror: Path) -> tuple[list[str], list[str]]:
    """(tag names, commits at / just before / just after every tag, oldest first).

    Just before: the tagged commit's first parent; just after: every commit whose
    first parent is the tagged commit (the next commit on each branch leaving it).
    """
    tags = _git(mirror, "for-each-ref", "--format=%(refname:short)", "refs/tags").split()
    peeled = _git(mirror, "rev-parse", *(f"{t}^{{commit}}" for t in tags)).split()
    at = set(peeled)
    first_parent: dict[str, str] = {}
    for line in _git(mirror, "rev-list", "--all", "--parents", "--date-order").splitlines():
        sha, *parents = line.split()
        if parents:
            first_parent[sha] = parents[0]
    sample = set(at)
    sample.update(first_parent[sha] for sha in at if sha in first_parent)
    sample.update(sha for sha, parent in first_parent.items() if parent in at)
    ordered = _git(mirror, "rev-list", "--all", "--date-order", "--reverse").split()
    return tags, [sha for sha in ordered if sha in sample]


def _uses_pbr(repo: pygit2.Repository, sha: str) -> bool:
    """The commit's setup.py hands the version to pbr (before 2013-05 oslo.config did not)."""
    tree = repo.revparse_single(sha).peel(pygit2.Tree)
    try:
        blob = tree["setup.py"]
    except KeyError:
        return False
    text = blob.data.decode() if isinstance(blob, pygit2.Blob) else ""
    return "pbr=True" in text.replace(" ", "")


@pytest.fixture(scope="module")
def oslo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(trunkline's bare mirror, a normal clone for pbr) of oslo.config."""
    if not BUNDLE.is_file():
        pytest.fail(f"missing shared data: {BUNDLE}")
    root = tmp_path_factory.mktemp("oslo")
    mirror = refresh_mirror(str(BUNDLE), root / "oslo.config.git")
    checkout = root / "oslo.config"
    _git(root, "clone", "-q", "--no-checkout", str(BUNDLE), str(checkout))
    _git(checkout, "fetch", "-q", "origin", "+refs/tags/*:refs/tags/*")
    return mirror, checkout


def test_every_tag_boundary_matches_dlrn_normalised_pbr(oslo: tuple[Path, Path]) -> None:
    mirror, checkout = oslo
    tags, shas = _tag_boundaries(mirror)
    assert len(tags) == 204 and len(shas) > 300
    assert any(t.endswith("-eol") for t in tags) and any(t.endswith("-eom") for t in tags)

    repo = pygit2.Repository(str(mirror))
    pre_pbr = {sha for sha in shas if not _uses_pbr(repo, sha)}
    assert 0 < len(pre_pbr) < 60  # the oslo-incubator setup.py of early 2013
    shas = [sha for sha in shas if sha not in pre_pbr]
    walk = PbrWalk(checkout, shas)  # pbr runs in a child meanwhile
    ours = {sha: detect_version(mirror, sha) for sha in shas}
    pbr = walk.answers()
    dlrn = dlrn_normalize(list(pbr.values()))
    wrong = []
    for sha in shas:
        info = ours[sha]
        expected = (dlrn[pbr[sha]], pbr[sha], "pbr")
        if (info.version, info.upstream, info.source) != expected:
            wrong.append(f"{sha[:10]}: trunkline {info} != DLRN(pbr) {expected}")
    assert not wrong, f"{len(wrong)} of {len(shas)} commits differ:\n" + "\n".join(wrong[:20])
    assert all(detect_version(mirror, sha).source != "pbr" for sha in sorted(pre_pbr)[:5])
    # the walk really met pbr's different answers: releases, dev versions, pre-releases
    answers = set(pbr.values())
    assert any(".dev" in a for a in answers)
    assert any(".0a" in a or ".0b" in a for a in answers)
    assert any(a.count(".") == 2 and a.replace(".", "").isdigit() for a in answers)
