"""The ``dlrn`` options wrappers use, on ``trunkline build``, through the installed script.

The cycle world (tests/cli/sandbox.py) follows ``alpha`` (builds), ``broken``
(FTBFS) and ``gone`` (no upstream: a transient source error); each package's
upstream project has its name. Real builds take ~2 s each, so few are made.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builder.cycle_world import make_cycle_world
from tests.cli.sandbox import Sandbox
from tests.httpdir import serve_directory


def run(sb: Sandbox, *argv: str) -> subprocess.CompletedProcess[str]:
    """``trunkline -c {cfg} build ARGV`` in the sandbox."""
    return sb.run(["-c", sb["cfg"], "build", *argv])


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The one stderr line of an error."""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "trunkline_code", "dlrn_code"),
    [
        (("-p", "alpha"), 0, 0),
        (("-p", "broken"), 12, 1),
        (("-p", "gone"), 13, 2),
        (("-p", "nosuch"), 3, 1),
    ],
    ids=["ok", "ftbfs", "transient", "error"],
)
def test_exit_codes_dlrn(
    sandbox: Sandbox, argv: tuple[str, ...], trunkline_code: int, dlrn_code: int
) -> None:
    """``--exit-codes dlrn`` gives DLRN's 0 ok / 1 failure / 2 retry; an error is 1, one line.

    trunkline's own codes for the same runs are tests/cli/test_exit_codes.py's.
    """
    dlrn = run(sandbox, *argv, "--exit-codes", "dlrn")
    assert dlrn.returncode == dlrn_code, dlrn.stderr
    if argv[1] == "nosuch":
        assert error_line(dlrn).startswith("trunkline: error: package 'nosuch': ")
        assert run(sandbox, *argv).returncode == trunkline_code
    elif argv[1] == "alpha":
        assert "1 built: 1 ok" in dlrn.stdout


def test_status_recheck_and_force_recheck(sandbox: Sandbox) -> None:
    """``--status`` prints DLRN's lines; ``--recheck`` rebuilds a FAILED build, not a good one."""
    before = run(sandbox, "--status")
    assert before.returncode == 0, before.stderr
    assert before.stdout.splitlines() == [
        "      rpm alpha NO_BUILD",
        "      rpm broken NO_BUILD",
        "      rpm gone NO_BUILD",
    ]
    assert run(sandbox, "-p", "alpha", "-p", "broken").returncode == 12
    after = run(sandbox, "--status", "--package-name", "broken", "--package-name", "alpha")
    assert after.stdout.splitlines() == ["      rpm broken FAILED", "      rpm alpha SUCCESS"]
    as_json = json.loads(run(sandbox, "--status", "-p", "broken", "--json").stdout)
    assert [(s["package"], s["status"], len(s["commit_hash"])) for s in as_json] == [
        ("broken", "FAILED", 40)
    ]

    refused = run(sandbox, "--recheck", "-p", "alpha", "-p", "broken")
    assert refused.returncode == 2
    assert error_line(refused) == (
        "trunkline: error: --recheck: alpha: last build succeeded (use --force-recheck)"
    )
    assert run(sandbox, "--recheck").returncode == 2  # DLRN too wants a package name
    assert run(sandbox, "--recheck", "-p", "gone", "--exit-codes", "dlrn").returncode == 1

    recheck = run(sandbox, "--recheck", "--project-name", "broken")
    assert recheck.returncode == 0, recheck.stderr
    assert re.fullmatch(r"rechecked broken [0-9a-f]{8} \(was FAILED\)\n", recheck.stdout)
    assert run(sandbox, "--status", "-p", "broken").stdout == "      rpm broken NO_BUILD\n"
    planned = json.loads(run(sandbox, "--dry-run", "--json").stdout)
    assert [p["package"] for p in planned] == ["broken"]
    assert planned[0]["commit_hash"] == as_json[0]["commit_hash"]

    forced = run(sandbox, "--force-recheck", "-p", "alpha")
    assert forced.stdout.startswith("rechecked alpha "), forced.stderr
    planned = json.loads(run(sandbox, "--dry-run", "--json").stdout)
    assert sorted(p["package"] for p in planned) == ["alpha", "broken"]
    rebuilt = run(sandbox, "-p", "alpha", "-p", "broken")
    assert rebuilt.returncode == 12, rebuilt.stderr
    assert "2 built: 1 ok, 1 failed" in rebuilt.stdout
    again = run(sandbox, "--status", "-p", "alpha", "-p", "broken")
    assert again.stdout.splitlines() == ["      rpm alpha SUCCESS", "      rpm broken FAILED"]
    current = sandbox.tmp / "data" / "repos" / "current"
    assert sorted(p.name for p in current.glob("alpha-*.noarch.rpm"))  # a good repo again


def test_config_override(sandbox: Sandbox) -> None:
    """``--config-override`` sets a key for the run; unknown keys and bad values are refused."""
    good = run(sandbox, "--dry-run", "-p", "alpha", "--config-override", "builder.workers=2")
    assert good.returncode == 0, good.stderr
    cases = {
        "builder.workerz=2": "unknown key 'builder.workerz'",
        "nosection.workers=2": "unknown section 'nosection'",
        "builder.workers=many": "key 'builder.workers': expected `int` (got 'many')",
        "builder.workers": "expected SECTION.KEY=VALUE",
    }
    for item, message in cases.items():
        proc = run(sandbox, "--dry-run", "--config-override", item)
        assert proc.returncode == 2, item
        assert message in error_line(proc), proc.stderr
    # the override is applied: a data dir elsewhere is a new, empty builder
    other = sandbox.tmp / "other-data"
    moved = run(
        sandbox, "--status", "-p", "alpha", "--config-override", f'builder.data_dir="{other}"'
    )
    assert moved.stdout == "      rpm alpha NO_BUILD\n", moved.stderr
    assert (other / "trunkline.sqlite").exists()
    # a relative path is taken against the config file's directory, as in the file
    sub = sandbox.tmp / "sub" / "trunkline.toml"
    sub.parent.mkdir()
    sub.write_text(Path(sandbox["cfg"]).read_text())
    override = ["--config-override", 'builder.data_dir="rel"']
    relative = sandbox.run(["-c", str(sub), "build", "--status", "-p", "alpha", *override])
    assert relative.returncode == 0, relative.stderr
    assert (sub.parent / "rel" / "trunkline.sqlite").exists()
    assert not (sandbox.tmp / "rel").exists()  # not the working directory


def test_project_name(sandbox: Sandbox) -> None:
    """``--project-name`` selects by upstream project; an unknown one is an error."""
    proc = run(sandbox, "--project-name", "broken", "--project-name", "alpha", "--dry-run")
    assert sorted(re.findall(r"would build (\w+)", proc.stdout)) == ["alpha", "broken"]
    unknown = run(sandbox, "--project-name", "nosuch", "--dry-run")
    assert unknown.returncode == 3
    assert "project 'nosuch': no followed package" in error_line(unknown)
    both = run(sandbox, "--project-name", "alpha", "-p", "alpha", "--dry-run")
    assert both.returncode == 2


def test_stop(sandbox: Sandbox) -> None:
    """``--stop`` (with ``--order``: one at a time) starts no build after the first FTBFS."""
    world = make_cycle_world(sandbox.tmp / "world", ("first", "second"))
    world.break_upstream("first")
    world.upstream_commit("second", "Newer than first's break: queued after it")
    meta = f'packages.path="{world.metadata}"'
    stopped = run(sandbox, "--stop", "--order", "--config-override", meta)
    assert stopped.returncode == 12, stopped.stderr
    assert "1 built: 0 ok, 1 failed" in stopped.stdout
    assert "stopped at the first FTBFS (--stop): 1 queued builds not started" in stopped.stdout
    status = run(sandbox, "--status", "--config-override", meta).stdout
    assert status == "      rpm first FAILED\n      rpm second NO_BUILD\n"

    # the same as JSON, once first is rechecked
    recheck = ["--recheck", "-p", "first", "--config-override", meta]
    assert run(sandbox, *recheck, "--json").returncode == 2  # it prints no listing
    assert run(sandbox, *recheck).returncode == 0
    again = run(sandbox, "--stop", "--order", "--json", "--config-override", meta)
    assert again.returncode == 12
    done = json.loads(again.stdout)
    assert [(b["package"], b["status"]) for b in done["built"]] == [("first", "FAILED")]
    assert "cannot stat 'first.conf'" in done["built"][0]["error"]
    assert (done["skipped"], done["source_errors"]) == (1, [])


def test_local(sandbox: Sandbox) -> None:
    """``--local`` fetches no mirror that exists: a new upstream commit is not seen."""
    world = make_cycle_world(sandbox.tmp / "world", ("solo",))
    meta = f'packages.path="{world.metadata}"'
    first = run(sandbox, "--dry-run", "--config-override", meta, "--sequential")
    assert first.returncode == 0, first.stderr
    old = set(re.findall(r"would build solo ([0-9a-f]{8})", first.stdout))
    new = world.upstream_commit("solo", "New feature")[:8]
    local = run(sandbox, "--dry-run", "--config-override", meta, "--local")
    assert set(re.findall(r"would build solo ([0-9a-f]{8})", local.stdout)) == old
    fetched = run(sandbox, "--dry-run", "--config-override", meta)
    assert new in re.findall(r"would build solo ([0-9a-f]{8})", fetched.stdout)


def test_run(sandbox: Sandbox) -> None:
    """``--run CMD``: CMD with DLRN's 6 arguments per package, built or not; nothing recorded."""
    assert run(sandbox, "-p", "alpha").returncode == 0
    out = sandbox.tmp / "calls.txt"
    script = sandbox.tmp / "probe.sh"
    script.write_text(f'#!/bin/sh\necho "$@ FOO=$FOO $(ls "$6")" >> {out}\n')
    script.chmod(0o755)
    proc = run(sandbox, "-p", "alpha", "-p", "broken", "--run", str(script), "--build-env", "FOO=1")
    assert proc.returncode == 0, proc.stderr
    assert re.findall(r"^run (\w+) [0-9a-f]{8}: exit 0$", proc.stdout, re.M) == ["alpha", "broken"]
    data, repos = sandbox.tmp / "data", sandbox.tmp / "data" / "repos"
    calls = out.read_text().splitlines()
    assert [c.split()[:2] for c in calls] == [["centos9", "alpha"], ["centos9", "broken"]]
    alpha = calls[0].split()
    assert alpha[2].startswith(f"{repos}/") and alpha[3] == str(data)
    assert alpha[4].endswith("alpha_distro") and alpha[5:] == ["FOO=1", "alpha.spec"]
    assert not (data / alpha[4]).exists()  # the checkout is removed after the command
    assert run(sandbox, "--status", "-p", "broken").stdout == "      rpm broken NO_BUILD\n"

    failed = run(sandbox, "-p", "alpha", "-p", "broken", "--run", "false", "--stop")
    assert failed.returncode == 12
    assert len(re.findall(r"^run \w+ [0-9a-f]{8}: exit 1$", failed.stdout, re.M)) == 1
    dlrn = run(sandbox, "-p", "alpha", "--run", "false", "--exit-codes", "dlrn")
    assert dlrn.returncode == 1
    said = run(sandbox, "-p", "alpha", "--run", "sh -c 'echo out; echo err >&2' probe")
    assert said.stdout.startswith("out\nrun alpha ")  # CMD's output, then its line
    assert said.stderr.endswith("err\n")
    missing = run(sandbox, "-p", "alpha", "--run", str(sandbox.tmp / "no-such-cmd"))
    assert missing.returncode == 12
    assert re.search(r"^run alpha [0-9a-f]{8}: cannot start: ", missing.stdout, re.M)
    bad = run(sandbox, "-p", "alpha", "--run", "'unclosed")
    assert bad.returncode == 2
    assert error_line(bad).startswith('trunkline: error: --run "\'unclosed": ')


def test_remote_import(sandbox: Sandbox) -> None:
    """``remote-import URL`` (dlrn-remote) records and publishes another builder's build."""
    assert run(sandbox, "-p", "alpha").returncode == 0
    repos = sandbox.tmp / "data" / "repos"
    build_dir = next(p.parent for p in repos.glob("*/*/*/commit.yaml"))
    with serve_directory(repos) as base:
        url = f"{base}/{build_dir.relative_to(repos)}"
        other = sandbox.tmp / "b.toml"
        other.write_text(Path(sandbox["cfg"]).read_text().replace('/data"', '/data-b"'))
        proc = sandbox.run(["-c", str(other), "remote-import", url])
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == f"imported {url}: 1 build(s)\n"
        again = sandbox.run(["-c", str(other), "remote-import", "--repo-url", url])
        assert again.stdout == proc.stdout  # already known: recorded once
        both = sandbox.run(["-c", str(other), "remote-import", url, "--repo-url", url])
        assert both.returncode == 2
    status = sandbox.run(["-c", str(other), "build", "--status", "-p", "alpha"])
    assert status.stdout == "      rpm alpha SUCCESS\n"
    imported = sandbox.tmp / "data-b" / "repos" / build_dir.relative_to(repos)
    rpms = sorted(p.name for p in imported.glob("*.rpm"))
    assert rpms and rpms == sorted(p.name for p in build_dir.glob("*.rpm"))
    assert (sandbox.tmp / "data-b" / "repos" / "current").resolve() == imported.resolve()


RECORDING_MOCK = """\
#!{python}
# A stand-in for mock: records the -r config (its text when it is a file), then fails.
import json, pathlib, sys
config = sys.argv[sys.argv.index("-r") + 1]
path = pathlib.Path(config)
text = path.read_text() if path.is_file() else ""
pathlib.Path({record!r}).write_text(json.dumps({{"config": config, "text": text}}))
sys.exit(1)
"""


def test_use_public(sandbox: Sandbox) -> None:
    """``--use-public``: mock gets the builder's current repo even if the config leaves it out."""
    assert run(sandbox, "-p", "alpha").returncode == 0  # the current repo exists
    record = sandbox.tmp / "mock.json"
    fake = sandbox.tmp / "fake-mock"
    fake.write_text(RECORDING_MOCK.format(python=sys.executable, record=str(record)))
    fake.chmod(0o755)
    base = sandbox.tmp / "centos9.cfg"
    base.write_text("config_opts['root'] = 'c9'\nconfig_opts['dnf.conf'] = '''\n[main]\n'''\n")
    overrides = [
        "build.driver=mock",
        f'build.mock.config="{base}"',
        f'build.mock.mock_exe="{fake}"',
        "build.mock.current_repo=false",
    ]
    argv = [arg for item in overrides for arg in ("--config-override", item)]
    current = (sandbox.tmp / "data" / "repos" / "current").as_uri()

    run(sandbox, "-p", "broken", *argv)
    assert json.loads(record.read_text())["config"] == str(base)  # as the config says
    assert run(sandbox, "--recheck", "-p", "broken").returncode == 0
    run(sandbox, "-p", "broken", "--use-public", *argv)
    seen = json.loads(record.read_text())
    assert seen["config"] != str(base)  # a config generated with the current repo
    assert f"baseurl={current}" in seen["text"]


def test_no_repo(sandbox: Sandbox) -> None:
    """``--no-repo``: builds recorded, own RPMs published without repodata; links stay.

    DLRN moves ``current`` onto such a directory; trunkline keeps it on the last
    real repo, also across a restart's link reconciliation, and links the builds
    into the next indexed publication.
    """
    world = make_cycle_world(sandbox.tmp / "world", ("one", "two"))
    meta = ("--config-override", f'packages.path="{world.metadata}"')
    repos = Path(sandbox["data"]) / "repos"
    assert run(sandbox, *meta).returncode == 0
    first = (repos / "current").resolve()
    assert (first / "repodata" / "repomd.xml").is_file()

    world.upstream_commit("one", "Built without a repo")
    proc = run(sandbox, *meta, "--no-repo")
    assert proc.returncode == 0, proc.stderr
    assert "1 built: 1 ok" in proc.stdout
    assert (repos / "current").resolve() == first
    assert (repos / "consistent").resolve() == first
    unindexed = [d for d in repos.glob("*/*/*") if d.is_dir() and d != first]
    newest = max(unindexed, key=lambda d: d.stat().st_mtime)
    names = {p.name for p in newest.iterdir()}
    assert not {"repodata", "delorean.repo"} & names
    assert {"commit.yaml", "versions.csv"} <= names
    own = [n for n in names if n.endswith(".rpm")]
    assert own and all(n.startswith("one-") for n in own)
    assert all(not (newest / n).is_symlink() for n in own)

    # a run with nothing new reconciles the links: current must stay on a real repo
    assert run(sandbox, *meta).returncode == 0
    assert (repos / "current").resolve() == first

    world.upstream_commit("two", "Published normally")
    assert run(sandbox, *meta).returncode == 0
    latest = (repos / "current").resolve()
    assert latest != first and (latest / "repodata" / "repomd.xml").is_file()
    assert set(own) <= {p.name for p in latest.iterdir()}  # one's unindexed build
