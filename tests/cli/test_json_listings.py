"""``--json`` on the listing commands that had only text: ``release``, ``user list``.

Through the installed script; each JSON form carries what the text form shows.
(``info``, ``findpkg``, ``diff`` and ``upstream-version`` have their own tests;
``build --status``/``--dry-run --json`` are in test_dlrn_options.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.sandbox import Sandbox
from tests.cli.test_purge_cli import history, trunkline, write_config
from tests.publish.purge_world import History

__all__ = ["history"]  # the fixture, shared with test_purge_cli.py


def test_release_json(sandbox: Sandbox) -> None:
    """Every release with its fields; ``-p`` gives the package's releases, pins and NVRs."""
    proc = sandbox.run(["release", "--info", sandbox["info"], "--json"])
    assert proc.returncode == 0, proc.stderr
    releases = json.loads(proc.stdout)
    text = sandbox.run(["release", "--info", sandbox["info"]]).stdout.split()
    assert [r["name"] for r in releases] == text == ["flamingo", "epoxy"]
    assert releases[1] == {
        "name": "epoxy",
        "status": "maintained",
        "branch": "epoxy-rdo",
        "identifier": None,
        "upstream_branch": "stable/2025.1",
        "source_branch": None,
        "repos": ["el9s"],
    }
    one = json.loads(
        sandbox.run(["release", "--info", sandbox["info"], "-r", "epoxy", "--json"]).stdout
    )
    assert one == [releases[1]]
    pkg = sandbox.run(["release", "--info", sandbox["info"], "-p", "openstack-nova", "--json"])
    assert json.loads(pkg.stdout) == {
        "package": "openstack-nova",
        "releases": [
            {"release": "flamingo", "ref": "master", "pinned": False},
            {"release": "epoxy", "ref": "31.0.0", "pinned": True},
        ],
        "pinned_tags": {},
        "buildsys_tags": {},
    }


def test_user_list_json(sandbox: Sandbox) -> None:
    """``user list --json``: a list of {username, role}."""
    cfg = sandbox["cfg"]
    assert json.loads(sandbox.run(["-c", cfg, "user", "list", "--json"]).stdout) == []
    for name, role in (("ci", "read-write"), ("viewer", "read-only")):
        created = sandbox.run(
            ["-c", cfg, "user", "create", name, "--password", "pw", "--role", role]
        )
        assert created.returncode == 0, created.stderr
    users = json.loads(sandbox.run(["-c", cfg, "user", "list", "--json"]).stdout)
    assert users == [
        {"username": "ci", "role": "read-write"},
        {"username": "viewer", "role": "read-only"},
    ]


@pytest.mark.slow
def test_purge_json(history: History, tmp_path: Path) -> None:
    """``purge --json``: the plan the text lists, then (without --dry-run) what was done."""
    config = str(write_config(tmp_path, history))
    argv = ["--config", config, "purge", "--older-than", "30", "--dry-run"]
    text = trunkline(*argv, cwd=tmp_path).stdout.splitlines()
    plan = json.loads(trunkline(*argv, "--json", cwd=tmp_path).stdout)
    assert plan["result"] is None
    assert plan["items"] and plan["kept"]
    verbs = {"remove": "remove", "strip": "strip", "mark": "mark purged"}  # the text's words
    for item in plan["items"]:
        who = ", ".join(item["projects"]) or "already purged"
        line = f"would {verbs[item['action']]} {item['relpath']} ({who}"
        assert any(t.startswith(line) for t in text), line
    assert {f"keep {k['relpath']}: {k['reason']}" for k in plan["kept"]} <= set(text)
    done = json.loads(trunkline(*argv[:-1], "--json", cwd=tmp_path).stdout)
    assert done["items"] == plan["items"]
    assert done["result"]["removed"] == sum(1 for i in plan["items"] if i["action"] == "remove")
    removed = [i["relpath"] for i in plan["items"] if i["action"] == "remove"]
    assert removed and not any((history.repos / r).exists() for r in removed)


def test_validate_json(sandbox: Sandbox) -> None:
    """The same problems as the text lines, as objects; the exit code is kept (3 on errors)."""
    where = sandbox["invalid_info"]
    text = sandbox.run(["validate", "--info", where])
    proc = sandbox.run(["validate", "--info", where, "--json"])
    assert proc.returncode == text.returncode == 3, proc.stderr
    problems = json.loads(proc.stdout)
    assert problems, proc.stdout
    assert set(problems[0]) == {"file", "line", "severity", "package", "field", "message"}
    errors = [p for p in problems if p["severity"] == "error"]
    assert len(errors) == 1 and errors[0]["file"] == "rdo.yml"
    assert len(problems) == len(text.stdout.splitlines())
    clean = sandbox.run(["validate", "--info", sandbox["info"], "--json"])
    assert clean.returncode == 0 and json.loads(clean.stdout) == []


def test_distgit_lint_json(sandbox: Sandbox) -> None:
    """lint's problems as objects; the exit code stays 23 when any is an error."""
    import shutil

    distgit = Path(sandbox["distgit"])
    clean = sandbox.run(["distgit", "lint", "--checks", "sanity", "--json", "-C", str(distgit)])
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout) == []
    shutil.copy(distgit / "python-foo.spec", distgit / "second.spec")
    proc = sandbox.run(["distgit", "lint", "--checks", "sanity", "--json", "-C", str(distgit)])
    assert proc.returncode == 23, proc.stderr
    problems = json.loads(proc.stdout)
    assert {"level": "E", "check": "spec"}.items() <= problems[0].items()
    assert set(problems[0]) == {"level", "check", "message"}
