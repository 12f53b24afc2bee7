"""trunkline: a continuous-delivery packager for RPM distributions.

It follows upstream git repositories listed in rdoinfo-style packaging metadata,
builds an RPM for every new upstream commit and publishes each build as an
immutable, commit-hash-named dnf repository. See DESIGN.md for the concepts.
"""


def __getattr__(name: str) -> str:
    """``__version__``, computed on first use: importlib.metadata costs ~15 ms per command."""
    if name != "__version__":
        raise AttributeError(f"module 'trunkline' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("trunkline")
    except PackageNotFoundError:  # running from a source tree without install
        value = "0.0.0"
    globals()["__version__"] = value
    return value
