"""One typed configuration per builder, loaded once from a TOML file and passed down.

A builder instance is one config file = one database + one repo tree. Every
section is a frozen pydantic model that forbids unknown keys, so a typo such as
``data-dir`` or ``[build] driverr`` is a :class:`ConfigError` that names the key
instead of a silently ignored option (DLRN's INI accepts anything). Relative
paths are resolved against the directory holding the config file, so a config
can travel with the tree it describes (the demo relies on this).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from trunkline.errors import ConfigError

RESERVED_LINK_NAMES = frozenset({"current", "consistent"})
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
AUTHOR = re.compile(r"([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>")
# a build queue: build.<arch>.<driver>[.<pool>] (routing by architecture and driver
# capability; the pool names one builder's workers when several builders share a broker)
QUEUE_NAME = re.compile(r"build\.[A-Za-z0-9_]+\.[a-z][a-z0-9_-]*(\.[A-Za-z0-9_-]+)?")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BuilderSettings(_Section):
    """Identity and layout of this builder instance."""

    name: str = "trunkline"
    data_dir: Path = Path("data")
    repos_dir: Path | None = None  # default: <data_dir>/repos
    reponame: str = "delorean"
    baseurl: str = ""  # public URL of repos_dir; empty means file:// URLs
    project_name: str = "trunkline"
    target: str = "centos9"
    dist: str = ".el9s"
    distro_branch: str = "rpm-master"
    source_branch: str = "master"
    # stable/X gone -> unmaintained/X -> X-eol -> X-eom, then master only when True
    # (upstream/branches.py). Off by default: master is another release's code.
    fallback_to_master: bool = False
    release_numbering: Literal["0.date.hash", "0.1.date.hash", "minor.date.hash"] = "0.date.hash"
    release_minor: int = 0
    keep_changelog: bool = False
    include_srpm_in_repo: bool = True
    # repodata writer: createrepo_c's library with a per-process package cache, or its CLI
    repodata: Literal["library", "cli"] = "library"
    use_components: bool = False
    head_only: bool = False
    maxretries: int = Field(default=3, ge=0)
    workers: int = Field(default=0, ge=0)  # 0 = number of cores
    publish_order: Literal["finish", "commit"] = "commit"
    fetch_workers: int = Field(default=4, ge=1)  # mirrors fetched (and polled) at once
    git_timeout: float = Field(default=600.0, gt=0)

    @property
    def repos_path(self) -> Path:
        """Where the hashed repos and links live."""
        return self.repos_dir if self.repos_dir is not None else self.data_dir / "repos"


class DatabaseSettings(_Section):
    """SQLAlchemy URL; empty means a SQLite file in the data dir."""

    url: str = ""


class PackagesSettings(_Section):
    """Where the list of packages to follow comes from."""

    source: Literal["rdoinfo", "gitrepo"] = "rdoinfo"
    # rdoinfo: a metadata directory or git URL; gitrepo: a directory or git URL of distgits
    path: str = ""
    ref: str | None = None
    info_files: tuple[str, ...] = ("rdo.yml",)
    tag: str | None = None  # release tag the builder follows, e.g. "flamingo"
    packages: tuple[str, ...] = ()  # restrict to these names (empty: all)


class RpmbuildSettings(_Section):
    """Options of the local rpmbuild driver (trusted input only: no isolation)."""

    nodeps: bool = True  # record unmet BuildRequires instead of failing on them


class MockSettings(_Section):
    """Options of the mock driver."""

    config: str = ""  # mock -r argument, e.g. centos-stream-9-x86_64 or a .cfg path
    mock_exe: str = "mock"
    extra_args: tuple[str, ...] = ()
    install_after_build: bool = True
    # What DLRN adds to every mock config (dlrn/build.py build_rpm_wrapper): the builder's own
    # current repo and the deps repo file; written into a config generated per base config.
    current_repo: bool = True  # the builder's <repos_dir>/current (file://) is a build repo
    deps_url: str = ""  # a .repo file (http(s)://, file:// or a path) whose repos are added


class BuildSettings(_Section):
    """How packages are built."""

    driver: str = "auto"  # "auto": mock when [build.mock] config is set, else rpmbuild
    timeout: float = Field(default=3600.0, gt=0)
    macros: dict[str, str] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)  # environment of the build (--build-env)
    rpmbuild: RpmbuildSettings = RpmbuildSettings()
    mock: MockSettings = MockSettings()
    sdist: Literal["auto", "never", "always"] = "auto"

    @field_validator("env")
    @classmethod
    def _env_names(cls, env: dict[str, str]) -> dict[str, str]:
        for name in env:
            if not ENV_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not an environment variable name")
        return env


class InstallCheckSettings(_Section):
    """Installability check of each new repo with dnf."""

    enabled: bool = False
    base_repos: tuple[str, ...] = ()  # baseurls (file:// or http://) used beside the new repo
    policy: Literal["record", "block-current"] = "record"


class ApiSettings(_Section):
    """The REST API server."""

    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    read_only: bool = False
    protect_read_endpoints: bool = False
    # Kerberos (HTTP Negotiate), DLRN's KrbAuthentication driver: on when a keytab is set.
    # kerberos_keytab: absolute path of the HTTP service keytab (DLRN's HTTP_KEYTAB_PATH);
    # kerberos_principal: accept tickets for this service principal only, e.g.
    # "HTTP/api.example.com@EXAMPLE.COM" (empty: any key in the keytab).
    kerberos_keytab: Path | None = None
    kerberos_principal: str = ""

    @field_validator("kerberos_keytab")
    @classmethod
    def _absolute_keytab(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_absolute():
            raise ValueError("must be an absolute path")
        return path

    @field_validator("kerberos_principal")
    @classmethod
    def _principal_needs_keytab(cls, principal: str, info: ValidationInfo) -> str:
        if principal and info.data.get("kerberos_keytab") is None:
            raise ValueError("needs kerberos_keytab")
        return principal


class PromotionSettings(_Section):
    """Automatic promotion: per promotion name, the CI jobs that must all succeed."""

    rules: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("rules")
    @classmethod
    def _no_reserved(cls, rules: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name in rules:
            if name in RESERVED_LINK_NAMES:
                raise ValueError(f"'{name}' is reserved for the builder itself")
        return rules


# [notify] keys that only act when mail is sent, and those of every notify channel
MAIL_KEYS = frozenset(
    {
        "smtp_port",
        "smtp_tls",
        "smtp_ca_file",
        "smtp_user",
        "smtp_password_file",
        "smtp_password_env",
        "mail_from",
        "recipients",
        "mail_maintainers",
        "opt_out",
    }
)
CHANNEL_KEYS = frozenset(
    {"timeout", "retry_base_seconds", "retry_cap_seconds", "retry_max_attempts"}
)
# [notify.gerrit] keys of Gerrit's REST API (the rest, topic and author, shape the
# review commit that the "gerrit" and "git" review drivers both push)
GERRIT_REST_KEYS = frozenset({"url", "user", "password_file", "password_env"})


def _given(section: BaseModel, keys: frozenset[str]) -> list[str]:
    """The ``keys`` of ``section`` whose value is not the default, sorted (a dumped
    and reloaded config repeats every default; only a different value can go unused)."""
    fields = type(section).model_fields
    return sorted(k for k in keys if getattr(section, k) != fields[k].default)


class GerritSettings(_Section):
    """The Gerrit the ``gerrit`` review driver talks to (``[notify.gerrit]``).

    Changes are created by ``git push`` to the package's ``review-origin`` (metadata);
    their state is read and they are abandoned through Gerrit's REST API at ``url``
    (``https://review.example.org``; ``/a/changes/...`` with HTTP basic auth).
    ``topic`` and ``author`` shape the pushed commit, so the ``git`` review driver
    (a plain git remote, no REST) uses them too; the REST keys it refuses.
    """

    url: str = ""  # REST base URL, also the base of the change links
    user: str = ""  # REST (HTTP basic) user; empty: anonymous reads, no abandon
    password_file: Path | None = None  # file holding the HTTP password (first line)
    password_env: str = ""  # or: the environment variable holding it
    topic: str = ""  # the push topic; empty: the builder's name (DLRN: gerrit_topic)
    author: str = ""  # "Name <email>" of the review commit; empty: "<builder> <mail_from>"

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return url.rstrip("/")

    @field_validator("password_env")
    @classmethod
    def _env_name(cls, name: str) -> str:
        if name and not ENV_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not an environment variable name")
        return name

    @field_validator("author")
    @classmethod
    def _name_and_address(cls, author: str) -> str:
        if author and not AUTHOR.fullmatch(author):
            raise ValueError("expected 'Name <user@host>'")
        return author


class NotifySettings(_Section):
    """Mail and reviews on FTBFS (``[notify]``), delivered through the outbox.

    Passwords are never written in the TOML: ``*_password_file`` names a file
    whose first line is the password, ``*_password_env`` an environment variable.
    ``retry_*`` is the outbox's backoff for the ``mail`` and ``review`` channels.
    """

    smtp_server: str = ""  # empty: no mail
    smtp_port: int = Field(default=0, ge=0, le=65535)  # 0: 25, 587 (starttls) or 465 (ssl)
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_ca_file: Path | None = None  # CA bundle to verify the server (default: system's)
    smtp_user: str = ""  # AUTH when set
    smtp_password_file: Path | None = None
    smtp_password_env: str = ""
    mail_from: str = "trunkline@localhost"
    recipients: tuple[str, ...] = ()  # the builder's list, on every mail
    mail_maintainers: bool = True  # also mail the package's maintainers (metadata)
    opt_out: tuple[str, ...] = ()  # packages whose maintainers are not mailed
    # "gerrit": push, then Gerrit's REST; "git": a ref on a plain git remote (no server)
    review: Literal["none", "gerrit", "git"] = "none"
    gerrit: GerritSettings = GerritSettings()
    timeout: float = Field(default=30.0, gt=0)  # seconds per SMTP or REST call (git: git_timeout)
    retry_base_seconds: int = Field(default=30, ge=1)
    retry_cap_seconds: int = Field(default=3600, ge=1)
    retry_max_attempts: int = Field(default=30, ge=1)

    @field_validator("smtp_password_env")
    @classmethod
    def _env_name(cls, name: str) -> str:
        if name and not ENV_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not an environment variable name")
        return name

    @field_validator("recipients", "mail_from")
    @classmethod
    def _addresses(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        for addr in (value,) if isinstance(value, str) else value:
            if "@" not in addr or any(c.isspace() or c in ",<>" for c in addr.strip()):
                raise ValueError(f"{addr!r} is not a mail address (user@host)")
        return value

    def _given(self, keys: frozenset[str]) -> list[str]:
        """The ``keys`` whose value is not the default (see :func:`_given`)."""
        return _given(self, keys)

    @model_validator(mode="after")
    def _acted_on(self) -> NotifySettings:
        """Every key acts: mail keys need a server, a login a password, gerrit a URL."""
        if not self.smtp_server.strip():
            given = self._given(MAIL_KEYS)
            if given:
                raise ValueError(f"{given[0]} needs smtp_server (empty: no mail is sent)")
            if self.review == "none" and self._given(CHANNEL_KEYS):
                key = self._given(CHANNEL_KEYS)[0]
                raise ValueError(f"{key} needs smtp_server or a review driver")
        if self.smtp_user and self.smtp_password_file is None and not self.smtp_password_env:
            raise ValueError("smtp_user needs smtp_password_file or smtp_password_env")
        g = self.gerrit
        if self.review == "gerrit" and not g.url:
            raise ValueError('review = "gerrit" needs [notify.gerrit] url')
        if self.review == "none" and self.gerrit != GerritSettings():
            raise ValueError('[notify.gerrit] is used only with review = "gerrit" or "git"')
        rest = _given(g, GERRIT_REST_KEYS)
        if self.review == "git" and rest:
            raise ValueError(
                f'gerrit.{rest[0]} is used only with review = "gerrit" (review = "git" '
                "talks to no Gerrit: it pushes to the plain review-origin remote)"
            )
        if g.user and g.password_file is None and not g.password_env:
            raise ValueError("gerrit.user needs gerrit.password_file or gerrit.password_env")
        return self


class ReplicationSettings(_Section):
    """rsync mirrors that receive every new hashed repo, then the moved links, then reports."""

    targets: tuple[str, ...] = ()  # "/abs/dir", "host:/path" or "rsync://host/module/path"
    timeout: float = Field(default=600.0, gt=0)  # seconds per rsync call (and its I/O timeout)
    extra_args: tuple[str, ...] = ()  # e.g. ["--bwlimit=10m", "-e", "ssh -i /key"]

    @field_validator("targets")
    @classmethod
    def _usable_targets(cls, targets: tuple[str, ...]) -> tuple[str, ...]:
        for target in targets:
            remote = "://" in target or ":" in target.split("/", 1)[0]
            if not target.strip() or target.startswith("-") or not target.isprintable():
                raise ValueError(f"target {target!r}: not a usable rsync destination")
            if not remote and not Path(target).is_absolute():
                raise ValueError(f"target {target!r}: a local target must be an absolute path")
        return targets


STABLE_PHASES = ("candidate", "testing", "release")


class StableSettings(_Section):
    """Stable (tag) builds: the build system, the phase tags, the votes and the signing key.

    ``driver`` is ``local`` (trunkline builds and keeps tags itself) or ``koji`` (a
    Koji hub such as CBS, at ``hub_url``). Tags are ``tag_pattern`` with ``{release}``
    and ``{phase}`` (candidate, testing, release) filled in; builds go to the
    target ``target_pattern`` names. ``rules`` maps the phases ``testing`` and
    ``release`` to the CI jobs that must have voted success on the phase below's
    repo (an absent phase needs no vote). ``gpg_key`` signs the release phase
    (``local`` only: Koji never signs, CBS does on its side).
    """

    driver: Literal["local", "koji"] = "local"
    hub_url: str = ""  # koji: the hub's XML-RPC URL, e.g. https://cbs.centos.org/kojihub
    koji_user: str = ""  # koji: password login (the hub's "login" call); empty: no login
    koji_password_file: Path | None = None
    tag_pattern: str = "cloud9s-openstack-{release}-{phase}"
    target_pattern: str = "cloud9s-openstack-{release}-el9s"
    dist: str = ".el9s"
    task_timeout: float = Field(default=3600.0, gt=0)  # seconds a build/tag task may take
    poll_interval: float = Field(default=5.0, gt=0)  # koji: seconds between task polls
    rules: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    gpg_key: str = ""  # key id or fingerprint signing the release phase (local)
    gpg_home: Path | None = None  # GNUPGHOME holding the key; None: gpg's default
    gpg_passphrase_file: Path | None = None  # None: gpg-agent supplies the passphrase
    review_url: str = ""  # metadata repo receiving refs/for/<branch>; empty: [packages] path
    review_branch: str = "master"  # the metadata branch a review targets

    @field_validator("tag_pattern")
    @classmethod
    def _tag_pattern(cls, pattern: str) -> str:
        if "{release}" not in pattern or "{phase}" not in pattern:
            raise ValueError("must contain {release} and {phase}")
        return pattern

    @field_validator("target_pattern")
    @classmethod
    def _target_pattern(cls, pattern: str) -> str:
        if "{release}" not in pattern or "{phase}" in pattern:
            raise ValueError("must contain {release} (and no {phase})")
        return pattern

    @field_validator("hub_url")
    @classmethod
    def _hub_url(cls, url: str, info: ValidationInfo) -> str:
        driver = info.data.get("driver")
        if driver == "koji" and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
            raise ValueError("expected the hub's http:// or https:// URL (driver koji)")
        if driver == "local" and url:
            raise ValueError("only for driver koji (driver local has no hub)")
        return url

    @field_validator("koji_user", "koji_password_file")
    @classmethod
    def _koji_only(cls, value: object, info: ValidationInfo) -> object:
        if value and info.data.get("driver") != "koji":
            raise ValueError("only for driver koji")
        return value

    @field_validator("rules")
    @classmethod
    def _rule_phases(cls, rules: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for phase in rules:
            if phase not in STABLE_PHASES[1:]:
                raise ValueError(f"{phase!r}: expected testing or release")
        return rules

    @field_validator("gpg_key")
    @classmethod
    def _key_local_only(cls, key: str, info: ValidationInfo) -> str:
        if key and info.data.get("driver") == "koji":
            raise ValueError("driver koji: Koji never signs (the hub's signing service does)")
        return key

    @field_validator("dist")
    @classmethod
    def _dist_local_only(cls, dist: str, info: ValidationInfo) -> str:
        if info.data.get("driver") == "koji" and dist != cls.model_fields["dist"].default:
            raise ValueError("only for driver local (with koji the hub's build tag sets it)")
        return dist

    @field_validator("poll_interval")
    @classmethod
    def _poll_koji_only(cls, seconds: float, info: ValidationInfo) -> float:
        default = cls.model_fields["poll_interval"].default
        if info.data.get("driver") != "koji" and seconds != default:
            raise ValueError("only for driver koji (local builds finish before build returns)")
        return seconds

    @model_validator(mode="after")
    def _koji_needs_hub(self) -> StableSettings:
        if self.driver == "koji" and not self.hub_url:
            raise ValueError("hub_url: missing (driver koji needs the hub's URL)")
        return self

    @field_validator("gpg_home", "gpg_passphrase_file")
    @classmethod
    def _needs_key(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and not info.data.get("gpg_key"):
            raise ValueError("needs gpg_key")
        return value


class UcSettings(_Section):
    """Upper-constraints report and proposals (``trunkline uc``).

    ``source``: the default ``--uc`` (a path, an http(s) URL or ``REPO@REF``); empty
    means ``--uc`` is required. ``release``: the Release column. ``python``: the
    target Python markers are evaluated for. ``current``: read the builder's own
    ``<repos_dir>/current`` repo first (as repo id ``builder.reponame``). ``repos``:
    further repo id -> baseurl (absolute path, ``file://`` or ``http(s)://``), read in
    this order after ``current`` (base OS, deps). ``repo_files``: dnf ``.repo`` files
    (URLs or absolute paths) whose enabled sections are read after ``repos`` (RDO's
    ``delorean-deps.repo``). ``review_remote``: the metadata
    repo's git remote ``uc propose --push`` pushes ``refs/for/<branch>`` to.
    """

    source: str = ""
    release: str = "master"
    python: str = "3.12"
    current: bool = True
    repos: dict[str, str] = Field(default_factory=dict)
    repo_files: tuple[str, ...] = ()
    review_remote: str = "review"

    @field_validator("python")
    @classmethod
    def _python(cls, python: str) -> str:
        if not re.fullmatch(r"3\.\d{1,2}", python):
            raise ValueError("expected a Python version like 3.12")
        return python

    @field_validator("repos")
    @classmethod
    def _repos(cls, repos: dict[str, str]) -> dict[str, str]:
        for name, url in repos.items():
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
                raise ValueError(f"repo id {name!r}: expected letters, digits, . _ -")
            if not url.startswith(("file:///", "http://", "https://", "/")):
                raise ValueError(
                    f"repo {name!r}: {url!r} is not an absolute path, file:// or http(s) URL"
                )
        return repos

    @field_validator("repo_files")
    @classmethod
    def _repo_files(cls, files: tuple[str, ...]) -> tuple[str, ...]:
        for url in files:
            if not url.startswith(("file:///", "http://", "https://", "/")):
                raise ValueError(f"{url!r} is not an absolute path, file:// or http(s) URL")
        return files


WEBHOOK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class WebhookSettings(_Section):
    """One webhook receiver of events (``[[events.webhooks]]``): outbox channel ``webhook:<name>``.

    Exactly one of ``secret`` and ``secret_file`` (a file holding the secret, read when
    the builder starts) signs every delivery (``X-Trunkline-Signature``, see README).
    """

    name: str
    url: str
    secret: str = ""
    secret_file: Path | None = None
    topics: tuple[str, ...] = ("*",)  # fnmatch patterns of the topics it receives

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not WEBHOOK_NAME.fullmatch(name):
            raise ValueError("expected 1-64 letters, digits, '_', '.', '-'")
        return name

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
            raise ValueError("expected an http:// or https:// URL")
        return url

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookSettings:
        if (self.secret_file is None) == (not self.secret):
            raise ValueError("give exactly one of 'secret' and 'secret_file'")
        return self

    @field_validator("topics")
    @classmethod
    def _topics(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        if not topics or not all(t.strip() for t in topics):
            raise ValueError("expected a non-empty list of topic patterns")
        return topics


class EventsSettings(_Section):
    """Events out: the AMQP bus and webhooks (``trunkline.events``); nothing is sent when empty.

    Retries of every event channel follow ``retry_*``: ``retry_base * 2**(n-1)``
    seconds after the n-th failure, at most ``retry_cap``, given up after
    ``retry_max_attempts`` (the message stays in the delivery log as ``dead``).
    """

    amqp_url: str = ""  # amqp://user:pass@host:5672/vhost; empty: no bus
    exchange: str = "trunkline"  # a durable topic exchange, declared on connect
    amqp_timeout: float = Field(default=10.0, gt=0)  # seconds: connect, publish confirm
    webhook_timeout: float = Field(default=10.0, gt=0)  # seconds per POST
    webhooks: tuple[WebhookSettings, ...] = ()
    retry_base: int = Field(default=30, ge=1)  # seconds
    retry_cap: int = Field(default=3600, ge=1)  # seconds
    retry_max_attempts: int = Field(default=30, ge=1)
    deliver_interval: float = Field(default=30.0, gt=0)  # seconds between delivery passes

    @field_validator("amqp_url")
    @classmethod
    def _amqp(cls, url: str) -> str:
        if url and not re.fullmatch(r"amqps?://\S+", url):
            raise ValueError("expected amqp://user:password@host:port/vhost (or amqps://)")
        return url

    @field_validator("exchange")
    @classmethod
    def _exchange(cls, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,127}", name):
            raise ValueError("expected 1-127 letters, digits, '_', '.', ':', '-'")
        return name

    @field_validator("webhooks")
    @classmethod
    def _unique(cls, hooks: tuple[WebhookSettings, ...]) -> tuple[WebhookSettings, ...]:
        names = [h.name for h in hooks]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"webhook name {name!r} used twice")
        return hooks


class ForgeHookSettings(_Section):
    """The shared secret of one forge's push hooks (``[hooks.<forge>]``); empty: refused.

    GitHub, Gitea and Forgejo sign the body with it (HMAC-SHA256); GitLab sends it
    as ``X-Gitlab-Token``; Gerrit (webhooks plugin) as the password of HTTP Basic
    auth with ``username``. ``gerrit`` also needs ``url``, the Gerrit's git base
    URL (``https://review.opendev.org``), to turn a project name into a repo URL.
    """

    secret: str = ""
    secret_file: Path | None = None
    username: str = "gerrit"  # gerrit only
    url: str = ""  # gerrit only

    @field_validator("secret_file")
    @classmethod
    def _one_secret(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        if path is not None and info.data.get("secret"):
            raise ValueError("give one of 'secret' and 'secret_file', not both")
        return path


class HooksSettings(_Section):
    """Push hooks in (``POST /api/hooks/<forge>``): per-forge secrets and the queue bound."""

    github: ForgeHookSettings = ForgeHookSettings()
    gitlab: ForgeHookSettings = ForgeHookSettings()
    gitea: ForgeHookSettings = ForgeHookSettings()
    forgejo: ForgeHookSettings = ForgeHookSettings()
    gerrit: ForgeHookSettings = ForgeHookSettings()
    queue_size: int = Field(default=1000, ge=1)  # pending requests; past it: 429
    package_cache: float = Field(default=60.0, ge=0)  # seconds the API keeps the package list


class ServeSettings(_Section):
    """``trunkline build --serve``: the builder as a service."""

    poll_interval: float = Field(default=300.0, gt=0)  # seconds between full cycles
    hook_interval: float = Field(default=1.0, gt=0)  # seconds between looks at the hook queue


class WorkersSettings(_Section):
    """Remote build workers (``trunkline worker``) through a broker; empty ``broker_url``: local.

    With ``broker_url`` set, every build job is sent to ``queue`` on the broker and built by a
    ``trunkline worker`` on any host; the builder serves the sources and takes the RPMs and
    logs back on ``listen`` (HTTP, ``token`` as a bearer token), and stays the only writer of
    the DB and the repo tree. ``builder.workers`` (``-j``) is the number of jobs in flight.
    """

    broker_url: str = ""  # amqp://user:password@host:5672/vhost (RabbitMQ)
    queue: str = ""  # build.<arch>.<driver>[.<pool>]; empty: this host's arch, [build] driver
    token: str = ""  # shared secret of the builder and its workers (needed with broker_url)
    listen: str = "127.0.0.1:8780"  # host:port of the builder's artifact server

    @field_validator("broker_url")
    @classmethod
    def _amqp(cls, url: str) -> str:
        if url and not url.startswith(("amqp://", "amqps://")):
            raise ValueError(f"{url!r}: expected an amqp:// or amqps:// URL")
        return url

    @field_validator("queue")
    @classmethod
    def _queue(cls, queue: str) -> str:
        if queue and not QUEUE_NAME.fullmatch(queue):
            raise ValueError(f"{queue!r}: expected build.<arch>.<driver>[.<pool>]")
        return queue

    @field_validator("listen")
    @classmethod
    def _listen(cls, listen: str) -> str:
        host, sep, port = listen.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{listen!r}: expected host:port, e.g. 0.0.0.0:8780")
        return listen

    @model_validator(mode="after")
    def _token_needed(self) -> WorkersSettings:
        if self.broker_url and len(self.token) < 16:
            raise ValueError("token: at least 16 characters are needed with broker_url")
        return self


class Settings(_Section):
    """The whole configuration of one builder."""

    builder: BuilderSettings = BuilderSettings()
    database: DatabaseSettings = DatabaseSettings()
    packages: PackagesSettings = PackagesSettings()
    build: BuildSettings = BuildSettings()
    install_check: InstallCheckSettings = InstallCheckSettings()
    api: ApiSettings = ApiSettings()
    promotion: PromotionSettings = PromotionSettings()
    notify: NotifySettings = NotifySettings()
    replication: ReplicationSettings = ReplicationSettings()
    stable: StableSettings = StableSettings()
    uc: UcSettings = UcSettings()
    events: EventsSettings = EventsSettings()
    hooks: HooksSettings = HooksSettings()
    serve: ServeSettings = ServeSettings()
    workers: WorkersSettings = WorkersSettings()
    config_path: Path | None = None

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, defaulting to a SQLite file in the data dir."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.builder.data_dir / 'trunkline.sqlite').resolve()}"


def _resolve_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make the relative paths of a raw config absolute against ``base``."""
    builder = raw.get("builder")
    if isinstance(builder, dict):
        for key in ("data_dir", "repos_dir"):
            value = builder.get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                builder[key] = str((base / value).resolve())
    elif builder is None:
        raw["builder"] = {"data_dir": str((base / "data").resolve())}
    if isinstance(raw["builder"], dict) and "data_dir" not in raw["builder"]:
        raw["builder"]["data_dir"] = str((base / "data").resolve())
    _resolve_secret_files(raw, base)
    packages = raw.get("packages")
    if isinstance(packages, dict):
        value = packages.get("path")
        is_local = isinstance(value, str) and value and "://" not in value and "@" not in value
        if is_local and not Path(str(value)).is_absolute():
            packages["path"] = str((base / str(value)).resolve())
    notify = raw.get("notify")
    if isinstance(notify, dict):
        gerrit = notify.get("gerrit")
        for table, key in (
            (notify, "smtp_ca_file"),
            (notify, "smtp_password_file"),
            (gerrit, "password_file"),
        ):
            value = table.get(key) if isinstance(table, dict) else None
            if isinstance(value, str) and value and not Path(value).is_absolute():
                assert isinstance(table, dict)
                table[key] = str((base / value).resolve())
    stable = raw.get("stable")
    if isinstance(stable, dict):
        for key in ("gpg_home", "gpg_passphrase_file", "koji_password_file"):
            value = stable.get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                stable[key] = str((base / value).resolve())
    uc = raw.get("uc")
    if isinstance(uc, dict):
        src = uc.get("source")
        if isinstance(src, str) and src and "://" not in src and not Path(src).is_absolute():
            uc["source"] = str(base / src)
    return raw


def _resolve_secret_files(raw: dict[str, Any], base: Path) -> None:
    """Relative ``secret_file`` paths of ``[[events.webhooks]]`` and ``[hooks.*]``."""
    sections: list[Any] = []
    events, hooks = raw.get("events"), raw.get("hooks")
    if isinstance(events, dict) and isinstance(events.get("webhooks"), list):
        sections.extend(events["webhooks"])
    if isinstance(hooks, dict):
        sections.extend(hooks.values())
    for section in sections:
        value = section.get("secret_file") if isinstance(section, dict) else None
        if isinstance(value, str) and value and not Path(value).is_absolute():
            section["secret_file"] = str((base / value).resolve())


def _describe(err: ValidationError, path: Path | str) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown key '{key}'"
    if kind == "missing":
        return f"{path}: missing key '{key}'"
    got = first.get("input")
    return f"{path}: key '{key}': {first['msg']} (got {got!r})"


def settings_from_dict(raw: dict[str, Any], *, source: str = "<config>") -> Settings:
    """Validate a raw mapping into Settings.

    Raises:
        ConfigError: a key is unknown, missing or has a bad value; names the key.
    """
    try:
        return Settings.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_describe(err, source)) from None


def load_settings(path: Path) -> Settings:
    """Load and validate a builder's TOML configuration.

    Raises:
        ConfigError: the file is missing, not TOML, or has an invalid key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (run 'trunkline init')") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    raw = _resolve_paths(raw, path.resolve().parent)
    raw["config_path"] = str(path.resolve())
    return settings_from_dict(raw, source=str(path))


def default_settings(base_dir: Path) -> Settings:
    """Settings with every default, data under ``base_dir/data`` (used without a config)."""
    return settings_from_dict(_resolve_paths({}, base_dir))


def apply_overrides(settings: Settings, overrides: tuple[str, ...]) -> Settings:
    """``settings`` with each ``SECTION.KEY=VALUE`` (DLRN's ``--config-override``) applied.

    ``KEY`` may be dotted (``build.mock.config=centos-stream-9-x86_64``). ``VALUE`` is
    read as a TOML value when it is one (``4``, ``true``, ``["a", "b"]``, ``"x"``),
    else as a string; the result is validated by the same models as the file, so an
    unknown key or a bad value is refused, not ignored. DLRN accepts only ``\\w+``
    values and only keys already in its INI file; here any key of the model works.
    A relative path (``builder.data_dir=other``) is taken against the config file's
    directory, as in the file.

    Raises:
        ConfigError: an item is not ``SECTION.KEY=VALUE``, names an unknown key, or
            gives a value the key does not accept; names the item.
    """
    if not overrides:
        return settings
    # keys are checked against every key, but only what was given is re-validated: the
    # sections' "is this key used?" checks look at the keys set, not at the defaults
    known = settings.model_dump()
    raw = settings.model_dump(exclude_unset=True)
    for item in overrides:
        dotted, sep, text = item.partition("=")
        path = dotted.split(".")
        if not sep or len(path) < 2 or not all(path):
            raise ConfigError(f"--config-override {item!r}: expected SECTION.KEY=VALUE")
        _set_key(known, path, _override_value(text), item)
        node = raw
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = _override_value(text)
    base = settings.config_path.parent if settings.config_path else Path.cwd()
    return settings_from_dict(_resolve_paths(raw, base), source="--config-override")


def _override_value(text: str) -> Any:
    """``text`` as a TOML value, or as the string itself when it is not one."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _set_key(raw: dict[str, Any], path: list[str], value: Any, item: str) -> None:
    """Set ``raw[path[0]]...[path[-1]] = value``; every key but the last must be a section."""
    node: Any = raw
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise ConfigError(f"--config-override {item!r}: unknown section '{key}'")
    if path[-1] not in node:
        raise ConfigError(f"--config-override {item!r}: unknown key '{'.'.join(path)}'")
    node[path[-1]] = value
