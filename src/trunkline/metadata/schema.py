"""What rdoinfo keys exist, at each level: the schema distroinfo never had.

Anything not listed here is reported by ``validate`` as an unknown key, with the
closest known key as a hint (``source_branch`` -> ``source-branch``). Keys came
from the real rdoinfo tree and from what DLRN and rdopkg read.
"""

from __future__ import annotations

TOP_KEYS = frozenset(
    {
        "import",
        "releases",
        "package-default",
        "package-configs",
        "packages",
        "components",
        "remote-info",
    }
)

PACKAGE_KEYS = frozenset(
    {
        "project",
        "name",
        "conf",
        "upstream",
        "distgit",
        "master-distgit",
        "patches",
        "review-patches",
        "review-origin",
        "maintainers",
        "component",
        "tags",
        "buildsys-tags",
        "source-branch",
        "centos-distgit",
        "distgit-path",
        "distro-branch",
        "build-tags-only",
        "subpackages",
        "notes",
        "comment",
    }
)

# Keys a per-release override (tags.<release>.<key>) may set.
TAG_OVERRIDE_KEYS = frozenset(
    {
        "source-branch",
        "component",
        "distgit",
        "master-distgit",
        "upstream",
        "distro-branch",
        "distgit-path",
        "build-tags-only",
        "patches",
    }
)

# Tags that are not release names but have a meaning of their own.
SPECIAL_TAGS = frozenset({"dependency", "under-review", "version-locked"})

RELEASE_KEYS = frozenset(
    {
        "name",
        "status",
        "branch",
        "identifier",
        "upstream_branch",
        "tags_map",
        "repos",
        "source_branch",
    }
)
REPO_KEYS = frozenset({"name", "branch", "buildsys", "buildsys-tags", "distrepos"})
DISTREPO_KEYS = frozenset({"name", "url"})
COMPONENT_KEYS = frozenset({"name", "description"})

RELEASE_STATUSES = ("development", "maintained", "extended_maintenance", "eol")

# A buildsys-tags key that is not a CBS tag (verify.py allows it with a null value).
VERSION_LOCKED = "version-locked"
