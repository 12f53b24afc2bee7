"""The one place trunkline runs the git command.

Every git process goes through :class:`Git`, which runs it through
:func:`trunkline.process.run` (argv logged, output teed to a build log, timeout,
one-line :class:`~trunkline.errors.CommandError` carrying git's ``fatal:`` line).
A :class:`Git` says *where* git runs and *how*:

* :func:`bare` — ``git --git-dir MIRROR ...``: the builder's bare mirrors;
* :func:`at` — ``git -C PATH ...``: any repository or work tree (or folder in one);
* :func:`checkout` — ``git ...`` in the user's checkout (the distgit tools);
* :data:`NOWHERE` — repository-less commands (``clone``).

Environments: :data:`NO_PROMPT` for everything the builder runs (an unreachable
or private URL must fail, never wait for a password), :data:`USER` for the
distgit tools run in a packager's checkout (no editor, no terminal prompt, but the
packager's own askpass and credential helpers still work), :func:`identity` for
commits with a fixed author and date (the demo's reproducible repos). Each is
merged over the process environment (``process.run``'s rule).

Reading refs from git's files (no process at all) is a different job with
different costs and stays with the code it serves: the poll's cheap check in
:mod:`trunkline.upstream.refs` (built around the mirrors' origin file), which
uses this module only for what needs git's objects. This module is about processes.

Callers keep translating :class:`CommandError` into their own error class
(``SourceError``, ``MetadataLoadError``), since the message names what *they*
were doing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from trunkline.process import CommandResult, run

GIT_TIMEOUT = 600.0  # seconds; clones and fetches of big remotes pass their own
# The builder's git: never ask for credentials on a terminal or through a GUI helper,
# and speak C so the ``fatal:`` lines the errors quote are the same everywhere.
NO_PROMPT: Mapping[str, str] = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "/bin/true",
    "LC_ALL": "C",
}
# The distgit tools' git, in a packager's checkout: never open an editor or prompt
# from library code (their askpass helpers are theirs to keep).
USER: Mapping[str, str] = {"GIT_EDITOR": "true", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def identity(name: str, email: str, *, date: str | None = None) -> dict[str, str]:
    """The environment that makes git author and commit as ``name <email>``.

    Args:
        name: author and committer name.
        email: author and committer email.
        date: a date git accepts (``2025-11-03 09:00:00 +0000``) for both the author
            and committer dates, so a repository built twice has the same hashes;
            None keeps the current time.
    """
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return env


@dataclass(frozen=True)
class Git:
    """How to run git: the options before the subcommand, where, with which environment.

    Attributes:
        options: git's global options (``("--git-dir", "/m.git")``, ``("-C", "/w")``,
            ``("-c", "init.defaultBranch=master")``).
        cwd: the working directory (None: the caller's).
        env: variables merged over the process environment.
        timeout: seconds before git is killed (each call may pass its own).
    """

    options: tuple[str, ...] = ()
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(NO_PROMPT))
    timeout: float = GIT_TIMEOUT

    def argv(self, *args: str) -> list[str]:
        """The full command line of ``git ARGS`` (for messages and logs)."""
        return ["git", *self.options, *args]

    def run(
        self,
        *args: str,
        check: bool = True,
        timeout: float | None = None,
        input_text: str | None = None,
        log_path: Path | None = None,
    ) -> CommandResult:
        """Run ``git ARGS`` and return the whole result.

        Args:
            args: the subcommand and its arguments.
            check: raise on a non-zero exit (else read ``result.ok``).
            timeout: seconds for this call (default: the Git's own).
            input_text: git's standard input (``update-index --stdin``, a commit message).
            log_path: a build log the command and its output are appended to.

        Raises:
            CommandError: git exited non-zero (with ``check``) or is not installed.
            CommandTimeoutError: it ran past the timeout.
        """
        return run(
            self.argv(*args),
            cwd=self.cwd,
            timeout=self.timeout if timeout is None else timeout,
            log_path=log_path,
            env=self.env,
            check=check,
            input_text=input_text,
        )

    def output(
        self, *args: str, timeout: float | None = None, input_text: str | None = None
    ) -> str:
        """Run ``git ARGS`` (failure raises) and return stdout without its trailing newlines."""
        return self.run(*args, timeout=timeout, input_text=input_text).stdout.rstrip("\n")

    def with_env(self, **extra: str) -> Git:
        """The same Git with ``extra`` variables added to its environment."""
        return replace(self, env={**self.env, **extra})


def bare(git_dir: Path, *, env: Mapping[str, str] = NO_PROMPT) -> Git:
    """Git on the bare repository (or a git directory) ``git_dir``: ``git --git-dir DIR``."""
    return Git(("--git-dir", str(git_dir)), env=dict(env))


def at(path: Path, *, env: Mapping[str, str] = NO_PROMPT) -> Git:
    """Git on the repository holding ``path`` (bare, work tree or a folder in one): ``git -C``."""
    return Git(("-C", str(path)), env=dict(env))


def checkout(repo: Path, *, env: Mapping[str, str] = USER) -> Git:
    """Git run inside a packager's checkout ``repo`` (the distgit tools)."""
    return Git(cwd=repo, env=dict(env))


NOWHERE = Git()
"""Git outside any repository (``clone``), with the builder's environment."""
