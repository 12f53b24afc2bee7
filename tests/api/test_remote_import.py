"""``commit-import``: the real client makes trunkline import another builder's build,
served over HTTP from 127.0.0.1, which is then published like a local build
(on SQLite and on PostgreSQL)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.api.conftest import LiveApi
from tests.api.test_dlrnapi_client import ok
from tests.httpdir import serve_directory
from trunkline.db.models import BuildStatus, Commit
from trunkline.publish.commitfile import commit_yaml_document

pytestmark = [pytest.mark.db, pytest.mark.slow]

SPEC = """Name: remote-pkg
Version: 1.0
Release: 1
Summary: imported
License: MIT
BuildArch: noarch
%description
imported
%files
"""


@pytest.fixture
def remote_repo(tmp_path: Path) -> Iterator[str]:
    """A remote builder's hashed repo (commit.yaml, one RPM, a log) on a local HTTP server."""
    top = tmp_path / "rpmbuild"
    spec = tmp_path / "remote-pkg.spec"
    spec.write_text(SPEC)
    subprocess.run(
        ["rpmbuild", "-bb", "--define", f"_topdir {top}", str(spec)],
        check=True,
        capture_output=True,
    )
    rpm = next(top.rglob("*.noarch.rpm"))
    served = tmp_path / "served"
    served.mkdir()
    (served / rpm.name).write_bytes(rpm.read_bytes())
    (served / "build.log").write_text("built elsewhere\n")
    row = Commit(
        id=7,
        type="rpm",
        dt_commit=1_700_000_100,
        dt_distro=1_700_000_100,
        dt_extended=0,
        dt_build=1_700_000_200,
        project_name="remote-pkg",
        repo_dir="",
        distgit_dir="",
        commit_hash="ab" * 20,
        distro_hash="cd" * 20,
        extended_hash=None,
        commit_branch="master",
        status=BuildStatus.SUCCESS,
        component=None,
        artifacts=f"ab/ab/x/{rpm.name}",
        notes="",
        flags=0,
        versions_csv=None,
    )
    (served / "commit.yaml").write_text(commit_yaml_document(row, None))
    with serve_directory(served) as url:
        yield url


def test_commit_import_publishes_the_remote_build(
    dlrnapi: Path, live: LiveApi, remote_repo: str
) -> None:
    out = ok(dlrnapi, live, "commit-import", "--repo-url", remote_repo)
    assert out == {"repo_url": remote_repo}
    with live.sessions() as s:
        rows = s.scalars(select(Commit).where(Commit.project_name == "remote-pkg")).all()
    assert [(r.commit_hash, r.distro_hash, r.status) for r in rows] == [
        ("ab" * 20, "cd" * 20, BuildStatus.SUCCESS)
    ]
    votes = ok(dlrnapi, live, "repo-status", "--commit-hash", "ab" * 20, "--distro-hash", "cd" * 20)
    assert votes == [] or all(v["job_id"] == "consistent" for v in votes)
    current = live.repos / "current"
    assert (current / "repodata" / "repomd.xml").is_file()
    assert any(p.name.startswith("remote-pkg-1.0-1") for p in current.iterdir())
