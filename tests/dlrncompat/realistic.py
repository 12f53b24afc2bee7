"""A realistic projects.ini: every option DLRN 0.26.1 documents, each set, in every section.

It follows DLRN's own sample (``projects.ini`` and ``doc/source/installation.rst``)
with the values a production builder uses, and the driver classes chosen by the
caller, since DLRN reads only the sections of its two configured drivers.
"""

from __future__ import annotations

from pathlib import Path

PKGINFO = {
    "rdoinfo": "dlrn.drivers.rdoinfo.RdoInfoDriver",
    "gitrepo": "dlrn.drivers.gitrepo.GitRepoDriver",
    "downstream": "dlrn.drivers.downstream.DownstreamInfoDriver",
    "local": "dlrn.drivers.local.LocalDriver",
}
BUILD = {
    "mock": "dlrn.drivers.mockdriver.MockBuildDriver",
    "koji": "dlrn.drivers.kojidriver.KojiBuildDriver",
    "copr": "dlrn.drivers.coprdriver.CoprBuildDriver",
}
COMBOS = [("rdoinfo", "mock"), ("gitrepo", "koji"), ("downstream", "copr"), ("local", "mock")]
"""(pkginfo, build) pairs that together make DLRN read every section."""

INI = """\
[DEFAULT]
datadir=./data
scriptsdir=./scripts
configdir=./mock-configs
baseurl=https://trunk.example.org/centos9-master/
distro=rpm-master
source=master
target=centos9
smtpserver=smtp.example.org
reponame=delorean
templatedir=./templates
project_name=Example
maxretries=5
pkginfo_driver={pkginfo}
build_driver={build}
tags=flamingo
rsyncdest=builder@backup.example.org:/srv/repos
rsyncport=2222
workers=4
gerrit=yes
gerrit_topic=example-FTBFS
database_connection=mysql+pymysql://dlrn:secret@db.example.org/dlrn
fallback_to_master=0
nonfallback_branches=^master$,^main$,^rpm-master$,^rhos-
release_numbering=minor.date.hash
release_minor=2
custom_preprocess=/usr/local/bin/fix-spec.sh,/usr/local/bin/second.sh
include_srpm_in_repo=false
keep_changelog=true
allow_force_rechecks=true
use_components=true
verbose_build=true
deps_url=file:///srv/deps/delorean-deps.repo

[gitrepo_driver]
repo=https://github.com/openstack/rpm-packaging
directory=/openstack,/other
skip=openstack-macros,keystoneauth1
use_version_from_spec=1
keep_tarball=0

[rdoinfo_driver]
repo=https://github.com/example/rdoinfo-fork
info_files=rdo.yml,deps.yml
cache_dir=~/.distroinfo/cache

[downstream_driver]
repo=https://github.com/example/fooinfo
info_files=foo.yml
versions_url=https://trunk.rdoproject.org/centos9-master/current/versions.csv
downstream_distro_branch=foo-rocky
downstream_tag=foo-
downstream_distgit_key=foo-distgit
downstream_source_git_key=bar-distgit
downstream_source_git_branch=ds-master
use_upstream_spec=False
downstream_spec_replace_list=^%global with_doc.+/%global with_doc 0
cache_dir=~/.distroinfo/cache

[mockbuild_driver]
install_after_build=0

[kojibuild_driver]
koji_exe=cbs
krb_principal=builder@EXAMPLE.ORG
krb_keytab=/etc/builder.keytab
scratch_build=False
build_target=cloud9s-openstack-flamingo-el9s-build
arch=aarch64
use_rhpkg=False
rhpkg_timeout=1800
fetch_mock_config=True
mock_base_packages=basesystem rpm-build
mock_package_manager=dnf
additional_koji_tags=tag1,tag2

[coprbuild_driver]
coprid=example/trunk

[local_driver]
"""


def write_ini(directory: Path, pkginfo: str = "rdoinfo", build: str = "mock") -> Path:
    """Write the realistic projects.ini (with a mock config for its target) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "mock-configs").mkdir(exist_ok=True)
    (directory / "mock-configs" / "centos9.cfg").write_text(
        "config_opts['root'] = 'centos9'\nconfig_opts['dnf.conf'] = \"\"\"\n[main]\n\"\"\"\n"
    )
    ini = directory / "projects.ini"
    ini.write_text(INI.format(pkginfo=PKGINFO[pkginfo], build=BUILD[build]))
    return ini
