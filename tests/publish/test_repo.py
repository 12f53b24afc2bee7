"""Hashed repos and links on disk, with real rpmbuild-made RPMs and real createrepo_c."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import yaml

from trunkline.errors import PublishError
from trunkline.publish.commitfile import parse_commit_yaml
from trunkline.publish.layout import build_relpath
from trunkline.publish.links import move_link, read_link
from trunkline.publish.repo import (
    PublishRequest,
    own_artifacts,
    publish_build,
    publish_failure,
    stage_links,
)
from trunkline.publish.versions_csv import HEADER, VersionsRow, render_versions_csv

pytestmark = pytest.mark.slow

SPEC = """Name: {name}
Version: 1.0
Release: 1
Summary: t
License: MIT
BuildArch: noarch
%description
t
%files
%changelog
"""


@pytest.fixture(scope="module")
def rpms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    top = tmp_path_factory.mktemp("rpms")
    out = {}
    for name in ("alpha", "beta"):
        spec = top / f"{name}.spec"
        spec.write_text(SPEC.format(name=name))
        subprocess.run(
            ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(spec)],
            check=True,
            capture_output=True,
        )
        out[name] = next((top / "RPMS" / "noarch").glob(f"{name}-*.rpm"))
    return out


def request(
    repos: Path,
    relpath: PurePosixPath,
    files: tuple[Path, ...],
    linked: tuple[str, ...] = (),
    previous: Path | None = None,
) -> PublishRequest:
    return PublishRequest(
        repos_root=repos,
        relpath=relpath,
        files=files,
        logs=(),
        linked=linked,
        commit_yaml=yaml.safe_dump({"commits": [{"commit_hash": relpath.name}]}),
        extra_yaml=yaml.safe_dump({"build": {"version": "1.0"}}),
        versions_csv="Project\n",
        reponame="delorean",
        repo_id="delorean",
        baseurl="",
        previous=previous,
    )


def primary_names(repo: Path) -> str:
    out = subprocess.run(
        [
            "dnf",
            "-q",
            "repoquery",
            "--repofrompath",
            f"t,{repo.as_uri()}",
            "--repo",
            "t",
            "--setopt=reposdir=/nonexistent",
            f"--setopt=cachedir={repo.parent / 'cache'}",
            "--qf",
            "%{name}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(sorted(out.stdout.split()))


def test_a_build_repo_holds_its_rpms_links_to_the_others_and_repodata(
    tmp_path: Path, rpms: dict[str, Path]
) -> None:
    repos = tmp_path / "repos"
    a_rel = build_relpath("a" * 40, "d" * 40)
    first = publish_build(request(repos, a_rel, (rpms["alpha"],)))
    first_artifacts = own_artifacts(a_rel, (rpms["alpha"],))
    assert first_artifacts == (f"{a_rel}/{rpms['alpha'].name}",)
    assert first == repos / a_rel
    b_rel = build_relpath("b" * 40, "e" * 40)
    second = publish_build(
        request(repos, b_rel, (rpms["beta"],), linked=first_artifacts, previous=first)
    )
    link = second / rpms["alpha"].name
    assert link.is_symlink()
    assert os.readlink(link) == f"../../../aa/aa/{a_rel.name}/{rpms['alpha'].name}"
    assert link.resolve() == (first / rpms["alpha"].name).resolve()
    assert (second / rpms["beta"].name).stat().st_nlink == 2  # hard link, not a copy
    repofile = (second / "delorean.repo").read_text()
    assert f"baseurl={second.as_uri()}\n" in repofile
    assert primary_names(second) == "alpha beta"  # dnf reads the repodata
    assert not [p for p in second.parent.iterdir() if p.name.startswith(".tmp-")]


def test_a_failed_build_keeps_logs_and_record_but_no_repodata(tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    log = tmp_path / "rpmbuild.log"
    log.write_text("error: File not found: flavors.yaml\n")
    rel = build_relpath("c" * 40, "d" * 40)
    req = request(repos, rel, ())
    req = PublishRequest(**{**req.__dict__, "logs": (log,)})
    published = publish_failure(req)
    assert sorted(p.name for p in published.iterdir()) == [
        "commit.yaml",
        "rpmbuild.log",
        "trunkline.yaml",
    ]
    assert parse_commit_yaml((published / "commit.yaml").read_text())[0]["commit_hash"]


def test_a_missing_file_publishes_nothing(tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    rel = build_relpath("f" * 40, "d" * 40)
    with pytest.raises(PublishError, match="built file missing; nothing published"):
        publish_build(request(repos, rel, (tmp_path / "gone.rpm",)))
    assert not (repos / rel).exists()
    assert list((repos / rel).parent.iterdir()) == []


def test_links_move_atomically_and_never_dangle(tmp_path: Path, rpms: dict[str, Path]) -> None:
    repos = tmp_path / "repos"
    rel = build_relpath("a" * 40, "d" * 40)
    publish_build(request(repos, rel, (rpms["alpha"],)))
    move_link(repos, "current", rel)
    assert os.readlink(repos / "current") == str(rel)
    assert read_link(repos, "current") == rel
    with pytest.raises(PublishError, match="no such repo"):
        move_link(repos, "current", build_relpath("9" * 40, "d" * 40))
    assert read_link(repos, "current") == rel
    comp_rel = build_relpath("b" * 40, "e" * 40, component="network")
    publish_build(request(repos, comp_rel, (rpms["beta"],)))
    move_link(repos, "current", comp_rel, "network")
    assert os.readlink(repos / "component" / "network" / "current") == str(
        PurePosixPath(*comp_rel.parts[2:])
    )


def test_versions_csv_has_dlrn_header() -> None:
    text = render_versions_csv(
        [
            VersionsRow(
                "p",
                "https://u",
                "abc",
                "https://d",
                "def",
                "SUCCESS",
                1,
                None,
                None,
                "p-1.0-0.1.abc",
            )
        ]
    )
    lines = text.splitlines()
    assert lines[0] == ",".join(HEADER)
    assert lines[1] == "p,https://u,abc,https://d,def,SUCCESS,1,None,None,p-1.0-0.1.abc"


def test_links_staged_early_are_corrected_to_what_is_newest_at_publication(
    tmp_path: Path, rpms: dict[str, Path]
) -> None:
    repos = tmp_path / "repos"
    a_rel = build_relpath("a" * 40, "d" * 40)
    publish_build(request(repos, a_rel, (rpms["alpha"],)))
    c_rel = build_relpath("c" * 40, "e" * 40)
    gone = f"{c_rel}/stale-1.0-1.noarch.rpm"  # linked when staged, superseded since
    b_rel = build_relpath("b" * 40, "e" * 40)
    staged = stage_links(repos, b_rel, [gone])
    assert (
        staged.path.name.startswith(".tmp-")
        and (staged.path / "stale-1.0-1.noarch.rpm").is_symlink()
    )
    published = publish_build(
        request(repos, b_rel, (rpms["beta"],), linked=own_artifacts(a_rel, (rpms["alpha"],))),
        staged,
    )
    names = sorted(p.name for p in published.iterdir() if p.name.endswith(".rpm"))
    assert names == [rpms["alpha"].name, rpms["beta"].name]
    assert not staged.path.exists()
    assert primary_names(published) == "alpha beta"


@pytest.mark.parametrize(
    ("extended", "leaf"),
    [
        (None, "93eee776_008678d7"),
        ("1234567890_1234567890", "93eee776_008678d7_12345678"),  # short: one value, 8 chars
        ("20251118", "93eee776_008678d7_20251118"),  # a driver's date, as DLRN allows
        ("a" * 40 + "_" + "b" * 40, "93eee776_008678d7_aaaaaaaa_bbbbbbbb"),  # two hashes
    ],
)
def test_build_dir_names_follow_dlrns_getshardedcommitdir(extended: str | None, leaf: str) -> None:
    """DLRN's rule (dlrn/db.py Commit.getshardedcommitdir): < 49 chars is one value."""
    from trunkline.publish.layout import build_dir_name

    name = build_dir_name("93eee776", "008678d7" + "0" * 32, extended)
    assert name == leaf
