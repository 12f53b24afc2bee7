"""Upper-constraints report and proposal, beside RDO's approaches (issue #14).

Report: the real stable/2025.1 constraints (~585 modules for Python 3.12)
against a synthetic 700-package trunk repo and a 5,000-package base repo. The
repodata is written the way createrepo_c writes it (primary with
``python3dist()``/``python3.12dist()`` provides and requires, filelists, other,
repomd by createrepo_c's library), so real dnf reads it. trunkline is timed cold
(primary parsed, index cached) and warm (median of 3); RDO's report-uc.py
approach -- a fresh ``dnf.Base`` sack per run (system python3 with dnf,
``fill_sack(load_system_repo=False)``, one ``python3dist()`` query per module,
``labelCompare``) -- is timed in the same run on the same repos. Target: warm < 1 s.

Propose: 100 ``source-branch`` pins of ``epoxy`` moved on a git copy of the
rdoinfo snapshot, committed; timed cold (first proposal: the tree's errors are
unknown, so it validates twice) and warm (the next day's proposal on the bot's
own commit: one validation). RDO's releng ``update_tag`` reloads rdoinfo with
distroinfo for every bumped project: one distroinfo load of the snapshot is
timed (``.peers/distroinfo``, ``pip install distroinfo``) and multiplied by 100.
Target: warm < 2 s.

``python -m benchmarks uc`` (``--no-peer`` skips dnf and distroinfo).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from trunkline.config import settings_from_dict
from trunkline.constraints.propose import propose
from trunkline.constraints.repos import pep503
from trunkline.constraints.rules import SKIP, locked
from trunkline.constraints.service import compute_report
from trunkline.constraints.ucfile import Constraint, parse_constraints
from trunkline.errors import CommandError
from trunkline.gitcmd import at, identity
from trunkline.metadata.api import load_metadata
from trunkline.process import run

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
UC = DATA / "upper-constraints" / "upper-constraints-stable-2025.1.txt"
SNAPSHOT = DATA / "rdoinfo-2025-07"
PEER_VENV = ROOT / ".peers" / "distroinfo"
TRUNK, BASE = 700, 5000
RUNS = 3
PINS = 100

NS = 'xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm"'

# report-uc.py's core, on a fresh sack: argv = cachedir, then repo id=baseurl...;
# stdin = JSON [[module, version]]; prints JSON {"seconds", "counts"}.
DNF_SCRIPT = r"""
import json, sys, time
start = time.perf_counter()
import dnf, rpm
base = dnf.Base()
base.conf.cachedir = sys.argv[1]
base.conf.substitutions["releasever"] = "9"
for item in sys.argv[2:]:
    rid, url = item.split("=", 1)
    base.repos.add_new_repo(rid, base.conf, baseurl=[url])
base.fill_sack(load_system_repo=False)
counts = {"equal": 0, "lower": 0, "greater": 0, "missing": 0}
for mod, ver in json.load(sys.stdin):
    pkgs = base.sack.query().filter(provides="python3dist(%s)" % mod.lower()).latest().run()
    if not pkgs:
        counts["missing"] += 1
        continue
    c = rpm.labelCompare(("0", ver, ""), ("0", pkgs[0].version, ""))
    counts["lower" if c == 1 else "greater" if c == -1 else "equal"] += 1
print(json.dumps({"seconds": time.perf_counter() - start, "counts": counts}))
"""

DISTROINFO_SCRIPT = r"""
import json, sys, time
from distroinfo.info import DistroInfo
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    DistroInfo(info_files="rdo-full.yml", local_info=sys.argv[1]).get_info()
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def _package_xml(
    name: str, epoch: str, version: str, release: str, provides: list[str], requires: list[str]
) -> str:
    def entries(kind: str, items: list[str]) -> str:
        out = []
        for item in items:
            pname, _, pver = item.partition(" = ")
            attrs = f'name="{escape(pname)}"'
            if pver:
                attrs += f' flags="EQ" epoch="0" ver="{pver}" rel="1"'
            out.append(f"<rpm:entry {attrs}/>")
        return f"<rpm:{kind}>{''.join(out)}</rpm:{kind}>"

    nvr = f"{name}-{version}-{release}"
    return (
        f'<package type="rpm"><name>{name}</name><arch>noarch</arch>'
        f'<version epoch="{epoch}" ver="{version}" rel="{release}"/>'
        f'<checksum type="sha256" pkgid="YES">{random.getrandbits(256):064x}</checksum>'
        f"<summary>{name}</summary><description>{name} package</description>"
        f"<packager>bench</packager><url>https://example.org/{name}</url>"
        f'<time file="1700000000" build="1700000000"/>'
        f'<size package="12345" installed="54321" archive="55000"/>'
        f'<location href="Packages/{nvr}.noarch.rpm"/>'
        f"<format><rpm:license>ASL 2.0</rpm:license><rpm:group>Unspecified</rpm:group>"
        f"<rpm:buildhost>bench</rpm:buildhost><rpm:sourcerpm>{nvr}.src.rpm</rpm:sourcerpm>"
        f'<rpm:header-range start="4504" end="9000"/>'
        f"{entries('provides', provides)}{entries('requires', requires)}"
        f"<file>/usr/share/doc/{name}/README</file></format></package>"
    )


def write_repo(repo: Path, packages: list[tuple[str, str, str, list[str], list[str]]]) -> None:
    """A repository's repodata (primary, filelists, other, repomd.xml via createrepo_c)."""
    import createrepo_c as cr

    rd = repo / "repodata"
    rd.mkdir(parents=True)
    n = len(packages)
    body = "".join(
        _package_xml(name, epoch, ver, "1.el9", provides, requires)
        for name, epoch, ver, provides, requires in packages
    )
    texts = {
        "primary": f'<?xml version="1.0" encoding="UTF-8"?>\n<metadata {NS} packages="{n}">'
        f"{body}</metadata>\n",
        "filelists": '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="0"></filelists>\n',
        "other": '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="0"></otherdata>\n',
    }
    md = cr.Repomd()
    for kind, text in texts.items():
        path = rd / f"{kind}.xml.gz"
        path.write_bytes(gzip.compress(text.encode(), 6))
        rec = cr.RepomdRecord(kind, str(path))
        rec.fill(cr.SHA256)
        rec.rename_file()
        md.set_record(rec)
    (rd / "repomd.xml").write_text(md.xml_dump())


def make_repos(top: Path, constraints: list[Constraint]) -> dict[str, Path]:
    """The trunk repo (700 packages) and the base repo (5,000), realistically mixed."""
    rng = random.Random(14)
    mods = list(constraints)
    rng.shuffle(mods)
    in_trunk, in_base = mods[:260], mods[260:460]  # the rest: missing everywhere

    def py(con: Constraint, shift: int) -> tuple[str, str, str, list[str], list[str]]:
        parts = con.version.split(".")
        if parts[-1].isdigit():
            parts[-1] = str(max(0, int(parts[-1]) + shift))
        ver = ".".join(parts)
        norm = pep503(con.module)
        name = f"python3-{norm}"
        prov = [
            f"{name} = {ver}",
            f"python3dist({norm}) = {ver}",
            f"python3.12dist({norm}) = {ver}",
        ]
        return (name, "1" if rng.random() < 0.03 else "0", ver, prov, ["python(abi) = 3.12"])

    trunk = [py(c, rng.choice((-1, 0, 0, 1))) for c in in_trunk]
    trunk += [
        (
            f"openstack-svc{i}",
            "0",
            f"{i % 30}.0.0",
            [f"openstack-svc{i} = {i % 30}.0.0"],
            ["python3-oslo-config"],
        )
        for i in range(TRUNK - len(trunk))
    ]
    base = [py(c, rng.choice((-1, 0, 1))) for c in in_base]
    base += [py(c, -2) for c in in_trunk[:40]]  # older copies: "also in base"
    prefixes = ("lib", "perl-", "golang-", "texlive-", "rubygem-", "xorg-x11-", "")
    base += [
        (
            f"{prefixes[i % len(prefixes)]}pkg{i}",
            "0",
            f"{1 + i % 9}.{i % 13}",
            [
                f"{prefixes[i % len(prefixes)]}pkg{i} = {1 + i % 9}.{i % 13}",
                f"libpkg{i}.so.1()(64bit)",
            ],
            ["/bin/sh", "libc.so.6()(64bit)"],
        )
        for i in range(BASE - len(base))
    ]
    out = {"delorean": top / "trunk", "baseos": top / "base"}
    write_repo(out["delorean"], trunk)
    write_repo(out["baseos"], base)
    return out


def bench_report(work: Path, with_peer: bool) -> tuple[dict[str, float], float | None, int]:
    """trunkline cold and warm seconds, RDO's (dnf sack) seconds, module count."""
    constraints = parse_constraints(UC.read_text(), "3.12")
    repos = make_repos(work / "repos", constraints)
    tree = work / "data" / "repos"
    tree.mkdir(parents=True)
    (tree / "current").symlink_to(repos["delorean"])
    settings = settings_from_dict(
        {
            "builder": {"data_dir": str(work / "data")},
            "uc": {"source": str(UC), "repos": {"baseos": repos["baseos"].as_uri()}},
        }
    )
    start = time.perf_counter()
    first = compute_report(settings)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(RUNS):
        start = time.perf_counter()
        compute_report(settings)
        warm.append(time.perf_counter() - start)
    peer = None
    if with_peer:
        script = work / "report_uc_dnf.py"
        script.write_text(DNF_SCRIPT)
        argv = ["/usr/bin/python3", str(script), str(work / "dnf-cache")]
        argv += [f"delorean={repos['delorean'].as_uri()}", f"baseos={repos['baseos'].as_uri()}"]
        stdin = json.dumps([[c.module, c.version] for c in constraints])
        try:
            out = run(argv, timeout=600, input_text=stdin)
            peer = float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])
        except (CommandError, ValueError) as exc:
            print(f"bench_uc: RDO's dnf approach did not run: {exc}")
    return {"cold": cold, "warm": statistics.median(warm)}, peer, len(first.rows)


def _pins(root: Path) -> list[tuple[str, str]]:
    """100 (project, pin) of epoxy that RDO's rules would move."""
    md = load_metadata(root, info_files=("rdo-full.yml",), cache_dir=root.parent / "mdcache")
    out = []
    for pkg in md.packages:
        pin = pkg.pins().get("epoxy")
        if not pin or pkg.project in SKIP or locked(pkg.tags, "epoxy"):
            continue
        if "under-review" in pkg.tags or not pin.split(".")[-1].isdigit():
            continue
        out.append((pkg.project, pin))
    return out[:PINS]


def _bumped(pins: list[tuple[str, str]], step: int) -> list[Constraint]:
    return [
        Constraint(p, ".".join([*v.split(".")[:-1], str(int(v.split(".")[-1]) + step)]), i)
        for i, (p, v) in enumerate(pins, 1)
    ]


def bench_propose(work: Path) -> dict[str, float]:
    """Seconds of the first proposal (cold) and of the next one on its commit (warm)."""
    root = work / "rdoinfo"
    shutil.copytree(SNAPSHOT, root)
    git = at(root).with_env(**identity("bench", "bench@example.org"))
    git.run("init", "-q", "-b", "master")
    git.run("add", "-A")
    git.run("commit", "-qm", "snapshot")
    os.environ["TRUNKLINE_CACHE_DIR"] = str(work / "cache")
    pins = _pins(root)
    load_metadata(root, info_files=("rdo-full.yml",))  # the metadata cache, as every day
    times = {}
    for label, step in (("cold", 1), ("warm", 2)):
        start = time.perf_counter()
        result = propose(root, ("rdo-full.yml",), _bumped(pins, step), "epoxy")
        times[label] = time.perf_counter() - start
        if len(result.plan.bumps) != len(pins) or result.commit is None:
            raise RuntimeError(f"expected {len(pins)} bumps, got {len(result.plan.bumps)}")
    return times


def distroinfo_load(with_peer: bool) -> float | None:
    """Seconds of one distroinfo load of the snapshot (RDO's cost per bumped project)."""
    if not with_peer:
        return None
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".bench-ready"
    try:
        if not marker.exists():
            run([sys.executable, "-m", "venv", str(PEER_VENV)], timeout=300)
            run([str(python), "-m", "pip", "install", "-q", "distroinfo"], timeout=900)
            marker.touch()
        script = PEER_VENV / "load.py"
        script.write_text(DISTROINFO_SCRIPT)
        out = run([str(python), str(script), str(SNAPSHOT), str(RUNS)], timeout=600)
    except CommandError as exc:
        print(f"bench_uc: distroinfo peer did not run: {exc}")
        return None
    return float(statistics.median(json.loads(out.stdout.strip().splitlines()[-1])))


def main(argv: list[str]) -> int:
    """Print both tables; return how many targets were missed."""
    with_peer = "--no-peer" not in argv
    work = Path(tempfile.mkdtemp(prefix="trunkline-bench-uc-"))
    missed = 0
    saved = os.environ.get("TRUNKLINE_CACHE_DIR")
    try:
        t, peer, modules = bench_report(work / "report", with_peer)
        ratio = f"{peer / t['warm']:>8.1f}x" if peer else f"{'-':>9}"
        peer_s = f"{peer:>9.3f}" if peer else f"{'-':>9}"
        ok = t["warm"] < 1.0
        missed += not ok
        print(
            f"{'report':<8} {'modules':>7} {'packages':>9} {'cold s':>7} {'warm s':>7} "
            f"{'dnf sack s':>10} {'dnf/warm':>9} {'target s':>8}  verdict"
        )
        print(
            f"{'':<8} {modules:>7} {TRUNK + BASE:>9} {t['cold']:>7.3f} {t['warm']:>7.3f} "
            f"{peer_s:>10} {ratio} {1.0:>8.2f}  {'ok' if ok else 'MISSED'}",
            flush=True,
        )
        p = bench_propose(work / "propose")
        per = distroinfo_load(with_peer)
        rdo = per * PINS if per else None
        ok = p["warm"] < 2.0
        missed += not ok
        print(
            f"{'propose':<8} {'pins':>7} {'cold s':>9} {'warm s':>7} {'RDO s':>7} "
            f"{'RDO/warm':>9} {'target s':>8}  verdict"
        )
        rdo_s = f"{rdo:>7.1f}" if rdo else f"{'-':>7}"
        rdo_r = f"{rdo / p['warm']:>8.1f}x" if rdo else f"{'-':>9}"
        print(
            f"{'':<8} {PINS:>7} {p['cold']:>9.3f} {p['warm']:>7.3f} {rdo_s} {rdo_r} "
            f"{2.0:>8.2f}  {'ok' if ok else 'MISSED'}"
        )
        if per:
            print(f"(RDO s = {PINS} x one distroinfo load of the snapshot, {per:.3f} s)")
    finally:
        if saved is None:
            os.environ.pop("TRUNKLINE_CACHE_DIR", None)
        else:
            os.environ["TRUNKLINE_CACHE_DIR"] = saved
        shutil.rmtree(work, ignore_errors=True)
    return missed
