"""Spec files: the specfile adapter, NVR conventions and rpm version comparison."""
