"""``trunkline build``: run one build cycle (poll, build what is new, publish, report).

Exit codes: 0 every build succeeded (or nothing to do); 12 some build FAILED
(FTBFS); 13 transient errors only (fetch failures, RETRY): run again later.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from trunkline.cli.app import AppState
from trunkline.config import ENV_NAME

if TYPE_CHECKING:
    from trunkline.builder.cycle import CycleReport

EXIT_FTBFS = 12
EXIT_TRANSIENT = 13


def parse_build_env(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    """``VAR=value`` pairs (DLRN's ``--build-env``) as a mapping; a bad one is a usage error."""
    env = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not ENV_NAME.fullmatch(name):
            raise click.BadParameter(f"{item!r}: expected VAR=value", ctx=ctx, param=param)
        env[name] = value
    return env


def print_report(report: CycleReport, dry_run: bool) -> None:
    """Human summary of a cycle."""
    for name, err in report.source_errors:
        click.echo(f"source error: {name}: {err}", err=True)
    for switch in report.ref_switches:  # told once: the builder remembers what it told
        click.echo(f"followed ref: {switch}")
    if dry_run:
        if not report.planned:
            click.echo("nothing to build")
        for cand in report.planned:
            click.echo(
                f"would build {cand.package.name} {cand.commit.commit_hash[:8]} "
                f"(distgit {cand.distro.commit_hash[:8]}, {cand.commit_branch}): "
                f"{cand.commit.subject}"
            )
        return
    for cycle in report.dependency_cycles:
        click.echo(f"BuildRequires cycle, built in commit order: {' -> '.join(cycle)}", err=True)
    if report.reconciled:
        click.echo(f"repaired links after an interrupted run: {', '.join(report.reconciled)}")
    ok = sum(1 for o in report.outcomes if o.status.value == "SUCCESS")
    click.echo(
        f"{len(report.outcomes)} built: {ok} ok, {len(report.failed)} failed, "
        f"{len(report.retried)} to retry ({report.seconds:.1f}s)"
    )
    for o in report.failed:
        click.echo(f"FTBFS {o.package} {o.commit_hash[:8]}: {o.error} (repo {o.repo})")


@click.command("build")
@click.option("--package", "-p", "packages", multiple=True, help="Only this package (repeatable).")
@click.option(
    "--head-only/--all-commits",
    default=None,
    help="Build only the newest commit of each package (default: config builder.head_only).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be built; change nothing.")
@click.option(
    "--dev",
    "dev_distgit",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Build --package from this local distgit checkout (uncommitted changes included).",
)
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel builds (default: config builder.workers, 0 there = cores).",
)
@click.option(
    "--build-env",
    "build_env",
    multiple=True,
    metavar="VAR=VALUE",
    callback=parse_build_env,
    help="Environment variable of every build (repeatable; over config build.env).",
)
@click.pass_obj
def build_cmd(
    state: AppState,
    packages: tuple[str, ...],
    head_only: bool | None,
    dry_run: bool,
    dev_distgit: Path | None,
    workers: int | None,
    build_env: dict[str, str],
) -> None:
    """Poll every followed package and build each new upstream commit."""
    from trunkline.builder.cycle import BuildCycle, CycleOptions

    settings = state.settings()
    if build_env:
        env = {**settings.build.env, **build_env}
        build = settings.build.model_copy(update={"env": env})
        settings = settings.model_copy(update={"build": build})
    cycle = BuildCycle(settings, progress=lambda msg: click.echo(msg, err=True))
    report = cycle.run(
        CycleOptions(
            packages=packages,
            head_only=head_only,
            dry_run=dry_run,
            dev_distgit=dev_distgit,
            workers=workers,
        )
    )
    print_report(report, dry_run)
    if report.failed:
        raise click.exceptions.Exit(EXIT_FTBFS)  # cli/app.py's run() makes it the status
    if report.retried or report.source_errors:
        raise click.exceptions.Exit(EXIT_TRANSIENT)


def register(group: click.Group) -> None:
    """Add ``build`` to the root group."""
    group.add_command(build_cmd)
