"""kill -9 at random moments, then run again: the repo tree and the DB always agree.

Seeded and bounded: a fixed number of kills at pseudo-random delays over the
whole life of a run (fetching, building, writing repodata, moving links,
committing), new upstream commits between some of them, then one run to
completion. After every kill the published state must be valid (links resolve
to complete repos, no temp dir is served); at the end nothing that succeeded
was built twice and every commit was built.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from trunkline.builder.cycle import BuildCycle
from trunkline.config import load_settings
from trunkline.db.models import BuildStatus, Commit

pytestmark = pytest.mark.slow

KILLS = 8
SEED = 20261125


def write_config(world: CycleWorld) -> Path:
    cfg = world.root / "trunkline.toml"
    cfg.write_text(
        "[builder]\n"
        f'data_dir = "{world.root / "data"}"\n'
        'dist = ".el9s"\n'
        "workers = 2\n"
        "[packages]\n"
        'source = "rdoinfo"\n'
        f'path = "{world.metadata}"\n'
        'tag = "trunk"\n'
    )
    return cfg


def start_build(cfg: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "trunkline", "--config", str(cfg), "build"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill takes rpmbuild, git and createrepo_c too
    )


def assert_published_state_is_valid(repos: Path) -> None:
    for name in ("current", "consistent"):
        link = repos / name
        if link.is_symlink():
            target = link.resolve()
            assert target.is_dir(), f"{name} dangles"
            assert (target / "repodata" / "repomd.xml").is_file(), f"{name} is not complete"
            assert not target.name.startswith(".tmp-")
            for entry in target.iterdir():
                if entry.is_symlink():
                    assert entry.resolve().is_file(), f"{entry} dangles"


def test_kill_nine_at_random_moments_never_corrupts_and_resumes(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    world = make_cycle_world(tmp_path, ("alpha", "beta", "gamma"))
    cfg = write_config(world)
    repos = load_settings(cfg).builder.repos_path

    def killed_run() -> None:
        proc = start_build(cfg)
        time.sleep(rng.uniform(0.1, 4.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert_published_state_is_valid(repos)

    # first builds interrupted (a never-built package builds only its head) ...
    for _ in range(3):
        killed_run()
    assert start_build(cfg).wait(timeout=600) == 0
    expected = {(name, repo.head()) for name, repo in world.upstreams.items()}
    # ... then every new commit must be built exactly once, whatever the kills
    for i in range(KILLS):
        if i % 2 == 0:
            name = rng.choice(sorted(world.upstreams))
            expected.add((name, world.upstream_commit(name, f"change {i}")))
        killed_run()

    final = start_build(cfg)
    assert final.wait(timeout=600) == 0
    assert_published_state_is_valid(repos)

    settings = load_settings(cfg)
    with BuildCycle(settings).sessions() as session:
        rows = list(session.scalars(select(Commit)))
    ok = [
        (r.project_name, r.commit_hash, r.distro_hash)
        for r in rows
        if r.status is BuildStatus.SUCCESS
    ]
    assert [pair for pair, n in Counter(ok).items() if n > 1] == []  # no success rebuilt
    built = {(p, c) for p, c, _ in ok}
    assert expected <= built  # every commit was built in the end, none skipped
    for r in rows:
        if r.status is BuildStatus.SUCCESS:
            repo = repos / r.repo_dir
            assert (repo / "repodata" / "repomd.xml").is_file()
            assert all((repos / a).is_file() for a in r.artifact_list)
    heads = {(name, repo.head()) for name, repo in world.upstreams.items()}
    assert heads <= built
    assert not list(repos.rglob(".tmp-*"))
    # and the tree says nothing the DB does not: every hashed dir is a recorded build
    recorded = {r.repo_dir: r.status for r in rows if r.repo_dir}
    for build_dir in repos.glob("??/??/*_*"):
        rel = str(build_dir.relative_to(repos))
        expected_status = (
            BuildStatus.SUCCESS if (build_dir / "repodata").is_dir() else BuildStatus.FAILED
        )
        assert recorded.get(rel) is expected_status, rel
    newest = max((r for r in rows if r.status is BuildStatus.SUCCESS), key=lambda r: r.id)
    assert os.readlink(repos / "current") == newest.repo_dir


# A builder whose [notify] mails a sink on the test's port. With "die" its first
# SMTP send kills the whole process with SIGKILL: the build row, the FTBFS period
# and the outbox rows are committed, the mail is not sent yet.
RUNNER = """
import os, signal, sys
from pathlib import Path
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import apply_overrides, load_settings
from trunkline.notify import mail

cfg, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode == "die":
    def die(self, msg, *, sender, to):
        os.kill(os.getpid(), signal.SIGKILL)
    mail.SmtpTransport.send = die
settings = apply_overrides(
    load_settings(Path(cfg)),
    ('notify.smtp_server="127.0.0.1"', f"notify.smtp_port={port}",
     'notify.recipients=["team@example.org"]'),
)
BuildCycle(settings).run(CycleOptions())
"""


def test_kill_nine_between_the_build_record_and_the_mail_sends_it_once(tmp_path: Path) -> None:
    from email import message_from_bytes

    from trunkline.db.models import Ftbfs, OutboxMessage, OutboxState
    from trunkline.demo.mail import MailSink

    world = make_cycle_world(tmp_path, ("alpha",))
    cfg = write_config(world)
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)

    with MailSink() as sink:

        def run(mode: str) -> int:
            argv = [sys.executable, str(runner), str(cfg), str(sink.port), mode]
            return subprocess.run(argv, capture_output=True, timeout=600, check=False).returncode

        assert run("send") == 0  # alpha builds: nothing to mail
        world.break_upstream("alpha")
        assert run("die") == -signal.SIGKILL
        with BuildCycle(load_settings(cfg)).sessions() as session:
            assert session.scalars(select(Ftbfs)).one().closed_at is None
            mail = session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel == "mail")
            ).one()
            assert (mail.state, mail.attempts) == (OutboxState.PENDING, 0)
        assert sink.messages == []
        assert run("send") == 0  # nothing new to build; the outbox delivers what is due
        assert run("send") == 0  # and never again
        received = [message_from_bytes(m) for m in sink.messages]
    assert [m["Subject"] for m in received] == ["[trunkline] trunkline: alpha failed to build"]
    assert mail.message_id in received[0]["Message-ID"]
    with BuildCycle(load_settings(cfg)).sessions() as session:
        row = session.get(OutboxMessage, mail.id)
        assert row is not None and (row.state, row.attempts) == (OutboxState.DELIVERED, 1)
