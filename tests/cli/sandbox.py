"""Places for running the installed ``trunkline`` script: configs, metadata, distgits, builders.

A :class:`Sandbox` is one test's ``tmp_path`` seen as a mapping from a name to a
path (as a string), made on first use: ``"{distgit}"`` in an argv is a private
copy of the distgit world's checkout, ``"{cfg}"`` a builder config following the
cycle world, and so on (:data:`PLACES` lists them). The expensive parts, git
worlds, are built once per module (:class:`Worlds`) and only read, or copied.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from tests.conftest import git
from tests.distgit.world import SPEC_SETUPTOOLS, World, build_world, commit
from tests.dlrncompat.minimal import write_minimal_dlrn_db
from tests.metadata.conftest import EDIT_TREE, MINI_RDO
from tests.notify.smtpsink import free_port

EXE = Path(sys.executable).parent / "trunkline"

# A package MINI_RDO has no opinion on, with a maintainer that is not an e-mail: an error.
INVALID_PACKAGE = "- project: bare\n  maintainers: [bare]\n"


@dataclass(frozen=True)
class Worlds:
    """Git worlds shared by a module's tests (read-only; the distgit is copied per test).

    ``cycle`` follows three packages: ``alpha`` builds, ``broken`` fails to build
    (its upstream dropped the file the spec installs: FTBFS), ``gone`` has no
    upstream any more (a source error: transient).
    """

    distgit: World
    cycle: CycleWorld


def make_worlds(root: Path) -> Worlds:
    """Build both worlds under ``root`` (a few seconds of git)."""
    cycle = make_cycle_world(root / "cycle", ("alpha", "broken", "gone"))
    cycle.break_upstream("broken")
    shutil.rmtree(cycle.upstreams["gone"].path)
    return Worlds(build_world(root / "distgit"), cycle)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _config(sb: Sandbox, name: str, extra: str = "") -> Path:
    """A builder config with its data dir (DB, repos, lock) in the sandbox."""
    return _write(
        sb.tmp / name,
        f'[builder]\ndata_dir = "{sb.tmp / "data"}"\ndist = ".el9s"\n'
        f'[packages]\nsource = "rdoinfo"\npath = "{sb.worlds.cycle.metadata}"\ntag = "trunk"\n'
        + extra,
    )


def _info_git(sb: Sandbox) -> Path:
    """A metadata git repo whose last commit adds a package."""
    root = _write(sb.tmp / "info-git" / "rdo.yml", MINI_RDO).parent
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "MINI_RDO")
    _write(root / "rdo.yml", MINI_RDO + "- project: glance\n  conf: core\n")
    git(root, "commit", "-q", "-am", "Add glance")
    return root


def _edit_info(sb: Sandbox) -> Path:
    """A metadata tree laid out like rdoinfo's: tags/ and buildsys-tags/ files imported."""
    for rel, text in EDIT_TREE.items():
        _write(sb.tmp / "edit-info" / rel, text)
    return sb.tmp / "edit-info"


def _clone_info(sb: Sandbox, name: str, distgit: str) -> Path:
    """rdoinfo naming the distgit world's ``python-foo`` (its distgit URL: ``distgit``)."""
    world = sb.worlds.distgit
    rdo = {
        "releases": [
            {
                "name": "flamingo",
                "status": "development",
                "branch": "rpm-master",
                "repos": [{"name": "el9s", "buildsys": "cbs/flamingo-el9s"}],
            }
        ],
        "packages": [
            {
                "project": "foo",
                "name": "python-foo",
                "upstream": world.upstream.as_uri(),
                "distgit": distgit,
                "patches": world.patches.as_uri(),
                "maintainers": ["pat@example.com"],
                "tags": {"flamingo": None},
            }
        ],
    }
    return _write(sb.tmp / name / "rdo.yml", yaml.safe_dump(rdo, sort_keys=False)).parent


def _distgit(sb: Sandbox) -> Path:
    target = sb.tmp / "python-foo"
    shutil.copytree(sb.worlds.distgit.distgit, target, symlinks=True)
    return target


def _setuptools_distgit(sb: Sandbox) -> Path:
    """The distgit with a setuptools spec: no dependency generator, so reqcheck can miss."""
    target = sb.tmp / "python-foo-setuptools"
    shutil.copytree(sb.worlds.distgit.distgit, target, symlinks=True)
    commit(target, "setuptools macros", {"python-foo.spec": SPEC_SETUPTOOLS}, "2024-03-05T00:00:00")
    return target


def _stable_cfg(sb: Sandbox) -> Path:
    """A local stable builder over a fresh stable world (no rules, no signing key)."""
    from tests.buildsys.world import make_world

    return make_world(sb.tmp / "stable", with_key=False).config()


# name -> how to make it in a sandbox (returns the path that "{name}" stands for).
PLACES: dict[str, Callable[[Sandbox], Path | str]] = {
    "tmp": lambda sb: sb.tmp,
    "empty": lambda sb: _write(sb.tmp / "empty" / ".keep", "").parent,
    "data": lambda sb: sb.tmp / "data",
    "cfg": lambda sb: _config(sb, "trunkline.toml"),
    "stable_cfg": _stable_cfg,
    "bad_cfg": lambda sb: _write(sb.tmp / "bad.toml", "[builder]\nworkerz = 3\n"),
    "nodb_cfg": lambda sb: _write(sb.tmp / "nodb.toml", '[database]\nurl = "nope://x"\n'),
    "under_file_cfg": lambda sb: _write(
        sb.tmp / "under-file.toml",
        f'[builder]\ndata_dir = "{_write(sb.tmp / "a-file", "")}/data"\n',
    ),
    "sync_cfg": lambda sb: _config(
        sb, "sync.toml", f'[replication]\ntargets = ["{sb.tmp / "mirror"}"]\n'
    ),
    "info": lambda sb: _write(sb.tmp / "info" / "rdo.yml", MINI_RDO).parent,
    "invalid_info": lambda sb: (
        _write(sb.tmp / "invalid" / "rdo.yml", MINI_RDO + INVALID_PACKAGE).parent
    ),
    "edit_info": _edit_info,
    "bad_yaml": lambda sb: _write(sb.tmp / "bad-yaml" / "rdo.yml", "releases: [\n").parent,
    "info_git": _info_git,
    "distgit": _distgit,
    "setuptools_distgit": _setuptools_distgit,
    "clone_info": lambda sb: _clone_info(sb, "clone-info", sb.worlds.distgit.distgit.as_uri()),
    "clone_info_gone": lambda sb: _clone_info(
        sb, "clone-info-gone", (sb.tmp / "no-such-distgit").as_uri()
    ),
    "smtp_port": lambda sb: str(free_port()),  # a sink listens there only if a setup starts one
    "mail_cfg": lambda sb: _config(
        sb,
        "mail.toml",
        f'[notify]\nsmtp_server = "127.0.0.1"\nsmtp_port = {sb["smtp_port"]}\n'
        'recipients = ["list@example.org"]\ntimeout = 5.0\n',
    ),
    "dlrn_db": lambda sb: write_minimal_dlrn_db(sb.tmp / "dlrn.sqlite"),
    "dlrn_cfg": lambda sb: _write(
        sb.tmp / "dlrn.toml", f'[database]\nurl = "sqlite:///{sb["dlrn_db"]}"\n'
    ),
}


class Sandbox(dict[str, str]):
    """One test's places, made on first lookup: ``"{distgit}".format_map(sandbox)``.

    ``stack`` holds what a setup keeps open while the command runs (a held lock).
    """

    def __init__(self, tmp: Path, worlds: Worlds, stack: ExitStack) -> None:
        super().__init__()
        self.tmp = tmp
        self.worlds = worlds
        self.stack = stack

    def __missing__(self, key: str) -> str:
        value = str(PLACES[key](self))
        self[key] = value
        return value

    def path(self, key: str) -> Path:
        """The place ``key`` as a path."""
        return Path(self[key])

    def run(
        self, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The installed script on ``argv`` (cwd: the sandbox), without a terminal."""
        return subprocess.run(
            [str(EXE), *argv],
            cwd=self.tmp,
            env=self.env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The script's environment: a private metadata cache, no user git config."""
        return {
            **os.environ,
            "TRUNKLINE_CACHE_DIR": str(self.tmp / "cache"),
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            **(extra or {}),
        }
