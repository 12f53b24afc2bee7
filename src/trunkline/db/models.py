"""The database schema, as SQLAlchemy 2 typed models.

Table and column names follow DLRN's schema (``commits``, ``civotes``,
``civotes_agg``, ``promotions``, ``users``, ``projects``) so its data can be
imported and its API served unchanged; unlike DLRN, the lookups every run and
every API call make are indexed. Alembic (``db/migrations``) is the only schema
authority: a test checks that the migrations produce exactly these models.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FLAG_PURGED = 0x2
FLAG_UNINDEXED = 0x4
"""trunkline's: a successful build published without repodata (``build --no-repo``).
``current``/``consistent`` never point at its directory (DLRN's flags use 0x2 only)."""
FLAG_RECHECKED = 0x8
"""trunkline's: a build ``build --recheck`` marked RETRY. DLRN's ``--recheck`` deletes
that row; trunkline keeps it, and ``--status`` skips it as DLRN no longer sees it."""


def split_artifacts(artifacts: str | None) -> list[str]:
    """The ``artifacts`` column (comma-separated repo-relative paths) as a list."""
    return [a for a in (artifacts or "").split(",") if a]


class BuildStatus(enum.StrEnum):
    """Outcome of building one (upstream commit, distgit commit) pair.

    RETRY is a transient failure (fetch error, timeout): it is not counted as the
    package's last processed build, so the next run builds it again.
    """

    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    RETRY = "RETRY"


class InstallStatus(enum.StrEnum):
    """Result of the dnf installability check of a build."""

    UNCHECKED = "UNCHECKED"
    INSTALLABLE = "INSTALLABLE"
    UNINSTALLABLE = "UNINSTALLABLE"


class UserRole(enum.StrEnum):
    """What an API user may do."""

    READ_ONLY = "read-only"
    READ_WRITE = "read-write"
    ADMIN = "admin"


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING)


def _str_enum(cls: type[enum.StrEnum], length: int = 64) -> Enum:
    # Stored as plain VARCHAR (no native enum type) so DLRN's data and tools read it.
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class User(Base):
    """An API user; the password is a salted hash, never the password."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    password: Mapped[str] = mapped_column(String(256))
    role: Mapped[UserRole] = mapped_column(_str_enum(UserRole, 32), default=UserRole.READ_WRITE)


class Project(Base):
    """Per-package bookkeeping that is not a build (last FTBFS mail)."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_name: Mapped[str] = mapped_column(String(256), unique=True)
    last_email: Mapped[int] = mapped_column(Integer, default=0)


class Commit(Base):
    """One build record: an (upstream commit, distgit commit) pair and its outcome."""

    __tablename__ = "commits"
    __table_args__ = (
        Index("ix_commits_project_type_status_id", "project_name", "type", "status", "id"),
        Index("ix_commits_hashes", "commit_hash", "distro_hash", "extended_hash"),
        Index("ix_commits_dt_build", "dt_build"),
        # covering index of /api/metrics/builds: builds per status in a date range
        Index("ix_commits_dt_build_status", "dt_build", "status"),
        Index("ix_commits_component_status", "component", "status"),
        # the dashboard's Builds page: a package's / component's builds, newest first
        Index("ix_commits_project_name_dt_build", "project_name", "dt_build"),
        Index("ix_commits_component_dt_build", "component", "dt_build"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(18), default="rpm")
    dt_commit: Mapped[int] = mapped_column(Integer)
    dt_distro: Mapped[int] = mapped_column(Integer)
    dt_extended: Mapped[int] = mapped_column(Integer, default=0)
    dt_build: Mapped[int] = mapped_column(Integer)
    project_name: Mapped[str] = mapped_column(String(256))
    repo_dir: Mapped[str] = mapped_column(String(1024), default="")
    distgit_dir: Mapped[str] = mapped_column(String(1024), default="")
    commit_hash: Mapped[str] = mapped_column(String(64))
    distro_hash: Mapped[str] = mapped_column(String(64))
    extended_hash: Mapped[str | None] = mapped_column(String(128), default=None)
    commit_branch: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[BuildStatus] = mapped_column(_str_enum(BuildStatus))
    component: Mapped[str | None] = mapped_column(String(64), default=None)
    artifacts: Mapped[str | None] = mapped_column(Text, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[int] = mapped_column(Integer, default=0)
    versions_csv: Mapped[str | None] = mapped_column(String(256), default=None)
    # trunkline additions
    version: Mapped[str | None] = mapped_column(String(128), default=None)
    release: Mapped[str | None] = mapped_column(String(128), default=None)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    install_status: Mapped[InstallStatus] = mapped_column(
        _str_enum(InstallStatus, 32), default=InstallStatus.UNCHECKED
    )
    unmet_buildrequires: Mapped[str] = mapped_column(Text, default="")
    build_seconds: Mapped[float] = mapped_column(default=0.0)
    # the upstream ref the metadata named (stable/2024.1); ``commit_branch`` is the ref
    # actually built (unmaintained/2024.1, 2024.2-eol, master). NULL before 0003.
    source_branch: Mapped[str | None] = mapped_column(String(256), default=None)

    civotes: Mapped[list[CIVote]] = relationship(back_populates="commit", lazy="raise")

    @property
    def is_purged(self) -> bool:
        """True once purge removed this build's repo."""
        return bool(self.flags & FLAG_PURGED)

    @property
    def artifact_list(self) -> list[str]:
        """The repo-relative paths of the RPMs this build produced."""
        return split_artifacts(self.artifacts)


class CIVote(Base):
    """A CI job's result on one build's repo."""

    __tablename__ = "civotes"
    __table_args__ = (
        Index("ix_civotes_commit_id", "commit_id"),
        Index("ix_civotes_timestamp", "timestamp"),
        Index("ix_civotes_ci_name_timestamp", "ci_name", "timestamp"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commit_id: Mapped[int] = mapped_column(ForeignKey("commits.id"))
    ci_name: Mapped[str] = mapped_column(String(256))
    ci_url: Mapped[str] = mapped_column(String(1024), default="")
    ci_vote: Mapped[bool] = mapped_column(Boolean, default=False)
    ci_in_progress: Mapped[bool] = mapped_column(Boolean, default=False)
    timestamp: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[str | None] = mapped_column(ForeignKey("users.username"), default=None)
    component: Mapped[str | None] = mapped_column(String(64), default=None)

    commit: Mapped[Commit] = relationship(back_populates="civotes", lazy="raise")


class CIVoteAggregate(Base):
    """A CI job's result on an aggregate (components) repo, keyed by its hash."""

    __tablename__ = "civotes_agg"
    __table_args__ = (
        Index("ix_civotes_agg_ref_hash", "ref_hash"),
        Index("ix_civotes_agg_timestamp", "timestamp"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref_hash: Mapped[str] = mapped_column(String(64))
    ci_name: Mapped[str] = mapped_column(String(256))
    ci_url: Mapped[str] = mapped_column(String(1024), default="")
    ci_vote: Mapped[bool] = mapped_column(Boolean, default=False)
    ci_in_progress: Mapped[bool] = mapped_column(Boolean, default=False)
    timestamp: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[str | None] = mapped_column(ForeignKey("users.username"), default=None)


class Promotion(Base):
    """A named link moved to a build's repo, and who did it when."""

    __tablename__ = "promotions"
    __table_args__ = (
        Index("ix_promotions_commit_id", "commit_id"),
        Index("ix_promotions_name_timestamp", "promotion_name", "timestamp"),
        Index("ix_promotions_aggregate_hash", "aggregate_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commit_id: Mapped[int] = mapped_column(ForeignKey("commits.id"))
    promotion_name: Mapped[str] = mapped_column(String(256))
    timestamp: Mapped[int] = mapped_column(Integer)
    user: Mapped[str | None] = mapped_column(ForeignKey("users.username"), default=None)
    component: Mapped[str | None] = mapped_column(String(64), default=None)
    aggregate_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # trunkline addition: set when a promotion rule (not a user) made it
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)

    commit: Mapped[Commit] = relationship(lazy="raise")


class OutboxState(enum.StrEnum):
    """Where an outbox message is in its delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    """Given up after the policy's last attempt; kept, with its attempts, for the log."""


class OutboxMessage(Base):
    """A message to send after the transaction that produced it commits.

    The transactional-outbox pattern: whatever changes state (a build record, an
    FTBFS opening, a vote) adds its notifications here in the same transaction,
    and ``trunkline.outbox.dispatch`` delivers them afterwards with retries and
    backoff, so an outage of the receiver never fails a build and a kill between
    the record and the send loses nothing. ``message_id`` travels with the message
    (mail Message-ID, AMQP message_id, webhook header) so receivers can drop the
    duplicate a kill between send and ``delivered_at`` can cause.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_channel_next_attempt_at", "state", "channel", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    # who delivers it: "mail", "review", "amqp", "webhook:<name>"
    channel: Mapped[str] = mapped_column(String(128))
    # what happened, dotted: "ftbfs.opened", "build.finished"
    topic: Mapped[str] = mapped_column(String(256))
    payload: Mapped[str] = mapped_column(Text)  # JSON object
    created_at: Mapped[int] = mapped_column(Integer)  # epoch seconds
    state: Mapped[OutboxState] = mapped_column(
        _str_enum(OutboxState, 16), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(Integer)  # epoch seconds
    delivered_at: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class OutboxAttempt(Base):
    """One delivery attempt of an outbox message: the delivery log."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (Index("ix_outbox_attempts_outbox_id", "outbox_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    attempted_at: Mapped[int] = mapped_column(Integer)  # epoch seconds
    ok: Mapped[bool] = mapped_column(Boolean)
    # what the receiver said: an SMTP reply, an HTTP status, an exception's message
    detail: Mapped[str] = mapped_column(Text, default="")


class Ftbfs(Base):
    """One period during which a package failed to build from source.

    Opened by the first failing build after a success (or a package's first build
    failing), closed by the next successful build. Builds in between are attached
    (``attempts``, ``last_failed_commit_id``), never reopen it.
    """

    __tablename__ = "ftbfs"
    __table_args__ = (
        Index("ix_ftbfs_project_name_closed_at", "project_name", "closed_at"),
        Index("ix_ftbfs_closed_at", "closed_at"),
        Index("ix_ftbfs_opened_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_name: Mapped[str] = mapped_column(String(256))
    component: Mapped[str | None] = mapped_column(String(64), default=None)
    opened_at: Mapped[int] = mapped_column(Integer)  # dt_build of the opening build
    closed_at: Mapped[int | None] = mapped_column(Integer, default=None)
    # the failing build that opened it, the newest failing build, the last success
    first_failed_commit_id: Mapped[int] = mapped_column(ForeignKey("commits.id"))
    last_failed_commit_id: Mapped[int] = mapped_column(ForeignKey("commits.id"))
    last_good_commit_id: Mapped[int | None] = mapped_column(ForeignKey("commits.id"), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # the upstream/distgit commit named as culprit; how it was found:
    # "single" (one commit since the last good), "bisecting", "bisected",
    # "could-not-isolate", "unknown" (no earlier success to compare with)
    culprit_commit_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    culprit_distro_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    culprit_state: Mapped[str] = mapped_column(String(32), default="unknown")
    # the review opened on the distgit (Gerrit change number or ref) and its URL/state
    review_id: Mapped[str | None] = mapped_column(String(128), default=None)
    review_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    review_state: Mapped[str | None] = mapped_column(String(32), default=None)
    # on close: the build that fixed it and what changed ("distgit", "upstream", "both")
    fix_commit_id: Mapped[int | None] = mapped_column(ForeignKey("commits.id"), default=None)
    fixed_by: Mapped[str | None] = mapped_column(String(16), default=None)


class StableBuild(Base):
    """A stable (tag) build made by trunkline's ``local`` build system (``buildsys/local.py``).

    ``nvr`` is the spec's own ``name-version-release`` with the dist tag
    (``openstack-nova-26.1.0-1.el9s``), never a dated trunk release; it is unique,
    as in Koji. ``artifacts`` are the RPM files (SRPM included), relative to the
    build's store directory ``<repos_dir>/stable/builds/<nvr>/``.
    """

    __tablename__ = "stable_builds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nvr: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(128))
    release: Mapped[str] = mapped_column(String(128))
    epoch: Mapped[int | None] = mapped_column(Integer, default=None)
    target: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(1024))  # distgit URL#commit, as Koji's source
    timestamp: Mapped[int] = mapped_column(Integer)
    artifacts: Mapped[str] = mapped_column(Text, default="")


class StableTag(Base):
    """One build tagged into one tag of the ``local`` build system (Koji's tag_listing)."""

    __tablename__ = "stable_tags"
    __table_args__ = (Index("ix_stable_tags_tag_build_id", "tag", "build_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag: Mapped[str] = mapped_column(String(255))
    build_id: Mapped[int] = mapped_column(ForeignKey("stable_builds.id"))
    timestamp: Mapped[int] = mapped_column(Integer)


class StableRepo(Base):
    """A phase repo's content as CI saw it: the hash CI votes on (``aggregate_hash``).

    ``hash`` is the sha256 of the tag name and its sorted NVRs (one per line), so
    the same content always has the same hash and a vote names exactly what was
    tested; ``nvrs`` keeps those NVRs, newline-separated.
    """

    __tablename__ = "stable_repos"
    __table_args__ = (Index("ix_stable_repos_tag", "tag"),)

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag: Mapped[str] = mapped_column(String(255))
    nvrs: Mapped[str] = mapped_column(Text, default="")
    timestamp: Mapped[int] = mapped_column(Integer)


class UcRun(Base):
    """One ``trunkline uc report`` run: what it compared and its counts per status."""

    __tablename__ = "uc_runs"
    __table_args__ = (Index("ix_uc_runs_release_id", "release", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release: Mapped[str] = mapped_column(String(64))
    python: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(1024))
    timestamp: Mapped[int] = mapped_column(Integer)
    equal: Mapped[int] = mapped_column(Integer, default=0)
    lower: Mapped[int] = mapped_column(Integer, default=0)
    greater: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)


class UcRow(Base):
    """One module of a uc run; ``lower_since`` is when its current ``lower`` streak began."""

    __tablename__ = "uc_rows"
    __table_args__ = (Index("ix_uc_rows_run_id_module", "run_id", "module"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("uc_runs.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(256))
    uc_version: Mapped[str] = mapped_column(String(128))
    package: Mapped[str] = mapped_column(String(256), default="")
    packaged: Mapped[str] = mapped_column(String(256), default="")
    repo: Mapped[str] = mapped_column(String(256), default="")
    also: Mapped[str] = mapped_column(String(1024), default="")  # comma-separated repo ids
    mapped_by: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16))
    lower_since: Mapped[int | None] = mapped_column(Integer, default=None)


class HookRequest(Base):
    """A package a forge push event asks the running builder to poll and build now.

    Added by ``POST /api/hooks/<forge>`` (one row per matched package), taken
    (deleted) by ``trunkline build --serve``, which then runs a cycle of those
    packages. Bounded by ``[hooks] queue_size`` pending rows.
    """

    __tablename__ = "hook_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    forge: Mapped[str] = mapped_column(String(16))  # github, gitlab, gitea, forgejo, gerrit
    package: Mapped[str] = mapped_column(String(256))
    repo_url: Mapped[str] = mapped_column(String(1024))  # as the forge named it
    ref: Mapped[str] = mapped_column(String(256))  # refs/heads/master
    delivery: Mapped[str] = mapped_column(String(128), default="")  # the forge's delivery id
    received_at: Mapped[int] = mapped_column(Integer)  # epoch seconds
