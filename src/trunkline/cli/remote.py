"""``trunkline remote-import URL``: import another builder's build, as ``dlrn-remote`` does.

DLRN's ``dlrn-remote --repo-url URL`` (dlrn/remote.py) reads ``URL/commit.yaml``,
downloads the RPMs and logs it lists and records and publishes each build. Here
the work is :func:`trunkline.promotion.remote.import_repo`, the same service as
``POST /api/remote/import``: every RPM is downloaded and checked before anything
is recorded, and a failed import changes nothing. The command holds the builder
lock, so it never publishes under a running build cycle.

Exit codes: 0 imported (a build already known counts); 2 the URL is not http(s)
or commit.yaml is malformed; 6 commit.yaml or an RPM cannot be downloaded or
fails its checks; 8 a build cannot be published; 10 the builder is locked.
"""

from __future__ import annotations

import click

from trunkline.cli.app import AppState
from trunkline.errors import InputError


@click.command("remote-import")
@click.argument("url", required=False)
@click.option("--repo-url", "repo_url", default=None, help="The same as URL (dlrn-remote's name).")
@click.pass_obj
def remote_import_cmd(state: AppState, url: str | None, repo_url: str | None) -> None:
    """Import the build(s) of another builder's hashed repo URL (DLRN's dlrn-remote)."""
    from trunkline.builder.lock import BuilderLock
    from trunkline.db.engine import open_database, session_factory
    from trunkline.promotion.remote import import_repo

    if (url is None) == (repo_url is None):
        raise InputError("remote-import: give the repo URL once, as URL or --repo-url")
    target = url or repo_url or ""
    settings = state.settings()
    factory = session_factory(open_database(settings.database_url))
    with BuilderLock(settings.builder.data_dir), factory() as session:
        result = import_repo(session, settings, target)
        session.commit()
    click.echo(f"imported {target}: {len(result.commit_ids)} build(s)")


def register(group: click.Group) -> None:
    """Add ``remote-import`` to the root group."""
    group.add_command(remote_import_cmd)
