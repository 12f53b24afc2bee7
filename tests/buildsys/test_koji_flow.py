"""The ``koji`` build system through the real ``koji`` client library against a fake hub.

The same flow as the local one (build → candidate → testing → release, gated by
CI votes through the API, each promotion pushed for review), through the
installed script; the hub (``tests/fakes/koji_hub.py``) is a real XML-RPC
server on loopback, so the client's login, header sessions, keyword encoding,
task polling and fault decoding are exercised for real.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.buildsys.conftest import ci_api, trunkline
from tests.buildsys.test_local_flow import NVR, RULES, _hash
from tests.buildsys.world import RELEASE, TAGS, StableWorld
from tests.fakes.koji_hub import FakeHub, running_hub

TARGET = f"cloud9s-openstack-{RELEASE}-el9s"
HUB_PASSWORD = "hub-pass"


@pytest.fixture
def hub() -> FakeHub:
    return FakeHub(
        user="rdo-bot",
        password=HUB_PASSWORD,
        dist=".el9s",
        targets={TARGET: TAGS[0]},
        tags=set(TAGS),
    )


@pytest.fixture
def hub_url(hub: FakeHub) -> Iterator[str]:
    with running_hub(hub) as url:
        yield url


def koji_config(world: StableWorld, url: str, *extra: str, password: str = HUB_PASSWORD) -> Path:
    secret = world.root / "koji-password"
    secret.write_text(password + "\n")
    return world.config(
        RULES,
        "poll_interval = 0.01",
        *extra,
        driver_lines=(
            f'driver = "koji"\nhub_url = "{url}"\nkoji_user = "rdo-bot"\n'
            f'koji_password_file = "{secret}"\n'
        ),
    )


def test_koji_flow_through_the_fake_hub(
    stable_world: StableWorld, hub: FakeHub, hub_url: str
) -> None:
    cfg = koji_config(stable_world, hub_url)
    built = trunkline(cfg, "stable", "build", "python-foo", "--release", RELEASE)
    assert built.code == 0, built.err
    assert hub.builds[NVR]["task_id"] == 1 and hub.tagged[TAGS[0]] == [NVR]
    assert hub.calls.count("getTaskInfo") >= 2  # the client polled until CLOSED
    assert hub.calls[0] == "login"

    with ci_api(cfg) as vote:
        refused = trunkline(cfg, "stable", "promote", NVR, "--to", "testing")
        assert refused.code == 11 and "rules of testing not met" in refused.err
        vote("ci-unit", _hash(built.out))
        to_testing = trunkline(cfg, "stable", "promote", NVR, "--to", "testing")
        assert to_testing.code == 0, to_testing.err
        assert hub.tagged[TAGS[1]] == [NVR] and "tagBuild" in hub.calls
        stable_world.merge_review()
        assert f"{TAGS[1]}: {NVR}" in stable_world.metadata_file(f"buildsys-tags/{TAGS[1]}.yml")
        twice = trunkline(cfg, "stable", "promote", NVR, "--to", "testing")
        assert (
            twice.code == 11 and "already in" in twice.err and "(and in the metadata)" in twice.err
        )

        # a run killed after tagging, before its review: the next run pushes the review
        # (the rules still apply: no vote on testing yet)
        hub.tagged[TAGS[2]] = [NVR]
        assert trunkline(cfg, "stable", "promote", NVR, "--to", "release").code == 11
        vote("ci-integration", _hash(to_testing.out))
        tag_calls = hub.calls.count("tagBuild")
        released = trunkline(cfg, "stable", "promote", NVR, "--to", "release")
    assert released.code == 0, released.err
    assert hub.tagged[TAGS[2]] == [NVR] and hub.calls.count("tagBuild") == tag_calls
    assert f"{TAGS[2]}: {NVR}" in stable_world.metadata_file(
        f"buildsys-tags/{TAGS[2]}.yml", "refs/for/master"
    )
    stable_world.merge_review()

    again = trunkline(cfg, "stable", "build", "python-foo", "--release", RELEASE)
    assert again.code == 7 and len(again.err.splitlines()) == 1
    assert "failed on" in again.err  # the hub refused the same NVR twice


@pytest.mark.parametrize(
    ("password", "url", "says"),
    [
        ("wrong", None, r"koji login on http://127\.0\.0\.1:\d+/kojihub: .*Invalid username"),
        (HUB_PASSWORD, "http://127.0.0.1:9/kojihub", "cannot talk to the hub at"),
    ],
    ids=["bad-password", "unreachable-hub"],
)
def test_koji_hub_errors_are_one_line(
    stable_world: StableWorld, hub_url: str, password: str, url: str | None, says: str
) -> None:
    cfg = koji_config(stable_world, url or hub_url, password=password)
    got = trunkline(cfg, "stable", "build", "python-foo", "--release", RELEASE)
    assert got.code == 7, got.err
    assert len(got.err.splitlines()) == 1
    assert re.search(says, got.err), got.err
