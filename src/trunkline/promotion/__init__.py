"""CI votes and promotions: recording votes, moving named links, promotion rules.

The API handlers call these services and never touch the filesystem; each
failure is one of the error classes below, which the API maps to one HTTP status
(DLRN's codes) in one place.
"""

from __future__ import annotations

from trunkline.errors import PromotionError


class UnknownBuildError(PromotionError):
    """No SUCCESS build (or aggregate) has the given hashes (HTTP 400, as DLRN)."""


class NoVoteError(PromotionError):
    """No CI vote matches a "last tested repo" query (HTTP 400, as DLRN)."""


class ReservedNameError(PromotionError):
    """A promotion name the builder itself owns: ``current``, ``consistent`` (HTTP 403)."""


class PurgedBuildError(PromotionError):
    """The build's repo was purged and cannot be promoted (HTTP 410)."""
