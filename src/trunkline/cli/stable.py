"""``trunkline stable``: tag builds through the build system and their phases, and proposals.

``propose`` (new upstream release tags proposed for review) lives in
``cli/stable_propose.py``; ``build``, ``promote`` and ``status`` are here.

Thin: parse, open the config's metadata, database and build system
(``[stable] driver``), call ``trunkline.buildsys.stable``, print one line per
result. Every refusal is one error line (``cli/app.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from trunkline.cli.app import AppState, pass_state
from trunkline.cli.stable_propose import propose_cmd
from trunkline.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from trunkline.buildsys.base import BuildSystem
    from trunkline.config import Settings
    from trunkline.metadata.catalog import Metadata


@contextlib.contextmanager
def _opened(state: AppState) -> Iterator[tuple[Settings, Session, Metadata, BuildSystem]]:
    from trunkline.builder.lock import BuilderLock
    from trunkline.buildsys import make_build_system
    from trunkline.db.engine import open_database, session_factory
    from trunkline.metadata.api import load_metadata

    settings = state.settings()
    if not settings.packages.path:
        raise InputError("[packages] path: missing (stable builds need the metadata)")
    md = load_metadata(
        settings.packages.path, ref=settings.packages.ref, info_files=settings.packages.info_files
    )
    factory = session_factory(open_database(settings.database_url))
    # one stable run at a time (its own lock: a trunk build cycle does not block it)
    with BuilderLock(settings.builder.data_dir / "stable"), factory() as session:
        yield settings, session, md, make_build_system(settings, session)


@click.group("stable")
def stable_group() -> None:
    """Stable releases: update proposals, tag builds, candidate -> testing -> release."""


@stable_group.command("build")
@click.argument("package")
@click.option("--release", "release", required=True, help="Release name (e.g. flamingo).")
@click.option("--commit", "commit", default=None, help="Distgit ref (default: the release branch).")
@pass_state
def build_cmd(state: AppState, package: str, release: str, commit: str | None) -> None:
    """Build PACKAGE's stable distgit and tag the build into the release's candidate tag."""
    from trunkline.buildsys.stable import build_into_candidate

    with _opened(state) as (settings, session, md, system):
        done = build_into_candidate(settings, session, md, system, package, release, commit)
    click.echo(f"{done.nvr}: built and tagged into {done.tag} (repo hash {done.repo_hash})")


@stable_group.command("promote")
@click.argument("nvr")
@click.option("--to", "to", required=True, help="testing or release (one phase up).")
@click.option("--release", "release", default=None, help="Release (default: found from NVR).")
@pass_state
def promote_cmd(state: AppState, nvr: str, to: str, release: str | None) -> None:
    """Move NVR one phase up once the phase's CI rules hold; push the metadata for review."""
    from trunkline.buildsys.stable import promote

    with _opened(state) as (settings, session, md, system):
        done = promote(settings, session, md, system, nvr, to, release)
    click.echo(
        f"{done.nvr}: tagged into {done.tag}, review {done.review} pushed "
        f"(repo hash {done.repo_hash})"
    )


@stable_group.command("status")
@click.option("--release", "release", required=True, help="Release name.")
@click.option("--json", "as_json", is_flag=True, help="The phases as a JSON list of objects.")
@pass_state
def status_cmd(state: AppState, release: str, as_json: bool) -> None:
    """Show each phase's tag, the hash CI votes on (aggregate_hash) and its NVRs."""
    import json

    from trunkline.buildsys.stable import phase_status

    with _opened(state) as (settings, session, md, system):
        phases = phase_status(settings, session, md, system, release)
    if as_json:
        rows = [
            {"phase": ph.phase.value, "tag": ph.tag, "repo_hash": ph.repo_hash, "nvrs": ph.nvrs}
            for ph in phases
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for ph in phases:
        click.echo(f"{ph.phase.value}\t{ph.tag}\t{ph.repo_hash}\t{' '.join(ph.nvrs) or '-'}")


stable_group.add_command(propose_cmd, "propose")


def register(group: click.Group) -> None:
    """Add the ``stable`` group to the root group."""
    group.add_command(stable_group)
