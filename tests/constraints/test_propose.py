"""``uc propose`` on the real rdoinfo snapshot with the real 2025.1 (and zed) constraints."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.constraints.world import UC_2025_1, UC_ZED
from trunkline.constraints.propose import Plan, Proposal, plan_bumps, propose
from trunkline.constraints.rules import project_of
from trunkline.constraints.ucfile import Constraint, parse_constraints
from trunkline.errors import CommandError, InputError, MetadataError
from trunkline.metadata.api import load_metadata
from trunkline.metadata.catalog import Metadata
from trunkline.metadata.validate import validate_tree

SNAPSHOT = Path(__file__).resolve().parents[3] / "shared" / "data" / "rdoinfo-2025-07"
FILES = ("rdo-full.yml",)
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "PATH": "/usr/bin:/bin",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=GIT_ENV
    )
    return done.stdout.strip()


def with_comments(text: str) -> str:
    """Comments a maintainer may write: above an entry, on a pin that moves (oslo-service's
    4.1.1), on one that does not (gnocchiclient's 7.1.0), at the end."""
    text = text.replace(
        "- project: oslo-config\n", "# oslo.config follows u-c closely\n- project: oslo-config\n", 1
    )
    text = text.replace(
        "      source-branch: 4.1.1\n", "      source-branch: 4.1.1  # bump me\n", 1
    )
    text = text.replace("      source-branch: 7.1.0\n", "      source-branch: 7.1.0  # same\n", 1)
    return text + "# end of epoxy\n"


@dataclass
class Run:
    """A proposal made on a copy of the snapshot, and what was there before."""

    root: Path
    review: Path
    before_text: str
    before_head: str
    result: Proposal
    second: Proposal


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("propose")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRUNKLINE_CACHE_DIR", str(tmp / "cache"))
    root = tmp / "rdoinfo"
    shutil.copytree(SNAPSHOT, root)
    epoxy = root / "tags" / "epoxy.yml"
    epoxy.write_text(with_comments(epoxy.read_text()))
    git(root, "init", "-q", "-b", "master")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "snapshot")
    review = tmp / "review.git"
    subprocess.run(["git", "init", "-q", "--bare", str(review)], check=True, env=GIT_ENV)
    git(root, "remote", "add", "review", str(review))
    before = epoxy.read_text()
    head = git(root, "rev-parse", "HEAD")
    uc = parse_constraints(UC_2025_1.read_text(), "3.12")
    mp.setattr("trunkline.constraints.propose.BOT_EMAIL", "bot@example.com")
    first = propose(root, FILES, uc, "epoxy", push_remote="review")
    second = propose(root, FILES, uc, "epoxy")
    yield Run(root, review, before, head, first, second)
    mp.undo()


def test_the_commit_touches_only_the_pins_that_change(run: Run) -> None:
    assert run.result.commit == git(run.root, "rev-parse", "HEAD")
    assert git(run.root, "rev-parse", "HEAD~1") == run.before_head
    assert git(run.root, "diff", "--name-only", "HEAD~1") == "tags/epoxy.yml"
    diff = git(run.root, "diff", "-U0", "HEAD~1", "--", "tags/epoxy.yml")
    removed = re.findall(r"^-(?!--)(.*)$", diff, re.M)
    added = re.findall(r"^\+(?!\+\+)(.*)$", diff, re.M)
    bumps = run.result.plan.bumps
    assert len(removed) == len(added) == len(bumps) >= 10
    for old, new in zip(removed, added, strict=True):
        assert re.fullmatch(r" {6}source-branch: [\w.]+( +# bump me)?", old)
        assert re.fullmatch(r" {6}source-branch: [\w.]+( +# bump me)?", new)
    assert "oslo-config: 9.7.1 -> 9.7.2" in [b.line() for b in bumps]


def test_every_comment_is_kept(run: Run) -> None:
    after = (run.root / "tags" / "epoxy.yml").read_text()
    comments = [ln.split("#", 1)[1] for ln in run.before_text.splitlines() if "#" in ln]
    assert len(comments) == 4
    for comment in comments:
        assert comment in after
    assert "      source-branch: 4.1.2  # bump me\n" in after  # oslo-service moved, comment kept


def test_the_result_passes_validate(run: Run) -> None:
    """No error in the edited file (the snapshot's own errors are elsewhere, unchanged)."""
    report = validate_tree(run.root, FILES)
    assert [p for p in report.errors if p.file == "tags/epoxy.yml"] == []


def test_the_message_lists_each_bump_and_a_change_id(run: Run) -> None:
    message = git(run.root, "log", "-1", "--format=%B")
    lines = message.splitlines()
    assert lines[0] == "Bump rdoinfo epoxy tags to latest upper-constraints"
    for bump in run.result.plan.bumps:
        assert f"{bump.project}: {bump.old} -> {bump.new}" in lines
    assert re.fullmatch(r"Change-Id: I[0-9a-f]{40}", lines[-1])


def test_push_goes_to_refs_for_the_branch(run: Run) -> None:
    assert run.result.pushed == "refs/for/master"
    pushed = subprocess.run(
        ["git", "--git-dir", str(run.review), "rev-parse", "refs/for/master"],
        check=True,
        capture_output=True,
        text=True,
        env=GIT_ENV,
    ).stdout.strip()
    assert pushed == run.result.commit


def test_a_second_run_changes_nothing(run: Run) -> None:
    assert run.second.commit is None and run.second.plan.bumps == []
    assert git(run.root, "rev-parse", "HEAD") == run.result.commit
    assert git(run.root, "status", "--porcelain") in ("",)


# --- the rules, planned on the snapshot -------------------------------------------


@pytest.fixture(scope="module")
def md(tmp_path_factory: pytest.TempPathFactory) -> Metadata:
    return load_metadata(SNAPSHOT, info_files=FILES, cache_dir=tmp_path_factory.mktemp("mdc"))


def plan(md: Metadata, tag: str, text: str, **kw: bool) -> Plan:
    return plan_bumps(md, parse_constraints(text, "3.12"), tag, **kw)


@pytest.mark.parametrize(
    ("module", "project"),
    [
        ("oslo.config", "oslo-config"),
        ("python-novaclient", "novaclient"),
        ("glance_store", "glance_store"),  # stable/2025.1
        ("glance-store", "glance_store"),  # zed: the exception map
        ("os-brick", "os-brick"),
    ],
)
def test_module_to_project(md: Metadata, module: str, project: str) -> None:
    assert project_of(module) == project
    assert md.by_project(project) is not None


@pytest.mark.parametrize(
    ("tag", "line", "why"),
    [
        ("epoxy", "ceilometer===99.0.0", "version-locked"),  # locked for every release
        ("wallaby", "gnocchiclient===7.9.9", "version-locked"),  # locked for wallaby, xena
        ("epoxy", "python-cyborgclient===9.9.9", "under-review"),
        ("epoxy", "tempest===99.0.0", "skip list"),
        ("epoxy", "mistral===99.0.0", "skip list"),
        ("epoxy", "os-net-config===99.0.0", "skip list"),
    ],
)
def test_projects_left_alone(md: Metadata, tag: str, line: str, why: str) -> None:
    got = plan(md, tag, line)
    assert got.bumps == []
    assert list(got.skipped.values()) == [why]


def test_version_locked_for_other_releases_only_still_bumps(md: Metadata) -> None:
    got = plan(md, "epoxy", "gnocchiclient===7.1.1")
    assert [b.line() for b in got.bumps] == ["gnocchiclient: 7.1.0 -> 7.1.1"]


def test_a_pin_above_uc_is_held_unless_a_downgrade_is_asked(md: Metadata) -> None:
    uc = UC_2025_1.read_text()
    held = plan(md, "flamingo-uc", uc)
    assert "oslo-config: 9.8.0 -> 9.7.2" in [b.line() for b in held.held]
    assert "oslo-config" not in [b.project for b in held.bumps]
    down = plan(md, "flamingo-uc", uc, allow_downgrade=True)
    assert "oslo-config: 9.8.0 -> 9.7.2" in [b.line() for b in down.bumps]


def test_zed_constraints_map_glance_store_and_pin_unpinned_tags(md: Metadata) -> None:
    got = plan(md, "zed", UC_ZED.read_text())
    assert all(b.new for b in got.bumps)
    assert "glance_store" not in got.skipped  # found through the exception map
    unpinned = list(plan(md, "flamingo-uc", "aodhclient===3.8.0\naodh===99.0.0").bumps)
    assert [b.line() for b in unpinned] == ["aodh: (none) -> 99.0.0"]


def test_constraints_are_matched_once_per_project(md: Metadata) -> None:
    cons = [Constraint("oslo.config", "9.9.0", 1), Constraint("oslo-config", "9.9.1", 2)]
    got = plan_bumps(md, cons, "epoxy")
    assert [b.new for b in got.bumps] == ["9.9.0"]


# --- failures, on a small tree laid out like rdoinfo ---------------------------------


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.metadata.conftest import EDIT_TREE

    monkeypatch.setenv("TRUNKLINE_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "info"
    for rel, text in EDIT_TREE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "init", "-q", "-b", "master")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "metadata")
    return root


NOVA = [Constraint("nova", "31.1.0", 1)]


def test_push_without_the_remote_fails_before_writing(small: Path) -> None:
    with pytest.raises(InputError, match=r"no git remote 'review' to push the review to"):
        propose(small, ("rdo.yml",), NOVA, "flamingo", push_remote="review")
    assert git(small, "status", "--porcelain") == ""
    assert git(small, "rev-list", "--count", "HEAD") == "1"


def test_a_refused_commit_leaves_the_tree_as_it_was(small: Path) -> None:
    hook = small / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'rejected by hook' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(CommandError, match="rejected by hook"):
        propose(small, ("rdo.yml",), NOVA, "flamingo")
    assert git(small, "status", "--porcelain") == ""


def test_uncommitted_changes_in_the_tag_file_are_refused(small: Path) -> None:
    tags = small / "tags" / "flamingo.yml"
    tags.write_text(tags.read_text() + "# local edit\n")
    with pytest.raises(MetadataError, match=r"tags/flamingo\.yml: has uncommitted changes"):
        propose(small, ("rdo.yml",), NOVA, "flamingo")


def test_a_small_tree_gets_its_pin_and_keeps_its_comments(small: Path) -> None:
    result = propose(small, ("rdo.yml",), NOVA, "flamingo")
    assert [b.line() for b in result.plan.bumps] == ["nova: (none) -> 31.1.0"]
    text = (small / "tags" / "flamingo.yml").read_text()
    assert text == (
        "# flamingo tags: edited by the release bot\npackages:\n"
        "- project: nova  # the compute service\n  tags:\n    flamingo:\n"
        "      source-branch: 31.1.0\n"
    )
