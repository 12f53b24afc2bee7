"""Publishing builds as immutable hashed dnf repositories and moving the named links."""
