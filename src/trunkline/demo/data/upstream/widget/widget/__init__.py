"""widget: a project with no version metadata and no tags (version falls back to 0.0.1)."""
