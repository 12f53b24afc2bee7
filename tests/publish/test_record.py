"""The recording service: its rules hold for every producer, and what it writes per status."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trunkline.config import Settings, settings_from_dict
from trunkline.db.models import BuildStatus, Commit
from trunkline.errors import PublishError
from trunkline.publish.finished import FinishedBuild, Origin
from trunkline.publish.record import BuildRecorder

pytestmark = [pytest.mark.db, pytest.mark.slow]

SPEC = """Name: solo
Version: 1.0
Release: 1%{?dist}
Summary: t
License: MIT
BuildArch: noarch
%description
t
%files
"""


@pytest.fixture(scope="module")
def rpms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    """A real binary RPM and its SRPM."""
    top = tmp_path_factory.mktemp("solo")
    spec = top / "solo.spec"
    spec.write_text(SPEC)
    argv = ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", "--define", "dist .el9s"]
    subprocess.run([*argv, str(spec)], check=True, capture_output=True)
    return (next(top.rglob("*.noarch.rpm")), next(top.rglob("*.src.rpm")))


def settings(tmp_path: Path) -> Settings:
    return settings_from_dict({"builder": {"data_dir": str(tmp_path / "data")}})


def build(status: BuildStatus, **over: object) -> FinishedBuild:
    fields: dict[str, object] = {
        "project": "solo",
        "commit_hash": "a" * 40,
        "distro_hash": "b" * 40,
        "commit_branch": "master",
        "dt_commit": 1_700_000_000,
        "dt_distro": 1_700_000_000,
        "dt_build": 1_700_000_100,
        "status": status,
        "version": "1.0",
        "release": "1",
    }
    fields.update(over)
    return FinishedBuild(**fields)  # type: ignore[arg-type]


def rows(session: Session) -> int:
    return int(session.scalar(select(func.count(Commit.id))) or 0)


@pytest.mark.parametrize(
    "files",
    [(), ("log",), ("missing",)],
    ids=["no-file", "no-rpm-only-a-log", "rpm-missing-on-disk"],
)
def test_a_success_without_its_rpms_records_nothing(
    db_session: Session, tmp_path: Path, files: tuple[str, ...]
) -> None:
    paths = []
    for kind in files:
        path = tmp_path / ("build.log" if kind == "log" else "solo-1.0-1.el9s.noarch.rpm")
        if kind == "log":
            path.write_text("built\n")
        paths.append(path)
    recorder = BuildRecorder(settings(tmp_path))
    for origin in Origin:  # the rule is the same whoever made the build
        with pytest.raises(PublishError, match="nothing recorded"):
            recorder.record(
                db_session, build(BuildStatus.SUCCESS, rpms=tuple(paths), origin=origin)
            )
    assert rows(db_session) == 0
    repos = recorder.repos
    assert not repos.exists() or not any(repos.iterdir())


def test_a_success_is_published_with_its_artifacts_in_commit_yaml(
    db_session: Session, tmp_path: Path, rpms: tuple[Path, ...]
) -> None:
    recorder = BuildRecorder(settings(tmp_path), {"solo": ("https://up/solo", "https://dg/solo")})
    done = recorder.record(db_session, build(BuildStatus.SUCCESS, rpms=rpms))
    assert done.status is BuildStatus.SUCCESS and done.moved_current
    assert done.relpath is not None
    row = db_session.get(Commit, done.commit_id)
    assert row is not None
    names = sorted(p.name for p in rpms)
    assert row.artifact_list == [f"{done.relpath}/{n}" for n in names]
    repo = recorder.repos / done.relpath
    record = yaml.safe_load((repo / "commit.yaml").read_text())["commits"][0]
    assert record["artifacts"] == ",".join(f"repos/{done.relpath}/{n}" for n in names)
    assert all(isinstance(v, str) for v in record.values())
    extra = yaml.safe_load((repo / "trunkline.yaml").read_text())["build"]
    assert extra["version"] == "1.0" and extra["release"] == "1" and extra["origin"] == "local"
    assert (repo / "versions.csv").read_text().splitlines()[1] == (
        f"solo,https://up/solo,{'a' * 40},https://dg/solo,{'b' * 40},SUCCESS,1700000100,"
        "None,None,solo-1.0-1.el9s"
    )
    assert os.readlink(recorder.repos / "current") == str(done.relpath)


def test_a_failure_keeps_its_record_and_a_retry_only_a_row(
    db_session: Session, tmp_path: Path
) -> None:
    recorder = BuildRecorder(settings(tmp_path))
    log = tmp_path / "rpmbuild.log"
    log.write_text("error: boom\n")
    failed = recorder.record(
        db_session, build(BuildStatus.FAILED, logs=(log,), notes="boom", origin=Origin.IMPORT)
    )
    assert failed.relpath is not None and not failed.moved_current
    repo = recorder.repos / failed.relpath
    assert sorted(p.name for p in repo.iterdir()) == [
        "commit.yaml",
        "rpmbuild.log",
        "trunkline.yaml",
    ]
    record = yaml.safe_load((repo / "commit.yaml").read_text())["commits"][0]
    assert (record["status"], record["artifacts"], record["notes"]) == ("FAILED", "None", "boom")
    assert yaml.safe_load((repo / "trunkline.yaml").read_text())["build"]["origin"] == "import"
    retry = recorder.record(db_session, build(BuildStatus.RETRY, commit_hash="c" * 40))
    assert retry.relpath is None
    assert rows(db_session) == 2
    assert not (recorder.repos / "current").exists()
