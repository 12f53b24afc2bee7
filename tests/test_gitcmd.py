"""The one git runner: where git runs, its environment, errors, logs, input, identity."""

from __future__ import annotations

import ast
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


# --- the rule: git runs through gitcmd only ---------------------------------------------------

SRC = Path(__file__).resolve().parents[1] / "src" / "trunkline"
# A git command line trunkline hands to another tool, which runs it itself (not a call of ours).
HANDED_TO_TOOLS = {
    # setuptools-scm's describe_command, without DLRN's private-* tags
    ("upstream/scm_version.py", "DESCRIBE"),
}


def git_calls_outside_gitcmd(source: str, where: str) -> list[str]:
    """Where ``source`` builds a ``["git", ...]`` argv or imports subprocess itself.

    Returns ``where:LINE: what`` for each; assignments to a name listed in
    :data:`HANDED_TO_TOOLS` (for ``where``) are allowed.
    """
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if any((where, name) in HANDED_TO_TOOLS for name in names) and node.value:
                allowed |= {id(n) for n in ast.walk(node.value)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple) and node.elts and id(node) not in allowed:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "git":
                found.append(f"{where}:{node.lineno}: git argv {ast.unparse(node)[:60]}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                modules.append(node.module or "")
            if "subprocess" in modules and where != "process.py":
                found.append(f"{where}:{node.lineno}: imports subprocess")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        'run(["git", "-C", str(repo), "log"])',
        'argv = ("git", "--git-dir", str(mirror))',
        'run(["git"] + args, timeout=60)',
        'process.run(["git", *prefix, "fetch"], env=ENV)',
        'subprocess.run(["git", "init"], check=True)',
        "import subprocess",
        "from subprocess import run",
        'DESCRIBE = ["git", "describe"]',  # allowed in scm_version.py only
    ],
)
def test_the_scan_finds_every_way_of_running_git(snippet: str) -> None:
    assert git_calls_outside_gitcmd(snippet, "upstream/example.py")


def test_only_gitcmd_runs_git_and_only_process_spawns() -> None:
    """DESIGN §7 rule 12: git runs through gitcmd, every process through process.run."""
    found = []
    for module in sorted(SRC.rglob("*.py")):
        where = module.relative_to(SRC).as_posix()
        if where != "gitcmd.py":
            found += git_calls_outside_gitcmd(module.read_text(encoding="utf-8"), where)
    assert found == []
    assert (
        git_calls_outside_gitcmd('DESCRIBE = ["git", "describe"]', "upstream/scm_version.py") == []
    )
