"""bazutils: utilities for the demo."""

DEFAULT_TIMEOUT = 30
