"""``trunkline api``: serve the DLRN-compatible REST API with uvicorn."""

from __future__ import annotations

import click

from trunkline.cli.app import AppState, pass_state


@click.command("api")
@click.option("--host", default=None, help="Address to listen on (default: [api] host).")
@click.option("--port", type=int, default=None, help="Port (default: [api] port).")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
@pass_state
def api_cmd(state: AppState, host: str | None, port: int | None, workers: int) -> None:
    """Serve the REST API (OpenAPI spec at /openapi.json)."""
    import uvicorn

    from trunkline.api.app import create_app

    settings = state.settings()
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.api.host,
        port=port or settings.api.port,
        workers=workers if workers > 1 else None,
        log_level="debug" if state.debug else "warning",
        access_log=state.debug,
    )


def register(group: click.Group) -> None:
    """Add ``api`` to the root group."""
    group.add_command(api_cmd)
