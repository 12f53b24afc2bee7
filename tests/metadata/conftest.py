"""Fixtures for metadata tests: the real rdoinfo snapshot and small YAML trees."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from trunkline.metadata import Metadata, load_metadata

SNAPSHOT = Path(__file__).resolve().parents[3] / "shared" / "data" / "rdoinfo-2025-07"
if not SNAPSHOT.exists():
    SNAPSHOT = Path("/work/shared/data/rdoinfo-2025-07")

MINI_RDO = """\
releases:
- name: flamingo
  status: development
  branch: rpm-master
  upstream_branch: master
  repos:
  - name: el9s
    buildsys: cbs/cloud9s-openstack-flamingo-el9s
    buildsys-tags:
    - cloud9s-openstack-flamingo-testing
    distrepos:
    - name: BaseOS
      url: http://example.com/baseos/
- name: epoxy
  status: maintained
  branch: epoxy-rdo
  upstream_branch: stable/2025.1
  repos:
  - name: el9s
    buildsys: cbs/cloud9s-openstack-epoxy-el9s
package-default:
  name: python-%(project)s
  maintainers:
  - default@example.com
  tags:
    epoxy:
package-configs:
  core:
    name: openstack-%(project)s
    upstream: https://opendev.org/openstack/%(project)s
    master-distgit: https://github.com/rdo-packages/%(project)s-distgit.git
    component: common
    maintainers:
    - core@example.com
components:
- name: common
- name: network
packages:
- project: nova
  conf: core
  tags:
    flamingo:
    epoxy:
      source-branch: 31.0.0
      component: network
- project: oslo-config
  conf: core
  name: python-oslo-config
  upstream: https://opendev.org/openstack/oslo.config
"""


@pytest.fixture(scope="session")
def snapshot() -> Path:
    """The real rdoinfo snapshot (13 releases, ~1,370 packages)."""
    if not (SNAPSHOT / "rdo-full.yml").exists():
        pytest.skip(f"rdoinfo snapshot not found at {SNAPSHOT}")
    return SNAPSHOT


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The metadata cache shared by the session (and by CLI calls, see below)."""
    return tmp_path_factory.mktemp("mdcache")


@pytest.fixture(autouse=True)
def _cli_cache(session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI calls cache in the session cache, never in ~/.cache (and warm after full_md)."""
    monkeypatch.setenv("TRUNKLINE_CACHE_DIR", str(session_cache))


@pytest.fixture(scope="session")
def full_md(snapshot: Path, session_cache: Path) -> Metadata:
    """The whole snapshot (rdo-full.yml), loaded once per session."""
    return load_metadata(snapshot, info_files=("rdo-full.yml",), cache_dir=session_cache)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A private metadata cache directory."""
    return tmp_path / "cache"


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Factory: write {relpath: yaml text} under tmp_path/meta and return that dir."""

    def _write(files: dict[str, str]) -> Path:
        root = tmp_path / "meta"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text))
        return root

    return _write


# A tree laid out like rdoinfo's, with comments everywhere, for the editing tests.
EDIT_TREE = {
    "rdo.yml": "# RDO packaging metadata (hand-edited)\n"
    + MINI_RDO.replace(
        "packages:\n",
        "import:\n- tags/flamingo.yml  # release tags\n"
        "- buildsys-tags/cloud9s-openstack-flamingo-testing.yml\npackages:\n",
        1,
    ),
    "tags/flamingo.yml": "# flamingo tags: edited by the release bot\npackages:\n"
    "- project: nova  # the compute service\n  tags:\n    flamingo:\n",
    "buildsys-tags/cloud9s-openstack-flamingo-testing.yml": (
        "# NVRs in cloud9s-openstack-flamingo-testing\npackages:\n- project: nova\n"
        "  buildsys-tags:\n"
        "    cloud9s-openstack-flamingo-testing: openstack-nova-31.0.0-1.el9s  # first build\n"
    ),
}
