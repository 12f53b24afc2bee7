"""The retirement chain on the real oslo.config repository and the real rdoinfo releases.

OpenStack's own history is the oracle: the bundle holds a maintained stable branch,
unmaintained branches with their ``-eom`` tags, and ``-eol`` tags of branches already
deleted; each rdoinfo release's ``upstream_branch`` must land on the ref git shows for
that state. The retirement of the one maintained branch is then played step by step
(eom tag, unmaintained branch, new commit, eol tag, branch deleted) on a copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import git
from trunkline.errors import SourceError
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.upstream.branches import FollowedRef, Step, follow
from trunkline.upstream.mirror import refresh_mirror
from trunkline.upstream.poll import Candidate, LastBuild, PackagePlan, plan_package
from trunkline.upstream.switches import RefLedger

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
if not DATA.is_dir():  # pragma: no cover - a checkout outside /work
    DATA = Path("/work/shared/data")
BUNDLE = DATA / "upstreams" / "oslo.config.bundle"
SNAPSHOT = DATA / "rdoinfo-2025-07"


def _releases() -> dict[str, str]:
    """rdoinfo release name -> upstream_branch, read from the real snapshot."""
    data = yaml.load((SNAPSHOT / "rdo.yml").read_text(), Loader=yaml.CSafeLoader)
    return {r["name"]: r["upstream_branch"] for r in data["releases"] if r.get("upstream_branch")}


RELEASES = _releases()

# What the real oslo.config repository holds for each release's upstream branch.
REAL_STATES = [
    ("flamingo", "master", Step.WANTED),
    ("epoxy", "stable/2025.1", Step.WANTED),  # maintained
    ("dalmatian", "2024.2-eol", Step.EOL),  # went straight to EOL, no unmaintained
    ("caracal", "unmaintained/2024.1", Step.UNMAINTAINED),  # stable/2024.1 deleted
    ("bobcat", "2023.2-eol", Step.EOL),
    ("antelope", "unmaintained/2023.1", Step.WANTED),  # rdoinfo already names it
    ("zed", "unmaintained/zed", Step.WANTED),
    ("yoga", "unmaintained/yoga", Step.WANTED),
    ("xena", "xena-eol", Step.EOL),  # xena-eom and xena-eol: the later one wins
    ("wallaby", "wallaby-eol", Step.EOL),
    ("victoria", "victoria-eol", Step.EOL),
]


class Upstream:
    """A bare copy of the oslo.config bundle (the remote) and the builder's mirror of it."""

    def __init__(self, tmp: Path) -> None:
        self.remote = tmp / "oslo.config.git"
        git(tmp, "clone", "-q", "--mirror", str(BUNDLE), str(self.remote))
        self.mirror_path = tmp / "mirrors" / "python-oslo-config.git"
        self.dg = tmp / "distgit"
        self.dg.mkdir()
        git(self.dg, "init", "-q", "-b", "epoxy-rdo")
        (self.dg / "python-oslo-config.spec").write_text("Name: python-oslo-config\n")
        git(self.dg, "add", "-A")
        git(self.dg, "commit", "-q", "-m", "spec")

    def git(self, *args: str) -> str:
        return git(self.remote, *args)

    def rev(self, ref: str) -> str:
        return self.git("rev-parse", f"{ref}^{{commit}}")

    def commit_on(self, branch: str, message: str) -> str:
        """A new commit on ``branch`` of the remote (bare: commit-tree + update-ref)."""
        parent = self.rev(f"refs/heads/{branch}")
        sha = self.git("commit-tree", f"{parent}^{{tree}}", "-p", parent, "-m", message)
        self.git("update-ref", f"refs/heads/{branch}", sha)
        return sha

    def mirror(self) -> Path:
        return refresh_mirror(self.remote.as_uri(), self.mirror_path)

    def plan(
        self,
        wanted: str,
        last: LastBuild | None = None,
        *,
        fallback_to_master: bool = False,
        pinned: bool = False,
    ) -> PackagePlan:
        pkg = FollowedPackage(
            name="python-oslo-config",
            project="oslo-config",
            upstream=self.remote.as_uri(),
            distgit=str(self.dg),
            source_branch=wanted,
            distro_branch="epoxy-rdo",
            source_pinned=pinned,
        )
        distgit = refresh_mirror(self.dg.as_uri(), self.mirror_path.parent / "dg.git")
        return plan_package(
            pkg,
            self.mirror(),
            distgit,
            last,
            head_only=False,
            fallback_to_master=fallback_to_master,
            is_processed=lambda _c, _d: False,
        )


@pytest.fixture
def upstream(tmp_path: Path) -> Upstream:
    """A copy of its own, for tests that retire branches."""
    return Upstream(tmp_path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Upstream:
    """One copy for the tests that only read refs or add new ones."""
    return Upstream(tmp_path_factory.mktemp("shared"))


def last_of(cand: Candidate) -> LastBuild:
    return LastBuild(cand.commit.commit_hash, cand.distro.commit_hash, cand.commit_branch)


@pytest.mark.parametrize(("release", "ref", "step"), REAL_STATES)
def test_every_real_release_lands_on_the_ref_openstack_left(
    shared: Upstream, release: str, ref: str, step: Step
) -> None:
    upstream = shared
    wanted = RELEASES[release]
    followed = follow(upstream.mirror(), wanted, pinned=False, fallback_to_master=False)
    assert followed is not None
    assert (followed.wanted, followed.ref, followed.step) == (wanted, ref, step)
    assert followed.commit == upstream.rev(ref)  # git itself agrees on the commit
    plan = upstream.plan(wanted)
    assert [(c.commit.commit_hash, c.commit_branch, c.wanted_branch) for c in plan.candidates] == [
        (upstream.rev(ref), ref, wanted)
    ]


def test_an_eom_tag_alone_is_followed_when_no_eol_tag_exists(upstream: Upstream) -> None:
    """stable/X deleted after its eom tag, before unmaintained/X was made (or never made)."""
    upstream.git("update-ref", "-d", "refs/heads/unmaintained/2024.1")
    followed = follow(upstream.mirror(), "stable/2024.1", pinned=False, fallback_to_master=True)
    assert followed is not None
    assert (followed.ref, followed.step, followed.final) == ("2024.1-eom", Step.EOM, True)
    assert followed.commit == upstream.rev("2024.1-eom")


def test_the_retirement_of_a_maintained_branch_step_by_step(upstream: Upstream) -> None:
    wanted = "stable/2025.1"
    first = upstream.plan(wanted).candidates
    assert [c.commit_branch for c in first] == [wanted]
    last = last_of(first[0])

    # the end of maintenance: eom tag, unmaintained/X from it, stable/X deleted
    upstream.git("tag", "2025.1-eom", wanted)
    upstream.git("branch", "unmaintained/2025.1", wanted)
    upstream.git("update-ref", "-d", f"refs/heads/{wanted}")
    plan = upstream.plan(wanted, last)
    assert plan.followed is not None and plan.followed.ref == "unmaintained/2025.1"
    assert plan.candidates == []  # same code: nothing to build, and no error

    # unmaintained gets a fix: built, recorded as built from unmaintained/X
    fix = upstream.commit_on("unmaintained/2025.1", "Fix on unmaintained")
    cands = upstream.plan(wanted, last).candidates
    assert [(c.commit.commit_hash, c.commit_branch, c.wanted_branch) for c in cands] == [
        (fix, "unmaintained/2025.1", wanted)
    ]
    last = last_of(cands[0])

    # end of life: eol tag, branch deleted; staying there builds nothing, cycle after cycle
    upstream.git("tag", "2025.1-eol", "unmaintained/2025.1")
    upstream.git("update-ref", "-d", "refs/heads/unmaintained/2025.1")
    for _ in range(2):
        plan = upstream.plan(wanted, last)
        assert plan.followed is not None
        assert (plan.followed.ref, plan.followed.step) == ("2025.1-eol", Step.EOL)
        assert plan.candidates == []


def test_a_retired_step_behind_the_last_build_never_publishes_older_code(
    upstream: Upstream,
) -> None:
    """unmaintained/X deleted without an eol tag: X-eom is older than what was built."""
    built = upstream.commit_on("unmaintained/2024.1", "Last unmaintained fix")
    last = LastBuild(built, "d" * 40, "unmaintained/2024.1")
    upstream.git("update-ref", "-d", "refs/heads/unmaintained/2024.1")
    plan = upstream.plan("stable/2024.1", last)
    assert plan.followed is not None and plan.followed.ref == "2024.1-eom"
    assert plan.candidates == []


def test_master_only_where_the_config_says_so(upstream: Upstream) -> None:
    for ref in ("refs/heads/unmaintained/2024.1", "refs/tags/2024.1-eom"):
        upstream.git("update-ref", "-d", ref)
    with pytest.raises(SourceError) as err:
        upstream.plan("stable/2024.1")
    assert str(err.value) == (
        "python-oslo-config: upstream: no branch, tag or commit 'stable/2024.1', "
        "'unmaintained/2024.1', '2024.1-eol', '2024.1-eom' (builder.fallback_to_master is off)"
    )
    cands = upstream.plan("stable/2024.1", fallback_to_master=True).candidates
    assert [(c.commit.commit_hash, c.commit_branch, c.wanted_branch) for c in cands] == [
        (upstream.rev("master"), "master", "stable/2024.1")
    ]
    # a pinned stable/X still follows its own release's chain, but never master
    with pytest.raises(SourceError, match="a source-branch pin never falls back"):
        upstream.plan("stable/2024.1", fallback_to_master=True, pinned=True)
    assert upstream.plan("stable/2024.2", pinned=True).candidates[0].commit_branch == "2024.2-eol"


def _oslo_config_pins() -> list[tuple[str, str]]:
    """(release, source-branch) of python-oslo-config in every tags/*.yml of the snapshot."""
    pins = []
    for path in sorted((SNAPSHOT / "tags").glob("*.yml")):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for pkg in data.get("packages") or []:
            if pkg.get("project") != "oslo-config":
                continue
            for tag, over in (pkg.get("tags") or {}).items():
                if isinstance(over, dict) and over.get("source-branch"):
                    pins.append((str(tag), str(over["source-branch"])))
    return pins


@pytest.mark.parametrize(("release", "pin"), _oslo_config_pins())
def test_the_real_version_tag_pins_of_oslo_config(shared: Upstream, release: str, pin: str) -> None:
    upstream = shared
    cands = upstream.plan(pin, pinned=True).candidates
    assert [(c.commit.commit_hash, c.commit_branch) for c in cands] == [(upstream.rev(pin), pin)]


# Every form a source-branch pin takes in the snapshot (grep 'source-branch:' tags/*.yml),
# with a real example; the ref is made in the copy where oslo.config has none of that name.
# (form, pin, git command making it or None, the ref whose commit it must give)
PIN_FORMS: list[tuple[str, str, tuple[str, ...] | None, str]] = [
    ("version tag", "9.7.1", None, "9.7.1"),
    ("v-prefixed tag", "v10.10.0", ("tag", "v10.10.0", "10.0.0"), "10.0.0"),
    ("commit hash", "<sha>", None, "9.6.0"),
    ("eol tag", "train-eol", None, "train-eol"),
    ("stable branch", "stable/2025.2", None, "stable/2025.2"),
    ("non-OpenStack stable", "stable/4.5", ("branch", "stable/4.5", "9.0.0"), "9.0.0"),
    ("plain branch", "master", None, "master"),
    ("main branch", "main", ("branch", "main", "master"), "master"),
]


@pytest.mark.parametrize(("form", "pin", "make", "ref"), PIN_FORMS, ids=[f[0] for f in PIN_FORMS])
def test_every_pin_form_of_the_snapshot_is_followed_as_is(
    shared: Upstream, form: str, pin: str, make: tuple[str, ...] | None, ref: str
) -> None:
    upstream = shared
    if make:
        upstream.git(*make)
    expected = upstream.rev(ref)
    if pin == "<sha>":
        pin = expected
    plan = upstream.plan(pin, pinned=True)
    assert plan.followed is not None and plan.followed.step is Step.WANTED
    assert [(c.commit.commit_hash, c.commit_branch) for c in plan.candidates] == [(expected, pin)]


def test_a_switch_is_told_once(tmp_path: Path, upstream: Upstream) -> None:
    ledger = RefLedger(tmp_path / "data")

    def note(wanted: str) -> str | None:
        followed = follow(upstream.mirror(), wanted, pinned=False, fallback_to_master=True)
        assert isinstance(followed, FollowedRef)
        switch = ledger.note("python-oslo-config", "upstream", followed)
        return None if switch is None else str(switch)

    assert note("stable/2025.1") is None  # nothing retired: nothing to tell
    upstream.git("tag", "2025.1-eom", "stable/2025.1")
    upstream.git("update-ref", "-d", "refs/heads/stable/2025.1")
    assert note("stable/2025.1") == (
        "python-oslo-config: upstream stable/2025.1 is gone, staying at tag 2025.1-eom "
        "(end of maintenance: nothing new to build) (was stable/2025.1)"
    )
    ledger.save()
    ledger = RefLedger(tmp_path / "data")  # the next run reads it back
    assert note("stable/2025.1") is None
    upstream.git("branch", "unmaintained/2025.1", "2025.1-eom")
    assert note("stable/2025.1") == (
        "python-oslo-config: upstream stable/2025.1 is gone, following branch "
        "unmaintained/2025.1 (was 2025.1-eom)"
    )
    assert note("stable/2025.1") is None
    for ref in ("refs/heads/unmaintained/2025.1", "refs/tags/2025.1-eom"):
        upstream.git("update-ref", "-d", ref)
    assert note("stable/2025.1") == (
        "python-oslo-config: upstream stable/2025.1 is gone, following master "
        "(builder.fallback_to_master): another release's code (was unmaintained/2025.1)"
    )
    upstream.git("branch", "stable/2025.1", "master")
    assert note("stable/2025.1") == (
        "python-oslo-config: upstream stable/2025.1 is back, following it (was master)"
    )
    # a package first seen on a retired ref is told once, without a "was"
    fresh = RefLedger(tmp_path / "other")
    followed = follow(upstream.mirror(), "stable/2024.2", pinned=False, fallback_to_master=False)
    assert followed is not None
    assert str(fresh.note("python-oslo-config", "upstream", followed)) == (
        "python-oslo-config: upstream stable/2024.2 is gone, staying at tag 2024.2-eol "
        "(end of life: nothing new to build)"
    )


def test_an_unreadable_ledger_is_a_new_one(tmp_path: Path) -> None:
    (tmp_path / "followed-refs.json").write_text("{not json")
    ledger = RefLedger(tmp_path)
    followed = FollowedRef("stable/x", "x-eol", "a" * 40, Step.EOL, ("stable/x", "x-eol"))
    assert ledger.note("p", "upstream", followed) is not None
    ledger.save()
    again = RefLedger(tmp_path)
    assert again.note("p", "upstream", followed) is None
    (tmp_path / "followed-refs.json").unlink()
    again.save()  # nothing changed: nothing written
    assert not (tmp_path / "followed-refs.json").exists()


def test_fallback_to_master_is_off_unless_the_config_says_so() -> None:
    from trunkline.config import settings_from_dict
    from trunkline.config_example import EXAMPLE_CONFIG

    assert settings_from_dict({}).builder.fallback_to_master is False
    assert "\nfallback_to_master = false " in EXAMPLE_CONFIG
    on = settings_from_dict({"builder": {"fallback_to_master": True}})
    assert on.builder.fallback_to_master is True


def test_resolve_ref_gives_the_commit_and_the_ref_followed(shared: Upstream) -> None:
    from trunkline.upstream.poll import resolve_ref

    mirror = shared.mirror()
    assert resolve_ref(mirror, "stable/2024.1", fallback=False) == (
        shared.rev("unmaintained/2024.1"),
        "unmaintained/2024.1",
    )
    with pytest.raises(SourceError, match=r"^python-oslo-config.git: no branch, tag or commit"):
        resolve_ref(mirror, "stable/1999.1", fallback=True, pinned=True)
