"""Repodata writers: createrepo_c's library with its package cache, and its CLI with --update.

Both must reuse what an earlier repo described instead of re-reading RPMs. The
tests prove reuse the hard way: they overwrite an RPM with garbage of the same
size and mtime, which a writer that re-read it would fail on.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import createrepo_c as cr
import pytest

from tests.publish.test_repo import primary_names
from trunkline.errors import PublishError
from trunkline.process import tool_seconds
from trunkline.publish.repodata import CliRepodata, LibraryRepodata, RepodataWriter, make_writer

pytestmark = pytest.mark.slow

SPEC = """Name: {name}
Version: 2.1.0
Release: 0.20260101120000.abcdef1%{{?dist}}
Summary: The {name} test package
License: Apache-2.0
BuildArch: noarch
Requires: python3
Provides: {name}-data = %{{version}}-%{{release}}

%description
The {name} test package, with a few files and a changelog.

%install
mkdir -p %{{buildroot}}/usr/share/{name}
echo one > %{{buildroot}}/usr/share/{name}/one.txt
echo two > %{{buildroot}}/usr/share/{name}/two.txt

%files
/usr/share/{name}

%changelog
* Thu Jan 01 2026 Tester <t@example.com> 2.1.0-1
- Update to 2.1.0
* Mon Dec 01 2025 Tester <t@example.com> 2.0.0-1
- Update to 2.0.0
"""


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Binary RPMs of alpha, beta, gamma and alpha's source RPM, made by rpmbuild."""
    top = tmp_path_factory.mktemp("rpms")
    out = {}
    for name in ("alpha", "beta", "gamma"):
        spec = top / f"{name}.spec"
        spec.write_text(SPEC.format(name=name))
        subprocess.run(
            ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", str(spec)],
            check=True,
            capture_output=True,
        )
        out[name] = next((top / "RPMS" / "noarch").glob(f"{name}-*.rpm"))
    out["alpha-src"] = next((top / "SRPMS").glob("alpha-*.src.rpm"))
    return out


def repo_of(path: Path, *files: Path) -> Path:
    path.mkdir(parents=True)
    for f in files:
        shutil.copy2(f, path / f.name)
    return path


def linked_repo(path: Path, previous: Path, *new: Path) -> Path:
    """A repo holding relative links to ``previous``'s RPMs plus copies of ``new``."""
    path.mkdir(parents=True)
    for f in sorted(previous.glob("*.rpm")):
        os.symlink(os.path.relpath(f.resolve(), path), path / f.name)
    for f in new:
        shutil.copy2(f, path / f.name)
    return path


def described(repo: Path) -> dict[str, Any]:
    """File name -> the package's three XML chunks, as createrepo_c reads the repodata."""
    md = cr.Metadata(key=cr.HT_KEY_FILENAME)
    md.locate_and_load_xml(str(repo))
    return {key: cr.xml_dump(md.get(key)) for key in md.keys()}  # noqa: SIM118 (no __iter__)


def garble(rpm: Path) -> None:
    """Overwrite an RPM with zeros, keeping its size and mtime (what --update compares)."""
    st = rpm.stat()
    rpm.write_bytes(b"\0" * st.st_size)
    os.utime(rpm, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("backend", ["library", "cli"])
def test_the_written_repodata_describes_every_rpm_for_dnf(
    tmp_path: Path, pool: dict[str, Path], backend: str
) -> None:
    repo = repo_of(tmp_path / "r", pool["alpha"], pool["beta"], pool["alpha-src"])
    make_writer(backend).write(repo, log_path=tmp_path / "log")
    assert primary_names(repo) == "alpha beta"
    assert pool["alpha-src"].name in described(repo)  # the SRPM is indexed too
    files = sorted(p.name for p in (repo / "repodata").iterdir())
    assert files[-1] == "repomd.xml"
    assert sorted(re.sub(r"^[0-9a-f]{64}-", "", f) for f in files[:-1]) == [
        "filelists.xml.gz",
        "other.xml.gz",
        "primary.xml.gz",
    ]


def test_library_and_cli_describe_packages_identically(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    files = (pool["alpha"], pool["beta"], pool["gamma"], pool["alpha-src"])
    by_cli = repo_of(tmp_path / "cli", *files)
    by_lib = repo_of(tmp_path / "lib", *files)
    CliRepodata().write(by_cli)
    LibraryRepodata().write(by_lib)
    assert described(by_lib) == described(by_cli)
    assert len(described(by_lib)) == 4


def test_sources_can_be_left_out(tmp_path: Path, pool: dict[str, Path]) -> None:
    for backend in ("library", "cli"):
        repo = repo_of(tmp_path / backend, pool["alpha"], pool["alpha-src"])
        make_writer(backend).write(repo, include_srpm=False)
        assert list(described(repo)) == [pool["alpha"].name]


def test_library_reads_only_the_new_rpms_within_a_process(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    writer = LibraryRepodata()
    first = repo_of(tmp_path / "1", pool["alpha"], pool["beta"])
    writer.write(first)
    assert (writer.last.read, writer.last.cached) == (2, 0)
    second = linked_repo(tmp_path / "2", first, pool["gamma"])
    writer.write(second, previous=first, log_path=second / "createrepo.log")
    assert (writer.last.packages, writer.last.read, writer.last.cached) == (3, 1, 2)
    assert writer.last.from_previous == 0  # the cache covered it; no XML was parsed
    assert "3 packages, 2 cached" in (second / "createrepo.log").read_text()
    assert primary_names(second) == "alpha beta gamma"


def test_a_changed_file_under_the_same_name_is_read_again(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    writer = LibraryRepodata()
    first = repo_of(tmp_path / "1", pool["alpha"])
    writer.write(first)
    shutil.copy2(pool["beta"], first / pool["alpha"].name)  # other content, same name
    shutil.rmtree(first / "repodata")
    writer.write(first)
    assert writer.last.read == 1
    assert [chunks[0].count("<name>beta</name>") for chunks in described(first).values()] == [1]


@pytest.mark.parametrize("backend", ["library", "cli"])
def test_a_new_writer_reuses_the_previous_repo_instead_of_reading_rpms(
    tmp_path: Path, pool: dict[str, Path], backend: str
) -> None:
    first = repo_of(tmp_path / "1", pool["alpha"], pool["beta"])
    make_writer(backend).write(first)
    for rpm in first.glob("*.rpm"):
        garble(rpm)  # unreadable now: only reuse can describe them
    second = linked_repo(tmp_path / "2", first, pool["gamma"])
    writer: RepodataWriter = make_writer(backend)
    writer.write(second, previous=first)
    assert described(second) == {**described(first), **described_one(tmp_path, pool["gamma"])}
    if isinstance(writer, LibraryRepodata):
        assert (writer.last.from_previous, writer.last.read) == (2, 1)
    # and without the previous repo, the garbled RPMs are read, and refused
    third = linked_repo(tmp_path / "3", first)
    with pytest.raises(PublishError, match=r"^3: createrepo_c"):
        make_writer(backend).write(third)


def described_one(tmp_path: Path, rpm: Path) -> dict[str, Any]:
    repo = repo_of(tmp_path / f"one-{rpm.stem}", rpm)
    LibraryRepodata().write(repo)
    return described(repo)


def test_chunks_of_superseded_packages_are_forgotten(tmp_path: Path, pool: dict[str, Path]) -> None:
    writer = LibraryRepodata()
    repo_of(tmp_path / "0", pool["alpha"], pool["beta"])
    writer.write(tmp_path / "0")
    for k in range(1, 20):  # alpha leaves the repo; beta stays
        writer.write(repo_of(tmp_path / str(k), pool["beta"]))
    assert (writer.last.read, writer.last.cached) == (0, 1)
    assert sorted(writer._chunks) == [pool["beta"].name]


def test_library_time_is_counted_as_createrepo_c_time(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    before = tool_seconds().get("createrepo_c", 0.0)
    LibraryRepodata().write(repo_of(tmp_path / "r", pool["alpha"]))
    assert tool_seconds().get("createrepo_c", 0.0) > before


def test_prepare_loads_the_previous_repo_before_any_write(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    first = repo_of(tmp_path / "1", pool["alpha"], pool["beta"])
    LibraryRepodata().write(first)
    writer = LibraryRepodata()
    writer.prepare(first)
    for rpm in first.glob("*.rpm"):
        garble(rpm)  # a re-read would fail: the prepared cache must answer
    second = linked_repo(tmp_path / "2", first, pool["gamma"])
    writer.write(second)  # (no previous given: the cache alone)
    assert (writer.last.cached, writer.last.from_previous, writer.last.read) == (2, 0, 1)
    assert described(second) == {**described(first), **described_one(tmp_path, pool["gamma"])}


def test_prepare_ignores_what_it_cannot_read(tmp_path: Path, pool: dict[str, Path]) -> None:
    writer = LibraryRepodata()
    writer.prepare(tmp_path / "nowhere")
    broken = repo_of(tmp_path / "broken", pool["alpha"])
    (broken / "repodata").mkdir()
    (broken / "repodata" / "repomd.xml").write_text("<not metadata", encoding="utf-8")
    writer.prepare(broken)
    repo = repo_of(tmp_path / "r", pool["alpha"])
    writer.write(repo)
    assert (writer.last.cached, writer.last.read) == (0, 1)
