"""Same content as ``rdopkg info -l DIR [NAME]``: the real rdopkg, run on the real snapshot.

Every package of the snapshot is compared: one peer process prints rdopkg's own
per-package block (``rdoinfo.print_pkg``, what ``rdopkg info`` prints for each
match) for all of them, and its summary (releases, repos, conf
counts); a sample is also run through the real ``rdopkg info``
command to show those blocks are what the command prints.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from tests.metadata.peer import RdopkgDump, peer_python, rdopkg_dump
from trunkline.cli.app import cli
from trunkline.cli.metadata import FIRST_FIELDS, package_record
from trunkline.metadata import Metadata, Package

Records = dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def peer() -> Path:
    return peer_python()


@pytest.fixture(scope="session")
def rdopkg(peer: Path) -> Path:
    return peer.parent / "rdopkg"


def _parse_block(text: str) -> dict[str, Any]:
    rec: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    return rec


def _parse_rdopkg_info(text: str) -> Records:
    """rdopkg's records keyed by project (names may be duplicated, projects are not)."""
    blocks = re.split(r"\n\s*\n", text.split("packages found:", 1)[1].strip())
    out = {}
    for block in blocks:
        rec = _parse_block(block)
        out[str(rec["project"])] = rec
    return out


FINDPKG_QUERIES = (
    "openstack-nova",
    "nova",
    "NOVA",
    "octavia",
    "oslo",
    "oslo.config",
    "oslo-config",
    "nova-distgit",
    "novaclient",
    "https://opendev.org/openstack/oslo.config",
    "git://opendev.org/openstack/oslo.config.git",
    "https://github.com/openstack/python-novaclient.git",
    "https://example.com/x/glance_store",
    "puppet",
    "no-such-thing",
)


@pytest.fixture(scope="session")
def dump(peer: Path, snapshot: Path) -> RdopkgDump:
    """What rdopkg prints for the snapshot: every package block and the summary."""
    return rdopkg_dump(peer, snapshot, FINDPKG_QUERIES)


@pytest.fixture(scope="session")
def rdopkg_all(dump: RdopkgDump) -> Records:
    """rdopkg's block for every package of the snapshot, parsed, keyed by project."""
    out: Records = {}
    for text in dump.packages:
        rec = _parse_block(text)
        project = str(rec["project"])
        assert project not in out, f"rdopkg printed project {project!r} twice"
        out[project] = rec
    return out


def _ours(pkg: Package) -> dict[str, Any]:
    rec = package_record(pkg)
    # rdopkg prints its first fields with str(): a null patches URL shows as "None"
    return {k: ("None" if v is None and k in FIRST_FIELDS else v) for k, v in rec.items()}


def test_every_package_matches_rdopkg(rdopkg_all: Records, full_md: Metadata):
    assert len(rdopkg_all) == len(full_md.packages) == 1367
    assert {p.project for p in full_md.packages} == set(rdopkg_all)
    wrong_order, wrong_values = [], []
    for pkg in full_md.packages:
        ours, theirs = _ours(pkg), rdopkg_all[pkg.project]
        if list(ours) != list(theirs):
            wrong_order.append(pkg.project)
        elif ours != theirs:
            wrong_values.append(pkg.project)
    assert wrong_order == []  # same fields, in the same order, for every package
    assert wrong_values == []  # same values for every package


def test_the_batch_prints_what_rdopkg_info_prints(
    rdopkg: Path, rdopkg_all: Records, snapshot: Path, full_md: Metadata
):
    names = [p.name for p in full_md.packages[:: len(full_md.packages) // 30]][:30]
    names += ["python-oslo-config", "openstack-octavia", "python-markupsafe"]
    rex = "name:^(" + "|".join(re.escape(n) for n in names) + ")$"
    out = subprocess.run(
        [str(rdopkg), "info", "-l", str(snapshot), rex], capture_output=True, text=True, check=True
    ).stdout
    theirs = _parse_rdopkg_info(out)
    assert {str(r["name"]) for r in theirs.values()} == set(names)
    for project, rec in theirs.items():
        assert rdopkg_all[project] == rec, project
        pkg = full_md.by_project(project)
        assert pkg is not None, project
        assert list(_ours(pkg).items()) == list(rec.items()), project


REPO_LINE = re.compile(r"^\s+(\S+) built in (\S+) from (\S+) branch$")
RELEASE_LINE = re.compile(r"^\s*(\S+) (?:in (\S+) phase|\((\S+)\))\s*$")
CONF_LINE = re.compile(r"^\s+(\d+) using (\S+) config$")


def _summary_facts(text: str) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """(release, status, repo, buildsys, branch) rows and per-conf counts of a summary."""
    repos: list[tuple[str, ...]] = []
    confs: dict[str, int] = {}
    release: tuple[str, str] = ("", "")
    for line in text.splitlines():
        if m := REPO_LINE.match(line):
            repos.append((*release, *m.groups()))
        elif m := CONF_LINE.match(line):
            confs[m[2]] = int(m[1])
        elif (m := RELEASE_LINE.match(line)) and not line.endswith(":"):
            release = (m[1], m[2] or m[3])
    return repos, confs


def test_release_and_repo_listing_matches_rdopkg(dump: RdopkgDump, snapshot: Path):
    res = CliRunner().invoke(cli, ["info", "--info", str(snapshot)])
    assert res.exit_code == 0, res.output
    ours, theirs = _summary_facts(res.output), _summary_facts(dump.summary)
    assert len(theirs[0]) == 23 and len(theirs[1]) == 8
    assert ours[0] == theirs[0]  # same releases, statuses, repos, build targets, branches
    assert ours[1] == theirs[1]  # same packages per conf
    assert (
        "flamingo",
        "development",
        "el10s",
        "cbs/cloud10s-openstack-flamingo-el10s",
        "rpm-master",
    ) in ours[0]


def test_findpkg_finds_what_rdopkg_finds(dump: RdopkgDump, full_md: Metadata):
    for query, (loose, strict) in dump.findpkg.items():
        ours = full_md.find(query)
        ours_strict = full_md.find(query, strict=True)
        assert (ours and ours.project, ours_strict and ours_strict.project) == (loose, strict), (
            query
        )
    assert dump.findpkg["octavia"] == ("octavia", "octavia")
    assert dump.findpkg["oslo"] == ("puppet-oslo", None)
