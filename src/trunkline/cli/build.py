"""``trunkline build``: run one build cycle (poll, build what is new, publish, report).

Exit codes: 0 every build succeeded (or nothing to do); 12 some build FAILED
(FTBFS); 13 transient errors only (fetch failures, RETRY): run again later.
With ``--exit-codes dlrn`` they are DLRN's instead (``dlrn/shell.py``): 0 ok,
1 a failure (an FTBFS or any error), 2 retry (transient only).

The options of ``dlrn`` that wrappers use are accepted with DLRN's meaning
(README "Switching from DLRN" maps each one).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trunkline.cli.app import AppState
from trunkline.config import ENV_NAME
from trunkline.errors import InputError, TrunklineError

if TYPE_CHECKING:
    from trunkline.builder.cycle import BuildCycle, CycleOptions, CycleReport
    from trunkline.cli.runcmd import RunResult
    from trunkline.config import Settings

EXIT_FTBFS = 12
EXIT_TRANSIENT = 13
# --exit-codes dlrn: DLRN's 0 ok, 1 failure, 2 retry (dlrn/shell.py process_build_result_rpm)
DLRN_CODES = {0: 0, EXIT_FTBFS: 1, EXIT_TRANSIENT: 2}
DLRN_FAILURE = 1


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
            ref = cand.commit_branch
            if len(ref) == 40 and all(c in "0123456789abcdef" for c in ref):
                ref = f"pinned {ref[:8]}"  # a source-branch pin to a commit
            click.echo(
                f"would build {cand.package.name} {cand.commit.commit_hash[:8]} "
                f"(distgit {cand.distro.commit_hash[:8]}, {ref}): {cand.commit.subject}"
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
    if report.skipped:
        n = report.skipped
        click.echo(f"stopped at the first FTBFS (--stop): {n} queued builds not started")


@click.command("build")
@click.option(
    "--package",
    "-p",
    "--package-name",
    "packages",
    multiple=True,
    help="Only this package (repeatable; --package-name is DLRN's spelling).",
)
@click.option(
    "--project-name",
    "projects",
    multiple=True,
    help="Only the packages of this upstream project (repeatable; DLRN's --project-name).",
)
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
@click.option("--sequential", is_flag=True, help="One build at a time: -j 1 (DLRN's --sequential).")
@click.option(
    "--order",
    is_flag=True,
    help="DLRN's --order: BuildRequires order, one build at a time. trunkline always "
    "orders by BuildRequires, so this is --sequential.",
)
@click.option("--stop", is_flag=True, help="Start no new build after the first FTBFS (DLRN).")
@click.option(
    "--no-repo",
    "no_repo",
    is_flag=True,
    help="DLRN's --no-repo: publish each build's own RPMs without repodata; current and "
    "consistent stay on the last real repo.",
)
@click.option(
    "--local",
    is_flag=True,
    help="Fetch nothing: build from the mirrors as they are; fetch only those never "
    "cloned (DLRN's --local).",
)
@click.option(
    "--status",
    "show_status",
    is_flag=True,
    help="Print 'TYPE NAME STATUS' of each package's last build (NO_BUILD if none), build "
    "nothing (DLRN's --status).",
)
@click.option(
    "--recheck",
    is_flag=True,
    help="Have the last FAILED build of --package/--project-name built again on the next "
    "run, build nothing (DLRN's --recheck; the build is marked RETRY, not deleted).",
)
@click.option(
    "--force-recheck",
    is_flag=True,
    help="As --recheck, also for a last build that succeeded (implies --recheck).",
)
@click.option(
    "--config-override",
    "overrides",
    multiple=True,
    metavar="SECTION.KEY=VALUE",
    help="Override a config key for this run, e.g. builder.workers=2 (repeatable; "
    "validated as in the file).",
)
@click.option(
    "--exit-codes",
    type=click.Choice(["trunkline", "dlrn"]),
    default="trunkline",
    show_default=True,
    help="dlrn: exit with DLRN's codes, 0 ok, 1 failure (FTBFS or any error), 2 retry.",
)
@click.option(
    "--run",
    "run_cmd",
    metavar="CMD",
    default=None,
    help="Build nothing: run 'CMD TARGET PACKAGE REPO_DIR DATA_DIR BASEURL DISTGIT_DIR' for "
    "each package's newest commit, built or not; nothing is recorded (DLRN's --run).",
)
@click.option(
    "--use-public",
    is_flag=True,
    help="DLRN's --use-public: mock builds may take BuildRequires from this builder's current "
    "repo (read from the repo tree, not baseurl): build.mock.current_repo=true for this run.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON: --status's lines, --dry-run's plan, or what a build did.",
)
@click.option(
    "--build-env",
    "build_env",
    multiple=True,
    metavar="VAR=VALUE",
    callback=parse_build_env,
    help="Environment variable of every build (repeatable; over config build.env).",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Run as a service: a full cycle every [serve] poll_interval, and a cycle of the "
    "packages push hooks queue as they arrive; SIGTERM finishes running builds and exits.",
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
    projects: tuple[str, ...],
    sequential: bool,
    order: bool,
    stop: bool,
    no_repo: bool,
    local: bool,
    show_status: bool,
    recheck: bool,
    force_recheck: bool,
    overrides: tuple[str, ...],
    exit_codes: str,
    run_cmd: str | None,
    use_public: bool,
    as_json: bool,
    serve: bool,
) -> None:
    """Poll every followed package and build each new upstream commit."""
    from trunkline.builder.cycle import CycleOptions

    options = CycleOptions(
        packages=packages,
        head_only=head_only,
        dry_run=dry_run,
        dev_distgit=dev_distgit,
        workers=1 if sequential or order else workers,
        projects=projects,
        local=local,
        stop=stop,
        replan=run_cmd is not None,
        index=not no_repo,
    )
    if run_cmd is not None:  # DLRN: --run implies --head-only, and records nothing
        options = replace(options, head_only=True, dry_run=True)
    if use_public:  # last, so it wins over a --config-override of the same key
        overrides = (*overrides, "build.mock.current_repo=true")
    dlrn = exit_codes == "dlrn"
    if serve:
        if dry_run or run_cmd is not None or show_status or recheck or force_recheck or as_json:
            raise InputError("--serve: not with --dry-run, --run, --status, --recheck or --json")
        if packages or projects or dev_distgit is not None:
            raise InputError("--serve builds every followed package: no --package/--dev")
        _serve(state, options, build_env, overrides)
        return
    try:
        code = _run(
            state,
            options,
            build_env,
            overrides,
            show_status,
            recheck or force_recheck,
            force_recheck,
            as_json,
            run_cmd,
        )
    except TrunklineError as exc:
        if dlrn:  # cli/app.py's run() still says it in one line, and exits with this code
            exc.exit_code = DLRN_FAILURE
        raise
    if code:
        raise click.exceptions.Exit(DLRN_CODES[code] if dlrn else code)


def _serve(
    state: AppState, options: CycleOptions, build_env: dict[str, str], overrides: tuple[str, ...]
) -> None:
    """``--serve``: cycles until SIGTERM/SIGINT (see ``builder/serve.py``)."""
    import signal
    import threading

    from trunkline.builder.cycle import BuildCycle
    from trunkline.builder.serve import serve

    settings = _settings(state, build_env, overrides)
    cycle = BuildCycle(
        settings, progress=lambda msg: click.echo(msg, err=True), keep_delivering=True
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        click.echo(
            f"{signal.Signals(signum).name}: finishing running builds, then exiting", err=True
        )
        stop.set()
        cycle.cancel.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    click.echo(
        f"serving: a full cycle every {settings.serve.poll_interval:g} s, push hooks every "
        f"{settings.serve.hook_interval:g} s",
        err=True,
    )
    stats = serve(cycle, stop, base=options, on_report=lambda r: print_report(r, False))
    click.echo(
        f"stopped after {stats.full_cycles} full and {stats.hook_cycles} hook cycles"
        f" ({stats.failed_cycles} failed)",
        err=True,
    )


def _settings(state: AppState, build_env: dict[str, str], overrides: tuple[str, ...]) -> Settings:
    from trunkline.config import apply_overrides

    settings = apply_overrides(state.settings(), overrides)
    if build_env:
        env = {**settings.build.env, **build_env}
        build = settings.build.replace(env=env)
        settings = settings.replace(build=build)
    return settings


def _run(
    state: AppState,
    options: CycleOptions,
    build_env: dict[str, str],
    overrides: tuple[str, ...],
    show_status: bool,
    recheck: bool,
    force: bool,
    as_json: bool,
    run_cmd: str | None = None,
) -> int:
    """Do what the options ask; return trunkline's exit code (0, 12 or 13)."""
    from trunkline.builder.cycle import BuildCycle
    from trunkline.cli import buildstate

    settings = _settings(state, build_env, overrides)
    if show_status or recheck:
        if show_status and recheck:
            raise InputError("--status and --recheck: give one of them")
        pkgs = buildstate.selected(settings, options.packages, options.projects)
        if show_status:
            states = buildstate.package_states(settings, pkgs)
            if as_json:
                click.echo(json.dumps([s.as_json() for s in states], indent=2))
            for s in states if not as_json else ():
                click.echo(s.line())
            return 0
        if not options.packages and not options.projects:
            raise InputError("--recheck needs --package or --project-name")
        if as_json:
            raise InputError("--json: not with --recheck (it prints one line per package)")
        for line in buildstate.recheck(settings, pkgs, force):
            click.echo(line)
        return 0
    if run_cmd is not None:
        if as_json:
            raise InputError("--json: not with --run (CMD's output is its own)")
        cycle = BuildCycle(settings, progress=lambda msg: click.echo(msg, err=True))
        return _run_command(cycle, options, run_cmd)
    report = _cycle(settings, options, live=sys.stdout.isatty() and not as_json)
    if as_json:
        found = planned_json(report) if options.dry_run else outcomes_json(report)
        click.echo(json.dumps(found, indent=2))
    else:
        print_report(report, options.dry_run)
    if report.failed:
        return EXIT_FTBFS
    if report.retried or report.source_errors:
        return EXIT_TRANSIENT
    return 0


def _cycle(settings: Settings, options: CycleOptions, *, live: bool) -> CycleReport:
    """Run the cycle, shown live (``live``: stdout is a terminal) or as stderr lines."""
    from trunkline.builder.cycle import BuildCycle
    from trunkline.cli.progress import LiveProgress, PlainProgress

    if live and not options.dry_run:
        with LiveProgress() as display:
            return BuildCycle(settings, watcher=display).run(options)
    return BuildCycle(settings, watcher=PlainProgress()).run(options)


def _run_command(cycle: BuildCycle, options: CycleOptions, cmd: str) -> int:
    """``--run CMD`` (cli/runcmd.py); 12 when a command failed, 13 on source errors only."""
    from trunkline.cli.runcmd import run_per_commit, split_command

    argv = split_command(cmd)
    report = cycle.run(options)
    for name, err in report.source_errors:
        click.echo(f"source error: {name}: {err}", err=True)
    results = run_per_commit(
        cycle.settings,
        report.planned,
        argv,
        stop=options.stop,
        report=_echo_run,
    )
    if any(r.returncode != 0 for r in results):
        return EXIT_FTBFS
    return EXIT_TRANSIENT if report.source_errors else 0


def _echo_run(result: RunResult) -> None:
    """CMD's output (stdout, stderr), then ``run NAME HASH8: exit N``."""
    if result.stdout:
        click.echo(result.stdout, nl=False)
    if result.stderr:
        click.echo(result.stderr, nl=False, err=True)
    click.echo(result.line())


def planned_json(report: CycleReport) -> list[dict[str, str]]:
    """``--dry-run --json``: one object per build that would run, in queue order."""
    return [
        {
            "package": cand.package.name,
            "commit_hash": cand.commit.commit_hash,
            "distro_hash": cand.distro.commit_hash,
            "commit_branch": cand.commit_branch,
            "subject": cand.commit.subject,
        }
        for cand in report.planned
    ]


def register(group: click.Group) -> None:
    """Add ``build`` to the root group."""
    group.add_command(build_cmd)


def outcomes_json(report: CycleReport) -> dict[str, object]:
    """``build --json``: each build recorded (in publication order), the source errors,
    the builds ``--stop`` did not start, and the cycle's seconds."""
    built = [
        {
            "package": o.package,
            "commit_hash": o.commit_hash,
            "distro_hash": o.distro_hash,
            "status": o.status.value,
            "nvr": o.nvr,
            "repo": str(o.repo) if o.repo is not None else None,
            "error": o.error,
            "seconds": round(o.seconds, 3),
        }
        for o in report.outcomes
    ]
    errors = [{"package": name, "error": err} for name, err in report.source_errors]
    return {
        "built": built,
        "source_errors": errors,
        "skipped": report.skipped,
        "seconds": round(report.seconds, 3),
    }
