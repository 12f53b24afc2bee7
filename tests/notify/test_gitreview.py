"""The ``git`` review driver: reviews as refs/for/<branch> of a real bare git remote."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import git
from tests.notify import payloads
from tests.notify.reviews import BRANCH, SPEC, envelope, for_refs, open_ftbfs, row
from trunkline import gitcmd
from trunkline.config import Settings, settings_from_dict
from trunkline.db.engine import session_scope
from trunkline.db.models import Ftbfs
from trunkline.errors import ConfigError, DeliveryError
from trunkline.notify import notify_routes, notify_senders
from trunkline.notify.gitreview import (
    GitReviewDriver,
    parse_review_url,
    review_url,
    with_topic,
)
from trunkline.notify.review import ReviewRef, change_id
from trunkline.notify.reviewpush import scratch
from trunkline.outbox.dispatch import Sender

FOR = f"refs/for/{BRANCH}"


def settings(tmp_path: Path, **gerrit: str) -> Settings:
    return settings_from_dict(
        {
            "builder": {"name": "centos9-master", "data_dir": str(tmp_path / "data")},
            "notify": {"review": "git", "gerrit": gerrit},
        }
    )


def sender(tmp_path: Path, factory: sessionmaker[Session]) -> Sender:
    s = settings(tmp_path, topic="ftbfs-centos9", author="RDO Trunk <trunk@example.org>")
    assert [r.channel for r in notify_routes(s)] == ["review"]
    return notify_senders(s, factory)["review"]


def opened(tmp_path: Path, factory: sessionmaker[Session], remote: Path) -> tuple[Sender, int]:
    """A review pushed for a new FTBFS; the sender and the FTBFS id."""
    fid = open_ftbfs(factory)
    send = sender(tmp_path, factory)
    send.send(envelope("ftbfs.opened", payloads.opened(ftbfs_id=fid, review_origin=str(remote))))
    return send, fid


def test_the_review_is_a_plain_refs_for_branch_with_the_topic_as_a_trailer(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path
) -> None:
    fid = open_ftbfs(factory)
    payload = payloads.opened(ftbfs_id=fid, review_origin=str(remote))
    detail = sender(tmp_path, factory).send(envelope("ftbfs.opened", payload))
    cid = change_id("centos9-master", fid)
    url = f"{remote}#{FOR}"
    assert detail == f"review {cid} {url}"
    assert row(factory, fid) == (cid, url, "open")
    # one ref, named refs/for/<branch> (no %topic= suffix a plain remote would keep)
    [(ref, sha)] = for_refs(remote).items()
    assert ref == FOR
    assert git(remote, "rev-parse", f"{sha}^") == git(remote, "rev-parse", BRANCH)
    spec = git(remote, "show", f"{sha}:openstack-nova.spec")
    culprit_url = payload["culprit"]["upstream"]["url"]
    assert spec == SPEC + f"# REMOVEME: error caused by commit {culprit_url}"
    assert git(remote, "log", "-1", "--format=%an <%ae>", sha) == "RDO Trunk <trunk@example.org>"
    # git itself reads both trailers (the oracle), the Change-Id last as Gerrit wants it
    trailers = git(remote, "log", "-1", "--format=%(trailers:only)", sha).splitlines()
    assert trailers == ["Topic: ftbfs-centos9", f"Change-Id: {cid}"]
    assert GitReviewDriver().state(ReviewRef(cid, url)) == "open"


def test_a_resend_reuses_the_pushed_ref(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path
) -> None:
    send, fid = opened(tmp_path, factory, remote)
    pushed, recorded = for_refs(remote), row(factory, fid)
    with session_scope(factory) as s:  # a kill between the push and its record
        r = s.get(Ftbfs, fid)
        assert r is not None
        r.review_id = r.review_url = r.review_state = None
    payload = payloads.opened(ftbfs_id=fid, review_origin=str(remote), opened_at=1_764_000_999)
    send.send(envelope("ftbfs.opened", payload))  # another date: a push would be a new commit
    assert for_refs(remote) == pushed
    assert row(factory, fid) == recorded


def test_a_fixed_ftbfs_deletes_the_ref_and_records_the_comment(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path
) -> None:
    send, fid = opened(tmp_path, factory, remote)
    cid = change_id("centos9-master", fid)
    [sha] = for_refs(remote).values()
    detail = send.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))
    assert detail.startswith(f"review {cid}: abandoned (deleted {FOR} ({sha[:12]}); comment ")
    assert "fixed by the distgit commit fff0001aaa Fix %files" in detail
    assert for_refs(remote) == {}
    assert row(factory, fid)[2] == "abandoned"
    assert GitReviewDriver().state(ReviewRef(cid, f"{remote}#{FOR}")) == "abandoned"
    # a second fixed message (a resend) finds it abandoned and deletes nothing
    again = send.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))
    assert again == f"review {cid}: abandoned"


def test_a_review_merged_into_the_branch_is_merged_and_kept(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path
) -> None:
    send, fid = opened(tmp_path, factory, remote)
    cid = change_id("centos9-master", fid)
    [sha] = for_refs(remote).values()
    # the maintainer amends the fix into the review commit (same Change-Id) and pushes it
    work = tmp_path / "maintainer"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(remote), str(work))
    git(work, "fetch", "-q", "origin", FOR)
    git(work, "reset", "-q", "--hard", "FETCH_HEAD")
    message = git(work, "log", "-1", "--format=%B").replace("failed to build", "fix the build")
    (work / "openstack-nova.spec").write_text(SPEC + "%files\n")
    git(work, "commit", "-q", "-a", "--amend", "-m", message)
    git(work, "commit", "-q", "--allow-empty", "-m", "A later commit on the branch")
    git(work, "push", "-q", "origin", f"HEAD:{BRANCH}")
    detail = send.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))
    assert detail == f"review {cid}: merged"
    assert row(factory, fid)[2] == "merged"
    assert for_refs(remote) == {FOR: sha}  # a merged review is not abandoned


def test_someone_else_s_change_under_the_ref_is_never_deleted(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path
) -> None:
    send, fid = opened(tmp_path, factory, remote)
    cid = change_id("centos9-master", fid)
    [ours] = for_refs(remote).values()
    # a packager pushes their own change for review to the same ref
    work = tmp_path / "packager"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(remote), str(work))
    git(work, "commit", "-q", "--allow-empty", "-m", "Bump\n\nChange-Id: I" + "1" * 40)
    git(work, "push", "-q", "-f", "origin", f"HEAD:{FOR}")
    theirs = git(work, "rev-parse", "HEAD")
    ref = ReviewRef(cid, f"{remote}#{FOR}")
    driver = GitReviewDriver()
    assert driver.state(ref) == "abandoned"
    assert driver.abandon(ref, "fixed").startswith(f"{FOR} no longer holds {cid}: nothing")
    assert for_refs(remote) == {FOR: theirs}
    # and the lease: a deletion that saw our commit there leaves a moved ref alone
    with scratch(timeout=60) as tmp:
        said = driver._delete(gitcmd.at(tmp), str(remote), FOR, ours)
    assert said == f"{FOR} moved away from {ours[:12]}: left alone"
    assert for_refs(remote) == {FOR: theirs}
    assert send.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid))).endswith("abandoned")


@pytest.mark.parametrize(
    ("remote", "branch"),
    [
        ("file:///srv/review/nova.git", "rpm-master"),
        ("ssh://trunk@review.example.org:29418/openstack/nova-distgit.git", "stable/2025.2"),
        ("/srv/c#1/nova.git", "rpm-master"),  # a '#' in the remote itself
    ],
)
def test_the_review_url_gives_back_its_remote_and_branch(remote: str, branch: str) -> None:
    url = review_url(remote, branch)
    assert url == f"{remote}#refs/for/{branch}"
    assert parse_review_url(url) == (remote, branch)


def test_a_url_of_another_driver_is_refused() -> None:
    with pytest.raises(DeliveryError, match="is not <remote>#refs/for/<branch>"):
        parse_review_url("https://review.example.org/q/I0123")


def test_the_topic_trailer_goes_before_the_change_id() -> None:
    assert (
        with_topic("s\n\nbody\n\nChange-Id: Iab\n", "t")
        == "s\n\nbody\n\nTopic: t\nChange-Id: Iab\n"
    )
    assert with_topic("s\n", "t") == "s\n\nTopic: t\n"


def test_an_unreachable_remote_is_a_delivery_error(tmp_path: Path) -> None:
    ref = ReviewRef("I" + "0" * 40, f"{tmp_path / 'missing.git'}#{FOR}")
    with pytest.raises(DeliveryError, match=r"missing\.git"):
        GitReviewDriver(git_timeout=30).state(ref)
    with pytest.raises(DeliveryError, match=r"missing\.git"):
        GitReviewDriver(git_timeout=30).abandon(ref, "fixed")


@pytest.mark.parametrize(
    ("gerrit", "error"),
    [
        ({}, None),
        ({"topic": "ftbfs", "author": "RDO Trunk <trunk@example.org>"}, None),
        (
            {"url": "https://review.example.org"},
            "key 'notify.gerrit.url': used only with review = \"gerrit\"",
        ),
        ({"user": "bot", "password_env": "PW"}, "key 'notify.gerrit.password_env': used only with"),
    ],
)
def test_review_git_takes_the_commit_keys_and_refuses_gerrit_s_rest(
    tmp_path: Path, gerrit: dict[str, str], error: str | None
) -> None:
    if error is None:
        assert settings(tmp_path, **gerrit).notify.review == "git"
        return
    with pytest.raises(ConfigError, match=error) as caught:
        settings(tmp_path, **gerrit)
    assert "\n" not in str(caught.value)


def test_gerrit_keys_without_a_review_driver_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'used only with review = "gerrit" or "git"'):
        settings_from_dict({"notify": {"gerrit": {"topic": "ftbfs"}}})
