"""Run DLRN 0.26.1's own code on trunkline's files: executed by the DLRN peer venv's python.

DLRN pins old dependencies (SQLAlchemy<2), so it cannot be imported by the test
process. The test runs this file with the peer's python and a JSON request on
stdin; it prints one JSON answer on stdout. Requests:

* ``{"load": [path, ...]}`` -- ``dlrn.utils.loadYAML_list`` on each commit.yaml;
  answers ``[[{column: str(value)}, ...], ...]`` (every Commit column, as
  ``saveYAML_commit`` would write it back).
* ``{"versions": {"datadir": ..., "state": path, "commit": path, "packages": [...],
  "use_components": bool}}`` -- loads ``state`` (a DLRN DB dump, ``loadYAML``)
  into a fresh SQLite DB, reads the built commit from ``commit`` with
  ``loadYAML_list``, converts it as ``dlrn-remote`` does before ``post_build``,
  and runs ``dlrn.shell.post_build_rpm(..., build_repo=False)``; answers the
  ``versions.csv`` text DLRN wrote.

This file must stay importable by Python 3 without trunkline.
"""

import configparser
import json
import os
import sys

from dlrn.config import ConfigOptions
from dlrn.db import Commit, getSession
from dlrn.shell import post_build_rpm
from dlrn.utils import loadYAML, loadYAML_list


def as_strings(commit):
    return {name: str(getattr(commit, name)) for name in (c.key for c in Commit.__table__.columns)}


def versions(req):
    datadir = req["datadir"]
    os.makedirs(datadir, exist_ok=True)
    cp = configparser.RawConfigParser()
    cp.read_string(
        "[DEFAULT]\n"
        f"datadir={datadir}\n"
        "baseurl=http://127.0.0.1/repos\n"
        "reponame=delorean\n"
        f"use_components={'true' if req['use_components'] else 'false'}\n"
        "pkginfo_driver=dlrn.drivers.local.LocalDriver\n"
        "build_driver=dlrn.drivers.mockdriver.MockBuildDriver\n"
    )
    ConfigOptions(cp)
    session = getSession("sqlite:///" + os.path.join(datadir, "commits.sqlite"))
    loadYAML(session, req["state"])
    commit = loadYAML_list(req["commit"])[0]
    # what dlrn/remote.py import_commit does before post_build
    commit.id = None
    commit.dt_build = int(commit.dt_build)
    commit.dt_commit = float(commit.dt_commit)
    commit.dt_distro = int(commit.dt_distro)
    built_rpms = commit.artifacts.split(",")
    repo = os.path.join(datadir, "repos", commit.getshardedcommitdir())
    os.makedirs(repo, exist_ok=True)
    post_build_rpm([commit, built_rpms, commit.notes, None], req["packages"], session, False)
    with open(os.path.join(repo, "versions.csv")) as fp:
        return fp.read()


def main():
    req = json.load(sys.stdin)
    if "load" in req:
        out = [[as_strings(c) for c in loadYAML_list(path)] for path in req["load"]]
    else:
        out = versions(req["versions"])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
