"""Replication with real rsync to local mirror dirs: complete repos first, links after."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.publish.purge_world import History, copy_history, dangling_links
from trunkline.errors import ConfigError, PublishError
from trunkline.promotion.promote import PromoteRequest, promote
from trunkline.publish.purge import apply_purge, plan_purge
from trunkline.publish.sync import (
    named_links,
    replicate_all,
    replicate_build,
    replicate_links,
    replicate_reports,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def history(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> History:
    return copy_history(tmp_path_factory, tmp_path / "data")


def visible(root: Path) -> dict[str, str]:
    """Every path under root (hidden top-level entries aside) -> link target or kind."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if rel.startswith("."):
            continue
        found[rel] = os.readlink(path) if path.is_symlink() else "dir" if path.is_dir() else "file"
    return found


def test_a_new_build_reaches_the_mirror_whole_with_its_links_after(
    history: History, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    settings = history.settings(replication={"targets": [str(mirror)]})
    newest = history.rows()[8]

    pushed = replicate_build(settings, newest.repo_dir, ["current", "consistent"])

    assert pushed == [str(mirror)]
    local, remote = history.repos / newest.repo_dir, mirror / newest.repo_dir
    assert visible(remote) == visible(local)
    assert os.readlink(mirror / "current") == os.readlink(history.repos / "current")
    assert (mirror / "current" / "repodata" / "repomd.xml").is_file()
    # the older RPMs the new repo links to came along: nothing dangles on the mirror
    assert dangling_links(mirror) == []
    assert (mirror / "report.html").is_file()
    # incremental: an older repo nobody links to was not sent
    assert not (mirror / history.rows()[4].repo_dir).exists()


def test_a_link_never_reaches_a_mirror_whose_copy_of_the_repo_failed(
    history: History, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    newest = history.rows()[8]
    linked = next(p for p in (history.repos / newest.repo_dir).iterdir() if p.is_symlink())
    linked.resolve().unlink()  # an RPM the new repo links to is missing: its push fails
    settings = history.settings(replication={"targets": [str(mirror)]})

    with pytest.raises(PublishError) as err:
        replicate_build(settings, newest.repo_dir, ["current"])

    assert str(err.value).startswith(f"rsync to {mirror} failed (exit 23): link_stat ")
    assert str(err.value).endswith(f'{linked.name}" failed: No such file or directory (2)')
    assert not os.path.lexists(mirror / "current")


def test_an_unreachable_target_is_a_one_line_error(history: History) -> None:
    target = "/nonexistent-trunkline-mirror/deep/repos"
    settings = history.settings(replication={"targets": [target]})
    with pytest.raises(PublishError) as err:
        replicate_all(settings)
    assert str(err.value) == (
        f'rsync to {target} failed (exit 11): mkdir "{target}" failed: '
        "No such file or directory (2)"
    )


def test_full_resync_mirrors_the_tree_and_follows_a_purge(history: History, tmp_path: Path) -> None:
    mirrors = [tmp_path / "m1", tmp_path / "m2"]
    settings = history.settings(replication={"targets": [str(m) for m in mirrors]})

    assert replicate_all(settings) == [str(m) for m in mirrors]
    for mirror in mirrors:
        assert visible(mirror) == visible(history.repos)
        assert not (mirror / ".report-state.json").exists()

    now = int(time.time())
    history.age(list(range(1, 9)), days=100, now=now)
    with history.session() as s:
        the_plan = plan_purge(s, history.repos, older_than_days=30, now=now)
        apply_purge(s, history.repos, the_plan)
    removed = [i.relpath for i in the_plan.items if i.action == "remove"]
    assert removed and all((mirrors[0] / rel).is_dir() for rel in removed)

    replicate_all(settings)

    for mirror in mirrors:
        assert visible(mirror) == visible(history.repos)
        assert not any((mirror / rel).exists() for rel in removed)
        assert dangling_links(mirror) == []


def test_named_links_are_the_links_outside_hashed_repos(history: History) -> None:
    assert named_links(history.repos) == ["consistent", "current"]


def test_without_targets_nothing_is_pushed_and_bad_targets_are_refused(history: History) -> None:
    assert replicate_build(history.settings(), history.rows()[8].repo_dir, ["current"]) == []
    assert replicate_all(history.settings()) == []
    with pytest.raises(ConfigError) as err:
        history.settings(replication={"targets": ["relative/dir"]})
    assert str(err.value) == (
        "<config>: key 'replication.targets': target 'relative/dir': "
        "a local target must be an absolute path (got ['relative/dir'])"
    )


def test_a_promotion_link_and_new_reports_follow_on_their_own(
    history: History, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    settings = history.settings(replication={"targets": [str(mirror)]})
    replicate_all(settings)
    row = history.rows()[7]
    with history.session() as s:
        promote(s, settings, [PromoteRequest(row.commit_hash, row.distro_hash, "tested")], None)
    (history.repos / "report.html").write_text("<p>regenerated</p>")

    assert replicate_links(settings, ["tested"]) == [str(mirror)]
    assert replicate_reports(settings) == [str(mirror)]

    assert os.readlink(mirror / "tested") == row.repo_dir
    assert (mirror / "tested" / "repodata").is_dir()
    assert (mirror / "report.html").read_text() == "<p>regenerated</p>"
