"""The distgit tools on the real RDO distgits of ``../shared/data/rdo-distgits``.

Every distgit is tested on ``rpm-master`` (``Version: XXX``) and its two newest
stable ``*-rdo`` branches; ``patch`` on branches that carry patches. The model
is RDO's own history: ``new-version --bump-only`` on the parent of RDO's last
"Update to X" commit must give that commit's spec byte for byte (except the
release-signing key RDO rotates by hand in the same commit) and its message's
``NVR`` + ``Changelog:`` lines. After every edit the spec must still parse with
rpm (``rpmspec -P``, with trunkline's fallback macros on a non-Fedora host).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.distgit.rdo import (
    CASES,
    MASTER_CASES,
    RDO,
    STABLE_CASES,
    Case,
    attach_upstream,
    clone,
    git,
    last_update_commit,
    make_upstream,
    spec_path,
)
from tests.distgit.rdo_requirements import REQUIREMENTS
from trunkline.distgit.fix import fix
from trunkline.distgit.lint import lint
from trunkline.distgit.newversion import new_version
from trunkline.distgit.patch import patch
from trunkline.distgit.reqcheck import CATEGORIES, reqcheck
from trunkline.distgit.requirements import parse_requirements
from trunkline.errors import InputError, SpecError
from trunkline.rpmspec.adapter import read_spec
from trunkline.rpmspec.macros import rpm_define_args
from trunkline.rpmspec.requires import normalize_python_name, spec_requires

DATE = "Mon Nov 18 2024"
# What RDO changes by hand in its "Update to X" commits and a tool cannot know offline.
HAND_EDITS = {
    "any": ("%global sources_gpg_sign ",),  # the new cycle's release-signing key
    # the yoga branch-opening commit also dropped a CI proxy workaround from %check
    "tripleoclient@yoga-rdo": (
        "# CentOS CI environment is setting",
        "unset http_proxy",
        "unset https_proxy",
    ),
}
BUMPS = {
    "1%{?dist}": "2%{?dist}",
    "0.1%{?milestone}%{?dist}": "0.2%{?milestone}%{?dist}",
    "1%{?milestone}%{?dist}": "2%{?milestone}%{?dist}",  # liberty-era specs
}
# stable branches that carry patches (rdopkg-managed Patch lines)
PATCH_CASES = [
    Case("oslo-config", "wallaby-rdo"),
    Case("oslo-config", "victoria-rdo"),
    Case("nova", "liberty-rdo"),
    Case("puppet-nova", "newton-rdo"),
]


def assert_parses_with_rpm(spec: Path) -> None:
    result = subprocess.run(
        ["rpmspec", "-P", *rpm_define_args(), str(spec)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def spec_diff(repo: Path, old: str, new: str = "HEAD") -> list[str]:
    """``-``/``+`` lines of the spec between two commits (no context)."""
    out = git(repo, "diff", "-U0", old, new, "--", spec_path(repo).name)
    return [ln for ln in out.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_lint_runs_clean(case: Case, tmp_path: Path) -> None:
    repo = clone(case, tmp_path / "distgit")
    problems = lint(repo, ("sanity",))
    assert [str(p) for p in problems if p.level == "E"] == []


@pytest.mark.parametrize("case", STABLE_CASES, ids=str)
def test_fix_bumps_release_and_writes_the_epoch(case: Case, tmp_path: Path) -> None:
    repo = clone(case, tmp_path / "distgit")
    spec = spec_path(repo)
    before = read_spec(spec)
    head = git(repo, "rev-parse", "HEAD")

    result = fix(repo, ["Fix the service unit (rhbz#2000001)"], date=DATE)

    after = read_spec(spec)
    assert after.raw_release == BUMPS[before.raw_release]
    assert (after.epoch, after.version) == (before.epoch, before.version)
    epoch = f"{before.epoch}:" if before.epoch is not None else ""
    header = f"* {DATE} {RDO[0]} <{RDO[1]}> {epoch}{after.version}-{after.release}"
    assert f"%changelog\n{header}\n- Fix the service unit (rhbz#2000001)\n\n" in spec.read_text()
    assert git(repo, "log", "-1", "--format=%B") == (
        f"{after.nvr}\n\nChangelog:\n- Fix the service unit (rhbz#2000001)\n\n"
        "Resolves: rhbz#2000001"
    )
    assert result.nvr == after.nvr
    assert spec_diff(repo, head) == [
        f"-Release:{before_release_sep(spec, after.raw_release)}{before.raw_release}",
        f"+Release:{before_release_sep(spec, after.raw_release)}{after.raw_release}",
        f"+{header}",
        "+- Fix the service unit (rhbz#2000001)",
        "+",
    ]
    assert_parses_with_rpm(spec)


def before_release_sep(spec: Path, raw: str) -> str:
    """The whitespace between ``Release:`` and its value in this spec."""
    line = next(ln for ln in spec.read_text().splitlines() if ln.startswith("Release:"))
    return line[len("Release:") : len(line) - len(raw)]


@pytest.mark.parametrize("case", MASTER_CASES, ids=str)
def test_fix_and_new_version_refuse_a_master_placeholder_spec(case: Case, tmp_path: Path) -> None:
    repo = clone(case, tmp_path / "distgit")
    spec = spec_path(repo)
    text, head = spec.read_text(), git(repo, "rev-parse", "HEAD")

    with pytest.raises(InputError) as err:
        fix(repo, ["x"], date=DATE)
    assert str(err.value) == (
        f"{spec}: Release is DLRN's placeholder 'XXX' (trunk builds set it); nothing to bump"
    )
    with pytest.raises(InputError) as err:
        new_version(repo, None, bump_only=True)
    assert "Version is DLRN's placeholder 'XXX'" in str(err.value)

    assert spec.read_text() == text
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("case", STABLE_CASES, ids=str)
def test_new_version_bump_only_replays_rdos_update_commit(case: Case, tmp_path: Path) -> None:
    repo = clone(case, tmp_path / "distgit")
    update = last_update_commit(repo)
    assert update is not None
    git(repo, "reset", "-q", "--hard", update.parent)
    old = read_spec(spec_path(repo))
    tags = [update.version] if old.placeholder else [old.upstream_version, update.version]
    attach_upstream(repo, make_upstream(tmp_path / "upstream", tags, REQUIREMENTS[case.distgit]))

    result = new_version(repo, update.version, bump_only=True, date=update.date)

    assert result.commit is not None
    allowed = HAND_EDITS["any"] + HAND_EDITS.get(str(case), ())
    assert [ln for ln in spec_diff(repo, update.sha) if not ln[1:].startswith(allowed)] == []
    ours = git(repo, "log", "-1", "--format=%B").split("\n\n")[:2]
    theirs = git(repo, "log", "-1", "--format=%B", update.sha).split("\n\n")[:2]
    assert ours == theirs  # "NAME-V-R" and "Changelog:\n- Update to X"
    assert_parses_with_rpm(spec_path(repo))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_reqcheck_against_the_real_upstream_requirements(case: Case, tmp_path: Path) -> None:
    repo = clone(case, tmp_path / "distgit")
    info = read_spec(spec_path(repo))
    tags = [] if info.placeholder else [info.upstream_version]
    attach_upstream(repo, make_upstream(tmp_path / "upstream", tags, REQUIREMENTS[case.distgit]))

    result = reqcheck(repo)

    assert result.ref == ("upstream/master" if info.placeholder else info.upstream_version)
    text = REQUIREMENTS[case.distgit]
    wanted = [r.package for r in parse_requirements(text)] if text else []
    requires, _ = spec_requires(spec_path(repo))
    in_spec = {normalize_python_name(r.name) for r in requires}
    sorted_out = result.categories()
    # RDO's pyproject specs leave Python Requires to the dependency generator
    pyproject = "%pyproject_install" in spec_path(repo).read_text()
    absent = "generated" if pyproject else "missing"
    for name in wanted:
        (category,) = [c for c in CATEGORIES if name in sorted_out[c]]
        if name in in_spec:
            assert category in ("met", "any", "mismatch"), (name, category)
        else:
            assert category == absent, (name, category)
    if text is None:  # a puppet module: no requirements.txt, every Require is excess
        assert not (result.met or result.any or result.mismatch or result.missing)
        assert result.excess
    elif not pyproject:  # hand-written Requires: the spec packages most of upstream's
        assert len(result.missing) < len(wanted) / 2, sorted_out["missing"]


@pytest.mark.parametrize("case", PATCH_CASES, ids=str)
def test_patch_regenerates_patches_on_a_branch_that_has_them(case: Case, tmp_path: Path) -> None:
    repo = clone(case, tmp_path / "distgit")
    spec = spec_path(repo)
    before = read_spec(spec)
    assert before.patch_files
    upstream = make_upstream(tmp_path / "upstream", [before.upstream_version], "pbr>=2.0.0\n")
    patches = tmp_path / "patches"
    git(tmp_path, "clone", "-q", str(upstream), str(patches))
    git(patches, "checkout", "-q", "-b", f"{case.branch}-patches", before.upstream_version)
    subjects = [_subject(repo / name) for name in before.patch_files]
    for i, subject in enumerate([*subjects, "Fix the config dir (rhbz#2000002)"]):
        (patches / f"downstream{i}.txt").write_text(f"{subject}\n")
        git(patches, "add", "-A")
        git(patches, "commit", "-q", "-m", subject, date=f"2024-02-{i + 1:02d}T00:00:00")
    attach_upstream(repo, upstream)
    git(repo, "remote", "add", "patches", patches.resolve().as_uri())

    result = patch(repo, date=DATE)

    after = read_spec(spec)
    assert result.changes == ("Fix the config dir (rhbz#2000002)",)
    assert after.patch_files == result.update.files
    assert after.patch_files[: len(before.patch_files)] == before.patch_files
    assert len(after.patch_files) == len(before.patch_files) + 1
    assert after.raw_release == BUMPS[before.raw_release]
    epoch = f"{before.epoch}:" if before.epoch is not None else ""
    assert f"> {epoch}{after.version}-{after.release}\n- Fix the config dir" in spec.read_text()
    assert git(repo, "log", "-1", "--format=%B") == (
        f"{after.nvr}\n\nChangelog:\n- Fix the config dir (rhbz#2000002)\n\nResolves: rhbz#2000002"
    )
    assert git(repo, "status", "--porcelain") == ""
    assert_parses_with_rpm(spec)


def _subject(patch_file: Path) -> str:
    """The Subject of a git format-patch file (folded lines joined)."""
    lines = patch_file.read_text(errors="replace").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Subject:"))
    subject = lines[start].removeprefix("Subject:").strip()
    for line in lines[start + 1 :]:
        if not line.startswith((" ", "\t")):
            break
        subject += " " + line.strip()
    return subject.removeprefix("[PATCH]").strip()


def test_patch_refuses_hand_kept_conditional_patches_on_master(tmp_path: Path) -> None:
    """python-openstackclient's rpm-master keeps two backports inside an %if vercmp block."""
    case = Case("openstackclient", "rpm-master")
    repo = clone(case, tmp_path / "distgit")
    spec = spec_path(repo)
    text = spec.read_text()
    upstream = make_upstream(tmp_path / "upstream", ["7.1.2"], "pbr>=2.0.0\n")
    attach_upstream(repo, upstream)
    git(repo, "branch", "rpm-master-patches", "upstream/master")

    with pytest.raises(SpecError) as err:
        patch(repo, local=True, date=DATE)

    assert str(err.value).startswith(f"{spec}: 'Patch0001:")
    assert "inside an %if block" in str(err.value)
    assert spec.read_text() == text
    assert git(repo, "status", "--porcelain") == ""
