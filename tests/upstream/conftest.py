"""Fixtures of the upstream tests."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from trunkline import process


@pytest.fixture
def commands_run(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every command ``trunkline.process`` runs during the test, in order (clear it to start)."""
    ran: list[list[str]] = []
    account = process._account

    def record(argv: Sequence[str], seconds: float) -> None:
        ran.append(list(argv))
        account(list(argv), seconds)

    monkeypatch.setattr(process, "_account", record)
    return ran
