"""The builder's queries, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from trunkline.db import queries
from trunkline.db.models import BuildStatus, Commit

_ids = itertools.count(1)


def add(
    session: Session, project: str, status: BuildStatus, commit: str = "", **kw: object
) -> Commit:
    n = next(_ids)
    row = Commit(
        dt_commit=1_700_000_000 + n,
        dt_distro=1_700_000_000,
        dt_build=1_700_000_100 + n,
        project_name=project,
        commit_hash=commit or f"{n:040x}",
        distro_hash="d" * 40,
        status=status,
        artifacts=f"aa/bb/{project}-{n}.noarch.rpm",
        **kw,
    )
    session.add(row)
    session.flush()
    return row


def test_last_processed_skips_retry(db_session: Session) -> None:
    ok = add(db_session, "foo", BuildStatus.SUCCESS)
    add(db_session, "foo", BuildStatus.RETRY)
    add(db_session, "bar", BuildStatus.FAILED)
    assert queries.last_processed(db_session, "foo") == ok
    assert queries.last_processed(db_session, "nope") is None


def test_is_processed_and_retry_count(db_session: Session) -> None:
    add(db_session, "foo", BuildStatus.RETRY, commit="c" * 40)
    add(db_session, "foo", BuildStatus.RETRY, commit="c" * 40)
    assert not queries.is_processed(db_session, "foo", "c" * 40, "d" * 40)
    assert queries.retry_count(db_session, "foo", "c" * 40, "d" * 40) == 2
    add(db_session, "foo", BuildStatus.FAILED, commit="c" * 40)
    assert queries.is_processed(db_session, "foo", "c" * 40, "d" * 40)
    assert not queries.is_processed(db_session, "bar", "c" * 40, "d" * 40)


def test_latest_success_and_ftbfs_per_project(db_session: Session) -> None:
    add(db_session, "foo", BuildStatus.SUCCESS)
    foo2 = add(db_session, "foo", BuildStatus.SUCCESS)
    bar_ok = add(db_session, "bar", BuildStatus.SUCCESS)
    add(db_session, "bar", BuildStatus.FAILED)
    add(db_session, "baz", BuildStatus.RETRY)
    latest = queries.latest_success_per_project(db_session)
    assert latest == {"foo": foo2, "bar": bar_ok}
    assert queries.failing_projects(db_session) == ["bar"]
    assert queries.newest_success(db_session) == bar_ok


def test_component_filter(db_session: Session) -> None:
    net = add(db_session, "neutron", BuildStatus.SUCCESS, component="network")
    add(db_session, "nova", BuildStatus.FAILED, component="compute")
    assert queries.latest_success_per_project(db_session, component="network") == {"neutron": net}
    assert queries.failing_projects(db_session, component="network") == []
    assert queries.failing_projects(db_session, component="compute") == ["nova"]


def test_recent_builds_is_bounded_and_newest_first(db_session: Session) -> None:
    made = [add(db_session, f"p{i}", BuildStatus.SUCCESS) for i in range(5)]
    got = queries.recent_builds(db_session, limit=3)
    assert got == list(reversed(made))[:3]


def test_latest_success_and_build_summaries_in_one_query(db_session: Session) -> None:
    add(db_session, "foo", BuildStatus.SUCCESS)
    foo2 = add(db_session, "foo", BuildStatus.SUCCESS)
    bar_ok = add(db_session, "bar", BuildStatus.SUCCESS)
    bar_failed = add(db_session, "bar", BuildStatus.FAILED)
    bar_retry = add(db_session, "bar", BuildStatus.RETRY)
    baz = add(db_session, "baz", BuildStatus.FAILED)
    add(db_session, "qux", BuildStatus.SUCCESS, component="other")
    success, newest = queries.latest_success_and_build_summaries(db_session)
    assert {n: s.commit_hash for n, s in success.items()} == {
        "foo": foo2.commit_hash,
        "bar": bar_ok.commit_hash,
        "qux": success["qux"].commit_hash,
    }
    assert {n: (s.commit_hash, s.status) for n, s in newest.items() if n != "qux"} == {
        "foo": (foo2.commit_hash, BuildStatus.SUCCESS),
        "bar": (bar_retry.commit_hash, BuildStatus.RETRY),
        "baz": (baz.commit_hash, BuildStatus.FAILED),
    }
    assert bar_failed.commit_hash not in {s.commit_hash for s in newest.values()}
    # the same answers as the one-question query, component filter included
    assert success == queries.latest_success_summaries(db_session)
    only = queries.latest_success_and_build_summaries(db_session, component="other")
    assert set(only[0]) == set(only[1]) == {"qux"}
