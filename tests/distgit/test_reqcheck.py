"""``distgit reqcheck``/``reqdiff``: PEP 508 requirements vs the spec, compared as versions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.distgit.world import SPEC_SETUPTOOLS, World, build_world, git
from trunkline.distgit import reqcheck
from trunkline.distgit.reqdiff import reqdiff
from trunkline.distgit.requirements import parse_requirements
from trunkline.errors import InputError


@pytest.fixture(scope="module")
def setuptools_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The world with a setuptools spec: its Python Requires are written by hand."""
    return build_world(tmp_path_factory.mktemp("setuptools-world"), SPEC_SETUPTOOLS)


@pytest.fixture
def world(setuptools_world: World, tmp_path: Path) -> World:
    """A private copy of the setuptools world's distgit (the checks below edit it)."""
    distgit = tmp_path / "python-foo"
    shutil.copytree(setuptools_world.distgit, distgit, symlinks=True)
    return World(setuptools_world.upstream, setuptools_world.patches, distgit)


def test_pyproject_spec_leaves_python_requires_to_the_generator(tmp_path: Path) -> None:
    """pyproject-rpm-macros make python3dist() Requires at build time: not missing."""
    pyproject = build_world(tmp_path / "w")  # the default SPEC uses %pyproject_*
    result = reqcheck.reqcheck(pyproject.distgit, ref="1.1.0")
    assert [r.name for r in result.generated] == ["python-keystoneauth1", "python-stevedore"]
    assert result.missing == ()
    assert result.exit_code(strict=True) == reqcheck.EXIT_MISMATCH  # pyyaml >= 5.3 < 5.3.1
    assert "GENERATED (pyproject-rpm-macros dependency generator):" in reqcheck.format_text(result)


def test_categories_at_the_version_tag(world: World) -> None:
    result = reqcheck.reqcheck(world.distgit)

    assert result.ref == "1.0.0"
    assert result.categories() == {
        "met": ["python-oslo-config", "python-pbr", "python-six"],
        "any": ["python-requests"],
        "mismatch": ["python-pyyaml"],
        "missing": [],
        "generated": [],
        "excess": ["python-netaddr", "python-oslotest"],
        "removed": [],
    }


def test_versions_are_compared_not_strings(world: World) -> None:
    # the spec says ">= 2:9.0.0" (with an epoch) and upstream ">=9.0.0": met.
    # at 1.1.0 upstream wants 9.2.0: the spec is lower, a mismatch.
    result = reqcheck.reqcheck(world.distgit, ref="1.1.0")

    assert [r.name for r in result.mismatch] == ["python-oslo-config", "python-pyyaml"]
    assert [r.name for r in result.missing] == ["python-keystoneauth1", "python-stevedore"]
    assert [r.name for r in result.removed] == ["python-six"]  # required by 1.0.0
    assert result.exit_code(strict=True) == reqcheck.EXIT_MISSING
    assert result.exit_code(strict=False) == 0


def test_text_json_and_spec_outputs(world: World) -> None:
    result = reqcheck.reqcheck(world.distgit, ref="1.1.0")

    text = reqcheck.format_text(result)
    assert "VERSION MISMATCH:\n  python-oslo-config >= 9.2.0  (>= 9.0.0 in .spec)\n" in text
    assert "MISSING:\n  python-keystoneauth1 >= 3.4.0\n  python-stevedore >= 1.20.0" in text
    data = json.loads(reqcheck.format_json(result))
    assert data["mismatch"][0] == {"name": "python-oslo-config", "vers": ">= 9.0.0"}
    assert data["missing"][0] == {"name": "python-keystoneauth1", "vers": ">= 3.4.0"}
    spec = reqcheck.format_spec(result, ":       ")
    assert "Requires:       python-keystoneauth1 >= 3.4.0" in spec.splitlines()


def test_override_file_replaces_or_ignores_requirements(world: World, tmp_path: Path) -> None:
    override = tmp_path / "override.yml"
    override.write_text(
        "packages:\n"
        "  all:\n    - name: python-stevedore\n      version: ''\n"
        "  python-foo:\n    - name: python-oslo-config\n      version: '>=9.0.0'\n"
    )

    result = reqcheck.reqcheck(world.distgit, ref="1.1.0", override_file=override)

    assert result.ignored == ("python-stevedore",)
    met = {r.name: r for r in result.met}
    assert met["python-oslo-config"].overridden == ">=9.2.0"
    assert "has been overridden" in reqcheck.format_text(result)


def test_bad_override_file_is_one_line(world: World, tmp_path: Path) -> None:
    override = tmp_path / "override.yml"
    override.write_text("packages: [1]\n")
    with pytest.raises(InputError) as err:
        reqcheck.reqcheck(world.distgit, override_file=override)
    assert str(err.value) == (f"{override}: expected a 'packages:' mapping of package → overrides")


def test_override_with_a_bad_version_clause_names_file_package_and_value(
    world: World, tmp_path: Path
) -> None:
    override = tmp_path / "override.yml"
    override.write_text("packages:\n  all:\n    - name: python-pbr\n      version: '>= 1.0 <2'\n")
    with pytest.raises(InputError) as err:
        reqcheck.reqcheck(world.distgit, override_file=override)
    assert str(err.value) == (
        f"{override}: packages.all: python-pbr: version '>= 1.0 <2' "
        "is not a version clause like '>= 1.2'"
    )


def test_a_python_version_that_is_not_a_version_is_refused() -> None:
    with pytest.raises(InputError) as err:
        parse_requirements("pbr>=2.0\n", python_version="three")
    assert str(err.value) == "--python-version 'three': expected a Python version like 3.9"


def test_sync_writes_upstream_minimums_into_the_spec(world: World) -> None:
    result = reqcheck.reqcheck(world.distgit, ref="1.1.0")

    written = reqcheck.sync(world.distgit, result)

    assert "python3-oslo-config >= 9.2.0" in written
    text = world.spec_text()
    assert "Requires:       python3-requests >= 2.14.2\n" in text
    assert (
        "Requires:       python3-netaddr >= 0.7.18\n"
        "Requires:       python3-keystoneauth1 >= 3.4.0\n"
        "Requires:       python3-stevedore >= 1.20.0\n" in text
    )
    after = reqcheck.reqcheck(world.distgit, ref="1.1.0")
    assert after.mismatch == after.missing == after.any == ()
    assert git(world.distgit, "status", "--porcelain") == "M python-foo.spec"


@pytest.mark.parametrize(
    ("python", "expected"),
    [("3.9", ["pbr"]), ("2.7", ["pbr", "futures"])],
)
def test_markers_are_evaluated_for_the_chosen_python(python: str, expected: list[str]) -> None:
    text = "pbr>=2.0.0 # Apache-2.0\nfutures>=3.0;python_version=='2.7'\n-r other.txt\n"
    assert [r.module for r in parse_requirements(text, python_version=python)] == expected


def test_invalid_requirement_line_is_reported_with_its_line_number() -> None:
    with pytest.raises(InputError) as err:
        parse_requirements("pbr>=2.0\nfoo>>=1\n", source="1.0.0:requirements.txt")
    assert str(err.value).startswith("1.0.0:requirements.txt:2: not a PEP 508 requirement:")


def test_reqdiff_between_two_refs(world: World) -> None:
    result = reqdiff(world.distgit, "1.1.0", "1.2.0")

    assert result.lines() == ["CHANGED:", "  python-stevedore >=3.0.0  (was >=1.20.0)"]
    assert reqdiff(world.distgit, "1.2.0", "1.2.0").lines() == ["no requirements changed"]
