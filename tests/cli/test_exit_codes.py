"""Every documented exit code, through the installed ``trunkline`` script (DESIGN rule 18).

One table, :data:`CASES`: a command line, what to prepare, the exit code and
what the command says. An error (a ``TrunklineError``) is exactly one stderr line
``trunkline: error: ...``; a usage error is click's message, code 2; a result
that is not a success (FTBFS, lint problems, ``reqcheck --strict``) is printed
and ends with its own code. The checks after the table keep it honest: every
command has a case that succeeds, every code of README's exit-code table has a
case, and no command module calls ``sys.exit`` behind ``cli/app.py``'s back.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.sandbox import Sandbox
from tests.conftest import git
from tests.dlrncompat.realistic import write_ini
from tests.metadata.conftest import EDIT_TREE
from tests.notify.smtpsink import smtp_sink
from trunkline.builder.lock import BuilderLock
from trunkline.cli.app import COMMANDS, EXIT_INTERRUPTED, exit_status
from trunkline.distgit.newversion import new_version

ROOT = Path(__file__).resolve().parents[2]
Setup = Callable[[Sandbox], None]
# commands whose cases name a subcommand too
GROUPS = ("distgit", "meta", "user", "dlrn", "notify", "outbox", "release", "stable", "uc", "ftbfs")


def _nothing(sb: Sandbox) -> None:
    """No preparation."""


@dataclass(frozen=True)
class Case:
    """``trunkline ARGV`` in a sandbox after ``setup``: exits ``code`` and says ``says``.

    ``argv`` and ``says`` name sandbox places as ``{name}``. ``says`` is a regex;
    for an error (``stderr_lines`` set) it must match the last stderr line whole,
    and stderr must have exactly that many lines; otherwise it is searched for in
    stdout and stderr together.
    """

    id: str
    argv: tuple[str, ...]
    code: int
    says: str
    setup: Setup = _nothing
    stderr_lines: int | None = None

    @property
    def command(self) -> str:
        """The command the case runs: ``build``, ``distgit lint``... (no global options)."""
        words = list(self.argv)
        while words and words[0].startswith("-"):
            words = words[2:] if words[0] in ("-c", "--config") else words[1:]
        if not words:
            return ""
        if words[0] in GROUPS and len(words) > 1 and not words[1].startswith("-"):
            return f"{words[0]} {words[1]}"
        return words[0]


def _stable_built(sb: Sandbox) -> None:
    """The stable world's python-foo built into candidate (through the script)."""
    done = sb.run(
        ["-c", sb["stable_cfg"], "stable", "build", "python-foo", "--release", "flamingo"]
    )
    assert done.returncode == 0, done.stderr


def ok(id: str, argv: str, says: str, setup: Setup = _nothing) -> Case:
    """The command succeeds (0)."""
    return Case(id, tuple(argv.split()), 0, says, setup)


def error(id: str, argv: str, code: int, message: str, setup: Setup = _nothing) -> Case:
    """The command fails with one stderr line ``trunkline: error: MESSAGE``."""
    return Case(id, tuple(argv.split()), code, f"trunkline: error: {message}", setup, 1)


def status(id: str, argv: str, code: int, says: str, setup: Setup = _nothing) -> Case:
    """The command prints its result (which is not a success) and ends with ``code``."""
    return Case(id, tuple(argv.split()), code, says, setup)


def usage(id: str, argv: str, message: str) -> Case:
    """Click refuses the command line: its usage message, code 2."""
    return Case(id, tuple(argv.split()), 2, f"Error: {message}")


# --- setups ----------------------------------------------------------------------------


def hold_lock(sb: Sandbox) -> None:
    """Another run holds the builder lock while the command runs."""
    sb.stack.enter_context(BuilderLock(sb.path("data")))


def make_repos(sb: Sandbox) -> None:
    """The builder has a (still empty) repo tree."""
    (sb.path("data") / "repos").mkdir(parents=True)


def built_package(sb: Sandbox) -> None:
    """The builder has one (failed) build of python-foo: an open FTBFS period."""
    from trunkline.config import load_settings
    from trunkline.db.engine import open_database, session_factory
    from trunkline.db.models import BuildStatus, Commit
    from trunkline.ftbfs.lifecycle import replay_history

    settings = load_settings(sb.path("cfg"))
    engine = open_database(settings.database_url)
    with session_factory(engine)() as session:
        session.add(
            Commit(
                dt_commit=1,
                dt_distro=1,
                dt_build=1,
                project_name="python-foo",
                commit_hash="a" * 40,
                distro_hash="b" * 40,
                status=BuildStatus.FAILED,
            )
        )
        session.flush()
        replay_history(session)
        session.commit()
    engine.dispose()


def second_spec(sb: Sandbox) -> None:
    """The distgit has two spec files: a lint error."""
    shutil.copy(sb.path("distgit") / "python-foo.spec", sb.path("distgit") / "second.spec")


def stopped_new_version(sb: Sandbox) -> None:
    """A new-version to 1.2.0 stopped on a conflict that nobody resolved."""
    assert new_version(sb.path("distgit"), "1.2.0").conflict_worktree is not None


def add_user(sb: Sandbox) -> None:
    """The builder's database has the API user ``ci``."""
    assert sb.run(["-c", sb["cfg"], "user", "create", "ci", "--password", "pw"]).returncode == 0


def projects_ini(sb: Sandbox) -> None:
    """DLRN's projects.ini in the sandbox: a realistic one (every option set)."""
    write_ini(sb.tmp)


def bad_projects_ini(sb: Sandbox) -> None:
    """A projects.ini with an option before any section."""
    (sb.tmp / "projects.ini").write_text("workers=2\n")


def smtp_up(sb: Sandbox) -> None:
    """A real SMTP server (aiosmtpd) listens on the mail config's port while the command runs."""
    sb.stack.enter_context(smtp_sink(port=int(sb["smtp_port"])))


def uc_files(sb: Sandbox) -> None:
    """Upper-constraints files (a good one, a bad one) and a metadata git repo with tags/."""
    (sb.tmp / "uc.txt").write_text("nova===31.1.0\nPyYAML===6.0.2;python_version>='3.10'\n")
    (sb.tmp / "bad-uc.txt").write_text("nova 31.1.0\n")
    root = sb.tmp / "uc-info"
    for rel, text in EDIT_TREE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "metadata")


LOCKED = r"{data}/trunkline\.lock: another trunkline run \(pid \d+\) is using this builder; .*"
CONFLICT = r"  trunkline distgit new-version --continue   \(or --abort\)"

CASES = [
    # the root command and click's own errors
    ok("help", "--help", r"Commands:\n"),
    ok("version", "--version", r"^trunkline, version \S+\n$"),
    usage("unknown-command", "nosuch", r"No such command 'nosuch'\."),
    usage("unknown-option", "info --nosuch", r"No such option: --nosuch|No such option '--nosuch'"),
    usage("missing-option", "-c {cfg} purge", r"Missing option '--older-than'\."),
    error("no-config", "build", 2, r"trunkline\.toml: config file not found \(.*\)"),
    error("bad-config", "-c {bad_cfg} build", 2, r"{bad_cfg}: unknown key 'builder\.workerz'"),
    # init
    ok("init", "init -o new.toml", r"wrote new\.toml"),
    error("init-exists", "init -o {cfg}", 2, r"{cfg}: already exists \(use --force to overwrite\)"),
    # build: one real rpmbuild per outcome
    ok("build-dry-run", "-c {cfg} build --dry-run -p alpha", r"would build alpha [0-9a-f]{8} "),
    ok("build", "-c {cfg} build -p alpha", r"1 built: 1 ok, 0 failed, 0 to retry"),
    status("build-ftbfs", "-c {cfg} build -p broken", 12, r"FTBFS broken [0-9a-f]{8}: "),
    status("build-transient", "-c {cfg} build -p gone", 13, r"source error: gone: "),
    error("build-locked", "-c {cfg} build", 10, LOCKED, hold_lock),
    error(
        "build-serve-dry-run",
        "-c {cfg} build --serve --dry-run",
        2,
        r"--serve: not with --dry-run, --run, --status, --recheck or --json",
    ),
    error("build-locked-dlrn", "-c {cfg} build --exit-codes dlrn", 1, LOCKED, hold_lock),
    status("build-transient-dlrn", "-c {cfg} build -p gone --exit-codes dlrn", 2, r"gone: "),
    error(
        "remote-import-not-http",
        "-c {cfg} remote-import file:///x",
        2,
        r"repo_url 'file:///x': expected an http:// or https:// URL",
    ),
    error(
        "remote-import-unreachable",
        "-c {cfg} remote-import http://127.0.0.1:9/x",
        6,
        r"http://127\.0\.0\.1:9/x/commit\.yaml: .*",
    ),
    ok("build-status", "-c {cfg} build --status -p alpha", r"      rpm alpha NO_BUILD"),
    error(
        "build-unknown-package",
        "-c {cfg} build -p nosuch",
        3,
        r"package 'nosuch': not in the followed package list \(3 packages\)",
    ),
    # report
    ok("report", "-c {cfg} report", r"report\.html: 1 page\(s\); "),
    error("report-database", "-c {nodb_cfg} report", 9, r"database url nope://x: .*"),
    error("report-os-error", "-c {under_file_cfg} report", 74, r"\[Errno 20\] Not a directory: .*"),
    # upper-constraints
    ok(
        "uc-report", "-c {cfg} uc report --uc {tmp}/uc.txt", r"2 module\(s\): .*missing 2", uc_files
    ),
    error(
        "uc-report-bad-line",
        "-c {cfg} uc report --uc {tmp}/bad-uc.txt",
        2,
        r"{tmp}/bad-uc\.txt:1: .*\(expected name===version\)",
        uc_files,
    ),
    ok(
        "uc-propose",
        "uc propose --tag flamingo --uc {tmp}/uc.txt --info {tmp}/uc-info",
        r"bump nova: \(none\) -> 31\.1\.0\ncommitted [0-9a-f]{12}: 1 pin\(s\) moved",
        uc_files,
    ),
    error(
        "uc-propose-no-tag-file",
        "uc propose --tag epoxy --uc {tmp}/uc.txt --info {tmp}/uc-info",
        3,
        r"{tmp}/uc-info/tags/epoxy\.yml: not found \(expected the file of tag 'epoxy'\)",
        uc_files,
    ),
    # metadata queries
    ok("info", "info --info {info} nova", r"1 packages found:"),
    error("info-nowhere", "info --info {tmp}/nowhere", 3, r"{tmp}/nowhere: metadata location .*"),
    error("info-bad-yaml", "info --info {bad_yaml}", 3, r"rdo\.yml:2: not valid YAML: .*"),
    error("info-no-location", "info nova", 2, r"--info: no metadata location \(.*\)"),
    ok("findpkg", "findpkg --info {info} nova", r"name: openstack-nova"),
    error("findpkg-none", "findpkg --info {info} nosuch", 3, r"findpkg 'nosuch': no package .*"),
    ok("release", "release --info {info}", r"^flamingo epoxy\n$"),
    error(
        "release-unknown", "release --info {info} -r nosuch", 3, r"release 'nosuch': not defined .*"
    ),
    ok("release-show", "release show --info {info}", r"^flamingo epoxy\n$"),
    error(
        "release-new-unknown-promotion",
        "-c {cfg} release new gazpacho --from current",
        2,
        r"--from 'current': no such promotion in {data}/repos \(expected current, .*\)",
    ),
    error(
        "release-new-locked", "-c {cfg} release new gazpacho --from current", 10, LOCKED, hold_lock
    ),
    error(
        "release-new-options-first",
        "release --info {info} new gazpacho --from current",
        2,
        r"release new: --info given before the subcommand \(put options after 'new'\)",
    ),
    error(
        "stable-propose-unknown-release",
        "-c {cfg} stable propose --release nosuch",
        3,
        r"release 'nosuch': not defined \(known: trunk\)",
    ),
    ok("validate", "validate --info {info}", r"0 errors, 0 warnings"),
    # upstream-version
    ok("upstream-version", "upstream-version {distgit} --json", r'"source": "'),
    error(
        "upstream-version-not-git", "upstream-version {empty}", 6, r"{empty}: not a git repository"
    ),
    Case(
        "validate-errors",
        ("validate", "--info", "{invalid_info}"),
        3,
        r"trunkline: error: validate: 1 errors \(first: rdo\.yml:\d+: error: .*\)",
        stderr_lines=2,  # the summary line, then the error
    ),
    ok("diff", "diff -i rdo.yml --info {info_git}", r"^\+ openstack-glance\n$"),
    # without -i: rdo-full.yml where the revision has one, else rdo.yml
    ok("diff-entry-file", "diff --info {info_git}", r"^\+ openstack-glance\n$"),
    error(
        "diff-bad-ref",
        "diff -i rdo.yml --info {info_git} nosuch HEAD",
        3,
        r"{info_git}: ref 'nosuch' not found \(expected a branch, tag or commit\)",
    ),
    ok("meta-pin", "meta pin nova flamingo stable/x --info {info}", r"updated rdo\.yml"),
    ok("meta-unpin", "meta unpin nova epoxy --info {info}", r"updated rdo\.yml"),
    ok("meta-tag", "meta tag python-oslo-config epoxy --info {info}", r"updated rdo\.yml"),
    ok(
        "meta-set-nvr",
        "meta set-nvr nova cloud9s-openstack-flamingo-testing openstack-nova-31.0.1-1.el9s "
        "--info {edit_info}",
        r"updated buildsys-tags/cloud9s-openstack-flamingo-testing\.yml",
    ),
    error(
        "meta-set-nvr-refused",
        "meta set-nvr nova cloud9s-openstack-flamingo-testing nova-1-1 --info {edit_info}",
        3,
        r"edit refused, it would add: .*: NVR 'nova-1-1' does not start with the package name .*",
    ),
    ok(
        "meta-add-package", "meta add-package glance --conf core --info {info}", r"updated rdo\.yml"
    ),
    error(
        "meta-unknown", "meta pin nosuch epoxy x --info {info}", 3, r"package 'nosuch': not in .*"
    ),
    error(
        "meta-not-a-dir",
        "meta tag nova epoxy --info {info}@HEAD",
        2,
        r"--info {info}: edits need a local directory .*",
    ),
    # distgit tools
    ok("clone", "distgit clone python-foo --info {clone_info} -d co", r"cloned .* into co"),
    error("clone-unknown", "distgit clone nosuch --info {clone_info}", 3, r"package 'nosuch': .*"),
    error(
        "clone-gone",
        "distgit clone python-foo --info {clone_info_gone}",
        6,
        r"file://{tmp}/no-such-distgit: cannot clone distgit of python-foo: .*",
    ),
    ok("new-version", "distgit new-version -b -C {distgit} 1.1.0", r"updated 1\.0\.0 -> 1\.1\.0"),
    status("new-version-conflict", "distgit new-version -C {distgit} 1.2.0", 1, CONFLICT),
    status(
        "new-version-still-conflicts",
        "distgit new-version --continue -C {distgit}",
        1,
        CONFLICT,
        stopped_new_version,
    ),
    error(
        "new-version-nothing-to-continue",
        "distgit new-version --continue -C {distgit}",
        2,
        r"{distgit}: no new-version in progress to continue",
    ),
    error(
        "new-version-not-git", "distgit new-version -C {empty}", 5, r"git failed \(exit 128\): .*"
    ),
    ok("fix", "distgit fix -C {distgit} -m Rebuild", r"python-foo-1\.0\.0-2: commit [0-9a-f]+"),
    error("fix-bad-part", "distgit fix -C {distgit} -R nope -m x", 2, r"--release-part 'nope': .*"),
    ok("patch", "distgit patch -C {distgit}", r"\d+ patches on \S+ from "),
    ok("reqcheck", "distgit reqcheck -C {distgit}", r"MISMATCH:"),
    status(
        "reqcheck-missing",
        "distgit reqcheck -C {setuptools_distgit} -R 1.1.0 --strict",
        2,
        r"MISSING:",
    ),
    status(
        "reqcheck-mismatch", "distgit reqcheck -C {setuptools_distgit} --strict", 4, r"MISMATCH:"
    ),
    error("reqcheck-no-spec", "distgit reqcheck -C {empty}", 4, r"{empty}: no \*\.spec file .*"),
    ok("reqdiff", "distgit reqdiff -C {distgit}", r"requirements\.txt 1\.0\.0 -> 1\.2\.0"),
    error("reqdiff-refs", "distgit reqdiff -C {distgit} a b c", 2, r"reqdiff: expected .*"),
    ok("lint", "distgit lint --checks sanity -C {distgit}", r"no problems found"),
    status("lint-problems", "distgit lint -C {distgit}", 23, r"E: spec: .*", second_spec),
    # API users, purge, sync, demo
    ok("user-create", "-c {cfg} user create ci --password pw", r"created user ci \(read-write\)"),
    ok("user-list", "-c {cfg} user list", r"\A\Z"),
    ok(
        "user-passwd", "-c {cfg} user passwd ci --password pw2", r"changed password of ci", add_user
    ),
    ok("user-delete", "-c {cfg} user delete ci", r"deleted user ci", add_user),
    error("user-unknown", "-c {cfg} user delete nosuch", 2, r"user 'nosuch': no such user"),
    error("user-database", "-c {nodb_cfg} user list", 9, r"database url nope://x: .*"),
    ok(
        "purge-dry-run", "-c {cfg} purge --older-than 1 --dry-run", r"dry run: 0 repo\(s\) would go"
    ),
    ok("purge", "-c {cfg} purge --older-than 1", r"purged: 0 removed, "),
    error("purge-locked", "-c {cfg} purge --older-than 1", 10, LOCKED, hold_lock),
    ok("ftbfs-list", "-c {cfg} ftbfs list", r"no package in FTBFS"),
    ok("ftbfs-list-json", "-c {cfg} ftbfs list --all --json", r"\[\]"),
    ok(
        "ftbfs-show",
        "-c {cfg} ftbfs show python-foo --json",
        r'"in_ftbfs": true',
        built_package,
    ),
    error(
        "ftbfs-show-unknown",
        "-c {cfg} ftbfs show nosuch",
        3,
        r"package 'nosuch': the builder never built it",
    ),
    ok("sync", "-c {sync_cfg} sync", r"synced {data}/repos to {tmp}/mirror", make_repos),
    error("sync-no-targets", "-c {cfg} sync", 2, r"{cfg}: \[replication\] targets is empty; .*"),
    error("sync-no-repos", "-c {sync_cfg} sync", 8, r"{data}/repos: no repo tree to replicate"),
    error("sync-locked", "-c {sync_cfg} sync", 10, LOCKED, hold_lock),
    ok(
        "dlrn-import-config",
        "dlrn import-config projects.ini -o out.toml",
        r"wrote out\.toml: 26 options carried, 10 not carried",
        projects_ini,
    ),
    error(
        "dlrn-import-config-bad-ini",
        "dlrn import-config projects.ini",
        2,
        r"projects\.ini: not a DLRN ini file: line 1: text before the first \[section\]",
        bad_projects_ini,
    ),
    error("demo-not-a-demo", "demo --dir {info}", 20, r"{info}: exists and is not a trunkline .*"),
    error("api-database", "-c {nodb_cfg} api", 9, r"database url nope://x: .*"),
    # notifications and the outbox
    ok(
        "notify-test-mail",
        "-c {mail_cfg} notify test-mail --to ops@example.org",
        r"^smtp 127\.0\.0\.1:\d+: accepted for 1 recipient\(s\)$",
        smtp_up,
    ),
    error(
        "notify-test-mail-down",
        "-c {mail_cfg} notify test-mail",
        14,
        r"smtp 127\.0\.0\.1:\d+: \[Errno 111\] Connection refused",
    ),
    error(
        "notify-test-mail-no-server",
        "-c {cfg} notify test-mail",
        2,
        r"{cfg}: \[notify\] smtp_server is not set: no mail",
    ),
    ok("outbox-list", "-c {cfg} outbox list", r"^the outbox is empty$"),
    ok("outbox-list-json", "-c {cfg} outbox list --pending --json", r"^\[\]$"),
    error("outbox-list-database", "-c {nodb_cfg} outbox list", 9, r"database url nope://x: .*"),
    error(
        "web-database",
        "-c {nodb_cfg} web",
        9,
        r"database url 'nope://x': no read-only mode known for nope",
    ),
    error("web-no-site", "web --site {tmp}/nope.toml", 2, r"{tmp}/nope\.toml: site file not found"),
    error(
        "worker-other-arch",
        "worker --broker amqp://127.0.0.1:9/ --builder-url http://127.0.0.1:9 "
        "--token 0123456789abcdef --queue build.s390x.rpmbuild",
        2,
        r"--queue build\.s390x\.rpmbuild: this worker builds \S+ with rpmbuild; .*",
    ),
    error(
        "worker-no-broker",
        "worker --builder-url http://127.0.0.1:9 --token 0123456789abcdef",
        2,
        r"--broker: missing \(give the broker's amqp:// URL, or \[workers\] broker_url\)",
    ),
    error(
        "worker-no-token",
        "worker --broker amqp://127.0.0.1:9/ --builder-url http://127.0.0.1:9",
        2,
        r"--token: the builder's \[workers\] token is needed .*",
    ),
    # moving from DLRN
    ok("dlrn-import-db", "-c {cfg} dlrn import-db sqlite:///{dlrn_db}", r"imported 2 rows into "),
    error(
        "dlrn-import-db-no-file",
        "-c {cfg} dlrn import-db sqlite:///{tmp}/nope.sqlite",
        2,
        r"DLRN_DB_URL '.*': no SQLite file at {tmp}/nope\.sqlite",
    ),
    error(
        "dlrn-db-opened-directly",
        "-c {dlrn_cfg} user list",
        9,
        r"database .*: a DLRN database \(alembic revision 3c62b0d3ec34\), not trunkline's; .*"
        r"'trunkline dlrn import-db DLRN_DB_URL'",
    ),
    ok(
        "stable-status",
        "-c {stable_cfg} stable status --release flamingo",
        r"^candidate\tcloud9s-openstack-flamingo-candidate\t[0-9a-f]{64}\t-$",
    ),
    ok(
        "stable-status-json",
        "-c {stable_cfg} stable status --release flamingo --json",
        r'"phase": "candidate",\n    "tag": "cloud9s-openstack-flamingo-candidate"',
    ),
    ok(
        "stable-build",
        "-c {stable_cfg} stable build python-foo --release flamingo",
        r"python-foo-1\.2\.0-1\.el9s: built and tagged into cloud9s-openstack-flamingo-candidate",
    ),
    ok(
        "stable-promote",
        "-c {stable_cfg} stable promote python-foo-1.2.0-1.el9s --to testing",
        r"python-foo-1\.2\.0-1\.el9s: tagged into cloud9s-openstack-flamingo-testing, review",
        _stable_built,
    ),
    error(
        "stable-build-unknown-release",
        "-c {stable_cfg} stable build python-foo --release nope",
        3,
        r"release 'nope': unknown \(the metadata defines: flamingo\)",
    ),
    error(
        "stable-build-fails",
        "-c {stable_cfg} stable build python-foo --release flamingo",
        7,
        r"build python-foo-1\.2\.0-1\.el9s already exists \(an NVR is built once\)",
        _stable_built,
    ),
    error(
        "stable-promote-not-in-phase-below",
        "-c {stable_cfg} stable promote python-foo-1.2.0-1.el9s --to release",
        11,
        r"python-foo-1\.2\.0-1\.el9s: not in the testing phase of any release",
        _stable_built,
    ),
]

# Commands whose success is tested apart from the table, and where.
TESTED_APART = {
    "api": "test_signals.py: it serves until a signal stops it",
    "web": "tests/web/test_cli.py: it serves until a signal stops it",
    "demo": "tests/demo/test_demo.py, in-process: 35 s of builds (the table has its exit 20)",
    "remote-import": "test_dlrn_options.py: needs a build served over HTTP",
    "release new": "tests/releasetime/test_release_new.py: needs a built demo world",
    "stable propose": "tests/releasetime/test_stable_propose.py: needs a built demo world",
    "worker": "tests/workers/test_routing.py: it serves until a signal stops it (exit 0)",
}


def _fill(text: str, sb: Sandbox, *, escape: bool = False) -> str:
    """``text`` with each ``{place}`` replaced by the sandbox's path (``escape``: for a regex)."""

    def place(match: re.Match[str]) -> str:
        value = sb[match[1]]
        return re.escape(value) if escape else value

    return re.sub(r"\{([a-z_]+)\}", place, text)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_exit_code(case: Case, sandbox: Sandbox) -> None:
    argv = [_fill(word, sandbox) for word in case.argv]
    case.setup(sandbox)

    result = sandbox.run(argv)

    said = _fill(case.says, sandbox, escape=True)
    output = result.stdout + result.stderr
    assert result.returncode == case.code, output
    assert "Traceback" not in result.stderr
    if case.stderr_lines is None:
        assert re.search(said, output, re.MULTILINE), output
    else:
        lines = result.stderr.splitlines()
        assert len(lines) == case.stderr_lines, result.stderr
        assert re.fullmatch(said, lines[-1]), result.stderr


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("-c", "{bad_cfg}", "build"), 2),
        (("distgit", "reqcheck", "-C", "{empty}"), 4),
    ],
)
def test_debug_shows_the_traceback_and_keeps_the_code(
    argv: tuple[str, ...], code: int, sandbox: Sandbox
) -> None:
    quiet = sandbox.run([_fill(word, sandbox) for word in argv])
    loud = sandbox.run(["--debug", *(_fill(word, sandbox) for word in argv)])

    assert (quiet.returncode, loud.returncode) == (code, code)
    assert "\nTraceback (most recent call last):\n" in f"\n{loud.stderr}"
    assert loud.stderr.splitlines()[-1] == quiet.stderr.strip()


# --- the table covers every command and every documented code ----------------------------


def _all_commands() -> set[str]:
    """Every command name, groups' subcommands as ``group sub``, from the click tree."""
    import click

    from trunkline.cli.app import cli

    names = set()
    with click.Context(cli) as ctx:
        for name in cli.list_commands(ctx):
            cmd = cli.get_command(ctx, name)
            if isinstance(cmd, click.Group):
                names.update(f"{name} {sub}" for sub in cmd.commands)
            else:
                names.add(name)
    return names


def test_every_command_has_a_case_that_succeeds() -> None:
    succeeding = {case.command for case in CASES if case.code == 0}
    assert set(COMMANDS) >= set(GROUPS)
    assert _all_commands() - succeeding == set(TESTED_APART)


def test_every_code_of_the_readme_table_has_a_case() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Exit codes\n", 1)[1].strip().split("\n\n", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    tested = {case.code for case in CASES} | {EXIT_INTERRUPTED}  # test_signals.py
    assert documented == tested


def test_every_command_module_ends_through_cli_app() -> None:
    """No ``sys.exit``/``os._exit`` in cli/*.py: a status is ``ctx.exit(CODE)`` or an error."""
    calls = []
    for module in sorted((ROOT / "src" / "trunkline" / "cli").glob("*.py")):
        if module.name == "app.py":
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("sys.exit", "os._exit", "exit", "quit"):
                    calls.append(f"{module.name}:{node.lineno}: {name}")
    assert calls == []


@pytest.mark.parametrize(("returned", "code"), [(None, 0), (0, 0), (12, 12), (23, 23)])
def test_what_click_returns_is_the_status(returned: object, code: int) -> None:
    assert exit_status(returned) == code


@pytest.mark.parametrize("returned", [True, "1", [None, None]])
def test_a_command_returning_a_value_is_a_bug(returned: object) -> None:
    with pytest.raises(TypeError, match=r"end with ctx\.exit"):
        exit_status(returned)


def test_an_unexpected_exception_is_one_line_and_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug (any exception outside the error tree) still ends in one stderr line."""
    import click

    from trunkline.cli import app

    @click.command()
    def boom() -> None:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(app, "cli", boom)
    assert app.run([]) == app.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "trunkline: internal error: RuntimeError: something nobody expected "
        "(a bug; --debug shows the traceback)"
    ]
