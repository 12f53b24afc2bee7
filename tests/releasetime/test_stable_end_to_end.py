"""Release time to a signed release repo, on the demo world, with the ``local`` build system.

Issue 16's whole flow through the installed script: ``release new`` from the
trunk builder's ``current``; the new stable builder builds; an upstream release
tag on ``stable/NAME`` becomes a ``stable propose`` review, which is merged as
Gerrit would; ``stable build`` puts the tag's build in candidate; CI votes through
the real API promote it to testing and release (each a metadata review); the
release repo's RPMs pass ``rpm -K`` and ``dnf install`` takes them with gpgcheck on.
The Koji driver runs the same phases against its fake hub in tests/buildsys.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.buildsys.conftest import ci_api, trunkline
from tests.buildsys.world import make_gpg_key
from tests.conftest import git
from tests.releasetime.conftest import BuiltDemo
from tests.releasetime.test_stable_propose import _release_on_stable
from trunkline.process import run

NAME = "lime"
PROJECT, PACKAGE, VERSION = "quxlib", "python-quxlib", "9.9.1"
NVR = f"{PACKAGE}-{VERSION}-1.el9s"
BINARY = f"python3-quxlib-{VERSION}-1.el9s"
TAG = "demo-lime-{}"


def _hash(text: str) -> str:
    found = re.search(r"(?:repo hash |aggregate_hash=)([0-9a-f]{64})", text)
    assert found, text
    return found[1]


def _merge_metadata_review(demo: BuiltDemo) -> None:
    """Gerrit merges the pushed metadata change: master takes refs/for/master."""
    meta = demo.world.root / "metadata"
    git(meta, "reset", "-q", "--hard", "refs/for/master")


@pytest.mark.slow
def test_release_new_to_a_signed_release_repo(built_demo: BuiltDemo, tmp_path: Path) -> None:
    demo = built_demo
    meta = demo.world.root / "metadata"
    demo.stable_branch(PROJECT, NAME)

    made = demo.run("release", "new", NAME, "--from", "current")
    assert made.returncode == 0, made.stderr
    git(meta, "add", "-A")
    git(meta, "commit", "-q", "-m", f"Add release {NAME}")  # the release review, merged
    config = demo.world.root / f"trunkline-{NAME}.toml"

    # the new stable builder builds every package of the release
    built = demo.run("build", config=config)
    assert built.returncode == 0, built.stderr
    assert re.search(r"\d+ built: \d+ ok, 0 failed", built.stdout), built.stdout

    # upstream releases VERSION on stable/lime: the update is proposed, then merged
    _release_on_stable(demo, PROJECT, f"stable/{NAME}", VERSION, "STABLE-FIX")
    proposed = demo.run("stable", "propose", "--release", NAME, "--push", config=config)
    assert proposed.returncode == 0, proposed.stderr
    assert f"pushed {PACKAGE} {VERSION}: " in proposed.stdout
    review = demo.world.review(PROJECT)
    refs = git(review, "for-each-ref", "--format=%(refname)", f"refs/for/{NAME}-rdo*").split()
    assert len(refs) == 1, refs
    distgit = demo.world.distgit(PACKAGE)
    git(distgit, "fetch", "-q", str(review), refs[0])
    git(distgit, "update-ref", f"refs/heads/{NAME}-rdo", "FETCH_HEAD")

    # the build system half: [stable] for this builder, signing with a key made here
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("stable phases\n")
    gnupg, key = make_gpg_key(passphrase)
    try:
        # release new set the phase tags' pattern from the tags it declared
        text = config.read_text()
        assert '[stable]\ntag_pattern = "demo-{release}-{phase}"\n' in text, text
        config.write_text(
            text.replace(
                "[stable]\n",
                "[stable]\n"
                'driver = "local"\n'
                'rules = {testing = ["ci-unit"], release = ["ci-integration"]}\n'
                f'gpg_key = "{key}"\n'
                f'gpg_home = "{gnupg}"\n'
                f'gpg_passphrase_file = "{passphrase}"\n',
            )
        )
        candidate = trunkline(config, "stable", "build", PACKAGE, "--release", NAME)
        assert candidate.code == 0, candidate.err
        assert f"{NVR}: built and tagged into {TAG.format('candidate')}" in candidate.out
        with ci_api(config) as vote:
            vote("ci-unit", _hash(candidate.out))
            testing = trunkline(config, "stable", "promote", NVR, "--to", "testing")
            assert testing.code == 0, testing.err
            _merge_metadata_review(demo)
            early = trunkline(config, "stable", "promote", NVR, "--to", "release")
            assert early.code == 11 and "rules of release not met" in early.err, early.err
            vote("ci-integration", _hash(testing.out))
            released = trunkline(config, "stable", "promote", NVR, "--to", "release")
            assert released.code == 0, released.err
            _merge_metadata_review(demo)
        tags = (meta / f"buildsys-tags/{TAG.format('release')}.yml").read_text()
        assert NVR in tags
    finally:
        run(["gpgconf", "--homedir", str(gnupg), "--kill", "gpg-agent"], check=False)
        shutil.rmtree(gnupg, ignore_errors=True)

    # the stable builder's data_dir (release new names it data-lime, beside the trunk's)
    repo = demo.world.root / f"data-{NAME}" / "repos" / "stable" / NAME / "release"
    rpms = sorted(repo.glob("*.rpm"))
    assert {p.name for p in rpms} >= {f"{BINARY}.noarch.rpm"}, rpms
    db = ["--dbpath", str(tmp_path / "rpmdb")]
    run(["rpm", *db, "--import", str(repo / "RPM-GPG-KEY-trunkline-stable")])
    for rpm_file in rpms:
        assert "digests signatures OK" in run(["rpm", *db, "-K", str(rpm_file)]).stdout
    repos = tmp_path / "repos.d"
    repos.mkdir()
    repo_file = repos / "release.repo"
    shutil.copy(repo / f"{TAG.format('release')}.repo", repo_file)
    assert "gpgcheck=1" in repo_file.read_text()
    base = demo.world.root / "base-repo"  # the demo's stand-in for the OS (python, bash)
    (repos / "base.repo").write_text(f"[base]\nname=base\nbaseurl={base.as_uri()}\ngpgcheck=0\n")
    got = run(
        [
            "dnf",
            "-y",
            "--installroot",
            str(tmp_path / "root"),
            "--releasever",
            "9",
            f"--setopt=reposdir={repos}",
            f"--setopt=cachedir={tmp_path / 'cache'}",
            "--disableplugin=*",
            "--nodocs",
            "install",
            "python3-quxlib",
        ],
        timeout=300,
        check=False,
    )
    assert got.ok, got.stdout + got.stderr
    query = run(["rpm", "--root", str(tmp_path / "root"), "-q", "python3-quxlib"]).stdout
    assert BINARY in query
