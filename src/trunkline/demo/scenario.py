"""The ``make demo`` scenario: a generated world, two build cycles, an FTBFS, a dnf install.

It runs the real builder (the same ``BuildCycle`` as ``trunkline build``) on a
generated world of upstream repos, distgits and rdoinfo metadata, and checks,
as it goes, the promises the README makes: every package builds in the first
cycle; after new upstream commits (one of which breaks its package on purpose)
the broken package is in FTBFS, ``current`` moves on and ``consistent`` stays
put; a package installs from ``current`` with ``dnf --installroot``; the
upper-constraints report finds every demo library in ``current``. The FTBFS
opens a period whose mail a local SMTP sink (aiosmtpd on loopback) catches and the
demo prints, and whose review (``[notify] review = "git"``) the builder pushes to
``refs/for/<branch>`` of the package's bare review remote, where the demo finds and
prints it (:mod:`.review`); a fix commit in the broken package's distgit closes it
(a third cycle), with its own mail, and the review ref is deleted. A broken
promise is a :class:`DemoError`, so ``make demo`` fails loudly instead of
printing a happy story.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from trunkline.builder.cycle import BuildCycle, CycleOptions, CycleReport
from trunkline.config import Settings, apply_overrides, load_settings
from trunkline.db.models import BuildStatus
from trunkline.demo.errors import DemoError
from trunkline.demo.mail import MailSink
from trunkline.demo.review import (
    DemoReview,
    await_review,
    deleted_review,
    pushed_review,
    say_review,
)
from trunkline.demo.world import (
    BROKEN_PACKAGE,
    INSTALL_NAMES,
    UC_LIBRARIES,
    DemoWorld,
    advance_world,
    fix_broken_distgit,
    generate_world,
    project_of,
)
from trunkline.process import run
from trunkline.publish.installcheck import dnf_base_args

MARKER = ".trunkline-demo"


@dataclass(frozen=True)
class DemoSummary:
    """What the demo produced, for the CLI to print."""

    world: DemoWorld
    first: CycleReport
    second: CycleReport
    current: Path
    consistent: Path
    ftbfs: tuple[str, ...]
    installed: tuple[str, ...]
    uc_counts: dict[str, int]
    mails: tuple[str, ...] = ()  # the mails the local SMTP sink caught, as text
    fixed: Path | None = None  # where current and consistent both point after the fix
    review: DemoReview | None = None  # the FTBFS review pushed, then deleted by the fix


Say = Callable[[str], None]


def _link_target(link: Path) -> Path:
    if not link.is_symlink():
        raise DemoError(f"{link}: expected a symlink to a hashed repo")
    return link.resolve()


def prepare_dir(root: Path, say: Say) -> None:
    """Start from a clean demo dir; refuse to wipe a directory that is not a demo."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise DemoError(f"{root}: exists and is not a trunkline demo; choose another --dir")
        say(f"removing the previous demo in {root}")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)


def install_from_current(
    world: DemoWorld, current: Path, base_repos: tuple[str, ...], packages: list[str]
) -> tuple[str, ...]:
    """Really install ``packages`` from ``current`` (+ the demo base repo) into a temp root."""
    root = Path(tempfile.mkdtemp(prefix="installroot-", dir=world.data_dir))
    try:
        repos = [("demo-current", current.as_uri())]
        repos += [(f"demo-base{i}", url) for i, url in enumerate(base_repos)]
        argv = dnf_base_args(root, world.data_dir / "dnf-cache", repos)
        run(
            [*argv, "install", *packages], timeout=600, log_path=world.data_dir / "demo-install.log"
        )
        out = run(["rpm", "--root", str(root), "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}\\n"])
        return tuple(sorted(out.stdout.split()))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report_uc(settings: Settings) -> dict[str, int]:
    """``trunkline uc report`` on the world: store the run, write uc.html; counts per status."""
    import time

    from trunkline.constraints.report import counts
    from trunkline.constraints.service import compute_report, store_report
    from trunkline.db.engine import open_database, session_factory, session_scope

    report = compute_report(settings)
    found = {r.module for r in report.rows if r.package}
    if not set(UC_LIBRARIES) <= found:
        missing = ", ".join(sorted(set(UC_LIBRARIES) - found))
        raise DemoError(f"uc report should find every demo library in current: {missing}")
    engine = open_database(settings.database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            store_report(session, settings, report, now=int(time.time()))
    finally:
        engine.dispose()
    return counts(report.rows)


def run_demo(root: Path, say: Say) -> DemoSummary:
    """Generate the world, run the cycles, check the promises, install from current."""
    with MailSink() as sink:
        return _run_demo(root, say, sink)


def _caught(sink: MailSink, before: int, subject: str, say: Say) -> list[str]:
    """The mails caught since ``before``; one whose subject has ``subject`` must be there."""
    texts = [m.decode("utf-8", errors="replace") for m in sink.messages[before:]]
    if not any(subject in t for t in texts):
        raise DemoError(f"the SMTP sink on port {sink.port} caught no mail about {subject!r}")
    for text in texts:
        say(f"mail caught by the local SMTP sink (127.0.0.1:{sink.port}):")
        mail = email.message_from_string(text, policy=email.policy.default)
        for header in ("From", "To", "Subject", "Message-ID"):
            say(f"  | {header}: {mail[header]}")
        say("  |")
        body = mail.get_body(preferencelist=("plain",))
        for line in (body.get_content() if body is not None else text).splitlines():
            say(f"  | {line}")
    return texts


def _period_of(cycle: BuildCycle, package: str) -> dict[str, object]:
    from trunkline.ftbfs.listing import periods

    with cycle.sessions() as session:
        found = periods(session, cycle.settings, now=0, closed=True, package=package)
    if not found:
        raise DemoError(f"{package}: no FTBFS period was opened")
    return found[0]


def _run_demo(root: Path, say: Say, sink: MailSink) -> DemoSummary:
    prepare_dir(root, say)
    (root / MARKER).write_text("trunkline demo world\n")
    say(f"generating the demo world in {root}")
    world = generate_world(root)
    # [notify] pointed at the local sink: the builder's own mail channel sends to it;
    # reviews go to the packages' bare review remotes (plain git: the "git" driver)
    settings = apply_overrides(
        load_settings(world.config_path),
        (
            f'notify.smtp_server="{sink.host}"',
            f"notify.smtp_port={sink.port}",
            'notify.review="git"',
        ),
    )
    cycle = BuildCycle(settings, progress=say)

    say(f"cycle 1: building {len(world.packages)} packages")
    first = cycle.run(CycleOptions())
    bad = [o for o in first.outcomes if o.status is not BuildStatus.SUCCESS]
    if bad or first.source_errors or not first.outcomes:
        detail = "; ".join(f"{o.package}: {o.error}" for o in bad) or str(first.source_errors)
        raise DemoError(f"cycle 1 should build every package: {detail or 'nothing was built'}")
    repos = settings.builder.repos_path
    consistent_before = _link_target(repos / "consistent")

    changes = advance_world(world)
    say("new upstream commits: " + ", ".join(f"{p} ({s})" for p, s in changes))
    say("cycle 2: building the new commits")
    second = cycle.run(CycleOptions())
    ftbfs = tuple(sorted({o.package for o in second.failed}))
    if not ftbfs:
        raise DemoError("cycle 2 should have an FTBFS (a commit breaks a package on purpose)")
    current = _link_target(repos / "current")
    consistent = _link_target(repos / "consistent")
    if consistent != consistent_before:
        raise DemoError("'consistent' moved although a package is in FTBFS")
    if current == consistent_before:
        raise DemoError("'current' did not move to the newest good build")

    period = _period_of(cycle, BROKEN_PACKAGE)
    if period["closed_at"] is not None:
        raise DemoError(f"{BROKEN_PACKAGE}: its FTBFS period should be open")
    mails = _caught(sink, 0, f"{BROKEN_PACKAGE} failed to build", say)
    bare = world.review(project_of(BROKEN_PACKAGE))
    review, _ = await_review(
        lambda: _period_of(cycle, BROKEN_PACKAGE),
        cycle.sessions,
        "ftbfs.opened",
        lambda r: r["state"] == "open",
    )
    seen = pushed_review(bare, review, f"{BROKEN_PACKAGE}.spec")
    say_review(say, seen)

    names = list(INSTALL_NAMES)
    say(f"installing {', '.join(names)} from current with dnf --installroot")
    installed = install_from_current(world, current, settings.install_check.base_repos, names)
    say("uc report: upper-constraints.txt against current and the base repo")
    uc_counts = report_uc(settings)

    subject = fix_broken_distgit(world)
    say(f"cycle 3: a distgit fix for {BROKEN_PACKAGE} ({subject}) closes its FTBFS")
    before = len(sink.messages)
    cycle.run(CycleOptions())
    period = _period_of(cycle, BROKEN_PACKAGE)
    fix = period["fix"]
    if period["closed_at"] is None or not isinstance(fix, dict) or fix["fixed_by"] != "distgit":
        raise DemoError(f"{BROKEN_PACKAGE}: the distgit fix should close its FTBFS period")
    mails += _caught(sink, before, f"{BROKEN_PACKAGE} builds again", say)
    review, detail = await_review(
        lambda: _period_of(cycle, BROKEN_PACKAGE),
        cycle.sessions,
        "ftbfs.fixed",
        lambda r: r["state"] != "open",
    )
    deleted_review(bare, seen, review)
    seen = replace(seen, closed=detail)
    say(f"review abandoned: {seen.ref} deleted from {bare} (FTBFS review_state abandoned)")
    say(f"  | delivery result: {detail}")
    fixed = _link_target(repos / "current")
    if _link_target(repos / "consistent") != fixed or fixed == current:
        raise DemoError("after the fix, 'current' and 'consistent' should meet on its build")
    return DemoSummary(
        world,
        first,
        second,
        current,
        consistent,
        ftbfs,
        installed,
        uc_counts,
        tuple(mails),
        fixed,
        seen,
    )
