"""Reviews on FTBFS: a real push to a bare git review remote, Gerrit's REST faked on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import git
from tests.fakes.gerrit import FakeGerrit, fake_gerrit
from tests.notify import payloads
from tests.notify.reviews import BRANCH, SPEC, envelope, for_refs, open_ftbfs, row
from trunkline.config import Settings, settings_from_dict
from trunkline.db.engine import session_scope
from trunkline.db.models import Ftbfs
from trunkline.errors import DeliveryError
from trunkline.notify import notify_routes, notify_senders
from trunkline.notify.review import NoReview, ReviewRef, change_id
from trunkline.outbox.dispatch import Sender

# What Gerrit's receive-pack says about a new change (a hook on the bare repo says it too).
GERRIT_SAYS = "  https://review.example.org/c/openstack/nova-distgit/+/4242 nova: failed [NEW]"


def settings(tmp_path: Path, gerrit: FakeGerrit) -> Settings:
    secret = tmp_path / "gerrit-password"
    secret.write_text(gerrit.password + "\n")
    return settings_from_dict(
        {
            "builder": {"name": "centos9-master", "data_dir": str(tmp_path / "data")},
            "notify": {
                "review": "gerrit",
                "gerrit": {
                    "url": gerrit.url,
                    "user": gerrit.user,
                    "password_file": str(secret),
                    "author": "RDO Trunk <trunk@example.org>",
                },
                "timeout": 5.0,
            },
        }
    )


def review_sender(tmp_path: Path, gerrit: FakeGerrit, factory: sessionmaker[Session]) -> Sender:
    s = settings(tmp_path, gerrit)
    assert [r.channel for r in notify_routes(s)] == ["review"]
    return notify_senders(s, factory)["review"]


@pytest.mark.parametrize("gerrit_prints_url", [False, True])
def test_an_opened_ftbfs_pushes_a_change_for_review(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path, gerrit_prints_url: bool
) -> None:
    if gerrit_prints_url:  # a hook's output reaches the pusher as "remote: ..." lines
        hook = remote / "hooks" / "post-receive"
        hook.write_text(f"#!/bin/sh\necho '{GERRIT_SAYS}'\n")
        hook.chmod(0o755)
    fid = open_ftbfs(factory)
    payload = payloads.opened(ftbfs_id=fid, review_origin=str(remote))
    with fake_gerrit() as gerrit:
        detail = review_sender(tmp_path, gerrit, factory).send(envelope("ftbfs.opened", payload))
    cid = change_id("centos9-master", fid)
    url = (
        "https://review.example.org/c/openstack/nova-distgit/+/4242"
        if gerrit_prints_url
        else f"{gerrit.url}/q/{cid}"
    )
    assert detail == f"review {cid} {url}"
    assert row(factory, fid) == (cid, url, "open")
    # the push is real: a commit on the branch tip under refs/for/<branch>%topic=<builder>
    [(ref, sha)] = for_refs(remote).items()
    assert ref == f"refs/for/{BRANCH}%topic=centos9-master"
    assert git(remote, "rev-parse", f"{sha}^") == git(remote, "rev-parse", BRANCH)
    message = git(remote, "log", "-1", "--format=%B", sha)
    assert message.splitlines()[0] == f"openstack-nova: failed to build {payload['nvr']} on " + (
        "centos9-master"
    )
    assert message.splitlines()[-1] == f"Change-Id: {cid}"
    assert len(cid) == 41 and cid.startswith("I")
    for line in payloads.EXCERPT:
        assert f"    {line}" in message
    assert git(remote, "log", "-1", "--format=%an <%ae>", sha) == "RDO Trunk <trunk@example.org>"
    spec = git(remote, "show", f"{sha}:openstack-nova.spec")
    culprit_url = payload["culprit"]["upstream"]["url"]
    assert spec == SPEC + f"# REMOVEME: error caused by commit {culprit_url}"  # DLRN's line


def test_a_resend_never_opens_a_second_review(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path
) -> None:
    fid = open_ftbfs(factory)
    payload = payloads.opened(ftbfs_id=fid, review_origin=str(remote))
    with fake_gerrit() as gerrit:
        sender = review_sender(tmp_path, gerrit, factory)
        sender.send(envelope("ftbfs.opened", payload))
        pushed = for_refs(remote)
        recorded = row(factory, fid)
        # the row has the review: nothing pushed
        again = sender.send(envelope("ftbfs.opened", payload))
        assert again == f"FTBFS #{fid} already has review {recorded[0]}: nothing pushed"
        # a kill between the push and its record: the remote's change is found and reused
        with session_scope(factory) as s:
            r = s.get(Ftbfs, fid)
            assert r is not None
            r.review_id = r.review_url = r.review_state = None
        sender.send(envelope("ftbfs.opened", payload))
    assert for_refs(remote) == pushed
    assert row(factory, fid) == recorded


@pytest.mark.parametrize(
    ("status", "recorded", "abandoned"),
    [("NEW", "abandoned", True), ("MERGED", "merged", False), ("ABANDONED", "abandoned", False)],
)
def test_a_fixed_ftbfs_abandons_its_review_unless_it_was_the_fix(
    tmp_path: Path, factory: sessionmaker[Session], status: str, recorded: str, abandoned: bool
) -> None:
    fid = open_ftbfs(factory)
    cid = change_id("centos9-master", fid)
    with session_scope(factory) as s:
        r = s.get(Ftbfs, fid)
        assert r is not None
        r.review_id, r.review_url, r.review_state = cid, "https://r/q/x", "open"
    with fake_gerrit(FakeGerrit(status={cid: status})) as gerrit:
        sender = review_sender(tmp_path, gerrit, factory)
        detail = sender.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))
    assert detail == f"review {cid}: {recorded}"
    assert row(factory, fid)[2] == recorded
    assert gerrit.status[cid] == ("ABANDONED" if abandoned else status)
    assert (f"POST /a/changes/{cid}/abandon" in gerrit.requests) == abandoned
    if abandoned:
        comment = gerrit.abandoned_with[cid]
        assert "fixed by the distgit commit fff0001aaa Fix %files" in comment


def test_nothing_to_review(tmp_path: Path, factory: sessionmaker[Session], remote: Path) -> None:
    fid = open_ftbfs(factory)
    with fake_gerrit() as gerrit:
        sender = review_sender(tmp_path, gerrit, factory)
        no_origin = sender.send(envelope("ftbfs.opened", payloads.opened(ftbfs_id=fid)))
        no_review = sender.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))
        with session_scope(factory) as s:
            r = s.get(Ftbfs, fid)
            assert r is not None
            r.closed_at = 1_764_100_000
        late = sender.send(
            envelope("ftbfs.opened", payloads.opened(ftbfs_id=fid, review_origin=str(remote)))
        )
    assert no_origin == "openstack-nova has no review-origin in the metadata: no review"
    assert no_review == f"FTBFS #{fid} has no review: nothing to abandon"
    assert late == f"FTBFS #{fid} was fixed before its review was pushed: no review"
    assert for_refs(remote) == {} and gerrit.requests == []
    assert row(factory, fid) == (None, None, None)


def test_failures_are_delivery_errors(
    tmp_path: Path, factory: sessionmaker[Session], remote: Path
) -> None:
    fid = open_ftbfs(factory)
    gone = payloads.opened(ftbfs_id=fid, review_origin=str(tmp_path / "missing.git"))
    with fake_gerrit() as gerrit:
        sender = review_sender(tmp_path, gerrit, factory)
        with pytest.raises(DeliveryError, match=r"missing\.git"):
            sender.send(envelope("ftbfs.opened", gone))
        with session_scope(factory) as s:
            r = s.get(Ftbfs, fid)
            assert r is not None
            r.review_id = "I" + "0" * 40
        with pytest.raises(DeliveryError, match=r"404 Not found: I0+"):
            sender.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))
    assert row(factory, fid)[0] == "I" + "0" * 40  # kept for the retry
    with pytest.raises(DeliveryError, match=r"gerrit .*(Connection refused|All connection)"):
        sender.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))


def test_the_none_driver_does_nothing() -> None:
    driver = NoReview()
    ref = ReviewRef("", "")
    assert driver.state(ref) == "abandoned"
    assert driver.abandon(ref, "x") is None
    none = settings_from_dict({"notify": {"review": "none"}})
    assert notify_routes(none) == []


@pytest.mark.db
def test_the_review_is_recorded_and_closed_on_every_back_end(
    tmp_path: Path, db_session: Session, remote: Path
) -> None:
    factory = sessionmaker(bind=db_session.connection(), join_transaction_mode="create_savepoint")
    fid = open_ftbfs(factory)
    cid = change_id("centos9-master", fid)
    with fake_gerrit() as gerrit:
        sender = review_sender(tmp_path, gerrit, factory)
        payload = payloads.opened(ftbfs_id=fid, review_origin=str(remote))
        sender.send(envelope("ftbfs.opened", payload))
        assert row(factory, fid) == (cid, f"{gerrit.url}/q/{cid}", "open")
        gerrit.status[cid] = "NEW"  # Gerrit received the push
        sender.send(envelope("ftbfs.fixed", payloads.fixed(ftbfs_id=fid)))
    assert row(factory, fid) == (cid, f"{gerrit.url}/q/{cid}", "abandoned")
    assert gerrit.status[cid] == "ABANDONED"
