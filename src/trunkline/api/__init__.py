"""The REST API (DLRN-compatible) served with FastAPI."""
