"""API request and response schemas."""
