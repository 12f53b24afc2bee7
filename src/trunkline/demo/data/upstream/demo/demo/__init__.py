"""demo: an OpenStack-like service for the trunkline demo."""
