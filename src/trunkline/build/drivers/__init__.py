"""Build drivers, registered by short name and imported lazily."""
