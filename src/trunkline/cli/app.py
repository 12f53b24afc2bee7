"""The root ``trunkline`` command and the ONLY place errors become messages and exit codes.

Every command module exposes ``register(group)``; this module wires them in,
holds the global options (``--config``, ``--debug``, ``--verbose``), configures
logging, and :func:`run` turns how a command ended into the process status: a
:class:`~trunkline.errors.TrunklineError` becomes one line on stderr and the exit
code documented in ``errors.py`` (``--debug`` adds the traceback), a
``click.exceptions.Exit(CODE)`` after a printed result becomes CODE.

Command modules are imported lazily: importing them all costs most of a second
(SQLAlchemy, alembic, FastAPI...), which would dwarf a 20 ms metadata query.
``COMMANDS`` is a static table (name -> module, attribute, short help) so that
``trunkline --help`` imports nothing and ``trunkline info`` imports only
``cli/metadata.py``. A module listed in ``COMMAND_MODULES`` but missing from
``COMMANDS`` still works (its ``register`` is called when the help lists
commands or an unknown name is asked for); ``tests/cli/test_cli.py`` checks the
table against the real commands.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn

import click

from trunkline.errors import ConfigError, TrunklineError

if TYPE_CHECKING:
    from trunkline.config import Settings

# Command modules (each exposes register(group)); add one here and its commands to COMMANDS.
COMMAND_MODULES = (
    "init",
    "build",
    "report",
    "metadata",
    "distgit",
    "api",
    "web",
    "user",
    "demo",
    "purge",
    "sync",
    "upstream",
    "dlrn",
    "remote",
    "notify",
    "outbox",
    "release",
    "stable",
    "uc",
    "ftbfs",
    "worker",
)


class CommandEntry(NamedTuple):
    """Where a command lives, and its help line, known without importing it."""

    module: str
    attr: str
    summary: str


# One line per command; keep in step with the commands (tests/cli/test_cli.py checks).
COMMANDS: dict[str, CommandEntry] = {
    "init": CommandEntry(
        "init", "init_cmd", "Write a commented example trunkline.toml to start a builder from."
    ),
    "build": CommandEntry(
        "build", "build_cmd", "Poll every followed package and build each new upstream commit."
    ),
    "report": CommandEntry(
        "report",
        "report_cmd",
        "Write report.html (+ pages), status_report.html/.csv and ftbfs.html into the repos dir.",
    ),
    "info": CommandEntry(
        "metadata",
        "info_cmd",
        "Show packages matching ATTR:REGEX filters (a bare word filters on name).",
    ),
    "findpkg": CommandEntry(
        "metadata",
        "findpkg_cmd",
        "Find the single best package for a name, project or upstream URL.",
    ),
    "release": CommandEntry(
        "release",
        "release_group",
        "Show releases (release show, the default) or start a stable release (release new).",
    ),
    "stable": CommandEntry(
        "stable",
        "stable_group",
        "Stable releases: update proposals, tag builds, candidate -> testing -> release.",
    ),
    "validate": CommandEntry(
        "metadata",
        "validate_cmd",
        "Check the metadata: one line per problem; exit 3 when any error.",
    ),
    "diff": CommandEntry(
        "metadata",
        "diff_cmd",
        "Packages added, removed or changed between two revisions of a metadata git repo.",
    ),
    "meta": CommandEntry(
        "metadata", "meta_group", "Edit the metadata (keeps comments; validates before writing)."
    ),
    "distgit": CommandEntry(
        "distgit",
        "distgit",
        "Maintainer tools for distgits: clone, new-version, fix, patch, reqcheck, lint.",
    ),
    "api": CommandEntry("api", "api_cmd", "Serve the REST API (OpenAPI spec at /openapi.json)."),
    "web": CommandEntry(
        "web",
        "web_cmd",
        "Serve the read-only dashboard (overview, builds, FTBFS, packages, promotions).",
    ),
    "user": CommandEntry(
        "user", "user_group", "Manage the users allowed to vote and promote through the API."
    ),
    "demo": CommandEntry(
        "demo",
        "demo_cmd",
        "Build a demo world of upstreams and distgits, twice, with an FTBFS in between.",
    ),
    "purge": CommandEntry(
        "purge", "purge_cmd", "Remove old hashed repos and flag their builds as purged in the DB."
    ),
    "upstream-version": CommandEntry(
        "upstream",
        "upstream_version_cmd",
        "Print the RPM Version a build of REF in DIR would get, and the rule that gave it.",
    ),
    "sync": CommandEntry(
        "sync",
        "sync_cmd",
        "Push the whole repo tree to every mirror: repos first, then links and reports.",
    ),
    "dlrn": CommandEntry(
        "dlrn",
        "dlrn_group",
        "Switch from DLRN: import its projects.ini (import-config) and database (import-db).",
    ),
    "remote-import": CommandEntry(
        "remote",
        "remote_import_cmd",
        "Import the build(s) of another builder's hashed repo URL (DLRN's dlrn-remote).",
    ),
    "notify": CommandEntry("notify", "notify_group", "Check the notification settings ([notify])."),
    "outbox": CommandEntry(
        "outbox",
        "outbox_group",
        "Look at the outbox: notifications and events, and how their delivery went.",
    ),
    "uc": CommandEntry(
        "uc",
        "uc_group",
        "Upper-constraints: the report (uc report) and the pin updates (uc propose).",
    ),
    "ftbfs": CommandEntry(
        "ftbfs",
        "ftbfs_group",
        "The packages that fail to build from source: open periods, culprits, history.",
    ),
    "worker": CommandEntry(
        "worker",
        "worker_cmd",
        "Take build jobs from the broker, build them here, send the RPMs to the builder.",
    ),
}

DEFAULT_CONFIG = Path("trunkline.toml")


@dataclass
class AppState:
    """Global options, shared with every command through the click context."""

    config_path: Path | None
    debug: bool
    _settings: Settings | None = None

    def settings(self, *, required: bool = True) -> Settings:
        """Load the builder config once (``--config``, else ./trunkline.toml).

        Raises:
            ConfigError: ``required`` and no config file exists.
        """
        if self._settings is None:
            from trunkline.config import default_settings, load_settings

            path = self.config_path or DEFAULT_CONFIG
            if path.exists() or self.config_path is not None:
                self._settings = load_settings(path)
            elif required:
                raise ConfigError(
                    f"{path}: config file not found (pass --config FILE or run 'trunkline init')"
                )
            else:
                self._settings = default_settings(Path.cwd())
        return self._settings


pass_state = click.make_pass_decorator(AppState)


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is used."""

    def _register_unlisted(self) -> None:
        """Register the modules of ``COMMAND_MODULES`` that ``COMMANDS`` does not cover."""
        listed = {entry.module for entry in COMMANDS.values()}
        for name in COMMAND_MODULES:
            if name not in listed:
                importlib.import_module(f"trunkline.cli.{name}").register(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, sorted (imports only modules missing from ``COMMANDS``)."""
        self._register_unlisted()
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command called ``cmd_name``, importing its module on first use."""
        cmd = self.commands.get(cmd_name)
        if cmd is not None:
            return cmd
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            self._register_unlisted()
            return self.commands.get(cmd_name)
        found = getattr(importlib.import_module(f"trunkline.cli.{entry.module}"), entry.attr)
        if not isinstance(found, click.Command):
            raise TypeError(f"trunkline.cli.{entry.module}.{entry.attr}: not a click command")
        self.add_command(found, cmd_name)
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The help's command list, from ``COMMANDS`` without importing the modules."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            entry = COMMANDS.get(name)
            if entry is not None:
                text = click.Command(name, help=entry.summary).get_short_help_str(limit)
            else:
                cmd = self.commands[name]
                if cmd.hidden:
                    continue
                text = cmd.get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from trunkline import __version__

    click.echo(f"trunkline, version {__version__}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "-c",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Builder config (TOML). Default: ./trunkline.toml",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--verbose", "-v", is_flag=True, help="Log progress.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, config: Path | None, debug: bool, verbose: bool) -> None:
    """trunkline: build every upstream commit into an immutable dnf repository."""
    entry = COMMANDS.get(ctx.invoked_subcommand or "")
    if debug or verbose or entry is None or entry.module not in QUIET_MODULES:
        _configure_logging(debug, verbose)
    ctx.obj = AppState(config_path=config, debug=debug)


# Commands that log nothing unless asked (--verbose/--debug): they skip importing and
# configuring ``logging``, ~5 ms of a warm ``trunkline info`` (a warning they might
# still emit goes to stderr through logging's last-resort handler).
QUIET_MODULES = frozenset({"metadata"})


def _configure_logging(debug: bool, verbose: bool) -> None:
    import logging

    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point of the ``trunkline`` script; exits with :func:`run`'s status."""
    sys.exit(run(sys.argv[1:] if argv is None else argv))


def run(args: list[str]) -> int:
    """Run the CLI on ``args``; return the process exit status. The ONE place statuses come from.

    A command ends in one of three ways, and each becomes the status here:

    - it returns: 0;
    - it raises a :class:`~trunkline.errors.TrunklineError`: one line
      ``trunkline: error: ...`` on stderr and the class's ``exit_code`` (``--debug``
      prints the traceback before that line; the status is the same);
    - it has printed a result that is not a success (``build`` FTBFS 12, ``distgit
      lint`` problems 23, ``distgit reqcheck --strict``...): ``ctx.exit(CODE)`` or
      ``raise click.exceptions.Exit(CODE)``, and that code. With
      ``standalone_mode=False`` click *returns* that code from ``cli.main`` instead of
      raising it; dropping the return value is the bug this function exists to avoid.

    Click's own usage errors (unknown command or option) are 2, an interrupt 130. An
    ``OSError`` the error tree did not wrap (a data dir under a regular file, a full
    disk) is one line and 74; any other exception is a bug: one line and 70. Never a
    traceback without ``--debug``.
    Commands never call ``sys.exit`` (``tests/cli/test_exit_codes.py`` checks).
    """
    try:
        returned = cli.main(args=args, standalone_mode=False, prog_name="trunkline")
    except TrunklineError as exc:
        _traceback_if_debug(args)
        click.echo(f"trunkline: error: {exc}", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("trunkline: interrupted", err=True)
        return EXIT_INTERRUPTED
    except OSError as exc:  # a file or directory the error tree did not wrap: still one line
        _traceback_if_debug(args)
        click.echo(f"trunkline: error: {exc}", err=True)
        return EXIT_OS_ERROR
    except Exception as exc:  # a bug: one line, the traceback only on --debug
        _traceback_if_debug(args)
        name = type(exc).__name__
        click.echo(
            f"trunkline: internal error: {name}: {exc} (a bug; --debug shows the traceback)",
            err=True,
        )
        return EXIT_INTERNAL
    return exit_status(returned)


def _traceback_if_debug(args: list[str]) -> None:
    if "--debug" in args:
        import traceback

        traceback.print_exc()


EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a ^C
EXIT_OS_ERROR = 74  # sysexits' EX_IOERR: a file or directory could not be read or written
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: an unexpected exception, a bug in trunkline


def exit_status(returned: object) -> int:
    """The exit status for what ``cli.main(standalone_mode=False)`` returned.

    ``None``: the command returned, 0. An ``int``: the code of a
    ``click.exceptions.Exit`` (``ctx.exit(CODE)``; ``--help`` and ``--version``
    give 0). Commands return nothing else.

    Raises:
        TypeError: a command returned another value (a bug: a returned ``True``
            must not become status 1, nor a list status 0).
    """
    if returned is None:
        return 0
    if isinstance(returned, int) and not isinstance(returned, bool):
        return returned
    raise TypeError(f"a command returned {returned!r}; end with ctx.exit(CODE) instead")
