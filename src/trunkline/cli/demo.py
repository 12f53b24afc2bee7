"""``trunkline demo``: generate a demo world and run the builder on it end to end."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=lambda: Path(os.environ.get("DEMO_DIR", "demo")),
    show_default="$DEMO_DIR or ./demo",
    help="Where to create the demo world (replaced if it is a previous demo).",
)
def demo_cmd(directory: Path) -> None:
    """Build a demo world of upstreams and distgits, twice, with an FTBFS in between."""
    from trunkline.demo.scenario import run_demo

    root = directory.resolve()
    summary = run_demo(root, say=lambda msg: click.echo(f"demo: {msg}", err=True))
    repos = summary.world.data_dir / "repos"
    cfg = summary.world.config_path
    lines = [
        "",
        "trunkline demo finished",
        f"  world         {root} (upstream/, distgit/, metadata/)",
        f"  config        {cfg}",
        f"  repos         {repos}",
        f"  cycle 2       current {summary.current.relative_to(repos.resolve())},",
        f"                consistent {summary.consistent.relative_to(repos.resolve())}"
        " (held back by the FTBFS)",
        f"  after the fix current = consistent = "
        f"{summary.fixed.relative_to(repos.resolve()) if summary.fixed else '-'}",
        f"  FTBFS         {', '.join(summary.ftbfs)} (mailed, then fixed by a distgit commit)",
        f"  mails caught  {len(summary.mails)} by the demo's local SMTP sink (printed above)",
        f"  review        {summary.review.ref} of {summary.review.url.split('#')[0]}: pushed on"
        " the FTBFS, deleted by the fix (printed above)"
        if summary.review
        else "  review        -",
        f"  report        {repos / 'report.html'}",
        f"  FTBFS report  {repos / 'status_report.html'}",
        f"  installed     {', '.join(summary.installed)} (dnf --installroot from current)",
        "  upper constr. "
        + ", ".join(f"{k} {v}" for k, v in summary.uc_counts.items())
        + f" ({repos / 'uc.html'})",
        "",
        "keep going:",
        f"  trunkline --config {cfg} build --dry-run",
        f"  trunkline --config {cfg} build",
        f"  trunkline --config {cfg} info --help",
        f"  trunkline --config {cfg} uc report --status lower",
        "",
        "dashboard (then open http://127.0.0.1:8080/):",
        f"  trunkline --config {cfg} web --host 127.0.0.1 --port 8080",
    ]
    click.echo("\n".join(lines))


def register(group: click.Group) -> None:
    """Add ``demo`` to the root group."""
    group.add_command(demo_cmd)
