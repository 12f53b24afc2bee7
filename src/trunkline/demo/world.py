"""The demo world: upstream git repos, RDO-style distgits, rdoinfo metadata and a base repo.

Ten packages of the kinds a real trunk follows: Python libraries versioned by
setup.cfg, pbr + tags, pyproject.toml, a VERSION file or nothing at all (the
0.0.1 fallback); an OpenStack-like service with subpackages; a C program built
with make; plain data files; a Puppet module (metadata.json); and a
distgit-only package. The sources are package data (``demo/data``); this module
only lays them out as git repositories with dated commits and writes the
metadata and the builder config.

The "base repo" stands in for CentOS BaseOS/AppStream: one package providing
what the demo's RPMs need from the OS (``python(abi)``, libc, ``/bin/sh``), so
``dnf --installroot`` can resolve them on a machine that is not CentOS.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trunkline import gitcmd
from trunkline.process import run

DATA = Path(__file__).parent / "data"
DEVELOPER = ("Demo Upstream", "dev@demo.example.org")
# The same repositories on every machine: no user or system git config.
_NO_CONFIG = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass(frozen=True)
class DemoPackage:
    """One package of the world: its name, upstream project (None: distgit-only), tag."""

    name: str
    project: str | None
    tag: str | None = None
    conf: str = "demo-core"
    python: tuple[str, str, str] | None = None  # (pypi name, module, summary)
    requires: tuple[str, ...] = ()


PACKAGES = (
    DemoPackage(
        "python-foolib",
        "foolib",
        conf="demo-lib",
        python=("foolib", "foolib", "Small helpers used by the demo projects"),
    ),
    DemoPackage(
        "python-barclient",
        "barclient",
        tag="2.3.0",
        conf="demo-lib",
        python=("barclient", "barclient", "Client library for the demo bar service"),
        requires=("python3-foolib >= 1.2.0",),
    ),
    DemoPackage(
        "python-bazutils",
        "bazutils",
        conf="demo-lib",
        python=("bazutils", "bazutils", "Utilities for the demo"),
    ),
    DemoPackage(
        "python-quxlib",
        "quxlib",
        conf="demo-lib",
        python=("quxlib", "quxlib", "The demo's data structures"),
    ),
    DemoPackage(
        "python-widget",
        "widget",
        conf="demo-lib",
        python=("widget", "widget", "A project without version metadata"),
    ),
    DemoPackage("openstack-demo", "demo", tag="27.0.0"),
    DemoPackage("demo-hello", "hello", tag="v0.9.2"),
    DemoPackage("demo-data", "demo-data", tag="2024.1"),
    DemoPackage("puppet-demo", "puppet-demo"),
    DemoPackage("demo-release", None, conf="demo-distgit-only"),
)
BROKEN_PACKAGE = "demo-data"
# the world's upper-constraints (openstack/requirements' format): its five libraries,
# two modules nobody packages, a module pinned per Python version
UPPER_CONSTRAINTS = """\
foolib===1.3.0
barclient===2.4.0
bazutils===1.0.0
quxlib===0.1.0
widget===0.0.1
requests===2.32.3
alabaster===0.7.16;python_version=='3.9'
alabaster===1.0.0;python_version>='3.10'
"""
UC_LIBRARIES = ("foolib", "barclient", "bazutils", "quxlib", "widget")
# binary packages the demo installs from `current` (pulling their Requires from it)
INSTALL_NAMES = ("openstack-demo", "demo-hello", "python3-bazutils")
BASE_PROVIDES = (
    "/bin/sh",
    "/usr/bin/sh",
    "/usr/bin/python3",
    "python3",
    "python(abi) = 3.9",
    "python(abi) = 3.11",
    "python(abi) = 3.12",
    "libc.so.6()(64bit)",
    "libc.so.6(GLIBC_2.2.5)(64bit)",
    "libc.so.6(GLIBC_2.34)(64bit)",
    "rtld(GNU_HASH)",
)


@dataclass
class DemoWorld:
    """Where everything of one demo world lives."""

    root: Path
    packages: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        """The builder's data dir (DB, mirrors, repos)."""
        return self.root / "data"

    @property
    def config_path(self) -> Path:
        """The builder config every later command accepts with --config."""
        return self.root / "trunkline.toml"

    def upstream(self, project: str) -> Path:
        """An upstream repo's working tree."""
        return self.root / "upstream" / project

    def distgit(self, name: str) -> Path:
        """A distgit's working tree."""
        return self.root / "distgit" / name

    def review(self, project: str) -> Path:
        """The bare repo standing for a distgit's review remote (``review-origin``).

        It hosts the distgit's branch like RDO's Gerrit does (the distgit repo
        stands for its GitHub replica; the demo pushes to both), so reviews are
        pushed against it: ``stable propose``'s and the FTBFS's (``[notify]
        review = "git"``), under ``refs/for/``.
        """
        return self.root / "review" / f"{project}.git"


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run git in ``repo`` as the demo's upstream developer; returns stdout, stripped.

    The dates (``date`` for both the author and committer dates) are the demo's
    concern, so this thin helper stays here; git itself runs through
    :mod:`trunkline.gitcmd` like everywhere else.

    Raises:
        CommandError: git failed.
    """
    env = {**gitcmd.identity(*DEVELOPER, date=date), **_NO_CONFIG}
    runner = gitcmd.Git(("-c", "init.defaultBranch=master"), cwd=repo, env=env)
    return runner.output(*args).strip()


def project_of(name: str) -> str:
    """The project (upstream and review remote name) of the demo package ``name``."""
    pkg = next(p for p in PACKAGES if p.name == name)
    return pkg.project or pkg.name


def _to_review(world: DemoWorld, name: str) -> None:
    """Push the distgit's branch to its review remote (what Gerrit replication keeps equal)."""
    git(world.distgit(name), "push", "-q", str(world.review(project_of(name))), "rpm-master")


def _commit(repo: Path, message: str, date: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)


def _python_spec(pkg: DemoPackage) -> str:
    assert pkg.python is not None
    pypi, module, summary = pkg.python
    text = (DATA / "specs" / "python-lib.spec.in").read_text()
    requires = "".join(f"Requires:       {r}\n" for r in pkg.requires)
    build_requires = "BuildRequires:  python3-pbr\n" if pkg.tag else ""
    return (
        text.replace("@PYPI@", pypi)
        .replace("@MODULE@", module)
        .replace("@SUMMARY@", summary)
        .replace("@REQUIRES@\n", requires)
        .replace("@BUILDREQUIRES@\n", build_requires)
    )


def _make_upstream(world: DemoWorld, pkg: DemoPackage, day: int) -> None:
    assert pkg.project is not None
    repo = world.upstream(pkg.project)
    shutil.copytree(DATA / "upstream" / pkg.project, repo)
    git(repo, "init", "-q")
    _commit(repo, f"Initial import of {pkg.project}", f"2025-11-{day:02d} 09:00:00 +0000")
    if pkg.tag:
        git(repo, "tag", "-a", pkg.tag, "-m", f"{pkg.project} {pkg.tag}")
        (repo / "CONTRIBUTING.rst").write_text("Send patches to the demo review system.\n")
        _commit(repo, "Add contributor docs", f"2025-11-{day:02d} 15:30:00 +0000")


def _make_distgit(world: DemoWorld, pkg: DemoPackage, day: int) -> None:
    repo = world.distgit(pkg.name)
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "checkout", "-q", "-b", "rpm-master")
    specs = DATA / "specs"
    if pkg.python is not None:
        (repo / f"{pkg.name}.spec").write_text(_python_spec(pkg))
    else:
        shutil.copy(specs / f"{pkg.name}.spec", repo / f"{pkg.name}.spec")
    extras = {"openstack-demo": ("demo-dist.conf",), "demo-release": ("demo-trunk.repo",)}
    for extra in extras.get(pkg.name, ()):
        shutil.copy(specs / extra, repo / extra)
    _commit(repo, f"Import {pkg.name} spec", f"2025-11-{day:02d} 10:00:00 +0000")


def _metadata(world: DemoWorld) -> None:
    meta = world.root / "metadata"
    meta.mkdir()
    up = (world.root / "upstream").as_uri()
    dg = (world.root / "distgit").as_uri()
    rv = (world.root / "review").as_uri()
    doc = {
        "releases": [
            {
                "name": "trunk",
                "status": "development",
                "branch": "rpm-master",
                "upstream_branch": "master",
                "repos": [
                    {
                        "name": "el9s",
                        "buildsys": "cbs/demo-trunk-el9s",
                        "buildsys-tags": ["demo-trunk-el9s-build", "demo-trunk-candidate"],
                    }
                ],
            },
        ],
        "package-configs": {
            "demo-lib": {
                "name": "python-%(project)s",
                "upstream": f"{up}/%(project)s",
                "master-distgit": f"{dg}/python-%(project)s",
                "review-origin": f"{rv}/%(project)s.git",
                "maintainers": ["libs@demo.example.org"],
            },
            "demo-core": {
                "upstream": f"{up}/%(project)s",
                "master-distgit": f"{dg}/%(name)s",
                "review-origin": f"{rv}/%(project)s.git",
                "maintainers": ["core@demo.example.org"],
            },
            "demo-distgit-only": {
                "master-distgit": f"{dg}/%(name)s",
                "review-origin": f"{rv}/%(project)s.git",
                "maintainers": ["core@demo.example.org"],
            },
        },
        "packages": [],
    }
    for pkg in PACKAGES:
        entry: dict[str, object] = {"project": pkg.project or pkg.name, "conf": pkg.conf}
        if pkg.conf != "demo-lib":
            entry["name"] = pkg.name
        entry["tags"] = {"trunk": None}
        doc["packages"].append(entry)  # type: ignore[attr-defined]
    (meta / "rdo.yml").write_text(
        "# rdoinfo-style metadata of the trunkline demo world\n"
        + yaml.safe_dump(doc, sort_keys=False)
    )
    git(meta, "init", "-q")
    _commit(meta, "Demo metadata", "2025-11-01 08:00:00 +0000")


def _base_repo(world: DemoWorld) -> Path:
    """Build the stand-in OS repo: one noarch package with BASE_PROVIDES."""
    top = world.root / "base-build"
    spec = top / "demo-base.spec"
    top.mkdir()
    provides = "".join(f"Provides:       {p}\n" for p in BASE_PROVIDES)
    spec.write_text(
        "Name:           demo-base\nVersion:        1.0\nRelease:        1\n"
        "Summary:        Stand-in for the OS packages the demo needs\nLicense:        MIT\n"
        f"BuildArch:      noarch\n{provides}\n%description\nStand-in base OS.\n\n"
        "%files\n\n%changelog\n"
    )
    repo = world.root / "base-repo"
    repo.mkdir()
    run(
        [
            "rpmbuild",
            "-bb",
            "--quiet",
            "--define",
            f"_topdir {top}",
            "--define",
            f"_rpmdir {repo}",
            "--define",
            "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
            str(spec),
        ],
        timeout=300,
    )
    run(["createrepo_c", "--quiet", str(repo)], timeout=300)
    shutil.rmtree(top)
    return repo


def _config(world: DemoWorld, base_repo: Path) -> None:
    world.config_path.write_text(
        "# trunkline config of the demo builder (generated by `trunkline demo`)\n"
        "[builder]\n"
        'name = "demo-centos9-master"\n'
        'data_dir = "data"\n'
        'dist = ".el9s"\n'
        "workers = 2\n\n"
        "[packages]\n"
        'source = "rdoinfo"\n'
        'path = "metadata"\n'
        'tag = "trunk"\n\n'
        "[install_check]\n"
        "enabled = true\n"
        f'base_repos = ["{base_repo.as_uri()}"]\n\n'
        "[uc]\n"
        'source = "upper-constraints.txt"\n'
        'release = "trunk"\n'
        'python = "3.12"\n'
        f'repos = {{ base = "{base_repo.as_uri()}" }}\n'
    )
    (world.root / "upper-constraints.txt").write_text(UPPER_CONSTRAINTS)


def generate_world(root: Path) -> DemoWorld:
    """Create the whole world under ``root`` (which must be empty)."""
    world = DemoWorld(root, [p.name for p in PACKAGES])
    for day, pkg in enumerate(PACKAGES, start=2):
        if pkg.project is not None:
            _make_upstream(world, pkg, day)
        _make_distgit(world, pkg, day)
        git(world.root, "init", "-q", "--bare", str(world.review(pkg.project or pkg.name)))
        _to_review(world, pkg.name)
    _metadata(world)
    _config(world, _base_repo(world))
    return world


def advance_world(world: DemoWorld) -> list[tuple[str, str]]:
    """New upstream commits, one of which breaks its package; returns (package, subject)."""
    changes: list[tuple[str, str]] = []

    def change(pkg: str, project: str, rel: str, text: str, subject: str, when: str) -> None:
        repo = world.upstream(project)
        (repo / rel).write_text(text)
        _commit(repo, subject, f"2025-11-20 {when} +0000")
        changes.append((pkg, subject))

    change(
        "python-foolib",
        "foolib",
        "foolib/__init__.py",
        '"""foolib: small helpers."""\n\n\ndef greet(name: str) -> str:\n'
        '    return f"hello again, {name}"\n',
        "Friendlier greeting",
        "08:00:00",
    )
    change(
        "python-barclient",
        "barclient",
        "barclient/__init__.py",
        '"""barclient."""\n\nAPI_VERSION = "2.1"\n',
        "Speak API 2.1",
        "08:10:00",
    )
    change(
        "python-barclient",
        "barclient",
        "barclient/retry.py",
        '"""Retries."""\n\nMAX_RETRIES = 3\n',
        "Add a retry policy",
        "08:20:00",
    )
    change(
        "demo-hello",
        "hello",
        "hello.c",
        '#include <stdio.h>\n\nint main(void)\n{\n    puts("hello again");\n    return 0;\n}\n',
        "Say hello again",
        "08:30:00",
    )
    data = world.upstream("demo-data")
    git(data, "rm", "-q", "data/flavors.yaml")
    _commit(data, "Move flavors to the service database", "2025-11-20 07:50:00 +0000")
    changes.append(("demo-data", "Move flavors to the service database (breaks the spec)"))
    return changes


def fix_broken_distgit(world: DemoWorld) -> str:
    """The packager's answer to the FTBFS: the spec stops installing the moved file.

    Returns:
        The distgit commit's subject.
    """
    repo = world.distgit(BROKEN_PACKAGE)
    spec = repo / f"{BROKEN_PACKAGE}.spec"
    lines = spec.read_text().splitlines(keepends=True)
    spec.write_text("".join(line for line in lines if "flavors.yaml" not in line))
    subject = "Stop installing flavors.yaml (moved to the service database)"
    _commit(repo, subject, "2025-11-20 09:00:00 +0000")
    _to_review(world, BROKEN_PACKAGE)
    return subject
