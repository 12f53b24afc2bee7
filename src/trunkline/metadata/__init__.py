"""Packaging metadata (rdoinfo format): load, query, validate, diff, edit."""
