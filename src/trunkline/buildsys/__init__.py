"""Stable (tag) builds through a build system: Koji/CBS or trunkline's own ``local`` one.

``base.py`` is the :class:`~trunkline.buildsys.base.BuildSystem` Protocol both
drivers implement; ``make_build_system`` picks one by its short name
(``[stable] driver``), importing it lazily. ``phases.py`` names the tags of a
release's phases (candidate → testing → release), ``stable.py`` is the service
the ``trunkline stable`` commands call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trunkline.errors import BuildError, PromotionError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from trunkline.buildsys.base import BuildSystem
    from trunkline.config import Settings


class BuildSystemError(BuildError):
    """The build system refused a call, a task failed, or the hub cannot be reached (exit 7)."""


class PhaseError(PromotionError):
    """A build cannot move to the asked phase: not in the phase below, rules unmet (exit 11)."""


class SigningError(PromotionError):
    """The release phase's signing failed; the build stays in testing (exit 11)."""


def make_build_system(settings: Settings, session: Session) -> BuildSystem:
    """The build system ``[stable] driver`` names (imported lazily: koji only when used).

    Args:
        settings: the whole config (``local`` needs the repos dir and build settings).
        session: the database session (``local`` keeps its builds and tags there).
    """
    if settings.stable.driver == "koji":
        from trunkline.buildsys.koji_driver import KojiBuildSystem

        return KojiBuildSystem(settings.stable)
    from trunkline.buildsys.local import LocalBuildSystem

    return LocalBuildSystem(settings, session)
