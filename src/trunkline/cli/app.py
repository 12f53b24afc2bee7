"""The root ``trunkline`` command and the ONLY place errors become messages and exit codes.

Every command module exposes ``register(group)``; this module wires them in,
holds the global options (``--config``, ``--debug``, ``--verbose``), configures
logging, and turns any :class:`~trunkline.errors.TrunklineError` into one line on
stderr with the exit code documented in ``errors.py``. ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from trunkline import __version__
from trunkline.config import Settings, default_settings, load_settings
from trunkline.errors import ConfigError, TrunklineError

COMMAND_MODULES = (
    "init",
    "build",
    "report",
    "metadata",
    "distgit",
    "api",
    "user",
    "demo",
)

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.version_option(__version__, prog_name="trunkline")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, debug: bool, verbose: bool) -> None:
    """trunkline: build every upstream commit into an immutable dnf repository."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = AppState(config_path=config, debug=debug)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"trunkline.cli.{name}")
        module.register(cli)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``trunkline`` script; exits with the documented code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, standalone_mode=False, prog_name="trunkline")
    except TrunklineError as exc:
        if debug:
            raise
        click.echo(f"trunkline: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("trunkline: interrupted", err=True)
        sys.exit(130)
    sys.exit(0)
