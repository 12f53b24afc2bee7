"""``stable propose``: for each package of a release, the update RDO's bot proposes.

Per package of release NAME (its ``tags``), in a scratch clone of its distgit's
``NAME-rdo`` branch (``<data_dir>/stable-propose/NAME/<package>``):

1. fetch its upstream's stable branch (the release's ``upstream_branch``), default
   branch and tags; the newest release tag of the stable branch newer than the
   spec's version is the candidate (:mod:`.candidates`); a package pinned for the
   release (``source-branch``, a branchless project) or without upstream is skipped;
2. its Change-Id (:func:`.review.change_id`) already on the branch: merged; in the
   review remote (``review-origin``): already proposed -- nothing to do either way;
3. the change: ``new-version VERSION --bump-only`` (:mod:`trunkline.distgit.newversion`:
   Version, Release reset to 1, ``Update to X.Y.Z`` changelog entry with the epoch,
   ``sources`` when the distgit has one), with the Change-Id trailer;
4. verified by a local build of the tag's tarball (:mod:`.verify`); a failed build is
   reported (its log kept) and never pushed;
5. with ``push``: pushed to ``refs/for/NAME-rdo%topic=NAME-update-X.Y.Z`` of the review remote.

The scratch clone is removed after each package, except the build log of a failure.
"""

from __future__ import annotations

import enum
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.builder.lock import BuilderLock
from trunkline.config import Settings
from trunkline.distgit.newversion import new_version
from trunkline.errors import CommandError, InputError, SourceError, TrunklineError
from trunkline.metadata import Metadata, load_metadata
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.metadata.sources.rdoinfo import RdoinfoSource
from trunkline.releasetime.remote import default_branch
from trunkline.rpmspec import editor
from trunkline.stable import review
from trunkline.stable.candidates import newest_candidate, stable_release_tags
from trunkline.stable.verify import verify_update

log = logging.getLogger(__name__)

AUTHOR = re.compile(r"^(?P<name>[^<>]+?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>$")


class State(enum.Enum):
    """What became of one package."""

    SKIPPED = "skipped"
    UP_TO_DATE = "up to date"
    MERGED = "merged"
    ALREADY_PROPOSED = "already proposed"
    WOULD_PROPOSE = "would propose"
    VERIFIED = "verified"
    PUSHED = "pushed"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """One package's result: its state, the version concerned (if any) and a detail."""

    package: str
    state: State
    version: str = ""
    detail: str = ""

    def line(self) -> str:
        """One line for the CLI."""
        version = f" {self.version}" if self.version else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.state.value} {self.package}{version}{detail}"


@dataclass(frozen=True)
class ProposeOptions:
    """How far to go: ``dry_run`` finds candidates only; ``push`` sends verified changes."""

    push: bool = False
    dry_run: bool = False
    author: str = "trunkline <trunkline@localhost>"
    date: str | None = None  # the changelog date (today by default)


def parse_author(author: str) -> tuple[str, str]:
    """``"Name <email>"`` as (name, email).

    Raises:
        InputError: not in that form.
    """
    match = AUTHOR.match(author.strip())
    if match is None:
        raise InputError(f"--author {author!r}: expected 'NAME <EMAIL>'")
    return match["name"], match["email"]


def release_packages(settings: Settings, release: str) -> tuple[Metadata, list[FollowedPackage]]:
    """The metadata and the packages of ``release`` as its builder would follow them.

    Raises:
        MetadataError: unknown release, or the metadata cannot be read.
    """
    packages = settings.packages.replace(tag=release)
    md = load_metadata(
        packages.path,
        ref=packages.ref,
        info_files=packages.info_files,
        cache_dir=settings.builder.data_dir / "cache" / "metadata",
    )
    md.release(release)  # an unknown release is one line naming the known ones
    return md, RdoinfoSource(packages, settings.builder).packages()


def _clone(pkg: FollowedPackage, clone: Path, author: tuple[str, str]) -> None:
    try:
        gitcmd.NOWHERE.run(
            "clone", "--quiet", "--single-branch", "--branch", pkg.distro_branch,
            "--", pkg.distgit, str(clone),
        )  # fmt: skip
    except CommandError as exc:
        raise SourceError(
            f"{pkg.distgit}: cannot clone branch {pkg.distro_branch}: {exc.detail}"
        ) from None
    git = gitcmd.checkout(clone)
    git.run("config", "user.name", author[0])
    git.run("config", "user.email", author[1])


def _fetch_upstream(clone: Path, url: str, stable: str) -> str | None:
    """Fetch the stable and default branches and the tags as remote ``upstream``.

    Returns:
        The default branch's ref in the clone (None when upstream's HEAD names none).
    """
    default = default_branch(url)
    git = gitcmd.checkout(clone)
    git.run("remote", "add", "upstream", url)
    specs = [f"+refs/heads/{stable}:refs/remotes/upstream/{stable}"]
    if default is not None and default != stable:
        specs.append(f"+refs/heads/{default}:refs/remotes/upstream/{default}")
    try:
        git.run("fetch", "--quiet", "--tags", "upstream", *specs)
    except CommandError as exc:
        raise SourceError(f"{url}: cannot fetch {stable}: {exc.detail}") from None
    return f"refs/remotes/upstream/{default}" if default and default != stable else None


def _amend_change_id(clone: Path, cid: str) -> None:
    git = gitcmd.checkout(clone)
    message = git.output("log", "-1", "--format=%B").rstrip()
    git.run(
        "commit",
        "--amend",
        "--quiet",
        "--no-verify",
        "-F",
        "-",
        input_text=f"{message}\n\nChange-Id: {cid}\n",
    )


def propose_package(
    settings: Settings,
    md: Metadata,
    release: str,
    pkg: FollowedPackage,
    options: ProposeOptions,
    work: Path,
) -> Outcome:
    """Steps 1-5 of the module doc for one package (``work``: its scratch directory)."""
    if not pkg.upstream:
        return Outcome(pkg.name, State.SKIPPED, detail="no upstream (distgit only)")
    if pkg.source_pinned:
        return Outcome(
            pkg.name, State.SKIPPED, detail=f"pinned to {pkg.source_branch} for {release}"
        )
    clone = work / "distgit"
    _clone(pkg, clone, parse_author(options.author))
    default_ref = _fetch_upstream(clone, pkg.upstream, pkg.source_branch)
    spec = editor.read_spec(editor.find_spec(clone))
    tags = stable_release_tags(clone, f"refs/remotes/upstream/{pkg.source_branch}", default_ref)
    cand = newest_candidate(tags, spec)
    if cand is None:
        have = spec.upstream_version or spec.version
        return Outcome(pkg.name, State.UP_TO_DATE, have, f"no newer tag on {pkg.source_branch}")
    cid = review.change_id(pkg.name, pkg.distro_branch, cand.version)
    if review.merged(clone, cid):
        return Outcome(pkg.name, State.MERGED, cand.version, f"Change-Id {cid}")
    entry = md.by_project(pkg.project)
    review_url = entry.raw.get("review-origin") if entry is not None else None
    if not isinstance(review_url, str) or not review_url:
        return Outcome(
            pkg.name, State.FAILED, cand.version, "no review-origin in the metadata to propose to"
        )
    found = review.open_proposal(clone, review_url, cid)
    if found is not None:
        return Outcome(pkg.name, State.ALREADY_PROPOSED, cand.version, found)
    old = spec.upstream_version or spec.version
    if options.dry_run:
        return Outcome(pkg.name, State.WOULD_PROPOSE, cand.version, f"from {old} (tag {cand.tag})")
    new_version(clone, cand.version, bump_only=True, date=options.date)
    _amend_change_id(clone, cid)
    checked = verify_update(settings, clone, cand.tag, pkg.name, work / "verify")
    if not checked.ok:
        kept = work.parent / f"{pkg.name}.log"
        if checked.log is not None and checked.log.exists():
            shutil.copy2(checked.log, kept)
        return Outcome(
            pkg.name, State.FAILED, cand.version, f"verification failed: {checked.error} ({kept})"
        )
    if not options.push:
        return Outcome(
            pkg.name, State.VERIFIED, cand.version, f"from {old}; not pushed (--push sends it)"
        )
    ref = review.push_for_review(
        clone, review_url, pkg.distro_branch, review.topic(release, cand.version)
    )
    return Outcome(pkg.name, State.PUSHED, cand.version, f"{review_url} {ref} ({cid})")


def propose(
    settings: Settings, release: str, options: ProposeOptions, say: Callable[[Outcome], None]
) -> list[Outcome]:
    """Run :func:`propose_package` for every package of ``release``; ``say`` gets each outcome.

    A package's own failure (unreachable remote, a spec that cannot be read or edited,
    a failed verification) is its FAILED outcome; the other packages still run.

    Raises:
        MetadataError: unknown release or unreadable metadata.
        LockedError: another ``stable propose`` of this release is running.
        InputError: a bad ``--author``.
    """
    parse_author(options.author)
    md, pkgs = release_packages(settings, release)
    base = settings.builder.data_dir / "stable-propose" / release
    with BuilderLock(base):  # one run per release: the scratch clones are per package
        return [_one(settings, md, release, pkg, options, base, say) for pkg in pkgs]


def _one(
    settings: Settings,
    md: Metadata,
    release: str,
    pkg: FollowedPackage,
    options: ProposeOptions,
    base: Path,
    say: Callable[[Outcome], None],
) -> Outcome:
    """:func:`propose_package` in a fresh scratch directory, any error its FAILED outcome."""
    work = base / pkg.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        outcome = propose_package(settings, md, release, pkg, options, work)
    except TrunklineError as exc:
        outcome = Outcome(pkg.name, State.FAILED, detail=str(exc))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(outcome)
    return outcome
