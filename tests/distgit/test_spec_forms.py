"""Small inputs, one class of spec form each: milestones, rpmautospec, Version macros,
every Release form, epochs and changelog styles (issue 11, items 2-6).

Each test makes a real upstream (the tags the spec expects), a patches branch and a
distgit holding one small spec, runs the distgit command and checks the spec and
the commit. The real RDO distgits are tested in ``test_rdo_distgits.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.distgit.rdo import RDO, attach_upstream, git, make_upstream
from trunkline.distgit.fix import fix
from trunkline.distgit.newversion import new_version
from trunkline.distgit.patch import patch
from trunkline.distgit.release import next_release
from trunkline.distgit.reqcheck import reqcheck
from trunkline.errors import InputError
from trunkline.rpmspec.adapter import read_spec, spec_info

DATE = "Tue Nov 19 2024"
REQS = "pbr>=2.0.0 # Apache-2.0\nrequests>=2.14.2 # Apache-2.0\n"


def spec_text(
    *,
    version: str = "1.0.0",
    release: str = "1%{?dist}",
    head: str = "",
    epoch: str | None = None,
    changelog: str = "* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org> 1.0.0-1\n- x\n",
    source0: str = "https://tarballs.openstack.org/foo/foo-%{upstream_version}.tar.gz",
) -> str:
    """A small RDO-style spec; ``head`` goes above ``Name:`` (macros, magic comments)."""
    epoch_line = f"Epoch:          {epoch}\n" if epoch else ""
    return (
        f"{head}"  # RDO keeps %global milestone on top: %global expands its body at once
        "%{!?upstream_version: %global upstream_version %{version}%{?milestone}}\n"
        "Name:           python-foo\n"
        f"{epoch_line}"
        f"Version:        {version}\n"
        f"Release:        {release}\n"
        "Summary:        Foo\n"
        "License:        Apache-2.0\n"
        f"Source0:        {source0}\n\n"
        "BuildArch:      noarch\n\n"
        "%description\nFoo.\n\n"
        "%package -n python3-foo\nSummary: Foo\n"
        "Requires:       python3-pbr >= 2.0.0\n\n"
        "%description -n python3-foo\nFoo.\n\n"
        "%prep\n%autosetup -n foo-%{upstream_version} -S git\n\n"
        "%build\n\n%install\n\n"
        "%files -n python3-foo\n%doc README.rst\n\n"
        f"%changelog\n{changelog}\n"
    )


@dataclass(frozen=True)
class Repos:
    distgit: Path
    spec: Path

    def text(self) -> str:
        return self.spec.read_text()

    def message(self) -> str:
        return git(self.distgit, "log", "-1", "--format=%B")


def make_repos(root: Path, spec: str, tags: list[str], patches_on: str | None = None) -> Repos:
    """Upstream with ``tags``, a ``rpm-master-patches`` branch on ``patches_on`` with one
    downstream commit, and the distgit on ``rpm-master`` holding ``spec``."""
    upstream = make_upstream(root / "foo", tags, REQS)
    distgit = root / "python-foo"
    distgit.mkdir()
    git(distgit, "init", "-q", "-b", "rpm-master")
    git(distgit, "config", "user.name", RDO[0])
    git(distgit, "config", "user.email", RDO[1])
    (distgit / "python-foo.spec").write_text(spec)
    git(distgit, "add", "-A")
    git(distgit, "commit", "-q", "-m", "import")
    attach_upstream(distgit, upstream)
    if patches_on is not None:
        patches = root / "foo-patches"
        git(root, "clone", "-q", str(upstream), str(patches))
        git(patches, "checkout", "-q", "-b", "rpm-master-patches", patches_on)
        (patches / "fix.txt").write_text("fixed\n")
        git(patches, "add", "-A")
        git(patches, "commit", "-q", "-m", "Fix the crash (rhbz#42)")
        git(distgit, "remote", "add", "patches", patches.resolve().as_uri())
    return Repos(distgit, distgit / "python-foo.spec")


# --- item 2: milestone / release-candidate specs --------------------------------------

MILESTONE = spec_text(
    version="10.0.0",
    release="0.1%{?milestone}%{?dist}",
    head="%global milestone .0rc1\n",
    epoch="1",
    changelog=(
        "* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org> 1:10.0.0-0.1.0rc1\n"
        "- Update to 10.0.0.0rc1\n"
    ),
)


@pytest.mark.parametrize("prefix", ["", "v"])
def test_milestone_spec_maps_to_its_rc_tag(tmp_path: Path, prefix: str) -> None:
    repos = make_repos(tmp_path, MILESTONE, [f"{prefix}10.0.0.0rc1"], f"{prefix}10.0.0.0rc1")

    assert reqcheck(repos.distgit).ref == f"{prefix}10.0.0.0rc1"
    result = patch(repos.distgit, date=DATE)

    assert result.update.base == f"{prefix}10.0.0.0rc1"  # the ref used, reported
    assert "Release:        0.2%{?milestone}%{?dist}\n" in repos.text()
    assert f"* {DATE} RDO <dev@lists.rdoproject.org> 1:10.0.0-0.2.0rc1\n" in repos.text()
    assert repos.message().startswith("python-foo-10.0.0-0.2.0rc1\n\nChangelog:\n- Fix the crash")


def test_milestone_without_upstream_version_macro_uses_version_plus_milestone(
    tmp_path: Path,
) -> None:
    spec = MILESTONE.replace(
        "%{!?upstream_version: %global upstream_version %{version}%{?milestone}}\n", ""
    ).replace("%{upstream_version}", "%{version}%{?milestone}")
    repos = make_repos(tmp_path, spec, ["10.0.0.0rc1"])
    assert reqcheck(repos.distgit).ref == "10.0.0.0rc1"


def test_missing_rc_tag_names_the_spec_and_the_version_it_looked_for(tmp_path: Path) -> None:
    repos = make_repos(tmp_path, MILESTONE, ["10.0.0"])
    with pytest.raises(InputError) as err:
        reqcheck(repos.distgit)
    assert str(err.value) == (
        f"{repos.spec}: no upstream tag '10.0.0.0rc1' or 'v10.0.0.0rc1' for the spec's "
        "%{upstream_version} (fetch the 'upstream' remote)"
    )


def test_new_version_from_rc_to_rc_to_final(tmp_path: Path) -> None:
    repos = make_repos(tmp_path, MILESTONE, ["10.0.0.0rc1", "10.0.0.0rc2", "10.0.0"])

    new_version(repos.distgit, "10.0.0.0rc2", bump_only=True, date=DATE)
    text = repos.text()
    assert text.startswith("%global milestone .0rc2\n")
    # same Version, next milestone: Release is bumped, not reset (RDO's 0.2.0rc2)
    assert "Release:        0.2%{?milestone}%{?dist}\n" in text
    assert "\n#\n# patches_base=10.0.0.0rc2\n#\n" in text  # the tag is not the Version
    assert "<dev@lists.rdoproject.org> 1:10.0.0-0.2.0rc2\n- Update to 10.0.0.0rc2\n" in text
    assert repos.message().startswith("python-foo-10.0.0-0.2.0rc2\n\nChangelog:\n")

    new_version(repos.distgit, "10.0.0", bump_only=True, date=DATE)
    text = repos.text()
    assert "%global milestone" not in text and "patches_base" not in text
    assert "Release:        1%{?dist}\n" in text
    assert "<dev@lists.rdoproject.org> 1:10.0.0-1\n- Update to 10.0.0\n" in text
    assert read_spec(repos.spec).upstream_version == "10.0.0"


# --- item 3: rpmautospec -----------------------------------------------------------------

AUTOSPEC = spec_text(release="%autorelease", changelog="%autochangelog")


def test_rpmautospec_fix_commits_the_message_and_leaves_the_spec(tmp_path: Path) -> None:
    repos = make_repos(tmp_path, AUTOSPEC, ["1.0.0"])
    before = repos.text()

    changes = ["Rebuild for the new macros", "Drop a stale dependency"]
    result = fix(repos.distgit, changes, date=DATE)

    assert result.nvr == "python-foo-1.0.0-%autorelease"
    assert repos.text() == before
    assert repos.message() == "Rebuild for the new macros\n\n- Drop a stale dependency"
    assert git(repos.distgit, "rev-list", "--count", "HEAD") == "2"


def test_rpmautospec_patch_changes_only_the_patches(tmp_path: Path) -> None:
    repos = make_repos(tmp_path, AUTOSPEC, ["1.0.0"], "1.0.0")

    patch(repos.distgit, date=DATE)

    text = repos.text()
    assert "Release:        %autorelease\n" in text
    assert text.endswith("%changelog\n%autochangelog\n")
    assert "Patch0001: 0001-Fix-the-crash-rhbz-42.patch\n" in text
    assert repos.message() == "Fix the crash (rhbz#42)"


def test_rpmautospec_new_version_keeps_autorelease_and_autochangelog(tmp_path: Path) -> None:
    repos = make_repos(tmp_path, AUTOSPEC, ["1.0.0", "1.1.0"])

    new_version(repos.distgit, "1.1.0", bump_only=True, date=DATE)

    text = repos.text()
    assert "Version:        1.1.0\nRelease:        %autorelease\n" in text
    assert text.endswith("%changelog\n%autochangelog\n")
    assert repos.message().startswith("Update to 1.1.0\n")
    assert git(repos.distgit, "diff", "--stat", "HEAD~1").count("|") == 1  # the spec only


# --- item 4: Version held in a macro -----------------------------------------------------


@pytest.mark.parametrize(
    ("head", "version", "tags", "new", "expected_head"),
    [
        (
            "%global pypi_version 1.0.0\n",
            "%{pypi_version}",
            ["1.0.0", "1.1.0"],
            "1.1.0",
            "%global pypi_version 1.1.0\n",
        ),
        (
            "%global major 1\n%global minor 0\n",
            "%{major}.%{minor}",
            ["1.0", "1.1"],
            "1.1",
            "%global major 1\n%global minor 1\n",
        ),
    ],
    ids=["pypi_version", "major.minor"],
)
def test_version_macro_definition_is_updated_and_the_reference_kept(
    tmp_path: Path, head: str, version: str, tags: list[str], new: str, expected_head: str
) -> None:
    spec = spec_text(
        head=head,
        version=version,
        source0=f"https://pypi.org/foo/foo-{version}.tar.gz",
        changelog=f"* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org> {tags[0]}-1\n- x\n",
    )
    repos = make_repos(tmp_path, spec, tags)

    new_version(repos.distgit, new, bump_only=True, date=DATE)

    text = repos.text()
    assert expected_head in text
    assert f"Version:        {version}\n" in text
    info = spec_info(repos.spec)
    assert info.version == new
    assert info.sources[0][1] == f"https://pypi.org/foo/foo-{new}.tar.gz"  # every use follows
    assert f"<dev@lists.rdoproject.org> {new}-1\n- Update to {new}\n" in text


# --- item 5: every Release form -----------------------------------------------------------

RELEASE_FORMS = [
    ("1%{?dist}", "2%{?dist}"),  # RDO and Fedora
    ("0.1%{?milestone}%{?dist}", "0.2%{?milestone}%{?dist}"),  # RDO pre-release
    ("1%{?milestone}%{?dist}", "2%{?milestone}%{?dist}"),  # liberty-era RDO
    ("1.1%{?dist}", "1.2%{?dist}"),  # N.M sub-release (rdopkg's last numeric)
    ("1%{?dist}.1", "1%{?dist}.2"),  # Fedora's minor bump after the dist tag
    ("0.1.rc1%{?dist}", "0.2.rc1%{?dist}"),  # Fedora's old pre-release form
    # DLRN's release_numbering forms; a hash may start with (or be all) digits
    ("0.20240101120000.0d094ba%{?dist}", "0.20240101120001.0d094ba%{?dist}"),
    ("0.20240101120000.1234567%{?dist}", "0.20240101120001.1234567%{?dist}"),
    ("0.1.20240101120000.0d094ba%{?dist}", "0.2.20240101120000.0d094ba%{?dist}"),
    ("3.20240101120000.0d094ba%{?dist}", "4.20240101120000.0d094ba%{?dist}"),
    ("%autorelease", "%autorelease"),  # rpmautospec: the commit bumps it
    ("%{autorelease}", "%{autorelease}"),
    ("%autorelease -b 2", "%autorelease -b 2"),
]


@pytest.mark.parametrize(("raw", "expected"), RELEASE_FORMS)
def test_every_release_form_bumps_the_right_field(raw: str, expected: str) -> None:
    assert next_release(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [f for f in RELEASE_FORMS if not f[0].startswith("%")],
)
def test_fix_writes_the_bumped_release_and_its_changelog_evr(
    tmp_path: Path, raw: str, expected: str
) -> None:
    repos = make_repos(tmp_path, spec_text(release=raw, epoch="2"), ["1.0.0"])

    fix(repos.distgit, ["Rebuild"], date=DATE)

    info = read_spec(repos.spec)
    assert info.raw_release == expected
    assert f"* {DATE} RDO <dev@lists.rdoproject.org> 2:1.0.0-{info.release}\n" in repos.text()
    assert repos.message().startswith(f"python-foo-1.0.0-{info.release}\n")


# --- item 6: epochs and the changelog style -----------------------------------------------


@pytest.mark.parametrize("epoch", [None, "1"])
@pytest.mark.parametrize("dash", ["", " -"])
def test_every_changelog_entry_carries_the_epoch_in_the_specs_style(
    tmp_path: Path, epoch: str | None, dash: str
) -> None:
    e = f"{epoch}:" if epoch else ""
    spec = spec_text(
        epoch=epoch,
        changelog=f"* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org>{dash} {e}1.0.0-1\n- x\n",
    )
    repos = make_repos(tmp_path, spec, ["1.0.0", "1.1.0"], "1.0.0")
    entry = f"* {DATE} RDO <dev@lists.rdoproject.org>{dash} {e}"

    fix(repos.distgit, ["Rebuild"], date=DATE)
    assert f"%changelog\n{entry}1.0.0-2\n- Rebuild\n\n" in repos.text()
    patch(repos.distgit, date=DATE)
    assert f"%changelog\n{entry}1.0.0-3\n- Fix the crash (rhbz#42)\n\n" in repos.text()
    new_version(repos.distgit, "1.1.0", bump_only=True, date=DATE)
    assert f"%changelog\n{entry}1.1.0-1\n- Update to 1.1.0\n\n" in repos.text()
