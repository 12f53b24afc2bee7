"""Phase tags, content hashes, Koji source strings: pure functions over classes of input."""

from __future__ import annotations

import pytest

from trunkline.buildsys.base import BuildSource
from trunkline.buildsys.phases import Phase, parse_tag, release_tags
from trunkline.buildsys.snapshots import repo_hash
from trunkline.config import StableSettings
from trunkline.errors import InputError

PATTERNS = [
    "cloud9s-openstack-{release}-{phase}",
    "cloud10s-openstack-{release}-{phase}",
    "{phase}.{release}.rdo",
    "sig-{release}+{phase}",
]


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("release", ["flamingo", "2025.2", "epoxy-el10"])
def test_every_tag_names_its_release_and_phase(pattern: str, release: str) -> None:
    settings = StableSettings(tag_pattern=pattern)
    tags = release_tags(settings, release)
    for phase in Phase:
        assert parse_tag(settings, tags.tag(phase)) == (release, phase)
        assert tags.phase_of(tags.tag(phase)) is phase
    assert tags.target == f"cloud9s-openstack-{release}-el9s"


@pytest.mark.parametrize(
    "tag",
    ["cloud9s-openstack-flamingo-el9s-build", "cloud9s-openstack--testing", "other-tag", ""],
)
def test_other_tags_name_no_phase(tag: str) -> None:
    assert parse_tag(StableSettings(), tag) is None


@pytest.mark.parametrize("release", ["../x", "a/b", "", "-x", "a b"])
def test_release_names_that_are_not_plain_are_refused(release: str) -> None:
    with pytest.raises(InputError, match="expected a plain name"):
        release_tags(StableSettings(), release)


def test_phases_move_one_up() -> None:
    assert [p.below for p in Phase] == [None, Phase.CANDIDATE, Phase.TESTING]


@pytest.mark.parametrize(
    ("nvrs", "same"),
    [
        (["b-1-1.el9s", "a-1-1.el9s"], ["a-1-1.el9s", "b-1-1.el9s"]),
        (["a-1-1.el9s", "a-1-1.el9s"], ["a-1-1.el9s"]),
        ([], []),
    ],
)
def test_a_repo_hash_names_content_not_order(nvrs: list[str], same: list[str]) -> None:
    assert repo_hash("t", nvrs) == repo_hash("t", same)
    assert repo_hash("t", nvrs) != repo_hash("u", nvrs)  # the tag is part of the content
    assert len(repo_hash("t", nvrs)) == 64


@pytest.mark.parametrize(
    ("url", "scm"),
    [
        ("/srv/distgit/foo", "git+file:///srv/distgit/foo#" + "a" * 40),
        ("file:///srv/distgit/foo", "git+file:///srv/distgit/foo#" + "a" * 40),
        ("https://git.example.org/foo.git", "git+https://git.example.org/foo.git#" + "a" * 40),
        ("git://pkgs.example.org/foo", "git://pkgs.example.org/foo#" + "a" * 40),
    ],
)
def test_koji_source_strings(url: str, scm: str) -> None:
    assert BuildSource("foo", url, "a" * 40).scm_url == scm
