"""``trunkline web``: serve the dashboard over one builder or a site of several."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from trunkline.cli.app import AppState, pass_state


@click.command("web")
@click.option(
    "--site",
    "site_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Site file listing the builders ([[builder]] name, config); default: --config.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@pass_state
def web_cmd(state: AppState, site_path: Path | None, host: str, port: int) -> None:
    """Serve the read-only dashboard (overview, builds, FTBFS, packages, promotions)."""
    import uvicorn

    from trunkline.web.app import create_web_app
    from trunkline.web.site import load_site, site_of_config

    site = load_site(site_path) if site_path is not None else site_of_config(state.settings())
    app = create_web_app(site)
    # Move everything loaded so far (SQLAlchemy, Jinja2, uvicorn) out of the collector's
    # reach: a full collection then walks only what requests create, not ~half a million
    # startup objects (tens of ms at a page's p99 otherwise; benchmarks/bench_web.py).
    gc.freeze()
    click.echo(f"dashboard: http://{host}:{port}/ ({', '.join(b.name for b in site.builders)})")
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="debug" if state.debug else "warning",
            access_log=state.debug,
        )
    finally:
        site.dispose()


def register(group: click.Group) -> None:
    """Add ``web`` to the root group."""
    group.add_command(web_cmd)
