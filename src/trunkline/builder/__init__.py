"""Building one commit: tarball, spec rewrite, SRPM, binary RPMs; and the run that drives it."""
