"""DLRN drivers for running DLRN 0.26.1 offline beside trunkline (``bench_scale``).

This module is imported by DLRN (``pkginfo_driver`` / ``build_driver`` in
projects.ini) inside DLRN's own venv, never by trunkline:

* ``StaticInfoDriver`` lists the packages of a JSON file (the same packages,
  upstreams and distgits the trunkline side follows) instead of fetching
  rdoinfo over the network; everything else - cloning, fetching, ``git log``,
  the distgit checkout - is DLRN's own ``RdoInfoDriver.getinfo``.
* ``RpmbuildDriver`` replaces mock: it rebuilds the SRPM made by the stand-in
  ``scripts/build_srpm.sh`` with the host's ``rpmbuild --rebuild --nodeps``,
  exactly as trunkline's embedded rpmbuild driver does, and writes the binary
  RPMs, ``rpmbuild.log`` and the ``installed`` marker where DLRN expects them.
"""

import json
import os
import shutil
import tempfile
from typing import ClassVar

import sh
from dlrn.drivers.buildrpm import BuildRPMDriver
from dlrn.drivers.rdoinfo import RdoInfoDriver


class StaticInfoDriver(RdoInfoDriver):
    """Packages from ``[static_driver] packages_file`` (a JSON list of DLRN package dicts)."""

    DRIVER_CONFIG: ClassVar[dict] = {"static_driver": {"packages_file": {}}}

    def getpackages(self, **kwargs):
        """The package dicts of the JSON file (``name``, ``upstream``, ``master-distgit``...)."""
        with open(self.config_options.packages_file, encoding="utf-8") as fh:
            self.packages = json.load(fh)
        return self.packages


class RpmbuildDriver(BuildRPMDriver):
    """Builds binary RPMs with ``rpmbuild --rebuild`` on this host (no mock)."""

    DRIVER_CONFIG: ClassVar[dict] = {}

    def build_package(self, **kwargs):
        """Rebuild the SRPM found in ``output_directory`` into the same directory."""
        output_dir = kwargs["output_directory"]
        srpms = [f for f in os.listdir(output_dir) if f.endswith(".src.rpm")]
        if not srpms:
            raise RuntimeError(f"{output_dir}: no .src.rpm made by build_srpm.sh")
        topdir = tempfile.mkdtemp(prefix="dlrn-rpmbuild-")
        try:
            with open(os.path.join(output_dir, "rpmbuild.log"), "a") as log:
                sh.rpmbuild(
                    "--rebuild",
                    "--nodeps",
                    "--define",
                    f"_topdir {topdir}",
                    "--define",
                    f"_rpmdir {output_dir}",
                    "--define",
                    "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
                    "--define",
                    "dist .el9",
                    os.path.join(output_dir, srpms[0]),
                    _out=log,
                    _err_to_out=True,
                )
        finally:
            shutil.rmtree(topdir, ignore_errors=True)
        open(os.path.join(output_dir, "installed"), "a").close()
