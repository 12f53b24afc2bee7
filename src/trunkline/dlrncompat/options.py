"""Every option DLRN 0.26.1 reads from ``projects.ini``: section, ini name, type, default.

Copied from DLRN's own tables, not from its docs: ``DLRN_CORE_CONFIG`` in
``dlrn/config.py`` (section ``[DEFAULT]``) and the ``DRIVER_CONFIG`` of each
driver in ``dlrn/drivers/*.py``. ``attr`` is the name DLRN's ``ConfigOptions``
gives the value (``[kojibuild_driver] arch`` is ``koji_arch``), so a test can
compare this table with DLRN's objects. DLRN reads a driver section only when
that driver is the configured ``pkginfo_driver`` or ``build_driver``.

Types follow DLRN's parser: ``str`` (raw text), ``int`` (``getint``),
``boolean`` (``getboolean``: 1/yes/true/on, 0/no/false/off), ``list`` (the raw
text split on ``,``, nothing stripped). A default of ``None`` means DLRN has none;
``DEFAULT_DIR`` marks the three directories DLRN places beside its own install.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "int", "boolean", "list"]
Value = str | int | bool | list[str] | None

DEFAULT_DIR = "<beside DLRN's install>"
"""Stand-in default of datadir/scriptsdir/templatedir (DLRN computes them from its path)."""

PKGINFO_DRIVERS = {
    "dlrn.drivers.rdoinfo.RdoInfoDriver": "rdoinfo_driver",
    "dlrn.drivers.gitrepo.GitRepoDriver": "gitrepo_driver",
    "dlrn.drivers.downstream.DownstreamInfoDriver": "downstream_driver",
    "dlrn.drivers.local.LocalDriver": "local_driver",
}
"""DLRN's pkginfo driver classes -> the ini section each reads."""

BUILD_DRIVERS = {
    "dlrn.drivers.mockdriver.MockBuildDriver": "mockbuild_driver",
    "dlrn.drivers.kojidriver.KojiBuildDriver": "kojibuild_driver",
    "dlrn.drivers.coprdriver.CoprBuildDriver": "coprbuild_driver",
}
"""DLRN's build driver classes -> the ini section each reads."""


@dataclass(frozen=True)
class DlrnOption:
    """One projects.ini option as DLRN 0.26.1 reads it."""

    section: str
    name: str  # as written in projects.ini
    attr: str  # the ConfigOptions attribute it becomes
    kind: Kind = "str"
    default: Value = None

    @property
    def label(self) -> str:
        """``[section] name``, as messages name it."""
        return f"[{self.section}] {self.name}"


def _o(
    section: str, name: str, kind: Kind = "str", default: Value = None, attr: str = ""
) -> DlrnOption:
    return DlrnOption(section, name, attr or name, kind, default)


_D = "DEFAULT"

DLRN_OPTIONS: tuple[DlrnOption, ...] = (
    # dlrn/config.py DLRN_CORE_CONFIG, in its order
    _o(_D, "tags"),
    _o(_D, "datadir", default=DEFAULT_DIR),
    _o(_D, "gerrit"),
    _o(_D, "maxretries", "int", 3),
    _o(_D, "baseurl"),
    _o(_D, "smtpserver"),
    _o(_D, "distro"),
    _o(_D, "source"),
    _o(_D, "target"),
    _o(_D, "reponame"),
    _o(_D, "rsyncdest", default=""),
    _o(_D, "rsyncport", default=22),  # no type: getint is not used, a file gives a string
    _o(_D, "scriptsdir", default=DEFAULT_DIR),
    _o(_D, "configdir"),  # None -> scriptsdir
    _o(_D, "templatedir", default=DEFAULT_DIR),
    _o(_D, "project_name", default="RDO"),
    _o(_D, "pkginfo_driver", default="dlrn.drivers.rdoinfo.RdoInfoDriver"),
    _o(_D, "build_driver", default="dlrn.drivers.mockdriver.MockBuildDriver"),
    _o(_D, "workers", "int", 1),
    _o(_D, "gerrit_topic", default="rdo-FTBFS"),
    _o(_D, "database_connection", default="sqlite:///commits.sqlite"),
    _o(_D, "fallback_to_master", "boolean", True),
    _o(_D, "nonfallback_branches", "list", ["^master$", "^rpm-master$"]),
    _o(_D, "release_numbering", default="0.date.hash"),
    _o(_D, "release_minor", default="0"),
    _o(_D, "custom_preprocess", "list", []),
    _o(_D, "include_srpm_in_repo", "boolean", True),
    _o(_D, "keep_changelog", "boolean", False),
    _o(_D, "allow_force_rechecks", "boolean", False),
    _o(_D, "use_components", "boolean", False),
    _o(_D, "verbose_build", "boolean", False),
    _o(_D, "deps_url", default=""),
    # dlrn/drivers/rdoinfo.py
    _o("rdoinfo_driver", "repo", attr="rdoinfo_repo"),
    _o("rdoinfo_driver", "info_files", "list", ["rdo.yml"], attr="rdoinfo_file"),
    _o("rdoinfo_driver", "cache_dir"),
    # dlrn/drivers/gitrepo.py
    _o("gitrepo_driver", "repo", attr="gitrepo_repo"),
    _o("gitrepo_driver", "directory", "list", [], attr="gitrepo_dirs"),
    _o("gitrepo_driver", "skip", "list", [], attr="skip_dirs"),
    _o("gitrepo_driver", "use_version_from_spec", "boolean", False),
    _o("gitrepo_driver", "keep_tarball", "boolean", False),
    # dlrn/drivers/downstream.py
    _o("downstream_driver", "repo", attr="rdoinfo_repo"),
    _o("downstream_driver", "info_files", "list", []),
    _o("downstream_driver", "versions_url"),
    _o("downstream_driver", "downstream_distro_branch"),
    _o("downstream_driver", "downstream_tag"),
    _o("downstream_driver", "downstream_distgit_key"),
    _o("downstream_driver", "downstream_source_git_key"),
    _o("downstream_driver", "downstream_source_git_branch"),
    _o("downstream_driver", "use_upstream_spec", "boolean", False),
    _o("downstream_driver", "downstream_spec_replace_list", "list", []),
    _o("downstream_driver", "cache_dir"),
    # dlrn/drivers/mockdriver.py
    _o("mockbuild_driver", "install_after_build", "boolean", True),
    # dlrn/drivers/kojidriver.py
    _o("kojibuild_driver", "krb_principal", attr="koji_krb_principal"),
    _o("kojibuild_driver", "krb_keytab", attr="koji_krb_keytab"),
    _o("kojibuild_driver", "scratch_build", "boolean", True, attr="koji_scratch_build"),
    _o("kojibuild_driver", "build_target", attr="koji_build_target"),
    _o("kojibuild_driver", "arch", default="x86_64", attr="koji_arch"),
    _o("kojibuild_driver", "use_rhpkg", "boolean", False, attr="koji_use_rhpkg"),
    _o("kojibuild_driver", "rhpkg_timeout", "int", 3600, attr="koji_rhpkg_timeout"),
    _o("kojibuild_driver", "koji_exe", default="koji"),
    _o("kojibuild_driver", "fetch_mock_config", "boolean", False),
    _o("kojibuild_driver", "mock_base_packages", default=""),
    _o("kojibuild_driver", "mock_package_manager", default=""),
    _o("kojibuild_driver", "additional_koji_tags", "list", [], attr="koji_add_tags"),
    # dlrn/drivers/coprdriver.py
    _o("coprbuild_driver", "coprid"),
    # dlrn/drivers/local.py: [local_driver] has no option
)
"""Every projects.ini option of DLRN 0.26.1, [DEFAULT] first, then by driver section."""

SECTIONS: tuple[str, ...] = (_D, *PKGINFO_DRIVERS.values(), *BUILD_DRIVERS.values())
"""Every section DLRN 0.26.1 knows."""


def option(section: str, name: str) -> DlrnOption:
    """The option ``name`` of ``section``.

    Raises:
        KeyError: DLRN has no such option.
    """
    for opt in DLRN_OPTIONS:
        if opt.section == section and opt.name == name:
            return opt
    raise KeyError(f"[{section}] {name}")
