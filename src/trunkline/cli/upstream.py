"""``trunkline upstream-version``: the Version a trunk build of one upstream commit gets.

Thin wrapper over :func:`trunkline.upstream.version.detect_version` (the rules and
their order are documented there and in the README). DIR is any git repository:
a bare mirror, a clone or a folder inside one. A DIR that is not a git repository,
or a REF that names no commit, is a SourceError (exit 6); pbr or setuptools-scm
failing on the project is one too.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("upstream-version")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--ref", default="HEAD", show_default=True, help="Branch, tag or commit to ask about."
)
@click.option("--json", "as_json", is_flag=True, help="Print version, source, ref, tag as JSON.")
def upstream_version_cmd(directory: Path, ref: str, as_json: bool) -> None:
    """Print the RPM Version a build of REF in DIR would get, and the rule that gave it."""
    from trunkline.upstream.commitview import common_git_dir
    from trunkline.upstream.version import detect_version

    git_dir = common_git_dir(directory)
    sha = _commit(directory, git_dir, ref)
    info = detect_version(git_dir, sha)
    if as_json:
        payload = {
            "version": info.version,
            "source": info.source,
            "ref": sha,
            "tag": info.tag,
            "upstream_version": info.upstream,
            "distance": info.distance,
        }
        click.echo(json.dumps(payload, sort_keys=True))
        return
    # the rule's own answer; for tag and fallback trunkline computed it (DLRN's .Z bump, 0.0.1)
    said = {"tag": "next after the tag", "fallback": "no version found"}.get(
        info.source, "upstream"
    )
    detail = f"{said} {info.upstream}"
    tag = f"; nearest version tag {info.tag} (+{info.distance})" if info.tag else "; no version tag"
    click.echo(f"{info.version}  ({info.source}: {detail}{tag}; commit {sha[:12]})")


def _commit(directory: Path, git_dir: Path, ref: str) -> str:
    """The commit ``ref`` names in ``git_dir``.

    A clone keeps upstream's branches as ``origin/<branch>`` only (``stable/2025.1``
    is not a local branch there), so when that is what ``ref`` missed, the error
    says which ref to give.

    Raises:
        SourceError: ``ref`` names no commit; names DIR as the user gave it.
    """
    from trunkline.errors import SourceError
    from trunkline.upstream.commitview import resolve_commit

    try:
        return resolve_commit(git_dir, ref)
    except SourceError:
        pass
    hint = ""
    try:
        resolve_commit(git_dir, f"refs/remotes/origin/{ref}")
        hint = f" (a remote branch here: use --ref origin/{ref})"
    except SourceError:
        pass
    raise SourceError(f"{directory}: ref {ref!r} names no commit{hint}")


def register(group: click.Group) -> None:
    """Add ``upstream-version`` to the root group."""
    group.add_command(upstream_version_cmd)
