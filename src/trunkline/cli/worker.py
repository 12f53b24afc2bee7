"""``trunkline worker``: a build host that takes jobs from the builder's broker queue.

Thin: the options win over the worker's own config (``--config``, when there is
one: its ``[workers]`` broker_url, token and queue, its ``[build]`` driver and
``builder.data_dir``); each queue is checked against what this host can build;
then ``workers/worker.run_worker`` runs until SIGTERM or SIGINT. ``[workers]
listen`` is the builder's address: the worker is told it by ``--builder-url``.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from trunkline.cli.app import AppState
from trunkline.errors import ConfigError


@click.command("worker")
@click.option(
    "--broker", "broker_url", default=None, help="amqp:// URL (default: [workers] broker_url)."
)
@click.option(
    "--builder-url",
    required=True,
    help="The builder's artifact server, http://HOST:PORT (its [workers] listen).",
)
@click.option(
    "--queue",
    "queues",
    multiple=True,
    help="Queue to take jobs from, build.<arch>.<driver>[.<pool>] (repeatable; default: "
    "[workers] queue, else this host's architecture and [build] driver). A queue this host "
    "cannot build for is refused.",
)
@click.option(
    "--token", default=None, help="The builder's [workers] token (default: the config's)."
)
@click.option(
    "--work-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where jobs are built (default: <data_dir>/worker).",
)
@click.pass_obj
def worker_cmd(
    state: AppState,
    broker_url: str | None,
    builder_url: str,
    queues: tuple[str, ...],
    token: str | None,
    work_dir: Path | None,
) -> None:
    """Take build jobs from the broker, build them here, send the RPMs to the builder."""
    from trunkline.builder.drivers import make_driver
    from trunkline.workers.jobs import check_queue, host_arch, queue_for
    from trunkline.workers.worker import WorkerOptions, run_worker

    settings = state.settings(required=False)
    broker_url = broker_url or settings.workers.broker_url
    token = token or settings.workers.token
    if not broker_url:
        raise ConfigError(
            "--broker: missing (give the broker's amqp:// URL, or [workers] broker_url)"
        )
    if not broker_url.startswith(("amqp://", "amqps://")):
        raise ConfigError(f"--broker {broker_url!r}: expected an amqp:// or amqps:// URL")
    if not builder_url.startswith(("http://", "https://")):
        raise ConfigError(f"--builder-url {builder_url!r}: expected http://HOST:PORT")
    if len(token) < 16:
        raise ConfigError("--token: the builder's [workers] token is needed (>= 16 characters)")
    driver = make_driver(settings.build)
    arch = host_arch()
    queues = queues or (settings.workers.queue or queue_for(arch, driver.name),)
    for queue in queues:
        check_queue(queue, arch, driver.name)
    options = WorkerOptions(
        broker_url=broker_url,
        builder_url=builder_url,
        token=token,
        queues=queues,
        work_dir=work_dir or settings.builder.data_dir / "worker",
    )
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    run_worker(options, driver, stop, progress=lambda msg: click.echo(msg, err=True))
    click.echo("worker stopped", err=True)


def register(group: click.Group) -> None:
    """Add ``worker`` to the root group."""
    group.add_command(worker_cmd)
