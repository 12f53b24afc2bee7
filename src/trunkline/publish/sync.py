"""Replication: push the repo tree to rsync mirrors so that a mirror never points at a missing repo.

Order is the whole point. For each target, :func:`replicate_build` sends

1. the new hashed repo *and the older RPMs its symlinks point at* (so the repo is
   complete on the mirror even if an earlier push was missed),
2. then the links that moved (``current``, ``consistent``, promotions),
3. then the top-level reports,

each as its own rsync call, so a link reaches a mirror only after its target
is there. :func:`replicate_all` is the full resync (a new mirror, after a purge,
after a failed push): content without the links, then the links with
``--delete-after`` (what a purge removed goes only once no mirrored link can
name it), then the reports. rsync itself writes each file under a temporary
name and renames it, so a half file is never visible either.

Targets are local directories (tests), ``host:/path`` (ssh) or
``rsync://host/module/path``; extra options (``-e "ssh -i key"``,
``--bwlimit``) come from ``[replication] extra_args``. A failed push is a
:class:`~trunkline.errors.PublishError` naming the target and rsync's own reason;
the caller decides whether that fails the run.
"""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from trunkline.config import ReplicationSettings, Settings
from trunkline.errors import CommandError, CommandTimeoutError, PublishError
from trunkline.process import run
from trunkline.publish.layout import check_name

log = logging.getLogger(__name__)

RSYNC = "rsync"
# never mirrored: interrupted publications, lock files, the report cache
ALWAYS_EXCLUDED = ("--exclude=.tmp-*", "--exclude=/.*")
_SHARD_CHARS = frozenset("0123456789abcdefABCDEF")


def _dest(target: str) -> str:
    return target.rstrip("/") + "/"


def _reason(output: str) -> str:
    """rsync's meaningful line: its first ``rsync: ...`` complaint, else its last line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("rsync:") and not line.startswith("rsync: connection unexpectedly"):
            return line.removeprefix("rsync:").replace("[Receiver] ", "").replace("[sender] ", "")
    return lines[-1] if lines else "no output"


def _rsync(
    cfg: ReplicationSettings,
    target: str,
    args: Sequence[str],
    *,
    input_text: str | None = None,
    wall_clock: bool = True,
) -> None:
    """Run one rsync call towards ``target``.

    Raises:
        PublishError: rsync failed or timed out; names the target and rsync's reason.
    """
    argv = [RSYNC, "-a", f"--timeout={max(1, int(cfg.timeout))}", *cfg.extra_args, *args]
    try:
        result = run(
            argv,
            timeout=cfg.timeout if wall_clock else None,
            check=False,
            input_text=input_text,
        )
    except CommandTimeoutError:
        raise PublishError(f"rsync to {target}: timed out after {cfg.timeout:.0f}s") from None
    except CommandError as exc:
        raise PublishError(f"rsync to {target}: {exc.detail}") from None
    if not result.ok:
        reason = _reason(result.stderr or result.stdout)
        raise PublishError(f"rsync to {target} failed (exit {result.returncode}): {reason.strip()}")


def _rel_link(name: str, component: str | None) -> str:
    check_name(name, "link name")
    return f"component/{check_name(component, 'component')}/{name}" if component else name


def _link_targets(repos: Path, relpath: PurePosixPath) -> list[str]:
    """Repo-relative paths the symlinks inside a hashed repo point at."""
    found = []
    base = str(relpath)
    for entry in os.scandir(repos / relpath):
        if entry.is_symlink():
            dest = os.readlink(entry.path)
            if not os.path.isabs(dest):
                rel = posixpath.normpath(posixpath.join(base, dest))
                if not rel.startswith("../"):
                    found.append(rel)
    return sorted(found)


def report_files(repos: Path) -> list[str]:
    """The top-level regular files of the tree (reports, CSS), not hidden ones."""
    if not repos.is_dir():
        return []
    return sorted(
        e.name
        for e in os.scandir(repos)
        if e.is_file(follow_symlinks=False) and not e.name.startswith(".")
    )


def _push_reports(cfg: ReplicationSettings, repos: Path, target: str) -> None:
    files = report_files(repos)
    if files:
        _rsync(cfg, target, [*(str(repos / f) for f in files), _dest(target)])


def replicate_build(
    settings: Settings,
    relpath: PurePosixPath | str,
    links: Sequence[str] = (),
    component: str | None = None,
) -> list[str]:
    """Push one new hashed repo, then the links that moved, then the reports, to every target.

    Args:
        settings: the builder's settings (``[replication]`` and the repo tree).
        relpath: the build's repo dir, relative to the repo tree.
        links: names of the links moved to it (``current``, ``consistent``, ...).
        component: the component whose link directory holds ``links``.

    Returns:
        The targets pushed to (empty when replication is not configured).

    Raises:
        PublishError: a push failed; targets before it were updated, later ones not.
        UnsafeNameError: a link or component name is not a safe path component.
    """
    cfg = settings.replication
    if not cfg.targets:
        return []
    repos = settings.builder.repos_path
    rel = PurePosixPath(relpath)
    if not (repos / rel).is_dir():
        raise PublishError(f"{rel}: no such repo in {repos}; nothing replicated")
    link_paths = [_rel_link(name, component) for name in links]
    files = "\n".join([f"{rel}/", *_link_targets(repos, rel)]) + "\n"
    for target in cfg.targets:
        _rsync(
            cfg,
            target,
            ["-r", *ALWAYS_EXCLUDED, "--files-from=-", f"{repos}/", _dest(target)],
            input_text=files,
        )
        _push_links(cfg, repos, target, link_paths)
        _push_reports(cfg, repos, target)
        log.info("replicated %s (%s) to %s", rel, ", ".join(link_paths) or "no links", target)
    return list(cfg.targets)


def _push_links(cfg: ReplicationSettings, repos: Path, target: str, paths: Sequence[str]) -> None:
    """Push named links; a promotion *directory* (component aggregates: hashed aggregate
    dirs + links to their files) goes in two steps, its files before its links."""
    if not paths:
        return
    dirs = [p for p in paths if (repos / p).is_dir() and not (repos / p).is_symlink()]
    if dirs:
        sources = [f"{repos}/./{p}" for p in dirs]
        _rsync(cfg, target, ["-r", "--relative", "--no-links", *sources, _dest(target)])
    sources = [f"{repos}/./{p}" for p in paths]
    _rsync(cfg, target, ["-r", "--relative", *ALWAYS_EXCLUDED, *sources, _dest(target)])


def replicate_links(
    settings: Settings, links: Sequence[str], component: str | None = None
) -> list[str]:
    """Push moved links (e.g. after a promotion) to every target.

    The repos they name must already be on the mirrors (pushed by
    :func:`replicate_build` when they were built, or by :func:`replicate_all`).

    Returns:
        The targets pushed to.

    Raises:
        PublishError: a push failed.
        UnsafeNameError: a link or component name is not a safe path component.
    """
    cfg = settings.replication
    paths = [_rel_link(name, component) for name in links]
    for target in cfg.targets:
        _push_links(cfg, settings.builder.repos_path, target, paths)
    return list(cfg.targets)


def replicate_reports(settings: Settings) -> list[str]:
    """Push the top-level reports (after a cycle regenerated them) to every target.

    Raises:
        PublishError: a push failed.
    """
    cfg = settings.replication
    for target in cfg.targets:
        _push_reports(cfg, settings.builder.repos_path, target)
    return list(cfg.targets)


def _is_shard(name: str) -> bool:
    return len(name) == 2 and set(name) <= _SHARD_CHARS


def named_links(repos: Path) -> list[str]:
    """Repo-relative paths of the named links: symlinks in the root, in component
    dirs, and in promotion dirs (aggregate ``.repo`` files) -- not inside hashed repos."""
    found: list[str] = []
    dirs = [(repos, "")]
    for entry in sorted(os.scandir(repos), key=lambda e: e.name):
        if entry.is_symlink():
            found.append(entry.name)
        elif entry.is_dir() and entry.name == "component":
            for comp in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if comp.is_dir(follow_symlinks=False):
                    dirs.append((Path(comp.path), f"component/{comp.name}"))
        elif entry.is_dir() and not _is_shard(entry.name) and not entry.name.startswith("."):
            dirs.append((Path(entry.path), entry.name))
    for base, base_rel in dirs[1:]:
        found.extend(
            f"{base_rel}/{e.name}"
            for e in sorted(os.scandir(base), key=lambda e: e.name)
            if e.is_symlink()
        )
    return found


def replicate_all(settings: Settings) -> list[str]:
    """Full resync of the repo tree to every target, in two passes.

    The first pass sends the content without the named links and the top-level
    files; the second sends everything with ``--delete-after``: the links and
    reports arrive after the repos they name, and what a purge removed is deleted
    only once no mirrored link can point at it.

    Returns:
        The targets synced (empty when replication is not configured).

    Raises:
        PublishError: a push failed; names the target and rsync's reason.
    """
    cfg = settings.replication
    if not cfg.targets:
        return []
    repos = settings.builder.repos_path
    if not repos.is_dir():
        raise PublishError(f"{repos}: no repo tree to replicate")
    # top level: directories only (top-level links and reports come in pass 2)
    no_links = [f"--exclude=/{p}" for p in named_links(repos) if "/" in p]
    content = [*ALWAYS_EXCLUDED, *no_links, "--include=/*/", "--exclude=/*"]
    for target in cfg.targets:
        _rsync(cfg, target, [*content, f"{repos}/", _dest(target)], wall_clock=False)
        everything = ["--delete-after", *ALWAYS_EXCLUDED, f"{repos}/", _dest(target)]
        _rsync(cfg, target, everything, wall_clock=False)
        log.info("resynced %s to %s", repos, target)
    return list(cfg.targets)
