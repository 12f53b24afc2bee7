"""Real RDO distgits (``../shared/data/rdo-distgits/*.bundle``) and small real upstreams for them.

A bundle is cloned on one branch into a temp dir (never written in place). The
upstream each test needs is a real git repo made here: one commit and one
annotated tag per version the spec expects, with the ``requirements.txt`` the
test gives, and a ``master`` branch for RDO master distgits (``Version: XXX``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import git as conftest_git

_ROOT = Path(__file__).resolve().parents[3]
BUNDLES = _ROOT / "shared" / "data" / "rdo-distgits"
if not BUNDLES.is_dir():  # a worktree nested elsewhere: the shared folder of this machine
    BUNDLES = Path("/work/shared/data/rdo-distgits")

RDO = ("RDO", "dev@lists.rdoproject.org")
UPSTREAM_ENV = {
    "GIT_AUTHOR_NAME": "OpenStack Release Bot",
    "GIT_AUTHOR_EMAIL": "infra-root@openstack.org",
    "GIT_COMMITTER_NAME": "OpenStack Release Bot",
    "GIT_COMMITTER_EMAIL": "infra-root@openstack.org",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass(frozen=True)
class Case:
    """One distgit branch to test."""

    distgit: str
    branch: str

    @property
    def bundle(self) -> Path:
        return BUNDLES / f"{self.distgit}-distgit.bundle"

    def __str__(self) -> str:
        return f"{self.distgit}@{self.branch}"


# rpm-master and the two newest stable branches of every distgit in the bundle folder
BRANCHES = {
    "glance": ("caracal-rdo", "bobcat-rdo"),
    "nova": ("dalmatian-rdo", "caracal-rdo"),
    "octavia": ("caracal-rdo", "bobcat-rdo"),
    "openstackclient": ("dalmatian-rdo", "caracal-rdo"),
    "oslo-config": ("caracal-rdo", "bobcat-rdo"),
    "puppet-nova": ("bobcat-rdo", "antelope-rdo"),
    "tripleoclient": ("zed-rdo", "yoga-rdo"),
}
CASES = [Case(d, b) for d, stable in BRANCHES.items() for b in ("rpm-master", *stable)]
STABLE_CASES = [c for c in CASES if c.branch != "rpm-master"]
MASTER_CASES = [c for c in CASES if c.branch == "rpm-master"]


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """git as the upstream release bot; returns stdout."""
    return conftest_git(repo, *args, date=date, identity=UPSTREAM_ENV)


def clone(case: Case, dest: Path, ref: str | None = None) -> Path:
    """Clone the bundle's ``case.branch`` (then check out ``ref`` on it) as the RDO packager."""
    git(dest.parent, "clone", "-q", "--branch", case.branch, str(case.bundle), str(dest))
    if ref is not None:
        git(dest, "reset", "-q", "--hard", ref)
    git(dest, "config", "user.name", RDO[0])
    git(dest, "config", "user.email", RDO[1])
    return dest


def spec_path(repo: Path) -> Path:
    """The distgit's one spec file."""
    (spec,) = sorted(repo.glob("*.spec"))
    return spec


def make_upstream(
    path: Path,
    tags: Sequence[str],
    requirements: str | None,
    *,
    more: Mapping[str, str] | None = None,
) -> Path:
    """An upstream repo: one commit + annotated tag per version (oldest first), then master.

    ``requirements`` is the ``requirements.txt`` of every tag (None: no such file,
    as in puppet modules); ``more`` adds files to the first commit.
    """
    path.mkdir(parents=True)
    git(path, "init", "-q")
    files = {"README.rst": "upstream\n", **(more or {})}
    if requirements is not None:
        files["requirements.txt"] = requirements
    for i, tag in enumerate(tags or ["0.0.0"]):
        for rel, content in files.items():
            (path / rel).parent.mkdir(parents=True, exist_ok=True)
            (path / rel).write_text(content)
        (path / "RELEASE").write_text(f"{tag}\n")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", f"Release {tag}", date=f"2024-01-{i + 1:02d}T00:00:00")
        if tags:
            git(path, "tag", "-a", tag, "-m", tag)
    return path


def attach_upstream(distgit: Path, upstream: Path) -> None:
    """Add ``upstream`` as the distgit's ``upstream`` remote and fetch it with tags."""
    git(distgit, "remote", "add", "upstream", upstream.resolve().as_uri())
    git(distgit, "fetch", "-q", "upstream", "--tags")


@dataclass(frozen=True)
class UpdateCommit:
    """One of RDO's own "Update to X" commits: its parent, X, and its changelog date."""

    sha: str
    parent: str
    version: str
    date: str  # "%a %b %d %Y" of its changelog entry


_UPDATE = re.compile(r"^- Update to (\S+)$", re.MULTILINE)


def last_update_commit(repo: Path) -> UpdateCommit | None:
    """The newest commit on HEAD whose message is RDO's ``NVR`` + ``- Update to X`` form."""
    out = git(repo, "log", "--format=%H%x00%P%x00%B%x01", "--", "*.spec")
    for record in out.split("\x01"):
        parts = record.strip().split("\x00")
        if len(parts) != 3 or " " in parts[1]:
            continue
        sha, parent, body = parts
        match = _UPDATE.search(body)
        if match is None or not body.startswith(("openstack-", "python-", "puppet-")):
            continue
        spec = git(repo, "show", f"{sha}:{spec_path(repo).name}")
        head = re.search(r"^%changelog\n\* (\w{3} \w{3} \d\d \d{4})", spec, re.MULTILINE)
        if head is None:
            continue
        return UpdateCommit(sha, parent, match.group(1), head.group(1))
    return None
