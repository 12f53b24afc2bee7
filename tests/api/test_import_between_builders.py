"""One trunkline builder imports another's builds over HTTP (``POST /api/remote/import``).

Builder A builds for real (git, rpmbuild, createrepo_c); its repo tree is served by
a stdlib HTTP server on 127.0.0.1; builder B (a live API) imports A's hashed repos.
B's repodata, read with createrepo_c's library, lists the same RPMs with the same
checksums as A's. An import that cannot bring every RPM intact fails with nothing
recorded and nothing published: B's DB and ``current`` stay as they were.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import createrepo_c as cr
import pytest
import yaml
from sqlalchemy import func, select

from tests.api.conftest import LiveApi
from tests.builder.cycle_world import make_cycle_world
from tests.httpdir import serve_directory
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.builder.lock import BuilderLock
from trunkline.db.models import BuildStatus, Commit

pytestmark = pytest.mark.slow

IMPORTED = ("alpha", "beta", "gamma")  # delta is the one the failed imports try


def repodata_packages(repo: Path) -> dict[str, str]:
    """File name -> ``<checksum type>:<checksum>`` of every package the repodata lists."""
    records = cr.Repomd(str(repo / "repodata" / "repomd.xml")).records
    primary = next(r.location_href for r in records if r.type == "primary")
    found: dict[str, str] = {}

    def keep(pkg: cr.Package) -> bool:
        found[pkg.location_href] = f"{pkg.checksum_type}:{pkg.pkgId}"
        return True

    cr.xml_parse_primary(str(repo / primary), pkgcb=keep, do_files=False)
    return found


@dataclass(frozen=True)
class BuilderA:
    """Builder A's builds (package -> its row) and the URL its served tree is at."""

    rows: dict[str, Commit]
    served: Path
    url: str

    def repo_url(self, package: str, tree: str = "good") -> str:
        return f"{self.url}/{tree}/{self.rows[package].repo_dir}"


@pytest.fixture(scope="module")
def builder_a(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuilderA]:
    world = make_cycle_world(
        tmp_path_factory.mktemp("builder-a"), ("alpha", "beta", "gamma", "delta")
    )
    settings = world.settings(workers=1)
    cycle = BuildCycle(settings)
    report = cycle.run(CycleOptions())
    assert {o.status for o in report.outcomes} == {BuildStatus.SUCCESS}
    with cycle.sessions() as s:
        rows = {r.project_name: r for r in s.scalars(select(Commit))}
    served = world.root / "served"
    served.mkdir()
    shutil.copytree(settings.builder.repos_path, served / "good", symlinks=True)
    with serve_directory(served) as url:
        yield BuilderA(rows, served, url)


def import_(live: LiveApi, repo_url: str) -> tuple[int, str]:
    with live.client() as client:
        resp = client.post("/api/remote/import", json={"repo_url": repo_url})
    return resp.status_code, resp.text


def current(live: LiveApi) -> str | None:
    link = live.repos / "current"
    return os.readlink(link) if link.is_symlink() else None


def test_imported_builds_list_the_same_rpms_as_the_builder_that_made_them(
    live_sqlite: LiveApi, builder_a: BuilderA
) -> None:
    live = live_sqlite
    order = sorted(IMPORTED, key=lambda name: builder_a.rows[name].id)
    assert order == list(IMPORTED)  # A built them in this order, delta last
    first, last = order[0], order[-1]
    for name in order:
        assert import_(live, builder_a.repo_url(name))[0] == 201
    a_last = builder_a.served / "good" / builder_a.rows[last].repo_dir
    with live.sessions() as s:
        b_rows = {r.project_name: r for r in s.scalars(select(Commit))}
    assert {n: (r.status, r.commit_hash) for n, r in b_rows.items()} == {
        n: (BuildStatus.SUCCESS, builder_a.rows[n].commit_hash) for n in IMPORTED
    }
    # B's newest repo links the others' RPMs as A's did: the same packages, byte for byte
    b_current = live.repos / "current"
    assert current(live) == b_rows[last].repo_dir
    assert repodata_packages(b_current) == repodata_packages(a_last)
    # every imported build holds exactly its own RPMs, with DLRN's artifacts in commit.yaml
    for name in order:
        a_row, b_row = builder_a.rows[name], b_rows[name]
        assert b_row.artifact_list == a_row.artifact_list
        assert b_row.version == a_row.version and b_row.release == a_row.release
        record = yaml.safe_load((live.repos / b_row.repo_dir / "commit.yaml").read_text())
        assert record["commits"][0]["artifacts"] == ",".join(
            f"repos/{a}" for a in a_row.artifact_list
        )
    own = repodata_packages(live.repos / b_rows[first].repo_dir)
    assert sorted(own) == sorted(a.rsplit("/", 1)[-1] for a in builder_a.rows[first].artifact_list)


def _missing(build_dir: Path, rpm: str) -> None:
    (build_dir / rpm).unlink()


def _corrupt(build_dir: Path, rpm_name: str) -> None:
    rpm = build_dir / rpm_name
    data = bytearray(rpm.read_bytes())
    data[-1] ^= 0xFF  # same size, another checksum than the repodata's
    rpm.unlink()  # a hard link to A's file: do not change A's copy
    rpm.write_bytes(bytes(data))


def _no_artifacts(build_dir: Path, rpm: str) -> None:
    del rpm
    path = build_dir / "commit.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["commits"][0]["artifacts"] = "None"
    path.write_text(yaml.safe_dump(doc))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_missing, "HTTP 404; nothing imported"),
        (_corrupt, "differs from the repodata"),
        (_no_artifacts, "a SUCCESS build brings no RPM; nothing recorded"),
    ],
    ids=["missing-rpm", "corrupt-rpm", "success-without-artifacts"],
)
def test_an_import_that_cannot_bring_its_rpms_records_and_publishes_nothing(
    live_sqlite: LiveApi, builder_a: BuilderA, breakage: object, message: str
) -> None:
    live = live_sqlite
    name = "delta"  # never imported by B
    row = builder_a.rows[name]
    tree = f"broken-{getattr(breakage, '__name__', 'x').strip('_')}"
    build_dir = builder_a.served / tree / row.repo_dir
    shutil.copytree(builder_a.served / "good" / row.repo_dir, build_dir, symlinks=True)
    assert callable(breakage)
    own = next(a for a in row.artifact_list if a.endswith(".noarch.rpm"))
    breakage(build_dir, own.rsplit("/", 1)[-1])
    with live.sessions() as s:
        before_rows = s.scalar(select(func.count(Commit.id)))
    before_current = current(live)
    status, body = import_(live, builder_a.repo_url(name, tree))
    assert status == 500 and message in body
    with live.sessions() as s:
        assert s.scalar(select(func.count(Commit.id))) == before_rows
        assert s.scalars(select(Commit.id).where(Commit.project_name == name)).all() == []
    assert current(live) == before_current
    assert not (live.repos / row.repo_dir).exists()
    assert not list(live.repos.rglob(".tmp-*"))


def test_an_import_while_the_builder_runs_is_refused_and_records_nothing(
    live_sqlite: LiveApi, builder_a: BuilderA
) -> None:
    # A build cycle (here: the lock it holds for its whole run) publishes and moves
    # current; an import must not interleave with it: 409 at once, nothing recorded
    # (delta stays unimported for the other tests of this module's one API).
    live = live_sqlite
    name = "delta"
    with live.sessions() as s:
        before_rows = s.scalar(select(func.count(Commit.id)))
    before_current = current(live)
    with BuilderLock(live.settings.builder.data_dir):
        status, body = import_(live, builder_a.repo_url(name))
    assert status == 409 and f"(pid {os.getpid()})" in body
    with live.sessions() as s:
        assert s.scalar(select(func.count(Commit.id))) == before_rows
    assert current(live) == before_current
    assert not (live.repos / builder_a.rows[name].repo_dir).exists()
