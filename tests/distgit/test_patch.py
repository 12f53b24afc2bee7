"""``distgit patch``: patch files and PatchNNNN lines regenerated from the patches branch."""

from __future__ import annotations

import time

import pytest

from tests.distgit.world import World, git
from trunkline.distgit.patch import patch
from trunkline.errors import InputError

TODAY = time.strftime("%a %b %d %Y", time.gmtime())


def test_patch_writes_patch_files_skipping_ignored_commits(world: World) -> None:
    result = patch(world.distgit)

    assert result.update.files == ("0001-Fix-foo-crash.patch", "0002-Use-system-certs.patch")
    assert [c.subject for c in result.update.ignored] == ["DROP-IN: local build hack"]
    text = world.spec_text()
    assert (
        "#\n# patches_base=1.0.0\n# patches_ignore=DROP-IN\n#\n"
        "Patch0001: 0001-Fix-foo-crash.patch\nPatch0002: 0002-Use-system-certs.patch\n\n"
        "# Required for tarball sources verification\n%if" in text
    )
    assert "Release:        2%{?dist}" in text
    assert (
        f"* {TODAY} Pat Packager <pat@example.com> 1.0.0-2\n- Use system certs\n- Fix foo crash\n"
        in text
    )
    first = (world.distgit / "0001-Fix-foo-crash.patch").read_text()
    assert "Subject: [PATCH] Fix foo crash" in first
    assert "+    return 1  # fixed downstream" in first
    assert world.head_message() == (
        "python-foo-1.0.0-2\n\nChangelog:\n- Use system certs\n- Fix foo crash"
    )
    assert git(world.distgit, "status", "--porcelain") == ""


def test_patch_twice_is_a_no_op(world: World) -> None:
    patch(world.distgit)
    head = git(world.distgit, "rev-parse", "HEAD")

    result = patch(world.distgit)

    assert result.commit is None
    assert git(world.distgit, "rev-parse", "HEAD") == head


def test_patch_no_bump_amend_folds_into_the_previous_commit(world: World) -> None:
    count = git(world.distgit, "rev-list", "--count", "HEAD")

    patch(world.distgit, no_bump=True, amend=True)

    assert git(world.distgit, "rev-list", "--count", "HEAD") == count
    assert "Release:        1%{?dist}" in world.spec_text()
    assert "Patch0002: 0002-Use-system-certs.patch" in world.spec_text()
    assert world.head_message() == "Updated patches from patches/rpm-master-patches"


def test_patches_base_plus_n_skips_the_first_commits(world: World) -> None:
    world.spec().write_text(world.spec_text().replace("patches_base=1.0.0", "patches_base=1.0.0+1"))
    git(world.distgit, "commit", "-qam", "skip one")

    result = patch(world.distgit)

    assert result.update.files == ("0001-Use-system-certs.patch",)
    assert "Patch0001: 0001-Use-system-certs.patch\n" in world.spec_text()
    assert "patches_base=1.0.0+1" in world.spec_text()


def test_patch_with_local_patches_branch_missing_names_what_was_tried(world: World) -> None:
    with pytest.raises(InputError) as err:
        patch(world.distgit, local=True)
    assert str(err.value) == (
        f"{world.distgit}: no patches branch found "
        "(tried local branch rpm-master-patches, rpm-patches)"
    )


def test_removed_patches_drop_their_files_and_lines(world: World) -> None:
    patch(world.distgit)
    git(world.distgit, "branch", "rpm-master-patches", "1.0.0")

    patch(world.distgit, local=True)

    assert not list(world.distgit.glob("*.patch"))
    assert "Patch000" not in world.spec_text()
    assert "- Update patches\n" in world.spec_text()
