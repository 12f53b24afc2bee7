"""Which upstream ref a package follows when the one it asks for is gone: the retirement chain.

OpenStack retires a stable branch in steps (the release team's "unmaintained"
process, since 2023): ``stable/X`` is tagged ``X-eom`` and deleted, and
``unmaintained/X`` is created from that tag; when unmaintained ends,
``unmaintained/X`` is tagged ``X-eol`` and deleted. A project that opts out of
unmaintained goes straight from ``stable/X`` to ``X-eol``. The real
oslo.config repository (``data/upstreams/oslo.config.bundle``) shows every
state: ``stable/2025.1`` (maintained), ``unmaintained/2024.1`` + ``2024.1-eom``,
``2024.2-eol`` alone, ``xena-eom`` + ``xena-eol``.

For a wanted ref ``stable/X`` the chain is, first existing wins::

    stable/X -> unmaintained/X (branch) -> X-eol (tag) -> X-eom (tag)

and for ``unmaintained/X`` it starts at ``unmaintained/X``. Every step is code
of release X: following a tag means nothing new will come (no error, no RETRY:
the poller builds nothing once the tag's commit is built). Only then, and only
for the release's own branch (not a package's ``source-branch`` pin) with
``fallback_to_master = true``, ``master`` then ``main`` — another release's code,
which DLRN allows by default and trunkline only when the config says so. This is
DLRN's ``refreshrepo`` order (unmaintained, eol, master; ``master`` itself never
falls back), plus the ``X-eom`` step DLRN lacks. Any other ref (a tag, a commit,
another branch) is followed as it is or is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from trunkline import gitcmd
from trunkline.upstream.refs import resolve_commit, resolve_full_ref, valid_ref_name

MASTER_BRANCHES = ("master", "main")
# DLRN: a distgit's "<release>-rdo" branch falls back to rpm-master (with fallback_to_master).
DISTGIT_MASTER = "rpm-master"
_SERIES = re.compile(r"^(?P<kind>stable|unmaintained)/(?P<series>[^/]+)$")


class Step(StrEnum):
    """How the followed ref was reached from the wanted one."""

    WANTED = "wanted"  # the ref the metadata names
    UNMAINTAINED = "unmaintained"  # stable/X is gone: unmaintained/X
    EOL = "eol"  # the branch is gone: the X-eol tag
    EOM = "eom"  # the branch is gone, no X-eol: the X-eom tag
    MASTER = "master"  # everything above is gone: master/main (fallback_to_master only)


@dataclass(frozen=True)
class ChainStep:
    """One candidate of the chain: a short ref name, the full refs it may be, how it is reached."""

    name: str
    full: tuple[str, ...]  # fully qualified refs to try; empty: branch, tag, then commit
    step: Step


@dataclass(frozen=True)
class FollowedRef:
    """The ref a package follows this cycle.

    Attributes:
        wanted: the ref the metadata names (``stable/2024.1``).
        ref: the ref actually followed (``unmaintained/2024.1``, ``2024.2-eol``).
        commit: the commit ``ref`` points at.
        step: how ``ref`` was reached from ``wanted``.
        line: the refs that carry the same release's code (``wanted`` and its
            retirement steps, never master), so moving between them continues the
            history instead of starting over.
    """

    wanted: str
    ref: str
    commit: str
    step: Step
    line: tuple[str, ...]

    @property
    def retired(self) -> bool:
        """True when the wanted ref is gone and a later step is followed."""
        return self.step is not Step.WANTED

    @property
    def final(self) -> bool:
        """True when the followed ref is an end-of-life tag: nothing new will come."""
        return self.step in (Step.EOL, Step.EOM)


def retirement_chain(wanted: str, *, fallback_to_master: bool) -> list[ChainStep]:
    """The refs to try for ``wanted``, in order (see the module docstring).

    Args:
        wanted: the ref the metadata names.
        fallback_to_master: add ``master``/``main`` at the end (never for ``master``/``main``).
    """
    chain = [ChainStep(wanted, (), Step.WANTED)]
    found = _SERIES.match(wanted)
    if found:
        series = found["series"]
        if found["kind"] == "stable":
            name = f"unmaintained/{series}"
            chain.append(ChainStep(name, (f"refs/heads/{name}",), Step.UNMAINTAINED))
        for suffix, step in (("eol", Step.EOL), ("eom", Step.EOM)):
            name = f"{series}-{suffix}"
            chain.append(ChainStep(name, (f"refs/tags/{name}",), step))
    if fallback_to_master and wanted not in MASTER_BRANCHES:
        chain += [ChainStep(b, (f"refs/heads/{b}",), Step.MASTER) for b in MASTER_BRANCHES]
    return chain


def _resolve_any(mirror: Path, name: str) -> str | None:
    """A branch, tag or commit ``name``: the refs first, git itself for anything else.

    For a well-formed ref name the refs' answer is final (a retired ``stable/X`` is
    asked about every cycle: three git processes each time would cost ~10 ms a
    package); git is asked only about names that cannot be refs.
    """
    sha = resolve_commit(mirror, name)
    if sha is not None or valid_ref_name(f"refs/heads/{name}"):
        return sha
    for full in (f"refs/heads/{name}", f"refs/tags/{name}", name):
        result = gitcmd.bare(mirror).run(
            "rev-parse", "--verify", "--quiet", f"{full}^{{commit}}", check=False, timeout=60
        )
        if result.ok and result.stdout.strip():
            return result.stdout.strip()
    return None


def follow(
    mirror: Path, wanted: str, *, pinned: bool, fallback_to_master: bool
) -> FollowedRef | None:
    """Resolve ``wanted`` through its retirement chain in a bare mirror.

    Args:
        mirror: the bare mirror of the upstream.
        wanted: the ref the metadata names (branch, tag or commit).
        pinned: ``wanted`` is a package's own ``source-branch`` pin: the chain still
            applies to a pinned ``stable/X`` (same release), ``master`` never does.
        fallback_to_master: the builder's ``fallback_to_master``.

    Returns:
        The followed ref, or None when no step of the chain exists.
    """
    chain = retirement_chain(wanted, fallback_to_master=fallback_to_master and not pinned)
    line = tuple(s.name for s in chain if s.step is not Step.MASTER)
    for item in chain:
        if item.full:
            sha = next((s for f in item.full if (s := resolve_full_ref(mirror, f))), None)
        else:
            sha = _resolve_any(mirror, item.name)
        if sha is not None:
            return FollowedRef(wanted, item.name, sha, item.step, line)
    return None


def tried(wanted: str, *, pinned: bool, fallback_to_master: bool) -> str:
    """The refs :func:`follow` tried, quoted, for an error message."""
    chain = retirement_chain(wanted, fallback_to_master=fallback_to_master and not pinned)
    return ", ".join(repr(s.name) for s in chain)


def distgit_chain(branch: str, *, fallback_to_master: bool) -> list[str]:
    """Distgit branches to try: ``branch``, then (DLRN) ``rpm-master`` for a missing ``*-rdo``."""
    if fallback_to_master and branch.endswith("-rdo"):
        return [branch, DISTGIT_MASTER]
    return [branch]
