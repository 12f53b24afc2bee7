"""``distgit clone`` from local metadata, ``lint``, and the CLI's exit codes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.distgit.world import SPEC_SETUPTOOLS, World, commit, git
from trunkline.cli.app import cli
from trunkline.distgit import lint as lint_module
from trunkline.distgit.clone import clone
from trunkline.distgit.lint import lint
from trunkline.distgit.sources import write_tarball
from trunkline.errors import UnknownPackageError

RDO_YML = """\
releases:
- name: flamingo
  status: development
  branch: rpm-master
  repos:
  - name: el9s
    buildsys: cbs/cloud9s-openstack-flamingo-el9s
package-configs:
  rpmfactory-lib:
    name: python-%(project)s
    upstream: {upstream}
    distgit: {distgit}
    master-distgit: {distgit}
    patches: {patches}
    review-origin: ssh://review.rdoproject.org:29418/openstack/%(project)s-distgit.git
    review-patches: ssh://review.rdoproject.org:29418/openstack/%(project)s.git
    maintainers:
    - pat@example.com
packages:
- project: foo
  conf: rpmfactory-lib
  tags:
    flamingo:
"""


@pytest.fixture
def info_dir(world: World, tmp_path: Path) -> Path:
    info = tmp_path / "rdoinfo"
    info.mkdir()
    (info / "rdo.yml").write_text(
        RDO_YML.format(
            upstream=world.upstream.as_uri(),
            distgit=world.distgit.as_uri(),
            patches=world.patches.as_uri(),
        )
    )
    return info


def test_clone_adds_rdopkg_remotes_and_fetches(
    world: World, info_dir: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "checkout"

    result = clone("python-foo", str(info_dir), dest=dest, user="pat", cache_dir=tmp_path / "cache")

    assert (dest / "python-foo.spec").exists()
    assert result.remotes["review-patches"] == (
        "ssh://pat@review.rdoproject.org:29418/openstack/foo.git"
    )
    assert git(dest, "remote", "get-url", "upstream") == world.upstream.as_uri()
    assert git(dest, "remote", "get-url", "patches") == world.patches.as_uri()
    assert git(dest, "rev-parse", "patches/rpm-master-patches")
    assert git(dest, "rev-parse", "1.2.0")
    assert result.warnings == ()


def test_clone_unknown_package_is_a_metadata_error(info_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownPackageError) as err:
        clone("python-bar", str(info_dir), dest=tmp_path / "x", cache_dir=tmp_path / "cache")
    assert str(err.value) == "package 'python-bar': not in the metadata (expected a name)"


def test_lint_is_clean_on_a_good_distgit_and_finds_missing_patches(world: World) -> None:
    assert [p for p in lint(world.distgit, ("sanity",)) if p.level == "E"] == []

    text = world.spec_text().replace(
        "# patches_ignore=DROP-IN\n", "# patches_ignore=DROP-IN\nPatch0001: 0001-gone.patch\n"
    )
    world.spec().write_text(text)
    (world.distgit / "0009-stray.patch").write_text("x\n")

    found = [str(p) for p in lint(world.distgit, ("sanity",))]
    assert "E: patches: 0001-gone.patch: named by the spec but missing" in found
    assert "W: patches: 0009-stray.patch: not used by the spec" in found


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_cli_fix_and_reqcheck_strict_exit_codes(world: World) -> None:
    # setuptools macros: a missing Python Requires is missing (no dependency generator)
    commit(world.distgit, "setuptools", {"python-foo.spec": SPEC_SETUPTOOLS}, "2024-03-05T00:00:00")
    code, out = run_cli("distgit", "fix", "-C", str(world.distgit), "-m", "Rebuild")
    assert code == 0
    assert out.startswith("python-foo-1.0.0-2: commit ")

    code, out = run_cli("distgit", "reqcheck", "-C", str(world.distgit), "-R", "1.1.0", "-S")
    assert code == 2
    assert "MISSING:" in out

    code, out = run_cli("distgit", "reqcheck", "-C", str(world.distgit), "-S", "-o", "json")
    assert code == 4  # at 1.0.0 nothing is missing, python-pyyaml is lower
    assert '"mismatch"' in out


def test_cli_new_version_conflict_then_continue(world: World) -> None:
    code, out = run_cli(
        "distgit", "new-version", "-C", str(world.distgit), "--changelog-commits", "1.2.0"
    )
    assert code == 1
    assert "trunkline distgit new-version --continue" in out
    worktree = world.distgit / ".git" / "trunkline-rebase"
    core = worktree / "foo" / "core.py"
    core.write_text(core.read_text().split("<<<<<<<")[0] + "    return 2\n")
    git(worktree, "add", "foo/core.py")

    code, out = run_cli("distgit", "new-version", "-C", str(world.distgit), "--continue")

    assert code == 0, out
    assert "updated 1.0.0 -> 1.2.0" in out
    assert "python-stevedore >=3.0.0" in out
    # --continue remembers --changelog-commits from the stopped run
    assert (
        "- Update to 1.2.0\n- Upstream: Add feature\n- Upstream: Require keystoneauth1\n"
        "- Upstream: Change crash code\n\n"
    ) in world.spec_text()


def test_cli_reqdiff_defaults_to_spec_version_and_latest_tag(world: World) -> None:
    code, out = run_cli("distgit", "reqdiff", "-C", str(world.distgit))
    assert code == 0
    assert out.splitlines()[0] == "requirements.txt 1.0.0 -> 1.2.0"
    assert "  python-keystoneauth1 >=3.4.0" in out


def test_cli_fix_and_patch_release_part(world: World) -> None:
    spec = world.spec_text().replace("Release:        1%{?dist}", "Release:        0.1%{?dist}")
    commit(world.distgit, "pre-release", {"python-foo.spec": spec}, "2024-03-05T00:00:00")

    code, out = run_cli("distgit", "fix", "-C", str(world.distgit), "-R", "MAJOR", "-m", "x")
    assert (code, out.split(":")[0]) == (0, "python-foo-1.0.0-1.1")

    code, out = run_cli("distgit", "patch", "-C", str(world.distgit), "--release-part", "2")
    assert code == 0, out
    assert "Release:        1.2%{?dist}" in world.spec_text()


def test_lint_runs_rpmlint_on_the_spec(world: World) -> None:
    text = world.spec_text().replace("%check\n%tox -e %{default_toxenv}\n\n", "")
    world.spec().write_text(text)

    found = [str(p) for p in lint(world.distgit, ("rpmlint",))]

    assert "W: rpmlint: python-foo.spec: no-%check-section" in found


def test_lint_without_rpmlint_says_it_skipped_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lint_module, "rpmlint_tool", lambda: None)

    found = [str(p) for p in lint(world.distgit)]

    assert found[-1] == "I: rpmlint: not installed; skipped (pip install rpmlint)"
    assert not [p for p in found if p.startswith("E:")]


@pytest.mark.slow
def test_cli_lint_runs_rpmlint_on_an_srpm(world: World, tmp_path: Path) -> None:
    write_tarball(world.distgit, "1.0.0", tmp_path / "foo-1.0.0.tar.gz", "foo-1.0.0", "tar.gz")
    subprocess.run(
        [
            "rpmbuild",
            "-bs",
            "--define",
            f"_topdir {tmp_path / 'top'}",
            "--define",
            f"_sourcedir {tmp_path}",
            "--define",
            f"_srcrpmdir {tmp_path}",
            "--define",
            "dlrn 1",  # no gpg signature sources
            str(world.spec()),
        ],
        check=True,
        capture_output=True,
    )
    srpm = tmp_path / "python-foo-1.0.0-1.src.rpm"

    code, out = run_cli(
        "distgit", "lint", "-C", str(world.distgit), "--checks", "rpmlint", "--srpm", str(srpm)
    )

    assert code == 23  # rpmlint's default config: an unsigned SRPM is an error
    assert "E: rpmlint: python-foo.src: no-signature" in out.splitlines()
    assert "W: rpmlint: python-foo.spec: no-buildroot-tag" in out.splitlines()


def test_cli_lint_exit_code_on_errors(world: World) -> None:
    shutil.copy(world.spec(), world.distgit / "second.spec")
    code, out = run_cli("distgit", "lint", "-C", str(world.distgit), "--checks", "sanity")
    assert code == 23
    assert "several spec files (python-foo.spec, second.spec)" in out
