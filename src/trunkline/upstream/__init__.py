"""Following upstream: git mirrors, commit discovery, source tarballs, version detection."""
