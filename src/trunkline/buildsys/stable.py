"""The stable flow the ``trunkline stable`` commands run: build into candidate, promote, show.

* :func:`build_into_candidate`: build a package's stable distgit commit on the
  release's target and tag it into ``candidate``.
* :func:`promote`: move an NVR one phase up (candidate → testing → release)
  when it is in the phase below and the phase's CI rules hold
  (``buildsys/snapshots.py``): tag it (the ``local`` system signs for release),
  then push the ``buildsys-tags/<tag>.yml`` change for review; if the push
  fails the tag is taken back, so the build system and the review agree.
* :func:`phase_status`: each phase's NVRs and the hash CI votes on.

The build system is a :class:`~trunkline.buildsys.base.BuildSystem`; nothing
here asks which one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from trunkline import gitcmd
from trunkline.buildsys import PhaseError, SigningError, snapshots
from trunkline.buildsys.base import BuildSource, BuildSystem
from trunkline.buildsys.phases import Phase, ReleaseTags, known_release, parse_phase
from trunkline.buildsys.review import push_review
from trunkline.config import Settings
from trunkline.errors import CommandError, InputError, MetadataError, SourceError, TrunklineError
from trunkline.metadata.catalog import Metadata
from trunkline.metadata.edit import MetadataEditor
from trunkline.metadata.model import Package, Release

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhaseChange:
    """An NVR now in ``tag``; ``repo_hash`` is the tag's content CI votes on next."""

    nvr: str
    tag: str
    phase: Phase
    repo_hash: str
    review: str | None = None  # the pushed metadata commit (promotions only)


@dataclass(frozen=True)
class PhaseState:
    """One phase of a release: its tag, NVRs (newest first) and content hash."""

    phase: Phase
    tag: str
    nvrs: tuple[str, ...]
    repo_hash: str


def _package(md: Metadata, name: str, release: Release) -> Package:
    pkg = md.find(name, strict=True)
    if pkg is None:
        raise InputError(f"package {name!r}: not in the metadata")
    if release.name not in pkg.tags:
        raise InputError(f"package {pkg.name!r}: not tagged for release {release.name!r}")
    return pkg


def _resolve_commit(url: str, ref: str) -> str:
    """The commit ``ref`` (branch, tag or hash) names in distgit ``url``."""
    if len(ref) == 40 and all(c in "0123456789abcdef" for c in ref):
        return ref
    try:
        out = gitcmd.NOWHERE.output("ls-remote", url, ref, f"refs/heads/{ref}", f"refs/tags/{ref}")
    except CommandError as exc:
        raise SourceError(f"{url}: cannot list refs: {exc.detail}") from None
    lines = [line.split("\t") for line in out.splitlines() if line]
    peeled = [sha for sha, name in lines if name.endswith("^{}")]
    if peeled or lines:
        return (peeled or [lines[0][0]])[0]
    raise InputError(f"--commit {ref!r}: no such branch, tag or commit in {url}")


def build_into_candidate(
    settings: Settings,
    session: Session,
    md: Metadata,
    system: BuildSystem,
    package: str,
    release: str,
    commit: str | None = None,
) -> PhaseChange:
    """Build ``package``'s stable distgit (``commit``, default the release branch head).

    Raises:
        InputError: unknown release or package, or a ref the distgit does not have.
        BuildSystemError: the build failed (one line from the build system).
    """
    rel, tags = known_release(md, settings.stable, release)
    pkg = _package(md, package, rel)
    url = pkg.distgit or pkg.master_distgit
    if not url:
        raise InputError(f"package {pkg.name!r}: field 'distgit': missing")
    branch = rel.branch or "rpm-master"
    sha = _resolve_commit(url, commit or branch)
    task = system.build(BuildSource(pkg.name, url, sha, pkg.upstream), tags.target)
    info = system.wait_build(task, settings.stable.task_timeout)
    candidate = tags.tag(Phase.CANDIDATE)
    system.tag_build(candidate, info.nvr)
    digest = snapshots.record(session, candidate, (b.nvr for b in system.list_tagged(candidate)))
    return PhaseChange(info.nvr, candidate, Phase.CANDIDATE, digest)


def _find_release(
    settings: Settings, md: Metadata, system: BuildSystem, nvr: str, below: Phase
) -> tuple[Release, ReleaseTags]:
    """The release whose ``below`` tag holds ``nvr`` (releases declaring the phase tags)."""
    for rel in md.releases:
        try:
            found = known_release(md, settings.stable, rel.name)
        except MetadataError:
            continue
        if any(b.nvr == nvr for b in system.list_tagged(found[1].tag(below))):
            return found
    raise PhaseError(f"{nvr}: not in the {below.value} phase of any release")


def promote(
    settings: Settings,
    session: Session,
    md: Metadata,
    system: BuildSystem,
    nvr: str,
    to: str,
    release: str | None = None,
) -> PhaseChange:
    """Move ``nvr`` one phase up to ``to`` (see module doc).

    Raises:
        InputError: bad phase, unknown release or NVR.
        PhaseError: not in the phase below, already there (tag and metadata), or the
            rules do not hold. A build already tagged whose review is missing (a run
            killed between the two) gets its review pushed.
        SigningError: the release phase cannot be signed (the build stays in testing).
        SourceError, MetadataError: the review cannot be pushed (the tag is taken back).
    """
    phase = parse_phase(to)
    below = phase.below
    if below is None:
        raise InputError("--to candidate: builds enter candidate with 'trunkline stable build'")
    info = system.get_build(nvr)
    if info is None:
        raise InputError(f"NVR {nvr!r}: no such build in the {system.name} build system")
    if release is None:
        rel, tags = _find_release(settings, md, system, nvr, below)
    else:
        rel, tags = known_release(md, settings.stable, release)
    source, target = tags.tag(below), tags.tag(phase)
    below_nvrs = [b.nvr for b in system.list_tagged(source)]
    if nvr not in below_nvrs:
        raise PhaseError(f"{nvr}: not in {source} (the phase below {phase.value})")
    pkg = _package(md, info.name, rel)
    digest = snapshots.record(session, source, below_nvrs)
    jobs = settings.stable.rules.get(phase.value, ())
    if not snapshots.rules_hold(session, source, nvr, jobs):
        raise PhaseError(
            f"{nvr}: rules of {phase.value} not met: jobs {', '.join(jobs)} need a success "
            f"vote on a {below.value} repo holding it (this one: aggregate_hash={digest})"
        )
    if any(b.nvr == nvr for b in system.list_tagged(target)):
        # tagged by a run killed before its review was pushed: push it now, else nothing to do
        review = _push(settings, pkg.project, target, nvr)
        if review is None:
            raise PhaseError(f"{nvr}: already in {target} (and in the metadata)")
        return _done(session, system, nvr, target, phase, review)
    try:
        system.tag_build(target, nvr)
    except SigningError as exc:
        raise SigningError(f"{nvr} stays in {source}: {exc}") from None
    try:
        review = _push(settings, pkg.project, target, nvr)
    except TrunklineError:
        system.untag_build(target, nvr)
        raise
    return _done(session, system, nvr, target, phase, review)


def _push(settings: Settings, project: str, tag: str, nvr: str) -> str | None:
    """Push the ``buildsys-tags/<tag>.yml`` change for review (None: already recorded)."""
    return push_review(
        settings.stable.review_url or settings.packages.path,
        settings.stable.review_branch,
        settings.packages.info_files,
        lambda editor: _set_nvr(editor, project, tag, nvr),
        f"Promote CBS tags update: {nvr} to {tag}\n",
    )


def _done(
    session: Session, system: BuildSystem, nvr: str, tag: str, phase: Phase, review: str | None
) -> PhaseChange:
    now = snapshots.record(session, tag, (b.nvr for b in system.list_tagged(tag)))
    return PhaseChange(nvr, tag, phase, now, review)


def _set_nvr(editor: MetadataEditor, project: str, tag: str, nvr: str) -> None:
    editor.set_nvr(project, tag, nvr)


def phase_status(
    settings: Settings, session: Session, md: Metadata, system: BuildSystem, release: str
) -> list[PhaseState]:
    """Every phase of ``release``: its NVRs and the hash CI votes on (recorded here)."""
    _, tags = known_release(md, settings.stable, release)
    out = []
    for phase in Phase:
        tag = tags.tag(phase)
        nvrs = tuple(b.nvr for b in system.list_tagged(tag))
        out.append(PhaseState(phase, tag, nvrs, snapshots.record(session, tag, nvrs)))
    return out
