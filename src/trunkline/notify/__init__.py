"""Notifications (mail on FTBFS)."""
