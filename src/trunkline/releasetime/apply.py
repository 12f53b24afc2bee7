"""Carry out a :class:`~.plan.ReleasePlan`, step by step; each step is atomic on its own.

Order: the distgit branches (a push creates a ref at once or not at all), then the
metadata (every file written or none, after validation), then the config (one
atomic write). Killed between two steps, the next run's plan finds the finished
steps done and does the rest; a step done is never redone. ``say`` receives one
line per step taken or found done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from trunkline.config import Settings
from trunkline.releasetime import remote
from trunkline.releasetime.metaedit import ReleaseEditor
from trunkline.releasetime.newconfig import write_config
from trunkline.releasetime.plan import ReleasePlan
from trunkline.releasetime.promoted import mirror_paths

Say = Callable[[str], None]


def describe(plan: ReleasePlan) -> list[str]:
    """The plan as lines, each step marked ``done`` or ``to do``."""

    def mark(done: bool) -> str:
        return "done " if done else "to do"

    lines = [
        f"release {plan.name} from {plan.promotion} ({plan.repo}) of release {plan.from_release}: "
        f"{len(plan.branches)} packages"
    ]
    for b in plan.branches:
        lines.append(
            f"  {mark(b.done)}  branch {b.package} {b.from_branch} -> {b.branch} at {b.commit[:12]}"
        )
    entry = plan.release_entry
    btags = ", ".join(plan.buildsys_tags) or "-"
    lines.append(
        f"  {mark(plan.release_done)}  metadata: release {plan.name} (branch {entry['branch']}, "
        f"upstream {entry['upstream_branch']}, buildsys-tags {btags})"
    )
    for pin in plan.tags:
        what = f"pin {pin.ref}" if pin.ref else "tag"
        lines.append(
            f"  {mark(pin.package in plan.tags_done)}  metadata: {what} {pin.package} for "
            f"{plan.name} ({pin.why})"
        )
    lines.append(f"  {mark(plan.config_done)}  config: {plan.config_path}")
    return lines


def _metadata(settings: Settings, plan: ReleasePlan) -> list[str]:
    """Write the release, its tags file and its buildsys-tags files; returns the files written."""
    editor = ReleaseEditor(
        Path(settings.packages.path),
        settings.packages.info_files,
        cache_dir=settings.builder.data_dir / "cache" / "metadata",
    )
    if not plan.release_done:
        editor.add_release(plan.release_entry)
    tags_file = f"tags/{plan.name}.yml"
    todo = [pin for pin in plan.tags if pin.package not in plan.tags_done]
    if todo:
        editor.ensure_file(tags_file)
    for pin in todo:
        editor.tag_for_release(tags_file, pin.project, plan.name, pin.ref)
    for btag in plan.buildsys_tags:
        editor.ensure_file(f"buildsys-tags/{btag}.yml")
    return editor.save()


def apply_plan(settings: Settings, plan: ReleasePlan, say: Say) -> None:
    """Do every step of ``plan`` that is not done yet.

    Raises:
        SourceError: a push was refused (the steps before it stay done).
        MetadataError: the metadata edit would not validate (nothing of it written).
    """
    for b in plan.branches:
        if b.done:
            continue
        mirror = mirror_paths(settings, b.package)[1]
        remote.push(mirror, b.distgit, b.commit, f"refs/heads/{b.branch}")
        say(f"branched {b.package}: {b.branch} at {b.commit[:12]}")
    if not plan.release_done or len(plan.tags_done) < len(plan.tags):
        for rel in _metadata(settings, plan):
            say(f"updated {rel}")
    if not plan.config_done:
        write_config(Path(plan.config_path), plan.config_text)
        say(f"wrote {plan.config_path}")
