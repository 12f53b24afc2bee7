"""Publishing one build as an immutable hashed repo, assembled aside and renamed into place.

A successful build's repo holds the build's RPMs (hard-linked from the work dir
when possible, else copied), relative symlinks to the newest good RPM of every
other package (``../../../ab/cd/<dir>/<rpm>``, as DLRN), the logs,
``commit.yaml`` (DLRN's record), ``trunkline.yaml`` (our extra facts),
``versions.csv``, the ``.repo`` file and repodata. A failed build's directory
holds its logs, ``commit.yaml`` and ``trunkline.yaml`` only. Either is staged in a
hidden temporary sibling and renamed: a reader never sees a partial repo.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from trunkline.errors import PublishError
from trunkline.publish.atomic import staged_dir, temp_sibling
from trunkline.publish.commitfile import COMMIT_FILE, EXTRA_FILE
from trunkline.publish.repodata import CliRepodata, RepodataWriter
from trunkline.publish.repofile import repo_file_text


@dataclass(frozen=True)
class PublishRequest:
    """Everything needed to publish one build's directory.

    Attributes:
        repos_root: the repo tree.
        relpath: the build's directory, relative to ``repos_root``.
        files: the RPMs (binary and source) this build produced.
        logs: log files to keep with the build.
        linked: repo-relative paths of the other packages' newest good RPMs.
        commit_yaml: the ``commit.yaml`` text.
        extra_yaml: the ``trunkline.yaml`` text.
        versions_csv: the ``versions.csv`` text, or what makes it (called by
            :func:`publish_build` while the repodata is written).
        reponame: base name of the ``.repo`` file (``delorean``).
        repo_id: the section name in the ``.repo`` file.
        baseurl: public URL of ``repos_root`` ('' for file:// URLs).
        include_srpm: index SRPMs in the repodata.
        previous: a published repo whose repodata can be reused.
    """

    repos_root: Path
    relpath: PurePosixPath
    files: tuple[Path, ...]
    logs: tuple[Path, ...]
    linked: tuple[str, ...]
    commit_yaml: str
    extra_yaml: str
    versions_csv: str | Callable[[], str]
    reponame: str
    repo_id: str
    baseurl: str
    include_srpm: bool = True
    previous: Path | None = None


def _place(src: Path, dest: Path) -> None:
    """Hard-link ``src`` to ``dest`` (same filesystem), else copy it."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


@dataclass(frozen=True)
class StagedLinks:
    """A build dir's temp sibling already holding links to the other packages' RPMs.

    Linking every package's RPMs is most of a publication's filesystem work; a
    build worker does it while other builds are published, and the publisher
    only corrects what changed meanwhile.
    """

    path: Path
    linked: frozenset[str]


def _symlink_all(tmp: Path, up: str, rels: Iterable[str], own: set[str]) -> None:
    # Plain strings, not ``tmp / name``: pathlib interns every path part, and the
    # interned-string table grown for 700 packages' RPM names (~2 MB) never shrinks.
    where = os.fspath(tmp)
    for rel in rels:
        name = rel.rsplit("/", 1)[-1]
        if name in own:
            continue  # this build's own file wins over an older one of the same name
        try:
            os.symlink(f"{up}/{rel}", f"{where}/{name}")
        except FileExistsError:
            continue


def _up(repos_root: Path, relpath: PurePosixPath) -> str:
    # Every build dir sits at the same depth, so one relative prefix serves every link
    # (links are made once per package of the distribution, for every build).
    return os.path.relpath(repos_root, repos_root / relpath)


def stage_links(repos_root: Path, relpath: PurePosixPath, linked: Iterable[str]) -> StagedLinks:
    """Make the temp sibling of a build dir and link the other packages' RPMs into it."""
    final = repos_root / relpath
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(final)
    tmp.mkdir()
    rels = frozenset(linked)
    _symlink_all(tmp, _up(repos_root, relpath), rels, set())
    return StagedLinks(tmp, rels)


def _link_others(tmp: Path, req: PublishRequest, own: set[str], staged: StagedLinks | None) -> None:
    wanted = set(req.linked)
    if staged is not None:
        for rel in staged.linked - wanted:  # superseded while this build was waiting
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{tmp}/{rel.rsplit('/', 1)[-1]}")
        for name in own:  # a staged link never shadows this build's own file
            if (tmp / name).is_symlink():
                (tmp / name).unlink()
        wanted -= staged.linked
    _symlink_all(tmp, _up(req.repos_root, req.relpath), sorted(wanted), own)


def _common_files(tmp: Path, req: PublishRequest) -> None:
    for log in req.logs:
        if log.is_file():
            shutil.copy2(log, tmp / log.name)
    (tmp / COMMIT_FILE).write_text(req.commit_yaml, encoding="utf-8")
    (tmp / EXTRA_FILE).write_text(req.extra_yaml, encoding="utf-8")


def own_artifacts(relpath: PurePosixPath, files: Sequence[Path]) -> tuple[str, ...]:
    """The repo-relative paths a build's own files get in its dir (the ``artifacts``), sorted."""
    return tuple(str(relpath / name) for name in sorted({f.name for f in files}))


def publish_build(
    req: PublishRequest,
    staged: StagedLinks | None = None,
    repodata: RepodataWriter | None = None,
) -> Path:
    """Publish a successful build (see module doc), in ``staged`` when links were pre-made.

    ``repodata`` writes the metadata (default: the ``createrepo_c`` command); a
    builder passes its long-lived :class:`~trunkline.publish.repodata.LibraryRepodata`.

    Returns:
        The published directory; its own files are :func:`own_artifacts`.

    Raises:
        PublishError: a file is missing, createrepo_c failed, or the rename failed.
    """
    final = req.repos_root / req.relpath
    own = {f.name for f in req.files}
    writer = repodata or CliRepodata()
    with staged_dir(final, staged.path if staged is not None else None) as tmp:
        _link_others(tmp, req, own, staged)
        for f in req.files:
            if not f.is_file():
                raise PublishError(f"{f}: built file missing; nothing published")
            _place(f, tmp / f.name)
        # The RPMs are all in place: the repodata is written (by a helper process or a
        # command, mostly) while this thread makes the other files, versions.csv first.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="repodata") as pool:
            indexing = pool.submit(
                writer.write,
                tmp,
                previous=req.previous,
                include_srpm=req.include_srpm,
                log_path=tmp / "createrepo.log",
            )
            try:
                _other_files(tmp, req)
            except BaseException:
                wait([indexing])  # the writer is done with tmp before it is removed
                raise
            indexing.result()
    return final


def _other_files(tmp: Path, req: PublishRequest) -> None:
    """Everything of a successful build's directory but its RPMs, links and repodata."""
    (tmp / "versions.csv").write_text(_versions_text(req), encoding="utf-8")
    _common_files(tmp, req)
    (tmp / f"{req.reponame}.repo").write_text(
        repo_file_text(
            repo_id=req.repo_id,
            title=f"{req.repo_id}-{req.relpath.name}",
            relpath=req.relpath,
            baseurl=req.baseurl,
            repos_root=req.repos_root,
        ),
        encoding="utf-8",
    )


def _versions_text(req: PublishRequest) -> str:
    return req.versions_csv if isinstance(req.versions_csv, str) else req.versions_csv()


def publish_unindexed(req: PublishRequest) -> Path:
    """Publish a successful build's own RPMs and logs, without repodata (``build --no-repo``).

    DLRN's ``--no-repo`` (``post_build_rpm(build_repo=False)``): the build's
    directory holds its own RPMs, logs, ``commit.yaml`` and ``versions.csv``, but
    no links to the other packages, no ``.repo`` file and no repodata. Unlike
    DLRN, no link is moved onto it (see ``BuildRecorder``); the next indexed
    publication links its RPMs in as the package's newest build.

    Raises:
        PublishError: a built file is missing, or the rename failed.
    """
    final = req.repos_root / req.relpath
    with staged_dir(final) as tmp:
        for f in req.files:
            if not f.is_file():
                raise PublishError(f"{f}: built file missing; nothing published")
            _place(f, tmp / f.name)
        _common_files(tmp, req)
        (tmp / "versions.csv").write_text(_versions_text(req), encoding="utf-8")
    return final


def publish_failure(req: PublishRequest) -> Path:
    """Publish a failed build's directory: logs and the two YAML files, no repodata."""
    final = req.repos_root / req.relpath
    with staged_dir(final) as tmp:
        _common_files(tmp, req)
    return final
