"""The parts of release time and stable proposals, each on real files and real git."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git
from tests.metadata.conftest import EDIT_TREE
from trunkline.errors import InputError
from trunkline.metadata import load_metadata
from trunkline.metadata.model import Release
from trunkline.metadata.validate import validate_tree
from trunkline.releasetime.metaedit import ReleaseEditor
from trunkline.releasetime.plan import release_entry
from trunkline.rpmspec.adapter import SpecInfo
from trunkline.stable.candidates import newest_candidate, stable_release_tags
from trunkline.stable.review import change_id


def _release(tags: list[str], buildsys: str = "cbs/cloud9s-openstack-flamingo-el9s") -> Release:
    return Release.from_raw(
        {
            "name": "flamingo",
            "branch": "rpm-master",
            "repos": [{"name": "el9s", "buildsys": buildsys, "buildsys-tags": tags}],
        }
    )


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (  # RDO's development release: build, candidate, testing -> the release phase added
            [
                "cloud9s-openstack-flamingo-el9s-build",
                "cloud9s-openstack-flamingo-candidate",
                "cloud9s-openstack-flamingo-testing",
            ],
            [
                "cloud9s-openstack-gazpacho-el9s-build",
                "cloud9s-openstack-gazpacho-candidate",
                "cloud9s-openstack-gazpacho-testing",
                "cloud9s-openstack-gazpacho-release",
            ],
        ),
        (  # no candidate tag: the names are carried, no phase is invented
            ["cloud9s-openstack-flamingo-testing"],
            ["cloud9s-openstack-gazpacho-testing"],
        ),
        ([], None),
    ],
    ids=["phases-completed", "no-candidate", "no-tags"],
)
def test_the_new_release_entry_renames_the_build_targets(
    tags: list[str], expected: list[str] | None
) -> None:
    entry = release_entry(_release(tags), "gazpacho", "stable/2026.1", "2026.1")
    assert (entry["branch"], entry["upstream_branch"], entry["identifier"]) == (
        "gazpacho-rdo",
        "stable/2026.1",
        "2026.1",
    )
    repo = entry["repos"][0]
    assert repo["buildsys"] == "cbs/cloud9s-openstack-gazpacho-el9s"
    assert repo.get("buildsys-tags") == expected


def test_a_build_target_without_the_release_name_is_refused() -> None:
    with pytest.raises(InputError, match=r"buildsys 'cbs/el9s-build' does not contain the "):
        release_entry(_release([], buildsys="cbs/el9s-build"), "gazpacho", "stable/x", None)


def test_the_release_editor_imports_new_files_beside_their_siblings(tmp_path: Path) -> None:
    for rel, text in EDIT_TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    md = load_metadata(tmp_path, info_files=("rdo.yml",))
    entry = release_entry(md.release("flamingo"), "gazpacho", "stable/gazpacho", None)
    editor = ReleaseEditor(tmp_path, ("rdo.yml",))
    editor.add_release(entry)
    editor.ensure_file("tags/gazpacho.yml")
    editor.tag_for_release("tags/gazpacho.yml", "nova", "gazpacho", "31.0.0")
    editor.ensure_file("buildsys-tags/cloud9s-openstack-gazpacho-testing.yml")

    written = editor.save()

    assert sorted(written) == [
        "buildsys-tags/cloud9s-openstack-gazpacho-testing.yml",
        "rdo.yml",
        "tags/gazpacho.yml",
    ]
    rdo = (tmp_path / "rdo.yml").read_text()
    assert rdo.startswith("# RDO packaging metadata (hand-edited)\n")
    assert "- tags/flamingo.yml  # release tags\n" in rdo
    assert "- tags/gazpacho.yml\n" in rdo
    assert (tmp_path / "tags" / "flamingo.yml").read_text() == EDIT_TREE["tags/flamingo.yml"]
    assert validate_tree(tmp_path, ("rdo.yml",)).errors == []
    after = load_metadata(tmp_path, info_files=("rdo.yml",))
    assert after.release("gazpacho").branch == "gazpacho-rdo"
    assert [(p.name, p.source_branch) for p in after.packages_for_release("gazpacho")] == [
        ("openstack-nova", "31.0.0")
    ]
    again = ReleaseEditor(tmp_path, ("rdo.yml",))
    assert again.ensure_file("tags/gazpacho.yml") is False  # read by the tree now
    assert again.save() == []


def _spec(version: str, raw: str | None = None) -> SpecInfo:
    return SpecInfo(
        name="python-foo",
        version=version,
        release="1",
        epoch=None,
        subpackages=(),
        buildrequires=(),
        requires=(),
        sources=(),
        raw_version=raw or version,
        raw_release="1%{?dist}",
    )


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """master tagged 1.0.0, stable/x cut there with release tags and non-version tags."""
    repo = tmp_path_factory.mktemp("upstream")
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "one")
    git(repo, "tag", "1.0.0")
    git(repo, "branch", "stable/x")
    git(repo, "commit", "-q", "--allow-empty", "-m", "master moves on")
    git(repo, "tag", "2.0.0.0rc1")  # on master only
    git(repo, "checkout", "-q", "stable/x")
    for tag in ("v1.0.1", "1.0.10", "x-eol", "deploy-marker", "1.0.9"):
        git(repo, "commit", "-q", "--allow-empty", "-m", tag)
        git(repo, "tag", tag)
    git(repo, "checkout", "-q", "master")
    return repo


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (_spec("XXX", "XXX"), "1.0.10"),  # a branch just cut: the newest release tag
        (_spec("1.0.1"), "1.0.10"),  # rpm ordering: 1.0.10 > 1.0.9
        (_spec("1.0.10"), None),  # already there
        (_spec("1.1.0"), None),  # newer than any tag of the branch
    ],
    ids=["placeholder", "older", "same", "newer"],
)
def test_the_candidate_is_the_newest_release_tag_of_the_stable_branch(
    upstream: Path, spec: SpecInfo, expected: str | None
) -> None:
    tags = stable_release_tags(upstream, "refs/heads/stable/x", "refs/heads/master")
    assert sorted(t.tag for t in tags) == ["1.0.10", "1.0.9", "v1.0.1"]  # not 1.0.0, 2.0.0.0rc1
    found = newest_candidate(tags, spec)
    assert (found.version if found else None) == expected


def test_a_change_id_names_package_branch_and_version() -> None:
    one = change_id("python-foo", "gazpacho-rdo", "1.0.1")
    assert one == change_id("python-foo", "gazpacho-rdo", "1.0.1")
    assert len(one) == 41 and one.startswith("I") and int(one[1:], 16) >= 0
    others = {
        change_id("python-bar", "gazpacho-rdo", "1.0.1"),
        change_id("python-foo", "hazel-rdo", "1.0.1"),
        change_id("python-foo", "gazpacho-rdo", "1.0.2"),
    }
    assert one not in others and len(others) == 3


@pytest.mark.parametrize(
    ("extra", "dropped"),
    [
        ("", ()),
        (
            'repos_dir = "/srv/repos"\nbaseurl = "https://trunk.example.org"\n',
            ("repos_dir", "baseurl"),
        ),
    ],
    ids=["plain", "shared-places"],
)
def test_the_new_builder_config_follows_the_release_in_its_own_places(
    tmp_path: Path, extra: str, dropped: tuple[str, ...]
) -> None:
    import tomllib

    from trunkline.config import load_settings
    from trunkline.releasetime.newconfig import config_path, config_text

    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(
        f'[builder]\nname = "trunk"\ndata_dir = "data"\n{extra}'
        '[database]\nurl = "postgresql+psycopg://u@db/trunk"\n'
        '[packages]\nsource = "rdoinfo"\npath = "meta"\ntag = "trunk"\n'
        "[build]\ntimeout = 600.0\n"
    )
    settings = load_settings(cfg)

    text = config_text(settings, "gazpacho")

    assert config_path(settings, "gazpacho") == tmp_path / "trunkline-gazpacho.toml"
    raw = tomllib.loads(text)
    assert raw["builder"]["name"] == "trunk-gazpacho"
    assert raw["packages"]["tag"] == "gazpacho"
    assert raw["build"] == {"timeout": 600.0}  # the rest is carried as it was
    assert "database" not in raw  # its url is the trunk builder's database
    assert not set(dropped) & set(raw["builder"])
    (tmp_path / "trunkline-gazpacho.toml").write_text(text)
    new = load_settings(tmp_path / "trunkline-gazpacho.toml")
    assert new.builder.data_dir == tmp_path / "data-gazpacho"
    assert new.database_url != settings.database_url
