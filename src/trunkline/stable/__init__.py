"""Stable releases: update proposals for the ``NAME-rdo`` distgit branches.

``candidates`` finds the upstream release tags a stable distgit lacks, ``review``
names and finds proposals in the review remote and pushes them, ``verify`` builds
a proposal from the tag's tarball, ``propose`` runs the whole thing per package.
"""
