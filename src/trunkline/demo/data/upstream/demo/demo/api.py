"""The demo service's API entry point."""

from barclient import API_VERSION


def version() -> str:
    return API_VERSION
