"""A build imported from another builder (``remote-import``) closes an open FTBFS
period, silently (the builder that made it announced it)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.api.test_remote_import import remote_repo
from trunkline.config import settings_from_dict
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import BuildStatus, Commit, Ftbfs, OutboxMessage
from trunkline.ftbfs.lifecycle import replay_history
from trunkline.promotion.remote import import_repo

__all__ = ["remote_repo"]  # the fixture: a remote builder's repo served on loopback


def test_an_imported_success_closes_the_period_without_an_event(
    tmp_path: Path, remote_repo: str
) -> None:
    settings = settings_from_dict({"builder": {"data_dir": str(tmp_path / "data")}})
    factory = session_factory(open_database(settings.database_url))
    with factory() as session:
        session.add(
            Commit(
                dt_commit=1_700_000_000,
                dt_distro=1_700_000_000,
                dt_build=1_700_000_050,
                project_name="remote-pkg",
                commit_hash="ef" * 20,
                distro_hash="cd" * 20,
                status=BuildStatus.FAILED,
            )
        )
        session.flush()
        assert replay_history(session) == 1
        session.commit()
        [imported] = import_repo(session, settings, remote_repo).commit_ids
        session.commit()
        period = session.scalars(select(Ftbfs)).one()
        assert (period.closed_at, period.fix_commit_id, period.fixed_by) == (
            1_700_000_200,
            imported,
            "upstream",
        )
        assert session.scalars(select(OutboxMessage)).all() == []
