"""``stable propose`` on the built demo world: release tags become reviews, once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import git
from tests.releasetime.conftest import BuiltDemo


def _review_refs(demo: BuiltDemo, project: str) -> dict[str, str]:
    """The reviews of the review remote (it also hosts the distgit branch, refs/heads/)."""
    out = git(
        demo.world.review(project), "for-each-ref", "--format=%(refname) %(objectname)", "refs/for/"
    )
    return dict(line.split() for line in out.splitlines())


def _release_on_stable(demo: BuiltDemo, project: str, branch: str, tag: str, path: str) -> None:
    """Upstream commits on its stable branch (``path`` rewritten, or removed) and tags it."""
    repo = demo.world.upstream(project)
    git(repo, "checkout", "-q", branch)
    if path.startswith("-"):
        git(repo, "rm", "-q", "-r", path[1:])
    else:
        (repo / path).write_text("stable fix\n")
        git(repo, "add", path)
    git(repo, "commit", "-q", "-m", f"Stable change for {tag}")
    git(repo, "tag", "-a", tag, "-m", f"{project} {tag}")
    git(repo, "checkout", "-q", "master")


def _rpmspec(spec_text: str, tmp: Path, query: str) -> str:
    """``rpmspec -q --srpm`` (the real tool) on a spec text."""
    path = tmp / "query.spec"
    path.write_text(spec_text)
    out = subprocess.run(
        ["rpmspec", "-q", "--srpm", "--qf", query, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def test_stable_propose_pushes_a_verified_update_once(
    built_demo: BuiltDemo, tmp_path: Path
) -> None:
    demo = built_demo
    for project in ("barclient", "foolib"):
        demo.stable_branch(project, "kiwi")
    made = demo.run("release", "new", "kiwi", "--from", "current")
    assert made.returncode == 0, made.stderr
    config = demo.world.root / "trunkline-kiwi.toml"

    quiet = demo.run("stable", "propose", "--release", "kiwi", "--dry-run", config=config)
    assert quiet.returncode == 0, quiet.stderr
    assert "up to date python-barclient XXX: no newer tag on stable/kiwi" in quiet.stdout
    assert "skipped python-bazutils: pinned to " in quiet.stdout

    _release_on_stable(demo, "barclient", "stable/kiwi", "2.4.0", "FIX.txt")
    _release_on_stable(demo, "foolib", "stable/kiwi", "1.4.0", "-foolib")  # breaks the build
    dry = demo.run("stable", "propose", "--release", "kiwi", "--dry-run", config=config)
    assert "would propose python-barclient 2.4.0: from XXX (tag 2.4.0)" in dry.stdout
    assert _review_refs(demo, "barclient") == {}

    pushed = demo.run("stable", "propose", "--release", "kiwi", "--push", config=config)

    assert pushed.returncode == 12, pushed.stdout + pushed.stderr  # foolib failed its build
    assert "pushed python-barclient 2.4.0: " in pushed.stdout
    assert "failed python-foolib 1.4.0: verification failed: " in pushed.stdout
    assert _review_refs(demo, "foolib") == {}  # a failed verification is never pushed
    refs = _review_refs(demo, "barclient")
    assert list(refs) == ["refs/for/kiwi-rdo%topic=kiwi-update-2.4.0"]
    change = next(iter(refs.values()))
    kiwi = demo.branches("python-barclient")["kiwi-rdo"]
    assert git(demo.world.review("barclient"), "rev-parse", f"{change}~1") == kiwi
    message = git(demo.world.review("barclient"), "log", "-1", "--format=%B", change)
    assert message.startswith("python-barclient-2.4.0-1\n")
    assert "\nChange-Id: I" in message
    spec = git(demo.world.review("barclient"), "show", f"{change}:python-barclient.spec")
    assert _rpmspec(spec, tmp_path, "%{VERSION}-%{RELEASE}") == "2.4.0-1"
    changelog = _rpmspec(spec, tmp_path, "[%{CHANGELOGNAME}|%{CHANGELOGTEXT}\n]").splitlines()
    assert changelog[0] == "trunkline <trunkline@localhost> - 2.4.0-1|- Update to 2.4.0"

    again = demo.run("stable", "propose", "--release", "kiwi", "--push", config=config)

    assert "already proposed python-barclient 2.4.0: refs/for/kiwi-rdo%topic=kiwi-update-2.4.0" in (
        again.stdout
    )
    assert _review_refs(demo, "barclient") == refs

    # the change merged: the distgit branch has it, nothing is proposed any more
    git(
        demo.world.review("barclient"),
        "push",
        "-q",
        str(demo.world.distgit("python-barclient")),
        f"{change}:refs/heads/kiwi-rdo",
    )
    merged = demo.run("stable", "propose", "--release", "kiwi", "--dry-run", config=config)
    assert "up to date python-barclient 2.4.0: no newer tag on stable/kiwi" in merged.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--release", "nosuch"), 3, "release 'nosuch': not defined (known: "),
        (
            ("--release", "trunk", "--push", "--dry-run"),
            2,
            "stable propose: --push and --dry-run exclude each other",
        ),
        (
            ("--release", "trunk", "--author", "nobody"),
            2,
            "--author 'nobody': expected 'NAME <EMAIL>'",
        ),
    ],
    ids=["unknown-release", "push-and-dry-run", "bad-author"],
)
def test_stable_propose_refuses_bad_input(
    built_demo: BuiltDemo,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    returned, out, err = built_demo.run_here(capsys, "stable", "propose", *args)
    assert returned == code, out + err
    assert len(err.splitlines()) == 1 and err.startswith(f"trunkline: error: {message}")
    assert out == ""
