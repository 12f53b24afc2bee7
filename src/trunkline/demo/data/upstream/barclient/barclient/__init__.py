"""barclient: talks to the demo bar service."""

API_VERSION = "2"
