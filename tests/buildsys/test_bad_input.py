"""Every stable step refuses bad input with one line and its exit code.

Through the installed script: unknown release, package, ref or NVR, a phase
that is not one up, an NVR not in the phase below, bad ``[stable]`` settings, a
missing or unusable signing key (the build then stays in testing).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from tests.buildsys.conftest import trunkline
from tests.buildsys.test_local_flow import NVR
from tests.buildsys.world import RELEASE, TAGS, StableWorld
from trunkline.builder.lock import BuilderLock
from trunkline.buildsys import SigningError
from trunkline.buildsys.local import LocalBuildSystem
from trunkline.buildsys.signing import Signer
from trunkline.buildsys.snapshots import repo_hash
from trunkline.cli.app import run as cli_run
from trunkline.config import StableSettings, load_settings
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import StableTag
from trunkline.process import run

ONE_LINE = "trunkline: error: "


@pytest.fixture(scope="module")
def built(stable_world: StableWorld) -> Iterator[Path]:
    """A local builder (no rules, signing key set) with the NVR built into candidate."""
    cfg = stable_world.config(*stable_world.signing_lines(), data="built")
    got = trunkline(cfg, "stable", "build", "python-foo", "--release", RELEASE)
    assert got.code == 0, got.err
    yield cfg


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (("build", "python-foo", "--release", "nope"), 3, "release 'nope': unknown .*flamingo"),
        (("build", "python-nope", "--release", RELEASE), 2, "package 'python-nope': not in"),
        (
            ("build", "python-foo", "--release", RELEASE, "--commit", "no-such-ref"),
            2,
            "--commit 'no-such-ref': no such branch, tag or commit",
        ),
        (("promote", "python-foo-9-9.el9s", "--to", "testing"), 2, "NVR 'python-foo-9-9.el9s'"),
        (("promote", NVR, "--to", "release"), 11, f"{NVR}: not in the testing phase of any"),
        (
            ("promote", NVR, "--to", "release", "--release", RELEASE),
            11,
            f"{NVR}: not in {TAGS[1]} \\(the phase below release\\)",
        ),
        (("promote", NVR, "--to", "production"), 2, "phase 'production': expected candidate"),
        (("promote", NVR, "--to", "candidate"), 2, "--to candidate: builds enter candidate"),
        (("status", "--release", "../x"), 3, "release '../x': unknown"),
    ],
    ids=[
        "unknown-release",
        "unknown-package",
        "unknown-ref",
        "unknown-nvr",
        "not-in-phase-below",
        "not-in-phase-below-of-release",
        "unknown-phase",
        "candidate-is-not-a-promotion",
        "unsafe-release-name",
    ],
)
def test_bad_input_is_one_line(built: Path, argv: tuple[str, ...], code: int, says: str) -> None:
    got = trunkline(built, "stable", *argv)
    assert got.code == code, got.err
    assert got.err.count("\n") == 1 and got.err.startswith(ONE_LINE), got.err
    assert re.search(says, got.err), got.err


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (('driver = "koji"', 'hub_url = "ftp://hub.example.org/kojihub"'), "key 'stable.hub_url'"),
        (('driver = "koji"',), "key 'stable.hub_url': missing"),
        (('hub_url = "https://cbs.centos.org/kojihub"',), "only for driver koji"),
        (('tag_pattern = "cloud9s-{release}"',), "must contain {release} and {phase}"),
        (('rules = {candidate = ["ci"]}',), "'candidate': expected testing or release"),
        (('gpg_home = "/tmp"',), "key 'stable.gpg_home': .*needs gpg_key"),
        (('signing = "yes"',), "unknown key 'stable.signing'"),
        (
            ('driver = "koji"', 'hub_url = "https://cbs.example.org/kojihub"', 'dist = ".el9"'),
            "key 'stable.dist': .*only for driver local",
        ),
        (("poll_interval = 1",), "key 'stable.poll_interval': .*only for driver koji"),
    ],
    ids=[
        "bad-hub-url",
        "no-hub-url",
        "hub-for-local",
        "pattern",
        "rule",
        "home-no-key",
        "typo",
        "dist-for-koji",
        "poll-for-local",
    ],
)
def test_bad_stable_settings_are_refused(
    stable_world: StableWorld,
    lines: tuple[str, ...],
    says: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process through ``cli/app.run`` (the installed script's cases are above)."""
    cfg = stable_world.config(driver_lines="\n".join(lines) + "\n", data="settings")
    code = cli_run(["-c", str(cfg), "stable", "status", "--release", RELEASE])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(ONE_LINE) and re.search(says, err), err


def test_one_stable_run_at_a_time(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(built)
    with BuilderLock(settings.builder.data_dir / "stable"):
        code = cli_run(["-c", str(built), "stable", "status", "--release", RELEASE])
    err = capsys.readouterr().err
    assert code == 10 and err.count("\n") == 1 and "another trunkline run" in err, err
    with BuilderLock(settings.builder.data_dir):  # a trunk build cycle does not block it
        assert cli_run(["-c", str(built), "stable", "status", "--release", RELEASE]) == 0


def test_signing_failure_leaves_the_build_in_testing(
    stable_world: StableWorld, built: Path, tmp_path: Path
) -> None:
    assert trunkline(built, "stable", "promote", NVR, "--to", "testing").code == 0
    stable_world.merge_review()
    wrong = tmp_path / "wrong-passphrase"
    wrong.write_text("not the passphrase\n")
    home, key = stable_world.gnupg, stable_world.key
    bad = built.read_text().replace(str(stable_world.passphrase_file), str(wrong))
    built.write_text(bad)
    got = trunkline(built, "stable", "promote", NVR, "--to", "release")
    assert got.code == 11 and got.err.count("\n") == 1, got.err
    assert f"{NVR} stays in {TAGS[1]}: rpmsign --addsign with key {key}" in got.err

    missing = "\n".join(
        line for line in bad.splitlines() if not line.startswith(("gpg_", "gpg_home"))
    )
    built.write_text(missing + "\n")
    got = trunkline(built, "stable", "promote", NVR, "--to", "release")
    assert got.code == 2 and "[stable] gpg_key: missing" in got.err, got.err

    built.write_text(bad.replace(f'gpg_key = "{key}"', 'gpg_key = "0000DEADBEEF0000"'))
    got = trunkline(built, "stable", "promote", NVR, "--to", "release")
    assert got.code == 11 and f"gpg key 0000DEADBEEF0000: not found in {home}" in got.err

    status = trunkline(built, "stable", "status", "--release", RELEASE).out.splitlines()
    phases = {line.split("\t")[0]: line.split("\t")[3] for line in status}
    assert phases == {"candidate": NVR, "testing": NVR, "release": "-"}
    assert NVR not in stable_world.metadata_file(f"buildsys-tags/{TAGS[2]}.yml", "refs/for/master")
    release_repo = stable_world.root / "built" / "repos" / "stable" / RELEASE / "release"
    assert not release_repo.exists()


def test_a_kill_between_tag_change_and_publication_is_repaired(
    stable_world: StableWorld, built: Path
) -> None:
    """The tag rows changed, the repo was not republished: the next look republishes it."""
    settings = load_settings(built)
    repo = settings.builder.repos_path / "stable" / RELEASE / "testing"
    if not (repo / f"{NVR}.noarch.rpm").is_file():  # the signing test left it there, unless
        # that test ran in another xdist worker (each has its own module fixture)
        assert trunkline(built, "stable", "promote", NVR, "--to", "testing").code == 0
    assert (repo / f"{NVR}.noarch.rpm").is_file()
    with session_factory(open_database(settings.database_url))() as session:
        session.execute(delete(StableTag).where(StableTag.tag == TAGS[1]))  # untag, then killed
        session.commit()
        system = LocalBuildSystem(settings, session)
        assert system.list_tagged(TAGS[1]) == ()
    assert not (repo / f"{NVR}.noarch.rpm").exists()
    assert (repo / "repo_hash").read_text().strip() == repo_hash(TAGS[1], [])
    dnf_sees = run(
        [
            "dnf",
            "repoquery",
            "-q",
            "--repofrompath",
            f"t,{repo.as_uri()}",
            "--repo",
            "t",
            f"--setopt=cachedir={repo.parent / 'dnf-cache'}",
            "--disableplugin=*",
        ],
        timeout=120,
    ).stdout
    assert dnf_sees.strip() == ""


def test_signing_through_gpg_agent_without_a_passphrase_file(
    stable_world: StableWorld, built: Path, tmp_path: Path
) -> None:
    """A key the agent unlocks (no passphrase here): rpmsign and repodata signing work, and
    ``verify`` refuses an RPM the key did not sign."""
    home = Path(tempfile.mkdtemp(prefix="tla", dir="/tmp"))
    home.chmod(0o700)
    try:
        gpg = ["gpg", "--homedir", str(home), "--batch", "--passphrase", ""]
        run([*gpg, "--quick-gen-key", "Agent Key <agent@example.org>", "ed25519", "sign", "never"])
        listed = run([*gpg, "--with-colons", "--list-secret-keys"]).stdout
        key = next(line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr:"))
        signer = Signer(StableSettings(gpg_key=key, gpg_home=home))
        store = load_settings(built).builder.repos_path / "stable" / "builds" / NVR
        rpm_file = tmp_path / f"{NVR}.noarch.rpm"
        shutil.copy(store / rpm_file.name, rpm_file)
        with pytest.raises(SigningError, match=r"rpm -K .*: digests OK"):  # unsigned
            signer.verify([rpm_file], signer.public_key())
        signer.sign_rpms([rpm_file])
        signer.verify([rpm_file], signer.public_key())
        other = Signer(stable_world_settings(stable_world))
        with pytest.raises(SigningError, match="rpm -K"):  # signed, but not by that key
            other.verify([rpm_file], other.public_key())
        signed = signer.sign_file(rpm_file)
        run([*gpg, "--verify", str(signed), str(rpm_file)])
    finally:
        run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
        shutil.rmtree(home, ignore_errors=True)


def stable_world_settings(world: StableWorld) -> StableSettings:
    """The world's own key, unlocked by its passphrase file."""
    return StableSettings(
        gpg_key=world.key, gpg_home=world.gnupg, gpg_passphrase_file=world.passphrase_file
    )
