"""Reading projects.ini: the same options and values as DLRN 0.26.1's own ConfigOptions.

DLRN itself (PyPI, in a peer venv) reads the same files; its ``ConfigOptions``
object's attributes are compared with ours, name by name and value by value, so
the option table (``dlrncompat/options.py``) cannot miss or misname an option.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.dlrncompat.realistic import COMBOS, write_ini
from tests.peervenv import dlrn_peer
from trunkline.dlrncompat.options import DEFAULT_DIR, DLRN_OPTIONS
from trunkline.dlrncompat.projects_ini import DlrnConfig, read_projects_ini
from trunkline.errors import ConfigError

# dlrn/shell.py main(): RawConfigParser().read(config_file), then ConfigOptions(cp)
READ_AS_DLRN = """\
import configparser, json, sys
from dlrn.config import ConfigOptions
cp = configparser.RawConfigParser()
cp.read(sys.argv[1])
print(json.dumps(vars(ConfigOptions(cp))))
"""


@pytest.fixture(scope="module")
def dlrn_python() -> Path:
    return dlrn_peer()


def as_dlrn(python: Path, ini: Path) -> dict[str, Any]:
    out = subprocess.run(
        [str(python), "-c", READ_AS_DLRN, str(ini)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ini.parent,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def as_ours(cfg: DlrnConfig) -> dict[str, Any]:
    by_key = {(o.section, o.name): o.attr for o in DLRN_OPTIONS}
    return {by_key[key]: value for key, value in cfg.values.items()}


@pytest.mark.parametrize(("pkginfo", "build"), COMBOS)
def test_every_option_and_value_is_dlrn_s(
    tmp_path: Path, dlrn_python: Path, pkginfo: str, build: str
) -> None:
    ini = write_ini(tmp_path, pkginfo, build)
    assert as_ours(read_projects_ini(ini)) == as_dlrn(dlrn_python, ini)


def test_the_defaults_are_dlrn_s(tmp_path: Path, dlrn_python: Path) -> None:
    ini = tmp_path / "projects.ini"
    ini.write_text("[DEFAULT]\n")
    theirs = as_dlrn(dlrn_python, ini)
    ours = as_ours(read_projects_ini(ini))
    # the three directories DLRN places beside its own install (configdir follows scriptsdir)
    for name in ("datadir", "scriptsdir", "configdir", "templatedir"):
        assert ours.pop(name) == DEFAULT_DIR
        assert Path(theirs.pop(name)).is_absolute()
    assert ours == theirs


def test_the_option_table_covers_every_section_dlrn_reads(tmp_path: Path) -> None:
    read = set()
    for pkginfo, build in COMBOS:
        read |= set(read_projects_ini(write_ini(tmp_path / pkginfo, pkginfo, build)).values)
    assert read == {(o.section, o.name) for o in DLRN_OPTIONS}


def test_sections_of_drivers_not_configured_are_unused_and_unknown_keys_listed(
    tmp_path: Path,
) -> None:
    ini = write_ini(tmp_path)
    ini.write_text(ini.read_text() + "[extra]\nfoo=1\n")
    ini.write_text(ini.read_text().replace("workers=4\n", "workers=4\nworkerz=4\n"))
    cfg = read_projects_ini(ini)
    assert cfg.active == ("DEFAULT", "rdoinfo_driver", "mockbuild_driver")
    assert ("kojibuild_driver", "koji_exe") in cfg.unused
    assert ("rdoinfo_driver", "repo") not in cfg.unused
    assert cfg.unknown == (("DEFAULT", "workerz"), ("extra", "foo"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("workers=4\n", "not a DLRN ini file: line 1: text before the first [section]"),
        ("[DEFAULT]\nworkers=four\n", "[DEFAULT] workers: expected an integer (got 'four')"),
        (
            "[DEFAULT]\nkeep_changelog=maybe\n",
            "[DEFAULT] keep_changelog: expected a boolean: 1/0, true/false, yes/no, on/off "
            "(got 'maybe')",
        ),
        (
            "[DEFAULT]\nworkers=1\nworkers=2\n",
            "not a DLRN ini file: line 3: [DEFAULT] workers: set twice",
        ),
        (
            "[DEFAULT]\nbuild_driver=my.Driver\n",
            "[DEFAULT] build_driver: unknown DLRN driver 'my.Driver'; expected: "
            "dlrn.drivers.coprdriver.CoprBuildDriver, dlrn.drivers.kojidriver.KojiBuildDriver, "
            "dlrn.drivers.mockdriver.MockBuildDriver",
        ),
        (
            "[DEFAULT]\nbuild_driver=dlrn.drivers.kojidriver.KojiBuildDriver\n"
            "[kojibuild_driver]\nrhpkg_timeout=1h\n",
            "[kojibuild_driver] rhpkg_timeout: expected an integer (got '1h')",
        ),
    ],
)
def test_a_bad_ini_is_one_line_naming_file_section_and_option(
    tmp_path: Path, text: str, message: str
) -> None:
    ini = tmp_path / "projects.ini"
    ini.write_text(text)
    with pytest.raises(ConfigError) as err:
        read_projects_ini(ini)
    assert str(err.value) == f"{ini}: {message}"


def test_a_missing_ini_is_an_error_not_all_defaults(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"projects\.ini: file not found$"):
        read_projects_ini(tmp_path / "projects.ini")
