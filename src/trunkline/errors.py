"""The one exception tree of trunkline.

Every error a user can cause or meet is a subclass of :class:`TrunklineError`, and
its ``str()`` is a single line that names the file, the field and what was
expected. The CLI (``cli/app.py``) is the only place that turns these into exit
codes and messages, so library code raises and never prints.

::

    TrunklineError                      exit 1
    ├── ConfigError                     exit 2   bad or missing configuration
    ├── InputError                      exit 2   bad user input (names, options)
    │   └── UnsafeNameError                      a name that would escape a path
    ├── MetadataError                   exit 3   packaging metadata cannot be used
    │   ├── MetadataLoadError                    YAML syntax, import cycles, missing files
    │   └── UnknownPackageError                  a name not in the metadata
    ├── SpecError                       exit 4   a spec file cannot be read or rewritten
    ├── CommandError                    exit 5   an external tool failed (git, rpmbuild, …)
    │   └── CommandTimeoutError                   it ran past its timeout
    ├── SourceError                     exit 6   upstream/distgit unreachable or broken
    ├── BuildError                      exit 7   a build could not be produced
    ├── PublishError                    exit 8   a repo could not be published
    ├── DatabaseError                   exit 9   the database is unusable or out of date
    ├── LockedError                     exit 10  another run holds the builder lock
    ├── PromotionError                  exit 11  a promotion cannot be made
    └── DeliveryError                   exit 14  a mail, review or event could not be sent

``demo``'s ``DemoError`` (exit 20) lives in ``demo/scenario.py``.

Not errors, but statuses a command ends with after printing its result (it raises
``click.exceptions.Exit(CODE)``): ``build`` 12 FTBFS, 13 transient only (``cli/build.py``);
``distgit lint`` 23 (``distgit/lint.py``); ``distgit reqcheck --strict`` 2 missing,
4 mismatch (``distgit/reqcheck.py``); ``distgit new-version`` 1 stopped on a rebase
conflict. ``cli/app.py``'s ``run()`` turns both into the process status (an
interrupt is 130); README.md's "Exit codes" table lists them per command and
``tests/cli/test_exit_codes.py`` runs each through the installed script.
"""

from __future__ import annotations


class TrunklineError(Exception):
    """Base of every error trunkline reports to a user as one line."""

    exit_code = 1

    def __str__(self) -> str:
        text = super().__str__()
        # One line, always: a multi-line message would break log parsers and the CLI contract.
        return " ".join(text.split()) if "\n" in text else text


class ConfigError(TrunklineError):
    """The configuration file is missing, malformed or has a bad value."""

    exit_code = 2


class InputError(TrunklineError):
    """A command-line argument or API input is not acceptable."""

    exit_code = 2


class UnsafeNameError(InputError):
    """A name that becomes a path component contains `/`, `..` or control characters."""


class MetadataError(TrunklineError):
    """The packaging metadata cannot be loaded or queried."""

    exit_code = 3


class MetadataLoadError(MetadataError):
    """A metadata file is unreadable, malformed, or its imports form a cycle."""


class EntryFileMissingError(MetadataLoadError):
    """The entry file itself (``rdo.yml``, ``rdo-full.yml``) is not in the tree."""


class UnknownPackageError(MetadataError):
    """A package name that the metadata (or the package source) does not list."""


class SpecError(TrunklineError):
    """A spec file cannot be parsed, expanded or rewritten."""

    exit_code = 4


class CommandError(TrunklineError):
    """An external command exited non-zero; carries the tool's meaningful error line."""

    exit_code = 5

    def __init__(self, argv: list[str], returncode: int, detail: str) -> None:
        self.argv = argv
        self.returncode = returncode
        self.detail = detail
        tool = argv[0].rsplit("/", 1)[-1] if argv else "command"
        super().__init__(f"{tool} failed (exit {returncode}): {detail}")


class CommandTimeoutError(CommandError):
    """An external command ran past its timeout and was killed."""


class SourceError(TrunklineError):
    """An upstream or distgit repository cannot be fetched or read."""

    exit_code = 6


class BuildError(TrunklineError):
    """A package could not be built (tarball, SRPM or RPM stage)."""

    exit_code = 7


class PublishError(TrunklineError):
    """A hashed repository could not be written or a link could not be moved."""

    exit_code = 8


class DatabaseError(TrunklineError):
    """The database cannot be reached or its schema is not at the expected revision."""

    exit_code = 9


class LockedError(TrunklineError):
    """Another trunkline run holds this builder's lock."""

    exit_code = 10


class PromotionError(TrunklineError):
    """A promotion refers to an unknown, failed or purged build, or a reserved name."""

    exit_code = 11


class DeliveryError(TrunklineError):
    """A notification or event could not be delivered (SMTP, review remote, bus, webhook).

    Raised by an outbox sender for one attempt; the dispatcher records it and retries
    with backoff, so it never reaches a build. Exit 14 when a command delivers directly.
    """

    exit_code = 14
