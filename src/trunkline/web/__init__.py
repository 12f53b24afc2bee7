"""The dashboard: read-only pages over every builder of a site (``trunkline web``)."""
