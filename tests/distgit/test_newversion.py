"""``distgit new-version``: Version/Release, rebased patches, conflicts, --continue/--abort."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.distgit.world import World, git
from trunkline.distgit import state
from trunkline.distgit.newversion import (
    abort_new_version,
    continue_new_version,
    latest_version,
    new_version,
)
from trunkline.distgit.patch import patch
from trunkline.errors import InputError

TODAY = time.strftime("%a %b %d %Y", time.gmtime())


def test_latest_version_is_the_newest_upstream_tag_by_rpm_order(world: World) -> None:
    assert latest_version(world.distgit) == "1.2.0"


def test_bump_only_sets_version_resets_release_and_logs_upstream_changes(world: World) -> None:
    patch(world.distgit)  # Release 2, patches for 1.0.0

    result = new_version(world.distgit, "1.1.0", bump_only=True)

    text = world.spec_text()
    assert "Version:        1.1.0\nRelease:        1%{?dist}\n" in text
    assert "# patches_base=1.1.0\n" in text
    # rdopkg's entry by default: the upstream commits go to the commit message only
    assert f"* {TODAY} Pat Packager <pat@example.com> 1.1.0-1\n- Update to 1.1.0\n\n" in text
    assert "Patch0002: 0002-Use-system-certs.patch" in text  # untouched by --bump-only
    assert result.upstream_changes == ("Add feature", "Require keystoneauth1")
    assert world.head_message() == (
        "python-foo-1.1.0-1\n\nChangelog:\n- Update to 1.1.0\n\n"
        "Upstream changes (1.0.0..1.1.0):\n- Add feature\n- Require keystoneauth1"
    )
    assert result.requirements is not None
    assert [r.package for r in result.requirements.added] == [
        "python-keystoneauth1",
        "python-stevedore",
    ]
    assert [(c.package, c.old, c.new) for c in result.requirements.changed] == [
        ("python-oslo-config", ">=9.0.0", ">=9.2.0")
    ]
    assert [r.package for r in result.requirements.removed] == ["python-six"]


def test_new_version_rebases_the_patches_and_regenerates_them(world: World) -> None:
    result = new_version(world.distgit, "1.1.0")

    assert result.commit == git(world.distgit, "rev-parse", "HEAD")
    assert result.patches == ("0001-Fix-foo-crash.patch", "0002-Use-system-certs.patch")
    base = git(world.distgit, "rev-parse", "rpm-master-patches~3")
    assert base == git(world.distgit, "rev-parse", "1.1.0^{commit}")
    assert "Patch0001: 0001-Fix-foo-crash.patch" in world.spec_text()
    assert not state.state_path(world.distgit).exists()
    assert not (state.state_path(world.distgit).parent / "trunkline-rebase").exists()
    assert git(world.distgit, "status", "--porcelain") == ""


def test_rebase_conflict_stops_cleanly_and_continue_finishes(world: World) -> None:
    head = git(world.distgit, "rev-parse", "HEAD")

    stopped = new_version(world.distgit)  # latest = 1.2.0, which conflicts with patch 1

    assert stopped.commit is None
    assert stopped.new_version == "1.2.0"
    worktree = stopped.conflict_worktree
    assert worktree is not None and (worktree / "foo" / "core.py").exists()
    assert "<<<<<<<" in (worktree / "foo" / "core.py").read_text()
    assert git(world.distgit, "rev-parse", "HEAD") == head
    assert git(world.distgit, "status", "--porcelain") == ""
    with pytest.raises(InputError) as err:
        patch(world.distgit)
    assert str(err.value) == (
        f"{state.state_path(world.distgit)}: 'new-version' to 1.2.0 is in progress; "
        "run it with --continue or --abort"
    )

    resolved = (worktree / "foo" / "core.py").read_text()
    resolved = resolved.split("<<<<<<<")[0] + "    return 2  # fixed downstream\n"
    (worktree / "foo" / "core.py").write_text(resolved)
    git(worktree, "add", "foo/core.py")
    done = continue_new_version(world.distgit)

    assert done.commit is not None
    assert "Version:        1.2.0" in world.spec_text()
    fix = (world.distgit / "0001-Fix-foo-crash.patch").read_text()
    assert "+    return 2  # fixed downstream" in fix
    assert not state.state_path(world.distgit).exists()
    assert not worktree.exists()


def test_abort_leaves_the_distgit_as_it_was(world: World) -> None:
    head = git(world.distgit, "rev-parse", "HEAD")
    stopped = new_version(world.distgit, "1.2.0")
    assert stopped.conflict_worktree is not None

    abort_new_version(world.distgit)

    assert git(world.distgit, "rev-parse", "HEAD") == head
    assert git(world.distgit, "status", "--porcelain") == ""
    assert not state.state_path(world.distgit).exists()
    assert not Path(stopped.conflict_worktree).exists()
    assert "Version:        1.0.0" in world.spec_text()


def test_continue_without_a_stopped_run_is_refused(world: World) -> None:
    with pytest.raises(InputError) as err:
        continue_new_version(world.distgit)
    assert str(err.value) == f"{world.distgit}: no new-version in progress to continue"


def test_unknown_version_names_the_missing_tag(world: World) -> None:
    with pytest.raises(InputError) as err:
        new_version(world.distgit, "9.9.9")
    assert str(err.value) == (
        f"{world.distgit}: no upstream tag '9.9.9' or 'v9.9.9' (fetch the 'upstream' remote)"
    )


def test_changelog_commits_lists_the_upstream_subjects_in_the_entry(world: World) -> None:
    new_version(world.distgit, "1.1.0", bump_only=True, changelog_commits=True)

    assert (
        f"* {TODAY} Pat Packager <pat@example.com> 1.1.0-1\n- Update to 1.1.0\n"
        "- Upstream: Add feature\n- Upstream: Require keystoneauth1\n\n* Mon Mar 04 2024"
    ) in world.spec_text()
    assert world.head_message() == (
        "python-foo-1.1.0-1\n\nChangelog:\n- Update to 1.1.0\n"
        "- Upstream: Add feature\n- Upstream: Require keystoneauth1"
    )
