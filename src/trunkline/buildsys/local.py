"""The ``local`` build system: trunkline builds tag builds itself and keeps tags as rows.

A build is made at once (its "task" id is the build's row id): the distgit is
cloned at the commit, the spec is used as it is (the NVR is the spec's, e.g.
``openstack-nova-26.1.0-1.el9s``, never a dated trunk release), a missing
Source0 is the upstream release tarball (``git archive`` of the tag named by the
spec's upstream version, ``X.Y.Z`` or ``vX.Y.Z``, under the directory name the
Source0 file name gives), ``rpmbuild -bs`` makes the SRPM and the builder's
build driver (``[build] driver``: rpmbuild, or mock for isolation; with ``[build]``
macros and env) the RPMs, with ``[stable] dist``. The files go to
``<repos_dir>/stable/builds/<nvr>/`` (staged, renamed into place) before the row
is committed; an NVR is built once, as in Koji.

Tags are :class:`~trunkline.db.models.StableTag` rows. After every change the
tag's dnf repo ``<repos_dir>/stable/<release>/<phase>/`` is republished from the
rows (``buildsys/repos.py``), so a kill between the two is repaired by the next
change. Tagging into a ``release`` phase signs first (``buildsys/signing.py``,
copies under ``builds/<nvr>/signed/``) and tags nothing if signing fails.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from trunkline import gitcmd
from trunkline.builder.drivers import make_driver
from trunkline.builder.drivers.base import BuildRequest
from trunkline.builder.drivers.rpmlog import rpmbuild_error
from trunkline.builder.pipeline import find_spec
from trunkline.buildsys import BuildSystemError
from trunkline.buildsys.base import BuildInfo, BuildSource
from trunkline.buildsys.phases import Phase, parse_tag
from trunkline.buildsys.repos import PhaseRepo, publish, published_hash
from trunkline.buildsys.signing import Signer
from trunkline.buildsys.snapshots import repo_hash
from trunkline.config import Settings
from trunkline.db.models import StableBuild, StableTag
from trunkline.errors import BuildError, CommandError, SpecError
from trunkline.process import run
from trunkline.publish.atomic import staged_dir
from trunkline.publish.repodata import make_writer
from trunkline.rpmspec.adapter import spec_info
from trunkline.rpmspec.macros import rpm_define_args
from trunkline.upstream.tarball import make_tarball

HEX40 = re.compile(r"[0-9a-f]{40}")
ARCHIVE = re.compile(r"\.(tar\.gz|tar\.xz|tar\.bz2|tgz)$")


class LocalBuildSystem:
    """Builds with rpmbuild here; tags and per-tag repos of its own (see module doc)."""

    name = "local"

    def __init__(self, settings: Settings, session: Session) -> None:
        self.settings = settings
        self.stable = settings.stable
        self.session = session
        self.root = settings.builder.repos_path / "stable"
        self.store = self.root / "builds"
        self.work = settings.builder.data_dir / "stable-work"

    # --- builds ----------------------------------------------------------------------

    def build(self, source: BuildSource, target: str) -> int:
        """Build ``source`` now; the new build's id (see module doc).

        Raises:
            BuildSystemError: bad commit, no spec, unbuildable, or the NVR exists.
        """
        if not HEX40.fullmatch(source.commit):
            raise BuildSystemError(f"commit {source.commit!r}: expected a full 40-hex hash")
        self.work.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="build-", dir=self.work) as tmp:
            try:
                return self._build(source, target, Path(tmp))
            except (CommandError, SpecError, BuildError) as exc:
                if isinstance(exc, BuildSystemError):
                    raise
                raise BuildSystemError(f"local build of {source.package}: {exc}") from None

    def _build(self, source: BuildSource, target: str, tmp: Path) -> int:
        distgit = tmp / "distgit"
        gitcmd.NOWHERE.run("clone", "--quiet", "--no-checkout", source.distgit_url, str(distgit))
        gitcmd.at(distgit).run("checkout", "--quiet", "--detach", source.commit)
        spec = find_spec(distgit, None, source.package)
        info = spec_info(spec, {"dist": self.stable.dist})
        if info.placeholder:
            raise BuildSystemError(f"{spec.name}: Version/Release is XXX (a trunk spec, not a tag)")
        nvr = f"{info.name}-{info.version}-{info.full_release}"
        if self._row(nvr) is not None:
            raise BuildSystemError(f"build {nvr} already exists (an NVR is built once)")
        topdir = tmp / "rpmbuild"
        sources = topdir / "SOURCES"
        shutil.copytree(distgit, sources, ignore=shutil.ignore_patterns(".git", "*.spec"))
        for _, location in info.sources:
            name = location.rsplit("/", 1)[-1]
            if not (sources / name).exists():
                self._tarball(source, info.upstream_version or info.version, name, sources, tmp)
        log = tmp / "build.log"
        argv = ["rpmbuild", "-bs", "--nodeps", "--define", f"_topdir {topdir}"]
        argv += rpm_define_args(self.settings.build.macros, dist=self.stable.dist)
        got = run([*argv, str(spec)], log_path=log, timeout=self.stable.task_timeout, check=False)
        if not got.ok:
            raise BuildSystemError(f"{nvr}: SRPM: {rpmbuild_error(got.stderr or got.stdout)}")
        srpm = next((topdir / "SRPMS").glob("*.src.rpm"))
        out = tmp / "out"
        out.mkdir()
        result = make_driver(self.settings.build).build(
            BuildRequest(
                srpm=srpm,
                output_dir=out,
                log_path=tmp / "rpmbuild.log",
                dist=self.stable.dist,
                macros=self.settings.build.macros,
                timeout=self.stable.task_timeout,
                package_name=info.name,
                env=self.settings.build.env,
            )
        )
        if not result.ok:
            raise BuildSystemError(f"{nvr}: {result.error}")
        files = [srpm, *result.rpms, log, tmp / "rpmbuild.log"]
        with staged_dir(self.store / nvr) as stage:
            for path in files:
                if path.exists():
                    shutil.copy2(path, stage / path.name)
        row = StableBuild(
            nvr=nvr,
            name=info.name,
            version=info.version,
            release=info.full_release,
            epoch=info.epoch,
            target=target,
            source=source.scm_url,
            timestamp=int(time.time()),
            artifacts=",".join(p.name for p in [srpm, *result.rpms]),
        )
        self.session.add(row)
        self._commit()
        return row.id

    def _tarball(self, source: BuildSource, version: str, name: str, dest: Path, tmp: Path) -> None:
        """The upstream release tarball ``name`` from tag ``version`` (or ``v<version>``)."""
        found = ARCHIVE.search(name)
        if source.upstream_url is None or found is None:
            raise BuildSystemError(f"source {name}: not in the distgit and no upstream to make it")
        mirror = tmp / "upstream.git"
        if not mirror.exists():
            gitcmd.NOWHERE.run("clone", "--quiet", "--bare", source.upstream_url, str(mirror))
        for ref in (version, f"v{version}"):
            probe = gitcmd.bare(mirror).run(
                "rev-parse", "--verify", "--quiet", f"refs/tags/{ref}^{{commit}}", check=False
            )
            if probe.ok:
                break
        else:
            raise BuildSystemError(
                f"{source.upstream_url}: no release tag {version} or v{version} for {name}"
            )
        top = name[: found.start()]
        made = make_tarball(
            mirror,
            probe.stdout.strip(),
            tmp / "tarball",
            top_dir=top,
            version=version,
            mode="never",
        )
        shutil.move(made, dest / name)

    def _row(self, nvr: str) -> StableBuild | None:
        return self.session.scalars(select(StableBuild).where(StableBuild.nvr == nvr)).first()

    def _commit(self) -> None:
        try:
            self.session.commit()
        except SQLAlchemyError as exc:
            self.session.rollback()
            raise BuildSystemError(f"local build system: cannot record: {exc}") from None

    @staticmethod
    def _info(row: StableBuild) -> BuildInfo:
        return BuildInfo(row.id, row.nvr, row.name, row.version, row.release, row.epoch)

    def wait_build(self, task_id: int, timeout: float) -> BuildInfo:
        """The build ``build`` made (local builds are finished when ``build`` returns)."""
        row = self.session.get(StableBuild, task_id)
        if row is None:
            raise BuildSystemError(f"local task {task_id}: no such build")
        return self._info(row)

    def get_build(self, nvr: str) -> BuildInfo | None:
        """The build ``nvr``, or None."""
        row = self._row(nvr)
        return None if row is None else self._info(row)

    # --- tags ------------------------------------------------------------------------

    def _tag_of(self, tag: str) -> tuple[str, Phase]:
        parsed = parse_tag(self.stable, tag)
        if parsed is None:
            raise BuildSystemError(
                f"tag {tag!r}: not a tag of [stable] tag_pattern {self.stable.tag_pattern!r}"
            )
        return parsed

    def tag_build(self, tag: str, nvr: str) -> None:
        """Tag ``nvr`` (signing it first for a release phase) and republish the tag's repo.

        Raises:
            BuildSystemError: unknown build or tag.
            SigningError, ConfigError: the release phase cannot be signed (not tagged).
        """
        _, phase = self._tag_of(tag)
        row = self._row(nvr)
        if row is None:
            raise BuildSystemError(f"build {nvr}: no such build")
        if phase is Phase.RELEASE:
            self._signed(row, Signer(self.stable))
        exists = select(StableTag.id).where(StableTag.tag == tag, StableTag.build_id == row.id)
        if self.session.scalar(exists) is None:
            self.session.add(StableTag(tag=tag, build_id=row.id, timestamp=int(time.time())))
            self._commit()
        self.publish_tag(tag)

    def untag_build(self, tag: str, nvr: str) -> None:
        """Remove ``nvr`` from ``tag`` and republish the tag's repo."""
        self._tag_of(tag)
        row = self._row(nvr)
        if row is None:
            raise BuildSystemError(f"build {nvr}: no such build")
        self.session.execute(
            delete(StableTag).where(StableTag.tag == tag, StableTag.build_id == row.id)
        )
        self._commit()
        self.publish_tag(tag)

    def _tagged_rows(self, tag: str) -> list[StableBuild]:
        stmt = (
            select(StableBuild)
            .join(StableTag, StableTag.build_id == StableBuild.id)
            .where(StableTag.tag == tag)
            .order_by(StableTag.id.desc())
        )
        return list(self.session.scalars(stmt))

    def list_tagged(self, tag: str) -> tuple[BuildInfo, ...]:
        """The builds in ``tag``, newest tagging first; a stale repo is republished first.

        A repo is stale when its ``repo_hash`` is not the rows' content (a run killed
        between a tag change and its publication): the next look at the tag repairs it.
        """
        self._tag_of(tag)
        rows = self._tagged_rows(tag)
        repo = self.phase_repo(tag)
        if (rows or repo.path.exists()) and published_hash(repo) != repo_hash(
            tag, (r.nvr for r in rows)
        ):
            self.publish_tag(tag)
        return tuple(self._info(r) for r in rows)

    # --- repos -----------------------------------------------------------------------

    def _binaries(self, row: StableBuild, *, signed: bool) -> list[Path]:
        base = self.store / row.nvr / ("signed" if signed else "")
        names = [n for n in row.artifacts.split(",") if n and not n.endswith(".src.rpm")]
        return [base / n for n in names]

    def _signed(self, row: StableBuild, signer: Signer) -> None:
        """Signed copies of ``row``'s RPMs under ``signed/`` (made once, checked each time)."""
        final = self.store / row.nvr / "signed"
        if final.is_dir():
            signer.verify(self._binaries(row, signed=True), signer.public_key())
            return
        with staged_dir(final) as stage:
            copies = []
            for path in self._binaries(row, signed=False):
                shutil.copy2(path, stage / path.name)
                copies.append(stage / path.name)
            signer.sign_rpms(copies)

    def phase_repo(self, tag: str) -> PhaseRepo:
        """Where ``tag``'s repo is published and its URL."""
        release, phase = self._tag_of(tag)
        rel = f"stable/{release}/{phase.value}"
        path = self.settings.builder.repos_path / rel
        base = self.settings.builder.baseurl
        url = f"{base.rstrip('/')}/{rel}" if base else path.absolute().as_uri()
        return PhaseRepo(tag, path, url)

    def publish_tag(self, tag: str) -> PhaseRepo:
        """Republish ``tag``'s repo from the rows (signed for a release phase)."""
        _, phase = self._tag_of(tag)
        signed = phase is Phase.RELEASE
        rows = self._tagged_rows(tag)
        rpms = [p for row in rows for p in self._binaries(row, signed=signed)]
        repo = self.phase_repo(tag)
        signer = Signer(self.stable) if signed else None
        writer = make_writer(self.settings.builder.repodata)
        digest = repo_hash(tag, (r.nvr for r in rows))
        try:
            publish(repo, rpms, writer, content_hash=digest, signer=signer)
        finally:
            writer.close()
        return repo
