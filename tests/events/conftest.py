"""Fixtures of the event tests: a RabbitMQ consumer, the schemas, a small builder world."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from tests.events.rabbit import Consumer, consumer
from trunkline.events.payloads import SCHEMA_DIR

Validators = dict[str, jsonschema.protocols.Validator]


@pytest.fixture
def bus() -> Iterator[Consumer]:
    """A private exchange with a queue that sees every message."""
    yield from consumer()


@pytest.fixture(scope="session")
def validators() -> Validators:
    """One JSON Schema validator per topic, from the shipped schema files."""
    out: Validators = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        out[path.name.removesuffix(".json")] = jsonschema.Draft202012Validator(schema)
    return out


def check_valid(validators: Validators, topic: str, body: dict[str, Any]) -> None:
    """``body`` is valid against ``topic``'s schema and names it."""
    assert body["schema"].startswith(f"trunkline.{topic}/")
    errors = sorted(validators[topic].iter_errors(body), key=str)
    assert not errors, f"{topic}: {errors[0].message}"


@pytest.fixture
def world(tmp_path: Path) -> CycleWorld:
    """Two packages that build (``alpha``, ``beta``) and one that fails (``broken``)."""
    w = make_cycle_world(tmp_path / "world", ("alpha", "beta", "broken"))
    w.break_upstream("broken")
    return w
