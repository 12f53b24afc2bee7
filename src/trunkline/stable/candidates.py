"""Which upstream release tag a stable distgit should be updated to.

The tags considered are the *release tags of the stable branch*: tags reachable from
``upstream/<stable branch>`` that are not reachable from upstream's default branch
(made on the stable branch after it was cut, as OpenStack tags its stable releases),
and that name a version by the builder's own rule
(:func:`trunkline.upstream.version.tag_version`: ``v``/``r`` prefix dropped,
``*-eol``, ``*-eom``, ``private-*`` and other non-versions skipped). The newest by
rpm's ordering is the candidate when it is newer than the spec's upstream version
(``%{upstream_version}``, else Version + milestone); a spec still holding RDO
master's ``Version: XXX`` (a branch just cut) takes the newest tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.rpmspec.adapter import SpecInfo
from trunkline.rpmspec.versions import compare_versions
from trunkline.upstream.version import tag_version


@dataclass(frozen=True)
class Candidate:
    """The tag to update to and the upstream version it names."""

    tag: str
    version: str


def stable_release_tags(clone: Path, stable_ref: str, default_ref: str | None) -> list[Candidate]:
    """Version tags on ``stable_ref`` and not on ``default_ref``, in git's order.

    Args:
        clone: a repository that fetched the upstream branches and tags.
        stable_ref: the stable branch's ref there (``refs/remotes/upstream/stable/x``).
        default_ref: the default branch's ref, or None (then every tag on the branch).
    """
    args = ["tag", "--list", "--merged", stable_ref]
    if default_ref is not None:
        args += ["--no-merged", default_ref]
    found = []
    for tag in gitcmd.checkout(clone).output(*args).split():
        version = tag_version(tag)
        if version is not None:
            found.append(Candidate(tag, version))
    return found


def newest_candidate(tags: list[Candidate], spec: SpecInfo) -> Candidate | None:
    """The newest of ``tags`` when it is newer than what ``spec`` packages, else None."""
    if not tags:
        return None
    best = tags[0]
    for cand in tags[1:]:
        if compare_versions(cand.version, best.version) > 0:
            best = cand
    if spec.placeholder:
        return best
    current = spec.upstream_version or spec.version
    return best if compare_versions(best.version, current) > 0 else None
