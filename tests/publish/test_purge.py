"""Retention: old repos go, nothing a kept repo, a link or a promotion needs ever does.

The history (see ``purge_world``) is built by real cycles; each test purges a
private copy after ageing chosen rows (``dt_build``), then checks the tree, the
DB flags, that every symlink still resolves and that dnf still reads ``current``.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tests.publish.purge_world import History, copy_history, dangling_links
from trunkline.db.models import FLAG_PURGED, BuildStatus, Commit, Promotion
from trunkline.errors import InputError, UnsafeNameError
from trunkline.promotion.promote import PromoteRequest, promote
from trunkline.publish.purge import PurgePlan, apply_purge, plan_purge

NOW = int(time.time())
DAY = 86_400


@pytest.fixture
def history(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> History:
    return copy_history(tmp_path_factory, tmp_path / "data")


def plan(history: History, days: float = 30, component: str | None = None) -> PurgePlan:
    with history.session() as s:
        return plan_purge(s, history.repos, older_than_days=days, now=NOW, component=component)


def purge(history: History, days: float = 30) -> PurgePlan:
    the_plan = plan(history, days)
    with history.session() as s:
        apply_purge(s, history.repos, the_plan)
    return the_plan


def actions(history: History, the_plan: PurgePlan) -> dict[int, str]:
    """The plan as {build id: action} (ids read from the DB rows of each dir)."""
    by_dir = {row.repo_dir: i for i, row in history.rows().items()}
    return {by_dir[item.relpath]: item.action for item in the_plan.items}


def kept(history: History, the_plan: PurgePlan) -> dict[int, str]:
    by_dir = {row.repo_dir: i for i, row in history.rows().items()}
    return {by_dir[k.relpath]: k.reason for k in the_plan.kept}


def purged_ids(history: History) -> set[int]:
    return {i for i, row in history.rows().items() if row.flags & FLAG_PURGED}


def repo(history: History, build: int) -> Path:
    return history.repos / history.rows()[build].repo_dir


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def dnf_names(repo_dir: Path, cache: Path) -> list[str]:
    out = subprocess.run(
        [
            "dnf",
            "-q",
            "repoquery",
            "--repofrompath",
            f"t,{repo_dir.as_uri()}",
            "--repo",
            "t",
            "--setopt=reposdir=/nonexistent",
            f"--setopt=cachedir={cache}",
            "--qf",
            "%{name}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(set(out.stdout.split()))


def promote_to(history: History, build: int, name: str) -> None:
    row = history.rows()[build]
    with history.session() as s:
        promote(
            s, history.settings(), [PromoteRequest(row.commit_hash, row.distro_hash, name)], None
        )


@pytest.mark.slow
def test_old_repos_go_and_what_kept_repos_link_to_stays(history: History, tmp_path: Path) -> None:
    promote_to(history, 3, "tested")
    history.age([1, 2, 3, 4, 5], days=40, now=NOW)

    the_plan = purge(history)

    # 4 (alpha#2) and 5 (FAILED) go whole; nothing kept links into them.
    # 1 (alpha#1) and 2 (beta#1) are linked by repos that stay: stripped to those RPMs.
    assert actions(history, the_plan) == {1: "strip", 2: "strip", 4: "remove", 5: "remove"}
    assert kept(history, the_plan) == {3: "link 'tested' points at it"}
    assert not repo(history, 4).exists() and not repo(history, 5).exists()
    assert not repo(history, 4).parent.exists(), "the empty shard dir goes too"
    for build in (1, 2):
        left = sorted(os.listdir(repo(history, build)))
        item = next(i for i in the_plan.items if i.relpath == history.rows()[build].repo_dir)
        assert left == list(item.keep_files)
        assert left and all(name.endswith(".rpm") for name in left)
    for build in (3, 6, 7, 8):
        assert (repo(history, build) / "repodata" / "repomd.xml").is_file()
    assert purged_ids(history) == {1, 2, 4, 5}
    assert dangling_links(history.repos) == []
    assert dnf_names(history.repos / "current", tmp_path / "cache") == ["alpha", "beta", "gamma"]
    assert dnf_names(history.repos / "tested", tmp_path / "cache") == ["alpha", "beta", "gamma"]


@pytest.mark.slow
def test_last_good_builds_and_linked_repos_stay_when_everything_is_old(history: History) -> None:
    history.age(list(range(1, 9)), days=100, now=NOW)
    before = tree(history.repos)

    the_plan = plan(history, days=30)

    assert tree(history.repos) == before, "planning changes nothing"
    assert kept(history, the_plan) == {
        6: "last good build of alpha",
        7: "last good build of gamma",
        8: "link 'consistent' points at it",
    }
    # alpha#1 was only linked by beta#1/gamma#1's repos, which go themselves
    assert actions(history, the_plan) == {
        1: "remove",
        2: "strip",
        3: "strip",
        4: "remove",
        5: "remove",
    }
    with history.session() as s:
        result = apply_purge(s, history.repos, the_plan)
    assert (result.removed, result.stripped, result.flagged) == (3, 2, 5)
    assert dangling_links(history.repos) == []
    assert plan(history, days=30).items == (), "a second purge has nothing left to do"


@pytest.mark.slow
def test_newer_builds_are_never_candidates(history: History) -> None:
    history.age([1, 2], days=10, now=NOW)
    assert plan(history, days=30).items == ()
    assert plan(history, days=30).kept == ()


@pytest.mark.slow
def test_an_interrupted_purge_is_finished_by_running_it_again(history: History) -> None:
    history.age(list(range(1, 9)), days=100, now=NOW)
    first = plan(history)
    # killed mid-way: 4's dir already gone (DB not yet flagged), 2 half stripped
    os.rename(repo(history, 4), repo(history, 4).with_name(".tmp-gone"))
    (repo(history, 2) / "commit.yaml").unlink()
    os.rename(repo(history, 2) / "repodata", repo(history, 2) / ".tmp-repodata")

    again = plan(history)

    assert actions(history, again) == {**actions(history, first), 4: "mark"}
    with history.session() as s:
        apply_purge(s, history.repos, again)
    assert purged_ids(history) == {1, 2, 3, 4, 5}
    assert sorted(os.listdir(repo(history, 2))) == sorted(
        next(i for i in again.items if i.relpath == history.rows()[2].repo_dir).keep_files
    )
    assert dangling_links(history.repos) == []
    assert plan(history).items == ()


@pytest.mark.slow
def test_a_promotion_row_protects_its_repo_and_leftovers_go_once_unlinked(
    history: History,
) -> None:
    promote_to(history, 3, "tested")
    history.age([1, 2, 3, 4, 5], days=40, now=NOW)
    purge(history)
    (history.repos / "tested").unlink()  # the link is gone, the newest promotion row is not

    assert kept(history, plan(history)) == {3: "newest promotion 'tested' names it"}

    with history.session() as s:
        s.execute(delete(Promotion))
        s.commit()
    history.age([6, 7, 8], days=40, now=NOW)
    the_plan = purge(history)

    # 3 goes (stripped: alpha#3's repo links gamma#1); alpha#1's leftover RPMs were
    # only linked by 3, so they go now; beta#1's are still linked by 6 and 7.
    assert actions(history, the_plan) == {1: "remove", 3: "strip"}
    assert next(i for i in the_plan.items if i.action == "remove").commit_ids == ()
    assert not repo(history, 1).exists()
    assert repo(history, 2).is_dir()
    assert purged_ids(history) == {1, 2, 3, 4, 5}
    assert dangling_links(history.repos) == []


@pytest.mark.slow
def test_component_scope_and_bad_arguments(history: History) -> None:
    history.age(list(range(1, 9)), days=100, now=NOW)
    assert plan(history, component="network").items == ()
    with pytest.raises(InputError) as err:
        plan(history, days=-1)
    assert str(err.value) == "--older-than -1: expected a number of days >= 0"
    with pytest.raises(UnsafeNameError) as bad:
        plan(history, component="../etc")
    assert str(bad.value) == "component '../etc': not a safe name (no '/', '..', control chars)"


def _synthetic_repo(repos: Path, rel: str, own: str, links: tuple[str, ...] = ()) -> None:
    path = repos / rel
    (path / "repodata").mkdir(parents=True)
    (path / own).write_text(own)
    for target in links:
        os.symlink(os.path.relpath(repos / target, path), path / Path(target).name)


@pytest.mark.db
def test_plan_and_flags_on_every_database_back_end(db_session: Session, tmp_path: Path) -> None:
    """Same rules without RPM builds: a hand-made tree, rows on SQLite, PostgreSQL, MariaDB."""
    repos = tmp_path / "repos"
    old, new = NOW - 90 * DAY, NOW - DAY
    spec = [  # project, repo_dir, own file, links, dt_build
        ("r", "dd/00/r1", "r-1.rpm", (), old),
        ("p", "aa/01/p1", "p-1.rpm", (), old),
        ("q", "bb/02/q1", "q-1.rpm", ("aa/01/p1/p-1.rpm",), old),
        ("r", "ee/00/r2", "r-2.rpm", (), old),
        ("p", "cc/03/p2", "p-2.rpm", ("bb/02/q1/q-1.rpm",), new),
        ("q", "ff/04/q2", "q-2.rpm", (), new),
        ("r", "ab/05/r3", "r-3.rpm", (), new),
    ]
    rows = []
    for project, rel, own, links, dt in spec:
        _synthetic_repo(repos, rel, own, links)
        row = Commit(
            dt_commit=dt, dt_distro=dt, dt_build=dt, project_name=project, repo_dir=rel,
            commit_hash=Path(rel).name, distro_hash="d" * 40, status=BuildStatus.SUCCESS,
            artifacts=f"{rel}/{own}",
        )  # fmt: skip
        db_session.add(row)
        rows.append(row)
    db_session.flush()
    for commit, stamp in ((rows[0], 1), (rows[3], 2)):  # the newest 'pinned' names r2
        db_session.add(Promotion(commit_id=commit.id, promotion_name="pinned", timestamp=stamp))
    db_session.flush()

    the_plan = plan_purge(db_session, repos, older_than_days=30, now=NOW)

    assert [(k.relpath, k.reason) for k in the_plan.kept] == [
        ("ee/00/r2", "newest promotion 'pinned' names it")
    ]
    assert [(i.relpath, i.action, i.keep_files) for i in the_plan.items] == [
        ("aa/01/p1", "remove", ()),
        ("bb/02/q1", "strip", ("q-1.rpm",)),
        ("dd/00/r1", "remove", ()),
    ]
    result = apply_purge(db_session, repos, the_plan)
    assert (result.removed, result.stripped, result.flagged) == (2, 1, 3)
    flagged = {r.repo_dir for r in rows if r.flags & FLAG_PURGED}
    assert flagged == {"aa/01/p1", "bb/02/q1", "dd/00/r1"}
    assert os.listdir(repos / "bb/02/q1") == ["q-1.rpm"]
    assert dangling_links(repos) == []
