"""The version pbr gives one commit of a pbr project, computed by pbr itself.

DLRN runs ``python setup.py --version`` in a chroot; for a pbr project that is
pbr's ``packaging.get_version(name, pre_version)``, which (without ``PBR_VERSION``
or a ``PKG-INFO``) returns ``_get_version_from_git(pre_version)``: the newest
version tag on ``HEAD`` when it is tagged, otherwise the next version after the
newest reachable version tag (patch, or minor/major by ``Sem-Ver:`` lines,
``X.Y.Z.0rcN`` continuing as ``.0rcN+1``) with ``.devN`` for the distance, or
``pre_version`` as the target. trunkline calls the same pbr functions on a
private git directory whose ``HEAD`` is the commit
(:mod:`trunkline.upstream.commitview`), so the answer is pbr's by construction;
no upstream file is executed. ``_get_version_from_git`` finds its repository
from the current directory, which a multi-threaded builder cannot change, so
its five lines are repeated here with the git directory passed explicitly; every
rule (which tags count, the increment, ``.devN``) stays in pbr's own
``_get_version_from_git_target``. ``tests/upstream/test_version_pbr_oracle.py``
checks the answers against ``_get_version_from_git`` itself, commit by commit.
"""

from __future__ import annotations

from pathlib import Path

from trunkline.errors import SourceError
from trunkline.upstream.commitview import commit_view
from trunkline.upstream.projectfiles import ProjectFiles


def uses_pbr(files: ProjectFiles) -> bool:
    """True when pbr computes the project's version.

    ``setup.py`` calls ``setup(..., pbr=True)`` (what DLRN's ``setup.py --version``
    goes through), or ``pyproject.toml`` builds with ``pbr.build``.
    """
    if "setup.py" in files.names and files.setup_literal("pbr") is True:
        return True
    backend = files.toml_table("build-system").get("build-backend")
    return isinstance(backend, str) and backend.split(":")[0] == "pbr.build"


def pbr_pre_version(files: ProjectFiles) -> str | None:
    """``setup.cfg``'s ``[metadata] version``: the target pbr aims at, or None."""
    value = files.setup_cfg.get("metadata", {}).get("version", "").strip()
    return value or None


def pbr_version(mirror: Path, sha: str, pre_version: str | None) -> str:
    """What pbr says for commit ``sha`` of the bare ``mirror``, e.g. ``10.1.0.0rc2.dev3``.

    Raises:
        SourceError: pbr cannot compute a version (e.g. ``Sem-Ver`` history needs a
            higher version than ``pre_version``); the message is pbr's.
    """
    with commit_view(mirror, sha) as root:
        try:
            value = _version_from_git(str(root / ".git"), pre_version)
        except Exception as exc:  # pbr's own failures: ValueError, DistutilsError, ...
            raise SourceError(
                f"{mirror}: pbr cannot compute the version of {sha[:12]}: {exc}"
            ) from None
    if not value:
        raise SourceError(f"{mirror}: pbr found no version for {sha[:12]}")
    return value


def _version_from_git(git_dir: str, pre_version: str | None) -> str:
    """pbr's ``packaging._get_version_from_git(pre_version)`` for the repository ``git_dir``."""
    from pbr import git as pbr_git  # type: ignore[import-untyped]
    from pbr import packaging as pbr_packaging
    from pbr import version as pbr_semver

    try:
        tagged = pbr_git._run_git_command(
            ["describe", "--exact-match"], git_dir, throw_on_error=True
        ).replace("-", ".")
        target = pbr_semver.SemanticVersion.from_pip_string(tagged)
    except Exception:  # as pbr: not exactly on a version tag
        target = pbr_semver.SemanticVersion.from_pip_string(pre_version) if pre_version else None
    result = pbr_packaging._get_version_from_git_target(git_dir, target)
    return str(result.release_string())
