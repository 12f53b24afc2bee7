"""Maintainer tools for distgits (rdopkg-style)."""
