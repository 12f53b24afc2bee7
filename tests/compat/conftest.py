"""Fixtures for side-by-side checks against peer tools installed in their own venvs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat.rdopkg_peer import ensure_rdopkg


@pytest.fixture(scope="session")
def rdopkg_python() -> Path:
    """rdopkg 1.8.0's venv python (created once under .peers/rdopkg-distgit)."""
    return ensure_rdopkg()
