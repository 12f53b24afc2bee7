"""``release new NAME --from PROMOTION`` on the built demo world, through the installed script."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import git
from tests.releasetime.conftest import BuiltDemo
from trunkline.config import load_settings
from trunkline.metadata import load_metadata


def _snapshot(demo: BuiltDemo) -> dict[str, str]:
    """Everything release new may change: metadata files, distgit branches, configs."""
    root = demo.world.root
    seen = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "metadata").rglob("*.yml")) + sorted(root.glob("trunkline*.toml"))
    }
    for name in demo.world.packages:
        for branch, sha in demo.branches(name).items():
            seen[f"{name}:{branch}"] = sha
    return seen


def test_release_new_branches_tags_pins_and_writes_the_builder(built_demo: BuiltDemo) -> None:
    demo, world = built_demo, built_demo.world
    demo.stable_branch("barclient", "gazpacho")  # barclient follows stable/gazpacho
    git(world.upstream("bazutils"), "tag", "-a", "0.8.0", "-m", "bazutils 0.8.0")  # at HEAD
    before = _snapshot(demo)

    dry = demo.run("release", "new", "gazpacho", "--from", "current", "--dry-run")

    assert dry.returncode == 0, dry.stderr
    assert "to do  branch python-foolib rpm-master -> gazpacho-rdo" in dry.stdout
    assert dry.stdout.rstrip().endswith("dry run: nothing changed")
    assert _snapshot(demo) == before

    done = demo.run("release", "new", "gazpacho", "--from", "current")

    assert done.returncode == 0, done.stderr
    rows = demo.current_rows()
    for name in world.packages:  # each distgit branched at the commit current was built from
        assert demo.branches(name)["gazpacho-rdo"] == rows[name]["Dist Sha"]
        assert demo.branches(name)["rpm-master"] == before[f"{name}:rpm-master"]
    assert "remains for people:" in done.stdout and "CI: add the gazpacho jobs" in done.stdout
    check = demo.run("validate", "--info", str(world.root / "metadata"))
    assert check.returncode == 0, check.stdout + check.stderr
    tags = yaml.safe_load((world.root / "metadata" / "tags" / "gazpacho.yml").read_text())
    pins = {e["project"]: e["tags"]["gazpacho"] for e in tags["packages"]}
    assert pins["barclient"] is None  # has stable/gazpacho: follows it
    assert pins["bazutils"] == {"source-branch": "0.8.0"}  # branchless, a tag at the commit
    assert pins["foolib"] == {"source-branch": rows["python-foolib"]["Source Sha"]}
    assert pins["demo-release"] is None  # no upstream
    rdo = (world.root / "metadata" / "rdo.yml").read_text()
    assert rdo.startswith("# rdoinfo-style metadata of the trunkline demo world\n")  # kept
    md = load_metadata(world.root / "metadata", info_files=("rdo.yml",))
    release = md.release("gazpacho")
    assert (release.branch, release.upstream_branch, release.status) == (
        "gazpacho-rdo",
        "stable/gazpacho",
        "maintained",
    )
    assert release.repos[0].buildsys_tags[-3:] == [
        "demo-gazpacho-candidate",
        "demo-gazpacho-testing",
        "demo-gazpacho-release",
    ]
    assert {p.name for p in md.packages_for_release("gazpacho")} == set(world.packages)

    config = world.root / "trunkline-gazpacho.toml"
    settings = load_settings(config)
    assert settings.packages.tag == "gazpacho"
    assert settings.builder.data_dir == world.root / "data-gazpacho"
    plan = demo.run("build", "--dry-run", config=config)  # the new builder follows the release
    assert plan.returncode == 0, plan.stderr
    assert "would build python-barclient" in plan.stdout and ", stable/gazpacho)" in plan.stdout
    assert "(distgit " in plan.stdout and ", 0.8.0): " in plan.stdout
    # a project pinned to a commit (no tag there) says so, with the short hash
    assert re.search(r"\(distgit [0-9a-f]{8}, pinned [0-9a-f]{8}\): ", plan.stdout), plan.stdout

    after = _snapshot(demo)
    again = demo.run("release", "new", "gazpacho", "--from", "current")

    assert again.returncode == 0, again.stderr
    assert "nothing to do: release gazpacho is in place" in again.stdout
    assert "  to do  " not in again.stdout
    assert _snapshot(demo) == after

    # stable work landed on a branch (a commit the builder's mirror never saw): still done
    repo = world.distgit("python-quxlib")
    tree = git(repo, "rev-parse", "gazpacho-rdo^{tree}")
    work = git(repo, "commit-tree", tree, "-p", "gazpacho-rdo", "-m", "Stable fix")
    git(repo, "update-ref", "refs/heads/gazpacho-rdo", work)
    later = demo.run("release", "new", "gazpacho", "--from", "current")
    assert later.returncode == 0, later.stderr
    assert "nothing to do: release gazpacho is in place" in later.stdout
    assert demo.branches("python-quxlib")["gazpacho-rdo"] == work


def _orphan_branch(demo: BuiltDemo, package: str, branch: str) -> None:
    """A distgit branch with a commit unrelated to the one the repo was built from."""
    repo = demo.world.distgit(package)
    tree = git(repo, "mktree", "--missing")  # the empty tree
    sha = git(repo, "commit-tree", tree, "-m", "unrelated")
    git(repo, "branch", branch, sha)


@pytest.mark.parametrize(
    ("args", "code", "message", "setup"),
    [
        (
            ("hazel", "--from", "nosuch"),
            2,
            "--from 'nosuch': no such promotion in {root}/data/repos (expected current, "
            "consistent or a promotion name CI promoted)",
            None,
        ),
        (
            ("ivy", "--from", "current"),
            2,
            "file://{root}/distgit/python-widget: branch ivy-rdo already exists at ",
            lambda demo: _orphan_branch(demo, "python-widget", "ivy-rdo"),
        ),
        (
            ("trunk", "--from", "current"),
            2,
            "release 'trunk': is the release this builder follows",
            None,
        ),
        (
            ("../x", "--from", "current"),
            2,
            "release name '../x': not a safe name",
            None,
        ),
    ],
    ids=["unknown-promotion", "branch-with-other-content", "the-followed-release", "unsafe-name"],
)
def test_release_new_refuses_in_one_line_and_changes_nothing(
    built_demo: BuiltDemo,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    code: int,
    message: str,
    setup: object,
) -> None:
    if callable(setup):
        setup(built_demo)
    before = _snapshot(built_demo)

    returned, out, err = built_demo.run_here(capsys, "release", "new", *args)

    assert returned == code, out + err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("trunkline: error: " + message.format(root=built_demo.world.root)), (
        lines[0]
    )
    assert _snapshot(built_demo) == before


def test_an_interrupted_release_resumes_and_other_content_is_refused(
    built_demo: BuiltDemo,
) -> None:
    rows = built_demo.current_rows()
    for name in ("python-foolib", "demo-hello"):  # a run killed after its first two pushes
        git(built_demo.world.distgit(name), "branch", "juniper-rdo", rows[name]["Dist Sha"])

    first = built_demo.run("release", "new", "juniper", "--from", "current")

    assert first.returncode == 0, first.stderr
    assert "done   branch python-foolib rpm-master -> juniper-rdo" in first.stdout
    assert "to do  branch python-widget rpm-master -> juniper-rdo" in first.stdout
    assert "branched python-foolib" not in first.stdout
    assert "branched python-widget: juniper-rdo at " in first.stdout
    for name in built_demo.world.packages:
        assert built_demo.branches(name)["juniper-rdo"] == rows[name]["Dist Sha"]
    before = _snapshot(built_demo)

    other = built_demo.run(
        "release", "new", "juniper", "--from", "current", "--identifier", "2030.1"
    )

    assert other.returncode == 3, other.stderr
    assert other.stderr == (
        "trunkline: error: release 'juniper': already defined with another 'identifier' "
        "(expected '2030.1')\n"
    )
    assert _snapshot(built_demo) == before


def test_release_show_and_the_old_query_stay(built_demo: BuiltDemo, tmp_path: Path) -> None:
    info = str(built_demo.world.root / "metadata")
    shown = built_demo.run("release", "show", "--info", info, "-r", "trunk")
    old = built_demo.run("release", "--info", info, "-r", "trunk")
    assert shown.returncode == old.returncode == 0
    assert shown.stdout == old.stdout and "branch: rpm-master\n" in shown.stdout
    misplaced = built_demo.run("release", "--info", info, "new", "x", "--from", "current")
    assert misplaced.returncode == 2
    assert misplaced.stderr == (
        "trunkline: error: release new: --info given before the subcommand "
        "(put options after 'new')\n"
    )
