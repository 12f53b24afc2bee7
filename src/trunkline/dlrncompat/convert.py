"""projects.ini -> trunkline settings: one rule per DLRN option.

Each rule looks at the value DLRN would use (the file's, else DLRN's default: a
builder that never set ``workers`` ran with 1, and keeps doing so) and returns
what it becomes (``dlrncompat/model.py``). Relative paths are taken against the
ini file's directory, where DLRN's sample setup runs ``dlrn`` from, and written
absolute so the TOML can live anywhere. Rules of the driver sections are in
``convert_drivers.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from trunkline.config import ReplicationSettings
from trunkline.dlrncompat.convert_drivers import driver_entries
from trunkline.dlrncompat.model import Carried, Conversion, Entry, NotCarried, Skipped
from trunkline.dlrncompat.options import DEFAULT_DIR, DLRN_OPTIONS
from trunkline.dlrncompat.projects_ini import DlrnConfig

MOCK = "mockbuild_driver"
RDOINFO = "rdoinfo_driver"
NO_FALLBACK_ANYWAY = frozenset({"^master$", "^main$", "^rpm-master$"})
RELEASE_NUMBERINGS = ("0.date.hash", "0.1.date.hash", "minor.date.hash")
# DLRN's targets centos8, centos9, centos9-stream, centos-stream-9, centos8-stream, redhat9...
_EL_TARGET = re.compile(r"(?:centos|redhat|rhel)-?(?:stream-?)?(\d+)(?:-stream)?")

Rule = Callable[[DlrnConfig, str], list[Entry]]


def _src(name: str) -> str:
    return f"[DEFAULT] {name}"


def _path(cfg: DlrnConfig, value: str) -> str:
    """``value`` made absolute against the ini file's directory (``~`` expanded)."""
    path = Path(os.path.expanduser(value))
    return str(path if path.is_absolute() else (cfg.path.parent / path).resolve())


def _note(cfg: DlrnConfig, name: str) -> str:
    return "" if cfg.is_given("DEFAULT", name) else "DLRN default"


def _plain(table: str, key: str) -> Rule:
    """A rule copying the value as it is into ``table.key`` (skipped when DLRN has none)."""

    def rule(cfg: DlrnConfig, name: str) -> list[Entry]:
        value = cfg.get("DEFAULT", name)
        if value is None:
            return [Skipped(_src(name), "not set, no default in DLRN")]
        assert not isinstance(value, list)
        return [Carried(_src(name), table, key, value, _note(cfg, name))]

    return rule


def _not_carried_if_set(why: str, todo: str, unset: str) -> Rule:
    def rule(cfg: DlrnConfig, name: str) -> list[Entry]:
        value = cfg.get("DEFAULT", name)
        empty = value in (None, "", False) or (isinstance(value, list) and not any(value))
        if empty:
            return [Skipped(_src(name), unset)]
        return [NotCarried(_src(name), why, todo)]

    return rule


def _datadir(cfg: DlrnConfig, name: str) -> list[Entry]:
    if not cfg.is_given("DEFAULT", name):
        return [
            NotCarried(
                _src(name),
                "not set: DLRN's default is a data directory beside its own install",
                "set [builder] data_dir to that directory (its repos/ tree is used as it is)",
            )
        ]
    return [Carried(_src(name), "builder", "data_dir", _path(cfg, cfg.text("DEFAULT", name)))]


def _dir_of_dlrn(what: str, todo: str) -> Rule:
    def rule(cfg: DlrnConfig, name: str) -> list[Entry]:
        if not cfg.is_given("DEFAULT", name):
            return [Skipped(_src(name), f"not set: DLRN's own {what}")]
        return [NotCarried(_src(name), f"trunkline uses no {what}", todo)]

    return rule


def _configdir(cfg: DlrnConfig, name: str) -> list[Entry]:
    if MOCK not in cfg.active:
        return [Skipped(_src(name), "mock configs are read by the mock build driver only")]
    target = cfg.text("DEFAULT", "target")
    configdir = cfg.text("DEFAULT", name)
    if configdir == DEFAULT_DIR or not target:
        return [
            NotCarried(
                _src(name),
                "the mock config is <configdir>/<target>.cfg, and configdir or target is not set",
                "set [build.mock] config to a .cfg file or a mock config name",
            )
        ]
    cfg_file = Path(_path(cfg, configdir)) / f"{target}.cfg"
    entries: list[Entry] = [
        Carried(_src(name), "build.mock", "config", str(cfg_file), "<configdir>/<target>.cfg")
    ]
    if not cfg_file.is_file():
        entries.append(
            NotCarried(
                _src(name),
                f"{cfg_file} does not exist here",
                f"copy DLRN's scripts/{target}.cfg there, or set [build.mock] config to a "
                "mock config name such as centos-stream-9-x86_64",
            )
        )
    return entries


def _target(cfg: DlrnConfig, name: str) -> list[Entry]:
    """The target label, and the dist tag DLRN's build root gave its RPMs (``.el9``)."""
    value = cfg.text("DEFAULT", name)
    if not value:
        why = "not set (DLRN cannot build without it)"
        return [NotCarried(_src(name), why, "set [builder] target")]
    entries: list[Entry] = [Carried(_src(name), "builder", "target", value)]
    release = _EL_TARGET.fullmatch(value)
    if release is None:
        why = f"DLRN's dist tag comes from the {value} build root, not from projects.ini"
        entries.append(NotCarried(_src(name), why, 'set [builder] dist (e.g. ".fc41")'))
    else:
        note = "the dist tag of its build root, %{dist}"
        entries.append(Carried(_src(name), "builder", "dist", f".el{release[1]}", note))
    return entries


def _smtpserver(cfg: DlrnConfig, name: str) -> list[Entry]:
    """DLRN's ``smtplib.SMTP(smtpserver)``: ``host`` or ``host:port``, plain SMTP, no login.

    DLRN mailed the maintainers only (From ``no-reply@delorean.com``); trunkline does
    too by default (``mail_maintainers``), from ``[notify] mail_from``.
    """
    value = cfg.text("DEFAULT", name).strip()
    if not value:
        return [Skipped(_src(name), "empty: no mail, as in trunkline")]
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host or "]" in port:
        host, port = value, ""
    entries: list[Entry] = [
        Carried(_src(name), "notify", "smtp_server", host, "FTBFS mails to the maintainers")
    ]
    if port:
        entries.append(Carried(_src(name), "notify", "smtp_port", int(port), "from host:port"))
    return entries


def _gerrit_topic(cfg: DlrnConfig, name: str) -> list[Entry]:
    if not cfg.text("DEFAULT", "gerrit"):
        return [Skipped(_src(name), "used only when gerrit is set")]
    topic = cfg.text("DEFAULT", name)
    return [
        NotCarried(
            _src(name),
            "carried with the gerrit review driver only",
            f'set [notify.gerrit] topic = "{topic}" beside review = "gerrit"',
        )
    ]


def _tags(cfg: DlrnConfig, name: str) -> list[Entry]:
    tag = cfg.text("DEFAULT", name).strip()
    if not tag:
        return [Skipped(_src(name), "empty: every package, whatever its tags")]
    return [Carried(_src(name), "packages", "tag", tag)]


def _rsyncdest(cfg: DlrnConfig, name: str) -> list[Entry]:
    dest = cfg.text("DEFAULT", name).strip()
    if not dest:
        return [Skipped(_src(name), "empty: no rsync")]
    try:
        ReplicationSettings(targets=(dest,))
    except ValueError as exc:
        why = str(exc).splitlines()[-1].strip()
        return [NotCarried(_src(name), why, "set [replication] targets to a usable destination")]
    return [
        Carried(_src(name), "replication", "targets", [dest], "rsync after each published repo")
    ]


def _rsyncport(cfg: DlrnConfig, name: str) -> list[Entry]:
    port = cfg.text("DEFAULT", name).strip()
    if not cfg.text("DEFAULT", "rsyncdest").strip():
        return [Skipped(_src(name), "used only when rsyncdest is set")]
    if port == "22":
        return [Skipped(_src(name), "22: ssh's own default")]
    if not port.isdigit():
        return [NotCarried(_src(name), f"{port!r} is not a port", "set [replication] extra_args")]
    extra = ["-e", f"ssh -p {port}"]
    return [Carried(_src(name), "replication", "extra_args", extra, "DLRN's rsync -e 'ssh -p N'")]


def _pkginfo_driver(cfg: DlrnConfig, name: str) -> list[Entry]:
    if RDOINFO in cfg.active:
        return [Carried(_src(name), "packages", "source", "rdoinfo", "RdoInfoDriver")]
    driver = cfg.text("DEFAULT", name).rsplit(".", 1)[-1]
    todo = 'follow rdoinfo-style metadata ([packages] source = "rdoinfo")'
    if driver == "LocalDriver":
        todo = "build a local distgit with 'trunkline build --dev DIR --package NAME'"
    return [NotCarried(_src(name), f"trunkline has no {driver}", todo)]


def _build_driver(cfg: DlrnConfig, name: str) -> list[Entry]:
    if MOCK in cfg.active:
        return [Carried(_src(name), "build", "driver", "mock", "MockBuildDriver")]
    driver = cfg.text("DEFAULT", name).rsplit(".", 1)[-1]
    return [
        NotCarried(
            _src(name),
            f"trunkline has no {driver}",
            'build with mock: [build] driver = "mock" and [build.mock] config',
        )
    ]


def _database(cfg: DlrnConfig, name: str) -> list[Entry]:
    url = cfg.text("DEFAULT", name)
    return [
        NotCarried(
            _src(name),
            f"trunkline has its own schema and does not open DLRN's database ({url})",
            "leave [database] url empty (SQLite in data_dir) or name a new, empty database, "
            "and import DLRN's builds with 'trunkline dlrn import-db'",
        )
    ]


def _nonfallback(cfg: DlrnConfig, name: str) -> list[Entry]:
    value = cfg.get("DEFAULT", name)
    patterns = {p.strip() for p in value if p.strip()} if isinstance(value, list) else set()
    if patterns <= NO_FALLBACK_ANYWAY:
        return [
            Skipped(_src(name), "master/main/rpm-master only: trunkline never falls back from them")
        ]
    return [
        NotCarried(
            _src(name),
            "trunkline has no per-branch exception to the branch fallback",
            "set [builder] fallback_to_master = false if these branches must never fall back",
        )
    ]


def _release_numbering(cfg: DlrnConfig, name: str) -> list[Entry]:
    value = cfg.text("DEFAULT", name)
    if value in RELEASE_NUMBERINGS:
        return [Carried(_src(name), "builder", "release_numbering", value, _note(cfg, name))]
    note = f"DLRN uses 0.date.hash for {value!r}"
    return [Carried(_src(name), "builder", "release_numbering", "0.date.hash", note)]


def _release_minor(cfg: DlrnConfig, name: str) -> list[Entry]:
    value = cfg.text("DEFAULT", name).strip()
    if not value.isdigit():
        return [NotCarried(_src(name), f"{value!r} is not a number", "set [builder] release_minor")]
    return [Carried(_src(name), "builder", "release_minor", int(value), _note(cfg, name))]


def _deps_url(cfg: DlrnConfig, name: str) -> list[Entry]:
    if MOCK not in cfg.active:
        return [Skipped(_src(name), "the deps repo is added to mock configs only")]
    url = cfg.text("DEFAULT", name).strip()
    note = ""
    if not url:
        baseurl = cfg.text("DEFAULT", "baseurl")
        if not baseurl:
            return [Skipped(_src(name), "empty and no baseurl: no deps repo")]
        url, note = (
            os.path.join(baseurl, "delorean-deps.repo"),
            "DLRN default: <baseurl>/delorean-deps.repo",
        )
    elif "://" not in url:
        url = _path(cfg, url)
    return [Carried(_src(name), "build.mock", "deps_url", url, note)]


CORE_RULES: dict[str, Rule] = {
    "tags": _tags,
    "datadir": _datadir,
    "gerrit": _not_carried_if_set(
        "DLRN's git-review setup has no Gerrit REST URL, which trunkline needs",
        'set [notify] review = "gerrit" and [notify.gerrit] url (and user, password_file)',
        "not set: no review on FTBFS",
    ),
    "maxretries": _plain("builder", "maxretries"),
    "baseurl": _plain("builder", "baseurl"),
    "smtpserver": _smtpserver,
    "distro": _plain("builder", "distro_branch"),
    "source": _plain("builder", "source_branch"),
    "target": _target,
    "reponame": _plain("builder", "reponame"),
    "rsyncdest": _rsyncdest,
    "rsyncport": _rsyncport,
    "scriptsdir": _dir_of_dlrn(
        "build_srpm.sh scripts (SRPMs are made in Python)",
        "nothing if these are DLRN's own scripts; else port their changes to [build] macros/sdist",
    ),
    "configdir": _configdir,
    "templatedir": _dir_of_dlrn(
        "report templates but its own",
        "nothing if these are DLRN's own templates; custom ones cannot be used",
    ),
    "project_name": _plain("builder", "project_name"),
    "pkginfo_driver": _pkginfo_driver,
    "build_driver": _build_driver,
    "workers": _plain("builder", "workers"),
    "gerrit_topic": _gerrit_topic,
    "database_connection": _database,
    "fallback_to_master": _plain("builder", "fallback_to_master"),
    "nonfallback_branches": _nonfallback,
    "release_numbering": _release_numbering,
    "release_minor": _release_minor,
    "custom_preprocess": _not_carried_if_set(
        "trunkline runs no pre-process commands in the distgit",
        "commit what they change to the distgit",
        "empty: no pre-process commands",
    ),
    "include_srpm_in_repo": _plain("builder", "include_srpm_in_repo"),
    "keep_changelog": _plain("builder", "keep_changelog"),
    "allow_force_rechecks": _not_carried_if_set(
        "trunkline has no forced recheck of a successful build",
        "rebuild a failed build with the API's recheck_package",
        "false: no forced rechecks",
    ),
    "use_components": _plain("builder", "use_components"),
    "verbose_build": _not_carried_if_set(
        "verbosity is chosen on the command line",
        "run 'trunkline -v build'",
        "false: quiet builds",
    ),
    "deps_url": _deps_url,
}
"""[DEFAULT] option -> its rule (a test checks every [DEFAULT] option has one)."""


def convert(cfg: DlrnConfig) -> Conversion:
    """What each option of ``cfg`` becomes, in DLRN's order; unknown options last."""
    entries: list[Entry] = []
    for opt in DLRN_OPTIONS:
        if opt.section == "DEFAULT":
            entries += CORE_RULES[opt.name](cfg, opt.name)
    entries += driver_entries(cfg)
    for section, name in cfg.unknown:
        entries.append(
            NotCarried(
                f"[{section}] {name}",
                "not an option of DLRN 0.26.1 (DLRN ignores it)",
                "check its spelling; nothing to carry",
            )
        )
    return Conversion(tuple(entries))
