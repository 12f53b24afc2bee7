"""The ``local`` build system end to end: build → candidate → testing → release, signed.

Through the installed script, with CI votes through the real API, real
rpmbuild, createrepo_c, git reviews on a bare metadata repo, real gpg and rpm:
the release repo's RPMs pass ``rpm -K`` and ``dnf install`` with gpgcheck and
repo_gpgcheck on takes them in an installroot.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.buildsys.conftest import ci_api, trunkline
from tests.buildsys.world import RELEASE, TAGS, StableWorld
from trunkline.process import run

NVR = "python-foo-1.2.0-1.el9s"
RULES = 'rules = {testing = ["ci-unit"], release = ["ci-integration"]}'


def _hash(text: str) -> str:
    found = re.search(r"(?:repo hash |aggregate_hash=)([0-9a-f]{64})", text)
    assert found, text
    return found[1]


def _dnf_install(repo_file: Path, work: Path) -> str:
    """Install python-foo from the repo ``repo_file`` describes, gpgcheck on; dnf's output."""
    repos = work / "repos.d"
    repos.mkdir(parents=True)
    shutil.copy(repo_file, repos)
    got = run(
        [
            "dnf",
            "-y",
            "--installroot",
            str(work / "root"),
            "--releasever",
            "9",
            f"--setopt=reposdir={repos}",
            f"--setopt=cachedir={work / 'cache'}",
            "--disableplugin=*",
            "install",
            "python-foo",
        ],
        timeout=300,
        check=False,
    )
    return got.stdout + got.stderr if got.ok else f"FAILED: {got.stdout}{got.stderr}"


def test_candidate_testing_release_with_votes_and_signing(
    stable_world: StableWorld, tmp_path: Path
) -> None:
    cfg = stable_world.config(*stable_world.signing_lines(), RULES)

    built = trunkline(cfg, "stable", "build", "python-foo", "--release", RELEASE)
    assert built.code == 0, built.err
    with ci_api(cfg) as vote:
        _promote_with_votes(stable_world, cfg, built.out, vote)
    _check_release(stable_world, tmp_path)


def _promote_with_votes(
    stable_world: StableWorld, cfg: Path, built_out: str, vote: Callable[..., None]
) -> None:
    assert f"{NVR}: built and tagged into {TAGS[0]}" in built_out
    candidate = stable_world.root / "data" / "repos" / "stable" / RELEASE / "candidate"
    assert (candidate / f"{NVR}.noarch.rpm").is_file()
    assert "gpgcheck=0" in (candidate / f"{TAGS[0]}.repo").read_text()

    # no vote yet: refused with the hash CI must vote on
    refused = trunkline(cfg, "stable", "promote", NVR, "--to", "testing")
    assert refused.code == 11 and len(refused.err.splitlines()) == 1, refused.err
    assert "rules of testing not met" in refused.err
    assert _hash(refused.err) == _hash(built_out)

    vote("ci-unit", _hash(built_out), success=False)
    assert trunkline(cfg, "stable", "promote", NVR, "--to", "testing").code == 11
    vote("ci-unit", _hash(built_out))
    to_testing = trunkline(cfg, "stable", "promote", NVR, "--to", "testing")
    assert to_testing.code == 0, to_testing.err
    review = stable_world.metadata_file(f"buildsys-tags/{TAGS[1]}.yml", "refs/for/master")
    assert review.startswith(f"# {TAGS[1]}: the NVRs CBS holds")  # comment kept
    assert f"- project: foo\n  buildsys-tags:\n    {TAGS[1]}: {NVR}" in review
    assert NVR not in stable_world.metadata_file(f"buildsys-tags/{TAGS[1]}.yml")  # not merged
    stable_world.merge_review()

    # release: not before its own rule holds, on the testing repo
    refused = trunkline(cfg, "stable", "promote", NVR, "--to", "release")
    assert refused.code == 11 and "rules of release not met" in refused.err
    vote("ci-integration", _hash(to_testing.out))
    released = trunkline(cfg, "stable", "promote", NVR, "--to", "release")
    assert released.code == 0, released.err
    assert f"{TAGS[2]}: {NVR}" in stable_world.metadata_file(
        f"buildsys-tags/{TAGS[2]}.yml", "refs/for/master"
    )

    status = trunkline(cfg, "stable", "status", "--release", RELEASE)
    rows = {line.split("\t")[0]: line.split("\t") for line in status.out.splitlines()}
    assert all(rows[p][3] == NVR for p in ("candidate", "testing", "release")), status.out


def _check_release(stable_world: StableWorld, tmp_path: Path) -> None:
    candidate = stable_world.root / "data" / "repos" / "stable" / RELEASE / "candidate"
    repo = stable_world.root / "data" / "repos" / "stable" / RELEASE / "release"
    rpm_file = repo / f"{NVR}.noarch.rpm"
    repo_file = (repo / f"{TAGS[2]}.repo").read_text()
    assert "gpgcheck=1\nrepo_gpgcheck=1\n" in repo_file
    assert f"gpgkey={repo.as_uri()}/RPM-GPG-KEY-trunkline-stable" in repo_file
    # rpm -K in a fresh rpmdb holding only the published key
    db = ["--dbpath", str(tmp_path / "rpmdb")]
    assert not run(["rpm", *db, "-K", str(rpm_file)], check=False).stdout.count("signatures OK")
    run(["rpm", *db, "--import", str(repo / "RPM-GPG-KEY-trunkline-stable")])
    checked = run(["rpm", *db, "-K", str(rpm_file)]).stdout
    assert "digests signatures OK" in checked
    # the candidate copy stays unsigned: signing never touched the built files
    unsigned = run(["rpm", *db, "-K", str(candidate / rpm_file.name)], check=False).stdout
    assert "signatures OK" not in unsigned
    # the repodata signature verifies with gpg against the published key
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch"]
    run([*gpg, "--import", str(repo / "RPM-GPG-KEY-trunkline-stable")])
    run(
        [
            *gpg,
            "--verify",
            str(repo / "repodata" / "repomd.xml.asc"),
            str(repo / "repodata" / "repomd.xml"),
        ]
    )
    run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)

    installed = _dnf_install(repo / f"{TAGS[2]}.repo", tmp_path / "dnf")
    assert "Complete!" in installed, installed
    assert NVR in run(["rpm", "--root", str(tmp_path / "dnf" / "root"), "-q", "python-foo"]).stdout
