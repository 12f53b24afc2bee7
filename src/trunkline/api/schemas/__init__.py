"""Request and response models of the REST API (they are the OpenAPI spec)."""
