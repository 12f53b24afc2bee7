"""The one git runner: where git runs, its environment, errors, logs, input, identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from trunkline import gitcmd
from trunkline.errors import CommandError, CommandTimeoutError

DATE = "2025-11-03 09:00:00 +0000"


def _repo(tmp_path: Path) -> Path:
    """A work tree with one commit by a fixed author at a fixed date."""
    repo = tmp_path / "work"
    repo.mkdir(parents=True)
    git = gitcmd.checkout(repo).with_env(**gitcmd.identity("Ann Dev", "ann@example.org", date=DATE))
    git.run("init", "-q", "-b", "main")
    (repo / "README").write_text("hello\n")
    git.run("add", "README")
    git.run("commit", "-q", "-m", "first")
    return repo


def test_identity_sets_author_committer_and_both_dates(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    line = gitcmd.at(repo).output("log", "-1", "--format=%an <%ae>|%cn <%ce>|%aI|%cI")
    assert line == "Ann Dev <ann@example.org>|Ann Dev <ann@example.org>|" + (
        "2025-11-03T09:00:00+00:00|2025-11-03T09:00:00+00:00"
    )


def test_a_fixed_date_gives_the_same_commit_twice(tmp_path: Path) -> None:
    first = gitcmd.at(_repo(tmp_path / "a")).output("rev-parse", "HEAD")
    second = gitcmd.at(_repo(tmp_path / "b")).output("rev-parse", "HEAD")
    assert first == second and len(first) == 40


@pytest.mark.parametrize(
    ("where", "expected_options"),
    [
        ("bare", ("--git-dir",)),
        ("at", ("-C",)),
        ("checkout", ()),
    ],
)
def test_each_way_of_pointing_at_a_repo_reads_the_same_commit(
    tmp_path: Path, where: str, expected_options: tuple[str, ...]
) -> None:
    repo = _repo(tmp_path)
    mirror = tmp_path / "m.git"
    gitcmd.NOWHERE.run("clone", "--quiet", "--bare", "--", str(repo), str(mirror))
    git = {
        "bare": gitcmd.bare(mirror),
        "at": gitcmd.at(repo / "."),
        "checkout": gitcmd.checkout(repo),
    }[where]
    assert tuple(git.options[:1]) == expected_options
    assert git.output("rev-parse", "main") == gitcmd.at(repo).output("rev-parse", "HEAD")


def test_output_strips_only_trailing_newlines(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert gitcmd.at(repo).output("log", "-1", "--format=  %s%n") == "  first"


def test_failure_is_a_command_error_with_gits_fatal_line(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        gitcmd.at(tmp_path).run("rev-parse", "HEAD")
    assert str(info.value).startswith("git failed (exit 128): fatal: not a git repository")


def test_unchecked_failure_is_a_result(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = gitcmd.at(repo).run("rev-parse", "--verify", "--quiet", "nope^{commit}", check=False)
    assert not result.ok and result.returncode == 1 and result.stdout == ""


def test_input_text_reaches_git(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    git = gitcmd.at(repo)
    sha = git.output("hash-object", "-w", "--stdin", input_text="from stdin\n")
    assert git.output("cat-file", "-p", sha) == "from stdin"


def test_the_command_and_its_output_go_to_the_build_log(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    log = tmp_path / "build.log"
    gitcmd.bare(repo / ".git").run("log", "-1", "--format=%s", log_path=log)
    text = log.read_text()
    assert f"$ git --git-dir {repo / '.git'} log -1 --format=%s" in text
    assert "first\n" in text and "[exit 0]" in text


def test_a_call_can_have_its_own_timeout(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    git = gitcmd.checkout(repo).with_env(GIT_EDITOR="sleep 30;:")
    with pytest.raises(CommandTimeoutError, match="timed out"):
        git.run("commit", "--amend", timeout=0.5)


@pytest.mark.parametrize(
    ("git", "editor"),
    [(gitcmd.checkout(Path(".")), "true"), (gitcmd.NOWHERE, None)],
)
def test_library_git_never_opens_an_editor(git: gitcmd.Git, editor: str | None) -> None:
    assert git.env.get("GIT_EDITOR") == editor
    assert git.env["GIT_TERMINAL_PROMPT"] == "0" and git.env["LC_ALL"] == "C"


def test_the_builder_never_waits_for_a_password(tmp_path: Path) -> None:
    """An https remote asking for credentials fails at once: no prompt, askpass says nothing."""
    result = gitcmd.NOWHERE.run(
        "credential", "fill", input_text="protocol=https\nhost=example.invalid\n\n", timeout=20
    )
    fields = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert fields["host"] == "example.invalid" and fields.get("password", "") == ""
