"""The shipped schemas: valid JSON Schema, one per topic the producers name, strict enough."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.events.conftest import Validators
from trunkline.events.amqp import body_of
from trunkline.events.payloads import VERSIONS, schema_id
from trunkline.outbox.dispatch import Envelope

# an ftbfs.opened payload as the outbox contract gives it (the FTBFS lifecycle produces it)
FTBFS_OPENED: dict[str, Any] = {
    "ftbfs_id": 7,
    "builder": "centos9-master",
    "package": "python-foo",
    "component": None,
    "maintainers": ["jdoe@example.com"],
    "opened_at": 1_700_000_000,
    "nvr": "python-foo-1.0-0.20251120.abc1234.el9s",
    "distgit_branch": "rpm-master",
    "upstream_branch": "master",
    "distgit_url": "https://src.example.org/rpms/python-foo",
    "upstream_url": "https://opendev.org/openstack/foo",
    "review_origin": None,
    "log_url": None,
    "repo_url": None,
    "commit_id": 42,
    "culprit": {
        "state": "single",
        "upstream": {"hash": "abc1234", "subject": "Drop py3.9", "author": "A", "url": None},
        "distgit": None,
    },
    "log_excerpt": ["error: File not found: foo.conf"],
    "attempts": 1,
    "event_id": "0" * 32,
}


def test_every_topic_has_a_schema_file(validators: Validators) -> None:
    assert sorted(validators) == sorted(VERSIONS)
    for topic, validator in validators.items():
        assert validator.schema["properties"]["schema"] == {"const": schema_id(topic)}


def test_a_producer_without_the_schema_field_gets_it_on_the_wire(validators: Validators) -> None:
    env = Envelope("m1", "amqp", "ftbfs.opened", FTBFS_OPENED, 1_700_000_000, 1)
    import json

    body = json.loads(body_of(env))
    assert body["schema"] == "trunkline.ftbfs.opened/1"
    assert not list(validators["ftbfs.opened"].iter_errors(body))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda b: b.pop("nvr"), "nvr"),
        (lambda b: b.__setitem__("opened_at", "yesterday"), "opened_at"),
        (lambda b: b["culprit"].__setitem__("state", "guessed"), "state"),
        (lambda b: b.__setitem__("log_excerpt", ["x"] * 51), "log_excerpt"),
    ],
)
def test_the_schemas_refuse_what_breaks_the_contract(
    validators: Validators, change: Any, path: str
) -> None:
    body = {"schema": "trunkline.ftbfs.opened/1", **copy.deepcopy(FTBFS_OPENED)}
    change(body)
    errors = list(validators["ftbfs.opened"].iter_errors(body))
    assert errors and any(path in (e.message + str(list(e.path))) for e in errors)
