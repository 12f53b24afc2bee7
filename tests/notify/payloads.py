"""ftbfs.* payloads as the contract gives them (every field present, null when unknown)."""

from __future__ import annotations

from typing import Any

from trunkline.outbox.dispatch import Envelope

EXCERPT = [
    "+ python3 setup.py build",
    "running build_py",
    "error: package directory 'nova/compute' does not exist",
    "error: Bad exit status from /var/tmp/rpm-tmp.x1 (%build)",
]


def common(**over: Any) -> dict[str, Any]:
    """The keys of every ftbfs.* payload."""
    base: dict[str, Any] = {
        "ftbfs_id": 7,
        "builder": "centos9-master",
        "package": "openstack-nova",
        "component": "compute",
        "maintainers": ["ann@example.org", "bob@example.org"],
        "opened_at": 1_764_000_000,
        "nvr": "openstack-nova-31.0.0-0.20251124.abc1234.el9",
        "distgit_branch": "rpm-master",
        "upstream_branch": "master",
        "distgit_url": "https://github.com/rdo-packages/nova-distgit",
        "upstream_url": "https://opendev.org/openstack/nova",
        "review_origin": None,
        "log_url": "https://trunk.example.org/centos9/ab/c1/abc1234_def5678/rpmbuild.log",
        "repo_url": "https://trunk.example.org/centos9/ab/c1/abc1234_def5678",
        "commit_id": 1,
    }
    return {**base, **over}


def culprit(state: str = "single") -> dict[str, Any]:
    """A culprit object; no commit for unknown/bisecting."""
    if state in ("unknown", "bisecting"):
        return {"state": state, "upstream": None, "distgit": None}
    return {
        "state": state,
        "upstream": {
            "hash": "abc1234def5678abc1234def5678abc1234def56",
            "subject": "Move compute into a namespace package",
            "author": "Carol Coder <carol@example.org>",
            "url": "https://opendev.org/openstack/nova/commit/abc1234def5678",
        },
        "distgit": None,
    }


def opened(**over: Any) -> dict[str, Any]:
    """An ftbfs.opened payload."""
    return common(**{"culprit": culprit(), "log_excerpt": list(EXCERPT), "attempts": 1, **over})


def fixed(**over: Any) -> dict[str, Any]:
    """An ftbfs.fixed payload: fixed by a distgit commit 2 d 3 h later."""
    fix = {
        "hash": "fff0001aaa",
        "subject": "Fix %files for the namespace package",
        "author": "Ann Packager <ann@example.org>",
        "url": "https://github.com/rdo-packages/nova-distgit/commit/fff0001aaa",
    }
    base = {
        "fixed_by": "distgit",
        "fix": fix,
        "closed_at": 1_764_000_000 + 2 * 86400 + 3 * 3600,
        "duration_seconds": 2 * 86400 + 3 * 3600,
        "review_id": None,
        "review_url": None,
    }
    return common(**{**base, **over})


def envelope(topic: str, payload: dict[str, Any], mid: str = "0f" * 16) -> Envelope:
    """An outbox envelope as the dispatcher hands it to a sender."""
    return Envelope(mid, "mail", topic, payload, created_at=1_764_000_100, attempt=1)
