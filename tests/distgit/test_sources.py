"""``distgit new-version`` on lookaside distgits: tarball from the tag, ``sources``, Source0."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from tests.distgit.world import REQS_110, World, commit, git
from trunkline.distgit.newversion import new_version
from trunkline.distgit.sources import rewrite_sources
from trunkline.errors import InputError, SpecError

OLD_HASH = "ab" * 64
SOURCE0 = (
    "Source0:        https://tarballs.openstack.org/%{pypi_name}/"
    "%{pypi_name}-%{upstream_version}.tar.gz\n"
)


def fedora_style(world: World, spec_edit: tuple[str, str] | None = None) -> None:
    """Give the distgit a ``sources`` file and a Fedora ``.gitignore`` (and commit them)."""
    files = {
        "sources": f"SHA512 (foo-1.0.0.tar.gz) = {OLD_HASH}\n",
        ".gitignore": "/foo-0.9.0.tar.gz\n/foo-1.0.0.tar.gz\n",
    }
    if spec_edit:
        files["python-foo.spec"] = world.spec_text().replace(*spec_edit)
    commit(world.distgit, "Use lookaside sources", files, "2024-03-05T00:00:00")


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:  # compression detected from the content
        return {
            m.name: (tar.extractfile(m) or io.BytesIO()).read()
            for m in tar.getmembers()
            if m.isfile()
        }


def test_new_version_writes_the_tarball_from_the_tag_and_updates_sources(world: World) -> None:
    fedora_style(world)

    result = new_version(world.distgit, "1.1.0")

    tarball = world.distgit / "foo-1.1.0.tar.gz"
    content = members(tarball)
    assert all(name.startswith("foo-1.1.0/") for name in content)
    assert content["foo-1.1.0/requirements.txt"] == REQS_110.encode()
    assert "foo-1.1.0/foo/feature.py" in content
    sha = hashlib.sha512(tarball.read_bytes()).hexdigest()
    assert (world.distgit / "sources").read_text() == f"SHA512 (foo-1.1.0.tar.gz) = {sha}\n"
    assert (world.distgit / ".gitignore").read_text() == (
        "/foo-0.9.0.tar.gz\n/foo-1.0.0.tar.gz\n/foo-1.1.0.tar.gz\n"
    )
    assert git(world.distgit, "status", "--porcelain", "--untracked-files=all") == ""
    committed = git(world.distgit, "show", "--name-only", "--format=", "HEAD").split()
    assert set(committed) == {
        ".gitignore",
        "sources",
        "python-foo.spec",
        "0001-Fix-foo-crash.patch",
        "0002-Use-system-certs.patch",
    }
    assert result.source_update is not None
    assert result.source_update.sha512 == sha
    assert result.source_update.source0 == "https://tarballs.openstack.org/foo/foo-1.1.0.tar.gz"
    assert not result.source_update.source0_rewritten  # Source0 uses %{upstream_version}


def test_literal_source0_url_is_rewritten_and_other_sources_lines_are_kept(world: World) -> None:
    literal = "Source0:        https://example.org/foo/foo-1.0.0.tar.xz\n"
    fedora_style(world, (SOURCE0, literal))
    sig = f"SHA512 (foo-1.0.0.tar.gz.asc) = {'cd' * 64}"
    commit(
        world.distgit,
        "Old-style sources",
        {"sources": f"{'ef' * 16}  foo-1.0.0.tar.xz\n{sig}\n", ".gitignore": "*.tar.xz\n"},
        "2024-03-06T00:00:00",
    )

    result = new_version(world.distgit, "1.1.0", bump_only=True)

    assert "Source0:        https://example.org/foo/foo-1.1.0.tar.xz\n" in world.spec_text()
    tarball = world.distgit / "foo-1.1.0.tar.xz"
    assert "foo-1.1.0/requirements.txt" in members(tarball)
    sha = hashlib.sha512(tarball.read_bytes()).hexdigest()
    assert (world.distgit / "sources").read_text() == (
        f"SHA512 (foo-1.1.0.tar.xz) = {sha}\n{sig}\n"
    )
    assert (world.distgit / ".gitignore").read_text() == "*.tar.xz\n"  # already covered
    assert result.source_update is not None and result.source_update.source0_rewritten


def test_without_a_sources_file_no_tarball_is_made(world: World) -> None:
    result = new_version(world.distgit, "1.1.0", bump_only=True)

    assert result.source_update is not None
    assert result.source_update.tarball is None
    assert list(world.distgit.glob("*.tar*")) == []


def test_a_source0_git_cannot_archive_leaves_the_distgit_as_it_was(world: World) -> None:
    fedora_style(world, (SOURCE0, "Source0:        https://example.org/foo-%{version}.gem\n"))
    head = git(world.distgit, "rev-parse", "HEAD")

    with pytest.raises(SpecError) as err:
        new_version(world.distgit, "1.1.0", bump_only=True)

    assert str(err.value) == (
        f"{world.spec()}: Source0 'foo-1.0.0.gem' is not an archive git can write "
        "(.tar.gz, .tgz, .tar.xz, .tar.bz2, .tar.zst, .tar, .zip)"
    )
    assert git(world.distgit, "rev-parse", "HEAD") == head
    assert git(world.distgit, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_malformed_sources_file_is_named_and_the_new_tarball_removed(world: World) -> None:
    commit(world.distgit, "Bad sources", {"sources": "foo-1.0.0.tar.gz\n"}, "2024-03-05T00:00:00")

    with pytest.raises(InputError) as err:
        new_version(world.distgit, "1.1.0", bump_only=True)

    sources = world.distgit / "sources"
    assert str(err.value) == (
        f"{sources}:1: expected 'SHA512 (FILE) = HASH', got 'foo-1.0.0.tar.gz'"
    )
    assert sources.read_text() == "foo-1.0.0.tar.gz\n"
    assert git(world.distgit, "status", "--porcelain", "--untracked-files=all") == ""
    assert "Version:        1.0.0" in world.spec_text()


def test_rewrite_sources_appends_when_the_old_tarball_is_not_listed(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.write_text(f"SHA512 (other.tar.gz) = {OLD_HASH}\n")

    rewrite_sources(sources, "foo-1.0.0.tar.gz", "foo-1.1.0.tar.gz", "12" * 64)

    assert sources.read_text() == (
        f"SHA512 (other.tar.gz) = {OLD_HASH}\nSHA512 (foo-1.1.0.tar.gz) = {'12' * 64}\n"
    )
