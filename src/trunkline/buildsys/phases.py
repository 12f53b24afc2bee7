"""The phases of a stable build and the tags naming them (CBS's CloudSIG levels).

A release's builds move ``candidate`` → ``testing`` → ``release``, one phase at
a time; each phase is a tag ``[stable] tag_pattern`` names
(``cloud9s-openstack-{release}-{phase}``, as CBS). Only ``release`` is signed
(docs.infra.centos.org/buildsys/koji-cbs: candidate is not pushed out, testing is
pushed unsigned, release is signed with the SIG key).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from trunkline.config import StableSettings
from trunkline.errors import InputError, MetadataError
from trunkline.metadata.catalog import Metadata
from trunkline.metadata.model import Release


class Phase(enum.StrEnum):
    """A stable phase, in promotion order."""

    CANDIDATE = "candidate"
    TESTING = "testing"
    RELEASE = "release"

    @property
    def below(self) -> Phase | None:
        """The phase a build must be in to move here (None for candidate)."""
        order = list(Phase)
        pos = order.index(self)
        return order[pos - 1] if pos else None


NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")


def parse_phase(text: str) -> Phase:
    """The phase called ``text``.

    Raises:
        InputError: not candidate, testing or release.
    """
    try:
        return Phase(text)
    except ValueError:
        raise InputError(f"phase {text!r}: expected candidate, testing or release") from None


@dataclass(frozen=True)
class ReleaseTags:
    """The tags and build target of one release, from ``[stable]`` patterns."""

    release: str
    target: str
    tags: dict[Phase, str]

    def tag(self, phase: Phase) -> str:
        """The tag of ``phase``."""
        return self.tags[phase]

    def phase_of(self, tag: str) -> Phase | None:
        """The phase ``tag`` names in this release, or None."""
        return next((p for p, t in self.tags.items() if t == tag), None)


def release_tags(settings: StableSettings, release: str) -> ReleaseTags:
    """The tags of ``release``'s phases and its build target.

    Raises:
        InputError: ``release`` is not a plain name.
    """
    if not NAME.fullmatch(release):
        raise InputError(f"release {release!r}: expected a plain name (letters, digits, ._+-)")
    tags = {p: settings.tag_pattern.format(release=release, phase=p.value) for p in Phase}
    return ReleaseTags(release, settings.target_pattern.format(release=release), tags)


def known_release(md: Metadata, settings: StableSettings, name: str) -> tuple[Release, ReleaseTags]:
    """The metadata release ``name`` and its tags, checked against what it declares.

    Raises:
        MetadataError: no such release (exit 3, as every command's unknown release), or
            its repos do not declare the phase tags (``releases[].repos[].buildsys-tags``),
            which the metadata's buildsys-tags files must use.
    """
    found = next((r for r in md.releases if r.name == name), None)
    if found is None:
        known = ", ".join(r.name for r in md.releases) or "none"
        raise MetadataError(f"release {name!r}: unknown (the metadata defines: {known})")
    tags = release_tags(settings, name)
    declared = {t for repo in found.repos for t in repo.buildsys_tags}
    missing = [t for t in tags.tags.values() if t not in declared]
    if missing:
        raise MetadataError(
            f"release {name!r}: field 'repos[].buildsys-tags': {missing[0]} not declared "
            f"(expected the tags [stable] tag_pattern {settings.tag_pattern!r} gives)"
        )
    return found, tags


def parse_tag(settings: StableSettings, tag: str) -> tuple[str, Phase] | None:
    """(release, phase) of a tag ``[stable] tag_pattern`` makes, or None for another tag."""
    pattern = re.escape(settings.tag_pattern)
    pattern = pattern.replace(re.escape("{release}"), r"(?P<release>[A-Za-z0-9][A-Za-z0-9._+-]*)")
    pattern = pattern.replace(re.escape("{phase}"), r"(?P<phase>candidate|testing|release)")
    found = re.fullmatch(pattern, tag)
    if found is None:
        return None
    return found["release"], Phase(found["phase"])
