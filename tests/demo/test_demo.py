"""`make demo` end to end: the generated world builds, breaks on purpose and installs."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import git
from trunkline.config import load_settings
from trunkline.db.engine import open_database, session_factory, session_scope
from trunkline.db.models import Ftbfs
from trunkline.demo.scenario import DemoError, prepare_dir, run_demo

pytestmark = pytest.mark.slow


def test_the_demo_keeps_every_promise_of_the_readme(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    said: list[str] = []
    summary = run_demo(root, said.append)

    assert len(summary.first.outcomes) == 10
    assert summary.ftbfs == ("demo-data",)
    assert summary.current != summary.consistent
    assert any(n.startswith("python3-foolib-1.3.0-0.") for n in summary.installed)
    # the FTBFS was mailed (to a real SMTP server on loopback) with its culprit and log
    # lines, then a distgit fix closed it and that was mailed too
    opened, fixed = (
        email.message_from_string(m, policy=email.policy.default) for m in summary.mails
    )
    assert opened["Subject"] == "[trunkline] demo-centos9-master: demo-data failed to build"
    assert opened["To"] == "core@demo.example.org"
    body = opened.get_content()
    culprit, log = body.split("Build log", 1)
    assert "Move flavors to the service database" in culprit.split("Culprit:", 1)[1]
    assert "flavors.yaml" in log  # the log excerpt
    assert fixed["Subject"] == "[trunkline] demo-centos9-master: demo-data builds again"
    assert "Fixed by the distgit commit:" in fixed.get_content()
    assert any("mail caught by the local SMTP sink" in line for line in said)
    # the FTBFS review was pushed to the package's bare review remote ([notify] review =
    # "git"), then the fix deleted it and recorded it as abandoned
    review = summary.review
    assert review is not None
    bare = summary.world.review("demo-data")
    assert review.url == f"{bare.as_uri()}#refs/for/rpm-master"
    assert review.ref == "refs/for/rpm-master"
    assert review.subject.startswith("demo-data: failed to build ")
    assert review.note.startswith("# REMOVEME: error caused by commit ")  # DLRN's line
    spec = git(bare, "show", f"{review.commit}:demo-data.spec")
    assert spec.endswith(review.note)
    assert git(bare, "for-each-ref", "refs/for/") == ""  # deleted by the fix
    assert review.closed.startswith(f"review {review.change_id}: abandoned (deleted ")
    db = open_database(load_settings(summary.world.config_path).database_url)
    with session_scope(session_factory(db)) as session:
        [row] = session.scalars(select(Ftbfs).where(Ftbfs.project_name == "demo-data")).all()
        assert (row.review_id, row.review_state) == (review.change_id, "abandoned")
    db.dispose()
    assert any("review pushed by the builder's review channel" in line for line in said)
    repos = summary.world.data_dir / "repos"
    assert (repos / "report.html").is_file()
    # the world's upper-constraints: its five libraries found in current, the rest missing
    assert summary.uc_counts["missing"] == 2
    assert sum(summary.uc_counts.values()) == 7  # alabaster once, for Python 3.12
    assert "foolib" in (repos / "uc.html").read_text()
    # the config it leaves behind drives one more cycle from the CLI: nothing new to build
    settings = load_settings(summary.world.config_path)
    assert settings.builder.repos_path == repos
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "trunkline",
            "--config",
            str(summary.world.config_path),
            "build",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "nothing to build"


def test_the_demo_refuses_to_wipe_a_directory_it_did_not_create(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(DemoError, match="exists and is not a trunkline demo"):
        prepare_dir(precious, lambda msg: None)
    assert os.listdir(precious) == ["thesis.tex"]
