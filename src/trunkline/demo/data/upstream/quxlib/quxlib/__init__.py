"""quxlib: the demo's data structures."""
