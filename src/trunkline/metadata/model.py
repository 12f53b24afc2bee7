"""Typed records of the packaging metadata: Package, Release, Repo, DistRepo.

The loader works on plain dicts (that is what rdoinfo is and what caches fast);
these frozen dataclasses are what the rest of trunkline reads. Each keeps the
full merged rdoinfo record in ``raw`` (rdoinfo key names) so that rarely used
keys such as ``review-origin`` or ``distgit-path`` stay reachable without a
field for each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Package:
    """One package (source RPM) as rdoinfo describes it after templates and merges.

    Attributes:
        name: the RPM source package name (``python-oslo-config``).
        project: the rdoinfo project, the merge key across files (``oslo-config``).
        conf: the ``package-configs`` template it uses, if any.
        upstream: upstream git URL.
        distgit: distgit URL (stable branches).
        master_distgit: distgit URL used by trunk builds.
        patches: patches repository URL.
        component: component the package belongs to.
        maintainers: maintainer e-mails.
        tags: release tag -> None (built for it) or per-release overrides.
        source_branch: the upstream ref pin (after a release override, when one was applied).
        buildsys_tags: build-system tag -> NVR.
        raw: the whole merged record with rdoinfo key names.
    """

    name: str
    project: str
    conf: str | None
    upstream: str | None
    distgit: str | None
    master_distgit: str | None
    patches: str | None
    component: str | None
    maintainers: list[str]
    tags: dict[str, dict[str, Any] | None]
    source_branch: str | None
    buildsys_tags: dict[str, str]
    raw: dict[str, Any]

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Package:
        """Build a Package from a merged rdoinfo record (keys as in the YAML)."""
        tags = raw.get("tags")
        bsys = raw.get("buildsys-tags")
        maint = raw.get("maintainers")
        return cls(
            name=str(raw.get("name") or raw.get("project") or ""),
            project=str(raw.get("project") or ""),
            conf=_opt_str(raw.get("conf")),
            upstream=_opt_str(raw.get("upstream")),
            distgit=_opt_str(raw.get("distgit")),
            master_distgit=_opt_str(raw.get("master-distgit")),
            patches=_opt_str(raw.get("patches")),
            component=_opt_str(raw.get("component")),
            maintainers=[str(m) for m in maint] if isinstance(maint, list) else [],
            tags=dict(tags) if isinstance(tags, dict) else {},
            source_branch=_opt_str(raw.get("source-branch")),
            buildsys_tags={str(k): str(v) for k, v in bsys.items() if v is not None}
            if isinstance(bsys, dict)
            else {},
            raw=raw,
        )

    def pins(self) -> dict[str, str]:
        """Release tag -> ``source-branch`` pin, for the tags that pin one."""
        out: dict[str, str] = {}
        for tag, over in self.tags.items():
            if isinstance(over, dict) and over.get("source-branch") is not None:
                out[tag] = str(over["source-branch"])
        return out


@dataclass(frozen=True)
class DistRepo:
    """A distribution repository a release builds against (name and baseurl)."""

    name: str
    url: str | None


@dataclass(frozen=True)
class Repo:
    """One build target of a release (``el9s``): where and with which tags it is built.

    Attributes:
        name: repo name (``el9s``).
        branch: distgit branch (inherited from the release when not set).
        buildsys: build system target (``cbs/cloud9s-openstack-flamingo-el9s``).
        buildsys_tags: CBS tags this repo uses (build, candidate, testing, release).
        distrepos: the repositories it builds against.
    """

    name: str
    branch: str | None
    buildsys: str | None
    buildsys_tags: list[str]
    distrepos: list[DistRepo]


@dataclass(frozen=True)
class Release:
    """A release series (``flamingo``) with its branches and build targets.

    Attributes:
        name: release name.
        status: development, maintained, extended_maintenance or eol.
        branch: distgit branch (``rpm-master``, ``epoxy-rdo``).
        upstream_branch: upstream branch followed (``master``, ``stable/2025.1``).
        identifier: upstream series id (``2025.2``), if any.
        repos: build targets.
        raw: the merged release record.
    """

    name: str
    status: str | None
    branch: str | None
    upstream_branch: str | None
    identifier: str | None
    repos: list[Repo]
    raw: dict[str, Any]

    @property
    def source_branch(self) -> str | None:
        """``stable/<identifier>``, as ``rdopkg release`` derives it."""
        return f"stable/{self.identifier}" if self.identifier else None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Release:
        """Build a Release from a merged rdoinfo release record."""
        repos: list[Repo] = []
        for repo in raw.get("repos") or []:
            if not isinstance(repo, dict):
                continue
            distrepos = [
                DistRepo(name=str(d.get("name", "")), url=_opt_str(d.get("url")))
                for d in repo.get("distrepos") or []
                if isinstance(d, dict)
            ]
            repos.append(
                Repo(
                    name=str(repo.get("name", "")),
                    branch=_opt_str(repo.get("branch") or raw.get("branch")),
                    buildsys=_opt_str(repo.get("buildsys")),
                    buildsys_tags=[str(t) for t in repo.get("buildsys-tags") or []],
                    distrepos=distrepos,
                )
            )
        return cls(
            name=str(raw.get("name", "")),
            status=_opt_str(raw.get("status")),
            branch=_opt_str(raw.get("branch")),
            upstream_branch=_opt_str(raw.get("upstream_branch")),
            identifier=_opt_str(raw.get("identifier")),
            repos=repos,
            raw=dict(raw),
        )
