"""A dashboard site of three builders with realistic records, built through the models.

- ``centos9-master``: packages built over ten days, CI votes (one job in progress
  first, so it has a duration), promotions by a rule and by a user, a rule still
  waiting for a job, ``current``/``consistent`` links and a hostile package name
  and commit message;
- ``centos9-master-head``: the same kind of builder with components;
- ``centos9-epoxy``: a stable builder with one open FTBFS (culprit, review,
  attempts) and one fixed, and a failing build with its ``rpmbuild.log``.

Every build gets its hashed repo dir with ``versions.csv`` (DLRN's columns) so the
named links and the Package page's "repos holding it" read real files.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from trunkline.config import Settings, settings_from_dict
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import BuildStatus, CIVote, Commit, Ftbfs, Promotion
from trunkline.publish.layout import build_relpath
from trunkline.publish.links import move_link
from trunkline.publish.versions_csv import HEADER

DAY = 86_400
HOSTILE_NAME = '"><img src=x onerror=alert(1)>'
HOSTILE_NOTES = "<script>alert(1)</script> fix build"
HOSTILE_JOB = '<svg onload="alert(2)">'
HOSTILE_URL = 'javascript:alert(3)//"><script>alert(4)</script>'
BUILDERS = ("centos9-master", "centos9-master-head", "centos9-epoxy")
RDO_YML = """\
packages:
- project: cinder
  name: openstack-cinder
  upstream: https://opendev.org/openstack/cinder
  master-distgit: https://github.com/rdo-packages/cinder-distgit.git
  maintainers:
  - cinder-core@example.com
  - '<script>alert(5)</script>@example.com'
"""


def sha(text: str) -> str:
    """A deterministic 40-hex hash."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@dataclass
class BuilderWorld:
    """One builder: its settings and the builds added (newest last)."""

    name: str
    settings: Settings
    builds: list[Commit] = field(default_factory=list)

    @property
    def repos(self) -> Path:
        """The repo tree."""
        return self.settings.builder.repos_path


def write_site(root: Path, worlds: list[BuilderWorld]) -> Path:
    """A site.toml listing the builders' configs (written beside their trees)."""
    lines = []
    for w in worlds:
        lines += ["[[builder]]", f'name = "{w.name}"', f'config = "{w.name}/trunkline.toml"', ""]
    site = root / "site.toml"
    site.write_text("\n".join(lines), encoding="utf-8")
    return site


def _settings(root: Path, name: str, db_url: str, **extra: Any) -> Settings:
    base = root / name
    base.mkdir(parents=True, exist_ok=True)
    rules = extra.pop("rules", {})
    toml = [
        "[builder]",
        f'name = "{name}"',
        f'data_dir = "{base / "data"}"',
        f"use_components = {'true' if extra.get('components') else 'false'}",
        "[database]",
        f'url = "{db_url}"',
    ]
    if extra.get("metadata"):
        meta = base / "metadata"
        meta.mkdir()
        (meta / "rdo.yml").write_text(RDO_YML)
        toml += ["[packages]", f'path = "{meta}"']
    if rules:
        toml.append("[promotion.rules]")
        toml += [f'"{k}" = [{", ".join(repr(j) for j in v)}]' for k, v in rules.items()]
    (base / "trunkline.toml").write_text("\n".join(toml).replace("'", '"') + "\n")
    raw: dict[str, Any] = {
        "builder": {
            "name": name,
            "data_dir": str(base / "data"),
            "use_components": bool(extra.get("components")),
        },
        "database": {"url": db_url},
        "promotion": {"rules": rules},
    }
    if extra.get("metadata"):
        raw["packages"] = {"path": str(base / "metadata")}
    return settings_from_dict(raw)


def _versions_csv(rows: list[Commit]) -> str:
    lines = [",".join(HEADER)]
    for c in rows:
        nvr = f"{c.project_name}-{c.version}-{c.release}"
        lines.append(
            ",".join(
                [
                    c.project_name.replace(",", " "),
                    "https://opendev.org/x",
                    c.commit_hash,
                    "https://github.com/rdo/x",
                    c.distro_hash,
                    "SUCCESS",
                    str(c.dt_build),
                    c.component or "",
                    "None",
                    nvr.replace(",", " "),
                ]
            )
        )
    return "\n".join(lines) + "\n"


class Builder:
    """Adds builds to one builder's DB and repo tree."""

    def __init__(self, world: BuilderWorld, session: Session, now: int) -> None:
        self.w = world
        self.s = session
        self.now = now
        self.latest: dict[str, Commit] = {}

    def build(
        self,
        project: str,
        age: float,
        status: BuildStatus = BuildStatus.SUCCESS,
        *,
        component: str | None = None,
        notes: str = "",
        seconds: float = 95.0,
    ) -> Commit:
        """One build ``age`` days ago; a success gets a repo with versions.csv."""
        n = len(self.w.builds) + 1
        ch, dh = sha(f"{self.w.name}-up-{project}-{n}"), sha(f"{self.w.name}-dg-{project}-{n}")
        dt = int(self.now - age * DAY)
        rel = build_relpath(ch, dh, None, component)
        row = Commit(
            dt_commit=dt - 600,
            dt_distro=dt - 700,
            dt_build=dt,
            project_name=project,
            repo_dir=str(rel),
            commit_hash=ch,
            distro_hash=dh,
            commit_branch="master",
            status=status,
            component=component,
            version="2.1.0",
            release=f"0.{dt}.{ch[:7]}.el9",
            notes=notes,
            build_seconds=seconds,
        )
        self.s.add(row)
        self.s.flush()
        self.w.builds.append(row)
        repo = self.w.repos / rel
        repo.mkdir(parents=True, exist_ok=True)
        if status is BuildStatus.SUCCESS:
            self.latest[project] = row
            (repo / "versions.csv").write_text(_versions_csv(list(self.latest.values())))
        else:
            (repo / "rpmbuild.log").write_text(f"error: {project} failed\n{notes}\n")
        return row

    def vote(self, c: Commit, job: str, ok: bool, ts: int, *, started: int | None = None) -> None:
        """A CI vote (preceded by an in-progress one when ``started``)."""
        if started is not None:
            self.s.add(
                CIVote(commit_id=c.id, ci_name=job, ci_url=f"https://ci.example/{job}/1",
                       ci_vote=False, ci_in_progress=True, timestamp=started, notes="")
            )  # fmt: skip
        self.s.add(
            CIVote(commit_id=c.id, ci_name=job, ci_url=f"https://ci.example/{job}/1",
                   ci_vote=ok, ci_in_progress=False, timestamp=ts, notes="")
        )  # fmt: skip

    def promote(self, c: Commit, name: str, ts: int, *, automatic: bool = False) -> None:
        """A promotion row and its link."""
        self.s.add(
            Promotion(commit_id=c.id, promotion_name=name, timestamp=ts, automatic=automatic,
                      component=c.component)
        )  # fmt: skip
        move_link(self.w.repos, name, Path(c.repo_dir))  # type: ignore[arg-type]


def _fill_master(b: Builder) -> None:
    pkgs = ["python-oslo-config", "python-novaclient", "openstack-nova", HOSTILE_NAME]
    for day in range(10, 0, -1):
        for i, p in enumerate(pkgs):
            status = BuildStatus.FAILED if (day + i) % 7 == 0 else BuildStatus.SUCCESS
            if day == 4 and i == 1:
                status = BuildStatus.RETRY
            b.build(p, day + i * 0.01, status, notes=HOSTILE_NOTES if i == 3 else "")
    last = b.build("python-oslo-config", 0.2)
    b.vote(last, "tripleo-ci-centos-9", True, b.now - 3000, started=b.now - 6600)
    b.vote(last, HOSTILE_JOB, False, b.now - 2000)
    b.vote(last, "consistent", True, b.now - 7000)
    b.promote(b.w.builds[-5], "current-passed-ci", b.now - 2 * DAY, automatic=True)
    b.promote(last, "current-passed-ci", b.now - 1000, automatic=True)
    b.promote(b.w.builds[-9], "tripleo-ci-testing", b.now - 3 * DAY)
    b.s.add(
        CIVote(commit_id=last.id, ci_name="periodic-weirdo", ci_url=HOSTILE_URL,
               ci_vote=True, ci_in_progress=False, timestamp=b.now - 1500, notes=HOSTILE_NOTES)
    )  # fmt: skip
    move_link(b.w.repos, "current", Path(last.repo_dir))  # type: ignore[arg-type]
    move_link(b.w.repos, "consistent", Path(b.w.builds[-5].repo_dir))  # type: ignore[arg-type]
    _uc_runs(b)


UC_ROWS = (  # module, constrained, package, packaged, status
    ("oslo.config", "9.7.2", "python3-oslo-config", "9.7.1-1.el9s", "lower"),
    ("PyYAML", "6.0.2", "python3-pyyaml", "6.0.2-1.el9", "equal"),
    ("requests", "2.32.3", "python3-requests", "2.32.4-1.el9", "greater"),
    (HOSTILE_NAME, "1.0", "", "", "missing"),
)


def _uc_runs(b: Builder) -> None:
    """Two upper-constraints report runs (as ``uc report`` stores them): a trend."""
    from trunkline.constraints.report import UcRow, UcStatus
    from trunkline.db.uc_queries import record_run

    for age, rows in ((DAY, UC_ROWS[1:]), (60, UC_ROWS)):
        record_run(
            b.s,
            [
                UcRow(
                    release="master",
                    module=m,
                    uc_version=v,
                    package=pkg,
                    packaged=have,
                    repo="current" if pkg else "",
                    also=(),
                    mapped_by="python3dist" if pkg else "",
                    status=UcStatus(st),
                )
                for m, v, pkg, have, st in rows
            ],
            release="master",
            python="3.12",
            source="upper-constraints.txt",
            now=b.now - age,
        )


def _fill_head(b: Builder) -> None:
    comps = {
        "python-glanceclient": "clients",
        "openstack-glance": "glance",
        "ansible-core": "tripleo",
    }
    for day in range(8, 0, -1):
        for i, (p, comp) in enumerate(comps.items()):
            status = BuildStatus.FAILED if day == 3 and i == 2 else BuildStatus.SUCCESS
            b.build(p, day + i * 0.02, status, component=comp, seconds=200 + i * 30)
    newest = b.w.builds[-1]
    b.vote(newest, "glance-functional", True, b.now - 900, started=b.now - 2700)
    b.promote(newest, "component-ci-testing", b.now - 800, automatic=True)
    move_link(b.w.repos, "current", Path(newest.repo_dir))  # type: ignore[arg-type]


def _fill_stable(b: Builder) -> None:
    good = b.build("python-cinderclient", 9)
    for day in (8, 7, 6):
        b.build("openstack-cinder", day)
    fail1 = b.build("openstack-cinder", 2.5, BuildStatus.FAILED, notes="error: Bad exit status")
    fail2 = b.build("openstack-cinder", 1.2, BuildStatus.FAILED, notes="error: Bad exit status")
    b.s.add(
        Ftbfs(project_name="openstack-cinder", opened_at=fail1.dt_build,
              first_failed_commit_id=fail1.id, last_failed_commit_id=fail2.id,
              last_good_commit_id=b.w.builds[3].id, attempts=2, culprit_state="single",
              culprit_commit_hash=fail1.commit_hash, review_id="93412",
              review_url="https://review.rdoproject.org/r/c/93412", review_state="NEW")
    )  # fmt: skip
    was = b.build("python-cinderclient", 5, BuildStatus.FAILED)
    fixed = b.build("python-cinderclient", 4)
    b.s.add(
        Ftbfs(project_name="python-cinderclient", opened_at=was.dt_build,
              closed_at=fixed.dt_build, first_failed_commit_id=was.id,
              last_failed_commit_id=was.id, last_good_commit_id=good.id, attempts=1,
              culprit_state="unknown", fix_commit_id=fixed.id, fixed_by="distgit")
    )  # fmt: skip
    move_link(b.w.repos, "current", Path(fixed.repo_dir))  # type: ignore[arg-type]
    move_link(b.w.repos, "consistent", Path(b.w.builds[3].repo_dir))  # type: ignore[arg-type]


RULES = {"current-passed-ci": ["tripleo-ci-centos-9", "tempest-full"]}


_TEMPLATE: list[Path] = []


def _migrated_sqlite(url: str) -> None:
    """Put a migrated empty database at SQLite ``url`` (a copy of one migrated once)."""
    if not _TEMPLATE:
        tmp = Path(tempfile.mkdtemp(prefix="trunkline-web-template-")) / "empty.sqlite"
        open_database(f"sqlite:///{tmp}").dispose()
        _TEMPLATE.append(tmp)
    target = Path(url.removeprefix("sqlite:///"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATE[0], target)


def make_site(
    root: Path,
    db_urls: dict[str, str],
    now: int | None = None,
    only: tuple[str, ...] = BUILDERS,
) -> tuple[Path, list[BuilderWorld]]:
    """Create the builders (all three unless ``only``) under ``root`` and their site.toml."""
    now = int(time.time()) if now is None else now
    specs = {
        "centos9-master": (_fill_master, {"rules": RULES}),
        "centos9-master-head": (_fill_head, {"components": True}),
        "centos9-epoxy": (_fill_stable, {"metadata": True}),
    }
    worlds = []
    for name, (fill, extra) in specs.items():
        if name not in only:
            continue
        if db_urls[name].startswith("sqlite:///"):
            _migrated_sqlite(db_urls[name])
        settings = _settings(root, name, db_urls[name], **extra)
        w = BuilderWorld(name, settings)
        engine: Engine = open_database(settings.database_url)
        with session_factory(engine)() as s:
            fill(Builder(w, s, now))
            s.commit()
        engine.dispose()
        worlds.append(w)
    return write_site(root, worlds), worlds
