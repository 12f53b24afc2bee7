"""Reading and DLRN-style rewriting of RDO distgit specs through the specfile adapter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trunkline.errors import SpecError
from trunkline.rpmspec.adapter import spec_info
from trunkline.rpmspec.rewrite import dlrn_nvr, rewrite_spec

FIXTURES = Path(__file__).parent / "fixtures"
RELEASE = "0.20251118100000.0d094ba"
TARBALL = f"oslo.config-9.8.0.0rc1.dev3-{RELEASE}.tar.gz"


@pytest.fixture
def oslo_spec(tmp_path: Path) -> Path:
    """RDO master distgit style: Version/Release XXX, Epoch, python macros, two subpackages."""
    return Path(shutil.copy(FIXTURES / "python-oslo-config.spec", tmp_path))


@pytest.fixture
def nova_spec(tmp_path: Path) -> Path:
    """RDO stable distgit style: real Version/Release, a milestone, five binary packages."""
    return Path(shutil.copy(FIXTURES / "openstack-nova.spec", tmp_path))


def _rewrite_oslo(spec: Path, *, keep_changelog: bool = False) -> None:
    rewrite_spec(
        spec,
        version="9.8.0",
        upstream_version="9.8.0.0rc1.dev3",
        release=RELEASE,
        source0=TARBALL,
        keep_changelog=keep_changelog,
        macros={},
    )


def test_spec_info_reads_a_master_distgit_spec_with_python_macros(oslo_spec: Path) -> None:
    info = spec_info(oslo_spec, {})
    assert (info.name, info.version, info.release, info.epoch) == (
        "python-oslo-config",
        "XXX",
        "XXX",
        2,
    )
    # %{python3_pkgversion} comes from the fallback macros on a host without python-rpm-macros
    assert info.subpackages == ("python3-oslo-config", "python-oslo-config-doc")
    assert "python3dist(pbr) >= 2.0.0" in info.buildrequires
    assert "python3-devel" in info.buildrequires
    # without %{dlrn}, the spec verifies GPG signatures: Source101/102 and gpgv2 are active
    assert "/usr/bin/gpgv2" in info.buildrequires
    assert [n for n, _ in info.sources] == [0, 101, 102]
    assert info.sources[0][1] == "https://tarballs.openstack.org/oslo.config/oslo.config-XXX.tar.gz"
    assert info.patches == ((1, "0001-add-usr-share-project-dist.conf-to-the-default-confi.patch"),)


def test_spec_info_reads_a_stable_spec_with_subpackages_and_requires(nova_spec: Path) -> None:
    info = spec_info(nova_spec, {"dist": ".el9s"})
    assert (info.name, info.version, info.epoch) == ("openstack-nova", "31.0.0", 1)
    assert info.release == "0.1.0rc1"  # without dist, as changelog entries show it
    assert info.full_release == "0.1.0rc1.el9s"
    assert info.subpackages == (
        "openstack-nova",
        "openstack-nova-common",
        "openstack-nova-compute",
        "openstack-nova-api",
        "python3-nova",
    )
    assert "python3-oslo-cache >= 1.26.0" in info.buildrequires
    assert "openstack-nova-common = 1:31.0.0-0.1.0rc1.el9s" in info.requires
    assert "curl" in info.requires
    assert (1, "nova-dist.conf") in info.sources
    assert info.sources[0] == (0, "https://tarballs.openstack.org/nova/nova-31.0.0.0rc1.tar.gz")


def test_builder_macros_reach_the_parse(tmp_path: Path) -> None:
    spec = tmp_path / "m.spec"
    spec.write_text(
        "Name: m\nVersion: 1\nRelease: 1%{?rdo_suffix}%{?dist}\nSummary: s\n"
        "License: MIT\n%description\nd\n%files\n"
    )
    assert spec_info(spec, {"rdo_suffix": ".rdo", "dist": ".el9s"}).full_release == "1.rdo.el9s"
    assert spec_info(spec, {}).release == "1"


def test_rewrite_fills_a_master_distgit_spec_like_dlrn(oslo_spec: Path) -> None:
    _rewrite_oslo(oslo_spec)
    text = oslo_spec.read_text()
    assert text.splitlines()[:3] == [
        f"%global dlrn_nvr oslo.config-9.8.0.0rc1.dev3-{RELEASE}",
        "%global dlrn 1",
        "%define upstream_version 9.8.0.0rc1.dev3",
    ]
    assert "Version:    9.8.0\n" in text
    assert f"Release:    {RELEASE}%{{?dist}}\n" in text
    assert f"Source0:    {TARBALL}\n" in text
    assert "trunkline" not in text  # the fallback macros never leak into the spec
    info = spec_info(oslo_spec, {"dist": ".el9s"})
    assert (info.version, info.full_release, info.epoch) == ("9.8.0", f"{RELEASE}.el9s", 2)
    # %{dlrn} is now defined: the GPG verification sources and BuildRequires are gone
    assert info.sources == ((0, TARBALL),)
    assert "/usr/bin/gpgv2" not in info.buildrequires


def test_rewrite_truncates_the_changelog_unless_asked(tmp_path: Path, oslo_spec: Path) -> None:
    kept = Path(shutil.copy(oslo_spec, tmp_path / "kept.spec"))
    _rewrite_oslo(oslo_spec)
    _rewrite_oslo(kept, keep_changelog=True)
    assert oslo_spec.read_text().rstrip().endswith("%changelog")
    assert "- Update to 9.7.1" not in oslo_spec.read_text()
    assert "* Wed Mar 12 2025 RDO <dev@lists.rdoproject.org> 2:9.7.1-1" in kept.read_text()


def test_rewrite_overrides_the_real_values_of_a_stable_spec(nova_spec: Path) -> None:
    rewrite_spec(
        nova_spec,
        version="31.1.0",
        upstream_version="31.1.0.dev12",
        release=RELEASE,
        source0=None,
        keep_changelog=False,
        macros={},
    )
    info = spec_info(nova_spec, {"dist": ".el9s"})
    assert (info.version, info.full_release) == ("31.1.0", f"{RELEASE}.el9s")
    # Source0 kept, but %{upstream_version} is ours, not %{version}%{?milestone}
    assert info.sources[0] == (0, "https://tarballs.openstack.org/nova/nova-31.1.0.dev12.tar.gz")
    assert f"openstack-nova-common = 1:31.1.0-{RELEASE}.el9s" in info.requires
    assert nova_spec.read_text().startswith(f"%global dlrn_nvr openstack-nova-31.1.0-{RELEASE}\n")


def test_rewrite_fills_upstreamversion_placeholders(tmp_path: Path) -> None:
    spec = tmp_path / "placeholder.spec"
    spec.write_text(
        "Name: placeholder\nVersion: XXX\nRelease: XXX\nSummary: s\nLicense: MIT\n"
        "Source0: placeholder-UPSTREAMVERSION.tar.gz\nBuildArch: noarch\n"
        "%description\nd\n%files\n%changelog\n"
    )
    rewrite_spec(
        spec,
        version="1.2-3",
        upstream_version="1.2-3",
        release="0.1.abcdef0",
        source0=None,
        keep_changelog=False,
        macros={},
    )
    info = spec_info(spec, {})
    assert info.version == "1.2.3"  # DLRN: the first '-' of a Version becomes '.'
    assert info.sources == ((0, "placeholder-1.2-3.tar.gz"),)


def test_a_malformed_spec_is_a_one_line_error_naming_the_file(tmp_path: Path) -> None:
    spec = tmp_path / "broken.spec"
    spec.write_text(
        "Name: broken\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "%if 0%{?fedora}\n%description\nd\n"
    )
    with pytest.raises(SpecError) as err:
        spec_info(spec, {})
    assert str(err.value) == f"{spec}: cannot be parsed: line 6: Unclosed %if"
    before = spec.read_text()
    with pytest.raises(SpecError) as err:
        rewrite_spec(
            spec,
            version="1",
            upstream_version="1",
            release="0.1.abcdef0",
            source0=None,
            keep_changelog=False,
            macros={},
        )
    assert str(err.value) == f"{spec}: cannot be parsed: line 6: Unclosed %if"
    assert spec.read_text() == before  # state intact


def test_a_missing_spec_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as err:
        spec_info(tmp_path / "nope.spec", {})
    assert str(err.value) == (
        f"{tmp_path / 'nope.spec'}: cannot be read: [Errno 2] No such file or directory: "
        f"'{tmp_path / 'nope.spec'}'"
    )


def test_a_spec_without_source0_cannot_take_a_tarball(tmp_path: Path) -> None:
    spec = tmp_path / "nosource.spec"
    spec.write_text(
        "Name: nosource\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "%description\nd\n%files\n"
    )
    with pytest.raises(SpecError) as err:
        rewrite_spec(
            spec,
            version="1",
            upstream_version="1",
            release="0.1.abcdef0",
            source0="x-1.tar.gz",
            keep_changelog=False,
            macros={},
        )
    assert str(err.value) == f"{spec}: no Source0 tag to point at the tarball x-1.tar.gz"


@pytest.mark.parametrize(
    ("source0", "expected"),
    [
        (f"nova-31.0.0-{RELEASE}.tar.gz", f"nova-31.0.0-{RELEASE}"),
        ("x-1.tar.xz", "x-1"),
        ("x-1.gem", "x-1"),
        (None, f"openstack-nova-31.0.0-{RELEASE}"),
    ],
)
def test_dlrn_nvr(source0: str | None, expected: str) -> None:
    assert dlrn_nvr("openstack-nova", "31.0.0", RELEASE, source0) == expected


def test_parallel_parses_do_not_mix_their_macros(oslo_spec: Path, nova_spec: Path) -> None:
    """Builds run in worker threads; rpm's macro context is process-wide."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(oslo_spec, {}), (nova_spec, {"dist": ".el9s"}), (nova_spec, {"dist": ".el10"})] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        infos = list(pool.map(lambda job: spec_info(*job), jobs))
    assert {(i.name, i.full_release) for i in infos} == {
        ("python-oslo-config", "XXX"),
        ("openstack-nova", "0.1.0rc1.el9s"),
        ("openstack-nova", "0.1.0rc1.el10"),
    }


SMALL = "Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n%files\n"


@pytest.mark.parametrize(
    ("names", "package", "expected"),
    [
        (["a.spec"], None, "a.spec"),
        (["a.spec"], "b", "a.spec"),  # the only spec, whatever its name
        (["a.spec", "b.spec"], "b", "b.spec"),
        (["README", "b.spec", "sources"], "x", "b.spec"),
    ],
)
def test_one_rule_for_the_spec_of_a_distgit(
    names: list[str], package: str | None, expected: str
) -> None:
    from trunkline.rpmspec.adapter import choose_spec

    assert choose_spec(names, package, where="d") == expected


@pytest.mark.parametrize(
    ("names", "package", "message"),
    [
        ([], "b", "d: no *.spec file in the distgit"),
        (["a.spec", "c.spec"], "b", "d: several spec files (a.spec, c.spec) and none is b.spec"),
        (["a.spec", "c.spec"], None, "d: several spec files (a.spec, c.spec)"),
    ],
)
def test_no_or_ambiguous_spec_is_one_line(
    names: list[str], package: str | None, message: str
) -> None:
    from trunkline.rpmspec.adapter import choose_spec

    with pytest.raises(SpecError) as err:
        choose_spec(names, package, where="d")
    assert str(err.value) == message


def test_build_order_reads_the_spec_the_build_uses(tmp_path: Path) -> None:
    """Two specs in a distgit: the order step and the pipeline both take <package>.spec."""
    from trunkline.builder.order import spec_at
    from trunkline.builder.pipeline import find_spec as pipeline_spec

    (tmp_path / "aaa-helper.spec").write_text(SMALL.format(name="aaa-helper"))
    (tmp_path / "python-foo.spec").write_text(SMALL.format(name="python-foo"))

    info = spec_at(tmp_path, "HEAD", None, {}, local=True, package="python-foo")

    assert info is not None and info.name == "python-foo"
    assert pipeline_spec(tmp_path, None, "python-foo") == info.path
