"""trunkline: a continuous-delivery packager for RPM distributions.

It follows upstream git repositories listed in rdoinfo-style packaging metadata,
builds an RPM for every new upstream commit and publishes each build as an
immutable, commit-hash-named dnf repository. See DESIGN.md for the concepts.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("trunkline")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
