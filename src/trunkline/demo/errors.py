"""The demo's one error: a promise of the README that the demo saw broken."""

from __future__ import annotations

from trunkline.errors import TrunklineError


class DemoError(TrunklineError):
    """The demo did not behave as documented."""

    exit_code = 20
