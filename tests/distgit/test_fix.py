"""``distgit fix``: bump Release, changelog entry, conventional commit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.distgit.world import World, git
from trunkline.distgit.fix import fix
from trunkline.distgit.release import next_release
from trunkline.errors import InputError, SpecError

TODAY = time.strftime("%a %b %d %Y", time.gmtime())


def test_fix_bumps_release_adds_changelog_entry_and_commits(world: World) -> None:
    result = fix(world.distgit, ["Fix the service unit", "Add missing dep (rhbz#123)"])

    text = world.spec_text()
    assert "Release:        2%{?dist}" in text
    assert (
        f"%changelog\n* {TODAY} Pat Packager <pat@example.com> 1.0.0-2\n"
        "- Fix the service unit\n- Add missing dep (rhbz#123)\n\n* Mon Mar 04 2024" in text
    )
    assert result.nvr == "python-foo-1.0.0-2"
    assert world.head_message() == (
        "python-foo-1.0.0-2\n\nChangelog:\n- Fix the service unit\n"
        "- Add missing dep (rhbz#123)\n\nResolves: rhbz#123"
    )
    assert git(world.distgit, "status", "--porcelain") == ""


def test_fix_without_a_message_is_refused(world: World) -> None:
    with pytest.raises(InputError) as err:
        fix(world.distgit, ["  "])
    assert str(err.value) == "fix: a changelog message is required (-m MESSAGE)"


def test_fix_refuses_a_dirty_distgit_and_leaves_it_alone(world: World) -> None:
    world.spec().write_text(world.spec_text() + "# local edit\n")
    with pytest.raises(InputError) as err:
        fix(world.distgit, ["x"])
    assert str(err.value) == (
        f"{world.distgit}: the distgit has uncommitted changes; commit or discard them first"
    )
    assert world.spec_text().endswith("# local edit\n")


@pytest.mark.parametrize(
    ("raw", "index", "expected"),
    [
        ("1%{?dist}", None, "2%{?dist}"),
        ("0.1%{?milestone}%{?dist}", None, "0.2%{?milestone}%{?dist}"),
        ("1.2.3%{?dist}", "last-numeric", "1.2.4%{?dist}"),
        ("1.2.3%{?dist}", "MAJOR", "2.2.3%{?dist}"),  # later parts kept, as rdopkg
        ("1.2.3%{?dist}", "minor", "1.3.3%{?dist}"),
        ("1.2.3%{?dist}", "PATCH", "1.2.4%{?dist}"),
        ("1.2.3%{?dist}", "1", "2.2.3%{?dist}"),
        ("3%{?dist}", "0", "3%{?dist}"),
        # DLRN styles: rdopkg's guess bumps the 2nd part, never the hash's leading digits
        ("0.20240101120000.0d094ba%{?dist}", None, "0.20240101120001.0d094ba%{?dist}"),
        ("0.1.20240101120000.abcdef1%{?dist}", None, "0.2.20240101120000.abcdef1%{?dist}"),
    ],
)
def test_release_part_bumps_what_rdopkg_bumps(raw: str, index: str | None, expected: str) -> None:
    assert next_release(raw, index) == expected


@pytest.mark.parametrize(
    ("raw", "index", "error", "message"),
    [
        ("1%{?dist}", "2", InputError, "spec: Release '1%{?dist}' has no part 2 to bump (-R 2)"),
        (
            "0.1.rc1%{?dist}",
            "PATCH",
            SpecError,
            "spec: part 3 of Release '0.1.rc1%{?dist}' is not a number: 'rc1'",
        ),
        (
            "1%{?dist}",
            "top",
            InputError,
            "--release-part 'top': expected MAJOR, MINOR, PATCH, last-numeric, 0 or a part number",
        ),
        ("%{rel}", None, SpecError, "spec: Release '%{rel}' does not start with a number to bump"),
    ],
)
def test_release_part_errors_name_the_release_and_the_part(
    raw: str, index: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as err:
        next_release(raw, index)
    assert str(err.value) == message


def test_fix_release_part_zero_adds_an_entry_without_a_bump(world: World) -> None:
    result = fix(world.distgit, ["Rebuild"], release_part="0")

    assert "Release:        1%{?dist}" in world.spec_text()
    assert f"* {TODAY} Pat Packager <pat@example.com> 1.0.0-1\n- Rebuild\n\n" in world.spec_text()
    assert result.release == "1%{?dist}"


def test_fix_with_a_release_part_the_release_lacks_leaves_the_distgit_alone(
    world: World,
) -> None:
    head = git(world.distgit, "rev-parse", "HEAD")

    with pytest.raises(InputError) as err:
        fix(world.distgit, ["Rebuild"], release_part="MINOR")

    assert (
        str(err.value) == f"{world.spec()}: Release '1%{{?dist}}' has no part 2 to bump (-R MINOR)"
    )
    assert git(world.distgit, "rev-parse", "HEAD") == head
    assert git(world.distgit, "status", "--porcelain") == ""


# --- the editor path of `trunkline distgit fix` (no -m): a real editor process ----------

EDITORS = {
    # writes two changelog lines above click's template (whose '#' lines are ignored)
    "writes": '{ printf "Fix the unit file\\n\\nAdd a dep (rhbz#42)\\n"; cat "$1"; } > "$1.new"\n'
    'mv "$1.new" "$1"\n',
    "empties": ': > "$1"\n',  # saves an empty message
    "keeps": 'touch "$1"\n',  # saves the template unchanged: only comments
    "quits": "exit 0\n",  # closes without saving
    "fails": "exit 1\n",
}


def _fix_with_editor(world: World, tmp_path: Path, editor: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / f"editor-{editor}"
    script.write_text("#!/bin/sh\n" + EDITORS[editor])
    script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "VISUAL"}  # click prefers VISUAL
    env["EDITOR"] = str(script)
    trunkline = Path(sys.executable).parent / "trunkline"
    return subprocess.run(
        [str(trunkline), "distgit", "fix", "-C", str(world.distgit)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_fix_takes_the_changelog_from_the_editor(world: World, tmp_path: Path) -> None:
    res = _fix_with_editor(world, tmp_path, "writes")

    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("python-foo-1.0.0-2: commit ")
    assert (
        f"%changelog\n* {TODAY} Pat Packager <pat@example.com> 1.0.0-2\n"
        "- Fix the unit file\n- Add a dep (rhbz#42)\n\n* Mon Mar 04 2024" in world.spec_text()
    )
    assert world.head_message() == (
        "python-foo-1.0.0-2\n\nChangelog:\n- Fix the unit file\n- Add a dep (rhbz#42)\n\n"
        "Resolves: rhbz#42"
    )
    assert git(world.distgit, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("editor", "code", "error"),
    [
        ("empties", 2, "trunkline: error: fix: a changelog message is required (-m MESSAGE)\n"),
        ("keeps", 2, "trunkline: error: fix: a changelog message is required (-m MESSAGE)\n"),
        ("quits", 2, "trunkline: error: fix: a changelog message is required (-m MESSAGE)\n"),
        ("fails", 1, "Error: {script}: Editing failed\n"),
    ],
)
def test_fix_with_no_message_from_the_editor_leaves_the_distgit_alone(
    world: World, tmp_path: Path, editor: str, code: int, error: str
) -> None:
    head = git(world.distgit, "rev-parse", "HEAD")
    spec = world.spec_text()

    res = _fix_with_editor(world, tmp_path, editor)

    assert (res.returncode, res.stdout) == (code, "")
    assert res.stderr == error.format(script=tmp_path / f"editor-{editor}")
    assert git(world.distgit, "rev-parse", "HEAD") == head
    assert git(world.distgit, "status", "--porcelain") == ""
    assert world.spec_text() == spec
