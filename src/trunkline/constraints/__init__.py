"""Upper-constraints reports."""
