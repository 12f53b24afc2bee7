"""The plan of ``release new NAME --from PROMOTION``: every step, and whether it is done.

Steps, in the order :mod:`.apply` takes them:

1. branch every package's distgit (the release's branch, ``rpm-master``, → ``NAME-rdo``)
   at the distgit commit that built the package in the promoted repo;
2. the metadata: the release (its branch, upstream branch ``stable/NAME`` or
   ``stable/IDENTIFIER``, its repos with their build targets and buildsys-tags),
   every package tagged for it in ``tags/NAME.yml`` (a package whose upstream has no
   stable branch pinned there, ``source-branch``, to the tag or commit the repo
   holds), an empty ``buildsys-tags/TAG.yml`` for each new buildsys-tag;
3. the new stable builder's config, ``trunkline-NAME.toml`` beside the current one.

A step is *done* when the world already has exactly what it would make (a rerun
after an interruption resumes; a second run changes nothing). A distgit branch
that holds the planned commit in its history is done too (stable work landed on
it since). Anything else already there is a conflict: the plan refuses, in one
line, before anything is changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from trunkline.config import Settings
from trunkline.errors import ConfigError, InputError, MetadataError
from trunkline.metadata import Metadata, load_metadata
from trunkline.metadata.model import Release
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.metadata.sources.rdoinfo import RdoinfoSource
from trunkline.publish.layout import check_name
from trunkline.releasetime import remote
from trunkline.releasetime.newconfig import config_path, config_text, existing_config
from trunkline.releasetime.promoted import BuiltPackage, mirror_paths, read_promoted
from trunkline.rpmspec.versions import compare_versions
from trunkline.upstream.version import tag_version

PHASES = ("candidate", "testing", "release")  # the stable phases every release repo gets


@dataclass(frozen=True)
class BranchStep:
    """Create ``branch`` at ``commit`` in a package's distgit (``done``: it is there)."""

    package: str
    distgit: str
    from_branch: str
    branch: str
    commit: str
    done: bool


@dataclass(frozen=True)
class PinStep:
    """How a package follows the release upstream: its stable branch, or a pin.

    ``ref`` is None when the package follows the release's upstream branch (or has
    no upstream); else the tag, or the commit, the promoted repo holds.
    """

    package: str
    project: str
    ref: str | None
    why: str


@dataclass(frozen=True)
class ReleasePlan:
    """Everything ``release new`` does, and what is already done."""

    name: str
    promotion: str
    repo: PurePosixPath
    from_release: str
    release_entry: dict[str, Any]
    release_done: bool
    tags: tuple[PinStep, ...]
    tags_done: frozenset[str]
    buildsys_tags: tuple[str, ...]
    branches: tuple[BranchStep, ...]
    config_path: str
    config_text: str
    config_done: bool
    not_in_repo: tuple[str, ...] = ()
    remaining: tuple[str, ...] = field(default_factory=tuple)

    @property
    def done(self) -> bool:
        """Nothing left to change."""
        return (
            self.release_done
            and all(b.done for b in self.branches)
            and len(self.tags_done) == len(self.tags)
            and self.config_done
        )


def _renamed(value: str, old: str, new: str, what: str) -> str:
    if old not in value:
        raise InputError(
            f"release {old!r}: {what} {value!r} does not contain the release name "
            f"(cannot derive the new release's {what})"
        )
    return value.replace(old, new)


def release_entry(
    source: Release, name: str, upstream_branch: str, identifier: str | None
) -> dict[str, Any]:
    """The new release's metadata entry, its repos derived from ``source``'s.

    Each repo's ``buildsys`` target and ``buildsys-tags`` are the source release's with
    its name replaced by ``name``; the phases ``-candidate``, ``-testing`` and
    ``-release`` are added after the last tag when missing (the tags of CBS's
    ``cloud9s-openstack-NAME-*``).

    Raises:
        InputError: a buildsys name does not contain the source release's name.
    """
    repos: list[dict[str, Any]] = []
    for repo in source.repos:
        entry: dict[str, Any] = {"name": repo.name}
        if repo.buildsys:
            entry["buildsys"] = _renamed(repo.buildsys, source.name, name, "buildsys")
        tags = [_renamed(t, source.name, name, "buildsys-tag") for t in repo.buildsys_tags]
        if tags:
            base = next((t.rsplit("-", 1)[0] for t in tags if t.endswith("-candidate")), None)
            if base is not None:
                tags += [f"{base}-{p}" for p in PHASES if f"{base}-{p}" not in tags]
            entry["buildsys-tags"] = tags
        if repo.distrepos:
            entry["distrepos"] = [
                {"name": d.name, **({"url": d.url} if d.url else {})} for d in repo.distrepos
            ]
        repos.append(entry)
    out: dict[str, Any] = {"name": name, "status": "maintained", "branch": f"{name}-rdo"}
    if identifier:
        out["identifier"] = identifier
    out["upstream_branch"] = upstream_branch
    out["repos"] = repos
    return out


def _same_release(existing: Release, planned: dict[str, Any]) -> str | None:
    """The first field where ``existing`` differs from ``planned`` (None: the same).

    Compared as the model reads them (a repo's branch inherited from its release).
    """
    want = Release.from_raw(planned)
    for key in ("status", "branch", "identifier", "upstream_branch", "repos"):
        if getattr(existing, key) != getattr(want, key):
            return key
    return None


def _pin_ref(url: str, sha: str) -> str:
    """The upstream tag pointing at ``sha`` (the newest version tag, else any), else ``sha``.

    Read from the upstream itself (``ls-remote``), so a tag made after the build counts.

    Raises:
        SourceError: the upstream cannot be read.
    """
    tags = sorted(
        name.removeprefix("refs/tags/")
        for name, target in remote.remote_refs(url, "refs/tags/*").items()
        if target == sha
    )
    versions = [(t, v) for t in tags if (v := tag_version(t)) is not None]
    if not versions:
        return tags[0] if tags else sha
    best = versions[0]
    for cand in versions[1:]:
        if compare_versions(cand[1], best[1]) > 0:
            best = cand
    return best[0]


def _pin(pkg: FollowedPackage, built: BuiltPackage, upstream_branch: str) -> PinStep:
    if not pkg.upstream:
        return PinStep(pkg.name, pkg.project, None, "no upstream (distgit only)")
    if remote.branch_head(pkg.upstream, upstream_branch) is not None:
        return PinStep(pkg.name, pkg.project, None, f"follows {upstream_branch}")
    ref = _pin_ref(pkg.upstream, built.source_sha)
    return PinStep(pkg.name, pkg.project, ref, f"pinned: no upstream {upstream_branch}")


def _branch(
    settings: Settings, pkg: FollowedPackage, built: BuiltPackage, branch: str
) -> BranchStep:
    head = remote.branch_head(pkg.distgit, branch)
    done = head == built.dist_sha
    if head is not None and not done:
        mirror = mirror_paths(settings, pkg.name)[1]
        remote.fetch_commit(mirror, pkg.distgit, branch, head)
        if not remote.is_ancestor(mirror, built.dist_sha, head):
            raise InputError(
                f"{pkg.distgit}: branch {branch} already exists at {head[:12]}, which does not "
                f"hold {built.dist_sha[:12]} (the distgit commit of {pkg.name} in the promoted "
                "repo); remove it or choose another release name"
            )
        done = True
    return BranchStep(pkg.name, pkg.distgit, pkg.distro_branch, branch, built.dist_sha, done)


def _tags_done(md: Metadata, name: str, pins: list[PinStep]) -> frozenset[str]:
    """Packages already tagged for ``name`` exactly as planned.

    Raises:
        MetadataError: a package is tagged for ``name`` with another pin.
    """
    done: set[str] = set()
    for pin in pins:
        pkg = md.by_project(pin.project)
        if pkg is None or name not in pkg.tags:
            continue
        over = pkg.tags[name]
        have = over.get("source-branch") if isinstance(over, dict) else None
        if (None if have is None else str(have)) != pin.ref:
            raise MetadataError(
                f"package {pin.package!r}: field 'tags.{name}.source-branch': already "
                f"{have!r} (expected {pin.ref!r} from the promoted repo)"
            )
        done.add(pin.package)
    return frozenset(done)


def _check_inputs(settings: Settings, name: str) -> str:
    """Refuse what cannot start a release; returns the release the builder follows.

    Raises:
        ConfigError: the builder follows no rdoinfo release.
        InputError: a bad release name, or metadata that is not a local directory.
    """
    check_name(name, "release name")
    if any(c in name for c in " ~^:?*[") or name.endswith((".lock", ".")):
        raise InputError(f"release name {name!r}: not usable in a git branch name")
    from_tag = settings.packages.tag
    if settings.packages.source != "rdoinfo" or not from_tag:
        raise ConfigError(
            f"{settings.config_path}: [packages] must follow an rdoinfo release "
            '(source = "rdoinfo", tag = RELEASE) to start a release from its repo'
        )
    if settings.packages.ref is not None or not Path(settings.packages.path).is_dir():
        raise InputError(
            f"[packages] path {settings.packages.path!r}: release new edits the metadata, "
            "so it must be a local directory (no ref)"
        )
    if name == from_tag:
        raise InputError(f"release {name!r}: is the release this builder follows")
    return from_tag


def make_plan(
    settings: Settings, name: str, promotion: str, *, identifier: str | None = None
) -> ReleasePlan:
    """Decide every step of ``release new`` and which are already done (nothing is changed).

    Args:
        settings: the config of the builder whose promoted repo the release starts from.
        name: the new release (``gazpacho``); its distgit branch is ``NAME-rdo``.
        promotion: ``current``, ``consistent`` or a promotion name.
        identifier: the upstream series (``2026.1``); the upstream branch is then
            ``stable/IDENTIFIER`` instead of ``stable/NAME``.

    Raises:
        ConfigError: the builder follows no release (``[packages] tag``).
        InputError: unknown promotion, a bad name, a distgit branch with other content,
            or a config file with other content.
        MetadataError: the release exists with other content, or a package is tagged
            for it with another pin.
        SourceError: a distgit or upstream cannot be read.
    """
    from_tag = _check_inputs(settings, name)
    promoted = read_promoted(settings, promotion)
    md = load_metadata(
        settings.packages.path,
        ref=settings.packages.ref,
        info_files=settings.packages.info_files,
        cache_dir=settings.builder.data_dir / "cache" / "metadata",
    )
    source = md.release(from_tag)
    upstream_branch = f"stable/{identifier or name}"
    entry = release_entry(source, name, upstream_branch, identifier)
    release_done = False
    if name in {r.name for r in md.releases}:
        field_name = _same_release(md.release(name), entry)
        if field_name is not None:
            raise MetadataError(
                f"release {name!r}: already defined with another {field_name!r} "
                f"(expected {entry.get(field_name)!r})"
            )
        release_done = True
    followed = RdoinfoSource(settings.packages, settings.builder).packages()
    branch = entry["branch"]
    pins: list[PinStep] = []
    branches: list[BranchStep] = []
    missing: list[str] = []
    for pkg in followed:
        built = promoted.packages.get(pkg.name)
        if built is None:
            missing.append(pkg.name)
            continue
        branches.append(_branch(settings, pkg, built, branch))
        pins.append(_pin(pkg, built, upstream_branch))
    btags = tuple(t for repo in entry["repos"] for t in repo.get("buildsys-tags", ()))
    path = config_path(settings, name)
    text = config_text(settings, name, entry)
    return ReleasePlan(
        name=name,
        promotion=promotion,
        repo=promoted.relpath,
        from_release=from_tag,
        release_entry=entry,
        release_done=release_done,
        tags=tuple(pins),
        tags_done=_tags_done(md, name, pins),
        buildsys_tags=btags,
        branches=tuple(branches),
        config_path=str(path),
        config_text=text,
        config_done=existing_config(path, text),
        not_in_repo=tuple(missing),
        remaining=_remaining(settings, name, entry, missing),
    )


def _remaining(
    settings: Settings, name: str, entry: dict[str, Any], missing: list[str]
) -> tuple[str, ...]:
    """What people still do after the tool: CI, reviews, the new builder's own settings."""
    out = [
        f"review and merge the metadata change (release {name}, tags/{name}.yml, buildsys-tags)",
        f"CI: add the {name} jobs (the DLRN-rpmbuild check on {entry['branch']}, the "
        f"promotion pipelines of the new builder, the {name} buildsys-tags' gates)",
        f"schedule the new builder: trunkline -c {config_path(settings, name).name} build",
    ]
    if missing:
        out.append(
            f"not in the promoted repo, not branched nor tagged: {', '.join(missing)} "
            "(build them, or add them by hand)"
        )
    if settings.database.url:
        out.append(f"set [database] url of the {name} builder (the trunk one's was not copied)")
    if settings.builder.baseurl:
        out.append(f"set [builder] baseurl of the {name} builder (where its repos are served)")
    return tuple(out)
