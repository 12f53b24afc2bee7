"""projects.ini driver sections -> trunkline settings.

DLRN reads only the sections of its configured ``pkginfo_driver`` and
``build_driver``. Of those, ``[rdoinfo_driver]`` and ``[mockbuild_driver]`` have
trunkline equivalents; every option set in the section of another active driver
(gitrepo, downstream, koji, copr) is not carried (the driver option itself says
what to use instead). Options in the sections of drivers not configured are
skipped, as DLRN skips them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from trunkline.dlrncompat.model import Carried, Entry, NotCarried, Skipped
from trunkline.dlrncompat.options import DLRN_OPTIONS, DlrnOption
from trunkline.dlrncompat.projects_ini import DlrnConfig

RDOINFO_DEFAULT = "https://github.com/redhat-openstack/rdoinfo"
"""The git repo behind DLRN's default rdoinfo (raw.githubusercontent.com/.../master/)."""

_RAW_GITHUB = re.compile(r"^https?://raw\.githubusercontent\.com/([^/]+)/([^/]+)/([^/]+)/?$")


def _rdoinfo_repo(cfg: DlrnConfig, opt: DlrnOption) -> list[Entry]:
    value = cfg.text(opt.section, opt.name).strip()
    if not value:
        return [
            Carried(opt.label, "packages", "path", RDOINFO_DEFAULT, "DLRN default: rdoinfo master"),
            Carried(opt.label, "packages", "ref", "master", "DLRN default: rdoinfo master"),
        ]
    raw = _RAW_GITHUB.match(value)
    if raw is not None:  # distroinfo reads raw files over HTTP; trunkline clones the repo
        org, repo, ref = raw.groups()
        note = "the git repo behind the raw.githubusercontent.com URL"
        return [
            Carried(opt.label, "packages", "path", f"https://github.com/{org}/{repo}", note),
            Carried(opt.label, "packages", "ref", ref, note),
        ]
    if "://" not in value and "@" not in value:
        path = Path(os.path.expanduser(value))
        value = str(path if path.is_absolute() else (cfg.path.parent / path).resolve())
    return [Carried(opt.label, "packages", "path", value)]


def _rdoinfo_files(cfg: DlrnConfig, opt: DlrnOption) -> list[Entry]:
    value = cfg.get(opt.section, opt.name)
    files = [f.strip() for f in value if f.strip()] if isinstance(value, list) else []
    if not files:
        return [Skipped(opt.label, "empty: DLRN would fail to read the metadata")]
    note = "" if cfg.is_given(opt.section, opt.name) else "DLRN default"
    return [Carried(opt.label, "packages", "info_files", files, note)]


def _cache_dir(cfg: DlrnConfig, opt: DlrnOption) -> list[Entry]:
    if not cfg.text(opt.section, opt.name):
        return [Skipped(opt.label, "not set: no cache")]
    return [
        NotCarried(
            opt.label,
            "trunkline keeps its own copy of the metadata in data_dir",
            "nothing to do",
        )
    ]


def _install_after_build(cfg: DlrnConfig, opt: DlrnOption) -> list[Entry]:
    value = cfg.get(opt.section, opt.name)
    note = "" if cfg.is_given(opt.section, opt.name) else "DLRN default"
    return [Carried(opt.label, "build.mock", "install_after_build", bool(value), note)]


_RULES = {
    ("rdoinfo_driver", "repo"): _rdoinfo_repo,
    ("rdoinfo_driver", "info_files"): _rdoinfo_files,
    ("rdoinfo_driver", "cache_dir"): _cache_dir,
    ("mockbuild_driver", "install_after_build"): _install_after_build,
}


def _without_equivalent(cfg: DlrnConfig, opt: DlrnOption) -> list[Entry]:
    if not cfg.is_given(opt.section, opt.name):
        return [Skipped(opt.label, "not set")]
    driver = "pkginfo_driver" if opt.section == cfg.active[1] else "build_driver"
    return [
        NotCarried(
            opt.label,
            f"trunkline has no {opt.section.removesuffix('_driver')} driver",
            f"see the [DEFAULT] {driver} line",
        )
    ]


def driver_entries(cfg: DlrnConfig) -> list[Entry]:
    """The entries of every driver option: active sections, then the ones DLRN skips."""
    entries: list[Entry] = []
    for opt in DLRN_OPTIONS:
        if opt.section == "DEFAULT":
            continue
        if opt.section in cfg.active:
            rule = _RULES.get((opt.section, opt.name), _without_equivalent)
            entries += rule(cfg, opt)
        elif (opt.section, opt.name) in cfg.unused:
            why = f"DLRN does not read [{opt.section}] either: that driver is not configured"
            entries.append(Skipped(opt.label, why))
    return entries
