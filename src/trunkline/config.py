"""One typed configuration per builder, loaded once from a TOML file and passed down.

A builder instance is one config file = one database + one repo tree. Every
section is a frozen ``msgspec.Struct`` that forbids unknown keys, so a typo such as
``data-dir`` or ``[build] driverr`` is a :class:`ConfigError` that names the key
instead of a silently ignored option (DLRN's INI accepts anything). Relative
paths are resolved against the directory holding the config file, so a config
can travel with the tree it describes (the demo relies on this).

msgspec, not pydantic, validates the sections: every builder process loads this
module, and pydantic's core costs ~10 MB of resident memory that the builder's
peak at 700 packages cannot afford (issue #10; DLRN's peak is the target). Type
and range checks are msgspec's (``Annotated[..., Meta(ge=...)]``); a section's own
checks are its ``__post_init__``, which raises :class:`_FieldError` naming the
key, or ``ValueError`` for the section as a whole.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args, get_origin, get_type_hints

import msgspec
from msgspec import Meta, field

from trunkline.errors import ConfigError

RESERVED_LINK_NAMES = frozenset({"current", "consistent"})
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
AUTHOR = re.compile(r"([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>")
# a build queue: build.<arch>.<driver>[.<pool>] (routing by architecture and driver
# capability; the pool names one builder's workers when several builders share a broker)
QUEUE_NAME = re.compile(r"build\.[A-Za-z0-9_]+\.[a-z][a-z0-9_-]*(\.[A-Za-z0-9_-]+)?")


# Bounded numbers of the config (msgspec checks them while converting; the error names
# the key and the bound).
NonNegativeInt = Annotated[int, Meta(ge=0)]
PositiveInt = Annotated[int, Meta(ge=1)]
PositiveFloat = Annotated[float, Meta(gt=0)]
NonNegativeFloat = Annotated[float, Meta(ge=0)]
Port = Annotated[int, Meta(ge=1, le=65535)]
PortOrZero = Annotated[int, Meta(ge=0, le=65535)]


class _FieldError(ValueError):
    """A section's own check failed on one key: ``field`` names it (dotted when it is in
    a sub-section: ``gerrit.url``), ``str()`` says why.

    Raised from a section's ``__post_init__``; msgspec wraps it in a
    ``ValidationError`` located at the section, and :func:`_describe` appends
    ``field`` to that location.
    """

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


class _Section(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A config section: frozen, every key typed, an unknown key refused."""

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (key -> value) applied; not re-validated."""
        return msgspec.structs.replace(self, **changes)

    def to_dict(self, *, defaults: bool = True) -> dict[str, Any]:
        """The section as TOML-shaped builtins (paths as strings, tuples as lists).

        ``defaults=False`` leaves out every key whose value is its default, and
        every sub-section left empty: what a config file must say to give this.
        """
        if defaults:
            out: dict[str, Any] = msgspec.to_builtins(self, enc_hook=_encode)
            return out
        given: dict[str, Any] = {}
        for spec in msgspec.structs.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, _Section):
                sub = value.to_dict(defaults=False)
                if sub:
                    given[spec.name] = sub
            elif spec.required or value != _field_default(spec):
                given[spec.name] = msgspec.to_builtins(value, enc_hook=_encode)
        return given


def _field_default(spec: msgspec.structs.FieldInfo) -> Any:
    """The default of one field (its factory called when it has one)."""
    if spec.default_factory is not msgspec.NODEFAULT:
        return spec.default_factory()
    return spec.default


def _default(section: type[_Section], name: str) -> Any:
    """The default of ``section``'s key ``name``."""
    return next(_field_default(f) for f in msgspec.structs.fields(section) if f.name == name)


def _encode(value: Any) -> Any:
    """Builtins of the types msgspec does not know (``Path`` -> ``str``)."""
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} into a config")


def _decode(kind: type, value: Any) -> Any:
    """A config value of a type msgspec does not know (``Path`` from a string)."""
    if kind is Path and isinstance(value, str | Path):
        return Path(value)
    raise TypeError("expected a path (a string)")


class BuilderSettings(_Section, frozen=True):
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
    maxretries: NonNegativeInt = 3
    workers: NonNegativeInt = 0  # 0 = number of cores
    publish_order: Literal["finish", "commit"] = "commit"
    fetch_workers: PositiveInt = 4  # mirrors fetched (and polled) at once
    git_timeout: PositiveFloat = 600.0

    @property
    def repos_path(self) -> Path:
        """Where the hashed repos and links live."""
        return self.repos_dir if self.repos_dir is not None else self.data_dir / "repos"


class DatabaseSettings(_Section, frozen=True):
    """SQLAlchemy URL; empty means a SQLite file in the data dir."""

    url: str = ""


class PackagesSettings(_Section, frozen=True):
    """Where the list of packages to follow comes from."""

    source: Literal["rdoinfo", "gitrepo"] = "rdoinfo"
    # rdoinfo: a metadata directory or git URL; gitrepo: a directory or git URL of distgits
    path: str = ""
    ref: str | None = None
    info_files: tuple[str, ...] = ("rdo.yml",)
    tag: str | None = None  # release tag the builder follows, e.g. "flamingo"
    packages: tuple[str, ...] = ()  # restrict to these names (empty: all)


class RpmbuildSettings(_Section, frozen=True):
    """Options of the local rpmbuild driver (trusted input only: no isolation)."""

    nodeps: bool = True  # record unmet BuildRequires instead of failing on them


class MockSettings(_Section, frozen=True):
    """Options of the mock driver."""

    config: str = ""  # mock -r argument, e.g. centos-stream-9-x86_64 or a .cfg path
    mock_exe: str = "mock"
    extra_args: tuple[str, ...] = ()
    install_after_build: bool = True
    # What DLRN adds to every mock config (dlrn/build.py build_rpm_wrapper): the builder's own
    # current repo and the deps repo file; written into a config generated per base config.
    current_repo: bool = True  # the builder's <repos_dir>/current (file://) is a build repo
    deps_url: str = ""  # a .repo file (http(s)://, file:// or a path) whose repos are added


class BuildSettings(_Section, frozen=True):
    """How packages are built."""

    driver: str = "auto"  # "auto": mock when [build.mock] config is set, else rpmbuild
    timeout: PositiveFloat = 3600.0
    macros: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # environment of the build (--build-env)
    rpmbuild: RpmbuildSettings = RpmbuildSettings()
    mock: MockSettings = MockSettings()
    sdist: Literal["auto", "never", "always"] = "auto"

    def __post_init__(self) -> None:
        for name in self.env:
            if not ENV_NAME.fullmatch(name):
                raise _FieldError("env", f"{name!r} is not an environment variable name")


class InstallCheckSettings(_Section, frozen=True):
    """Installability check of each new repo with dnf."""

    enabled: bool = False
    base_repos: tuple[str, ...] = ()  # baseurls (file:// or http://) used beside the new repo
    policy: Literal["record", "block-current"] = "record"


class ApiSettings(_Section, frozen=True):
    """The REST API server."""

    host: str = "127.0.0.1"
    port: Port = 5000
    read_only: bool = False
    protect_read_endpoints: bool = False
    # Kerberos (HTTP Negotiate), DLRN's KrbAuthentication driver: on when a keytab is set.
    # kerberos_keytab: absolute path of the HTTP service keytab (DLRN's HTTP_KEYTAB_PATH);
    # kerberos_principal: accept tickets for this service principal only, e.g.
    # "HTTP/api.example.com@EXAMPLE.COM" (empty: any key in the keytab).
    kerberos_keytab: Path | None = None
    kerberos_principal: str = ""

    def __post_init__(self) -> None:
        if self.kerberos_keytab is not None and not self.kerberos_keytab.is_absolute():
            raise _FieldError("kerberos_keytab", "must be an absolute path")
        if self.kerberos_principal and self.kerberos_keytab is None:
            raise _FieldError("kerberos_principal", "needs kerberos_keytab")


class PromotionSettings(_Section, frozen=True):
    """Automatic promotion: per promotion name, the CI jobs that must all succeed."""

    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.rules:
            if name in RESERVED_LINK_NAMES:
                raise _FieldError("rules", f"'{name}' is reserved for the builder itself")


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


def _given(section: _Section, keys: frozenset[str]) -> list[str]:
    """The ``keys`` of ``section`` whose value is not the default, sorted (a dumped
    and reloaded config repeats every default; only a different value can go unused)."""
    kind = type(section)
    return sorted(k for k in keys if getattr(section, k) != _default(kind, k))


def _env_name(key: str, name: str) -> None:
    """Refuse ``name`` (the value of ``key``) unless it is an environment variable name."""
    if name and not ENV_NAME.fullmatch(name):
        raise _FieldError(key, f"{name!r} is not an environment variable name")


class GerritSettings(_Section, frozen=True):
    """The Gerrit the ``gerrit`` review driver talks to (``[notify.gerrit]``).

    Changes are created by ``git push`` to the package's ``review-origin`` (metadata);
    their state is read and they are abandoned through Gerrit's REST API at ``url``
    (``https://review.example.org``; ``/a/changes/...`` with HTTP basic auth).
    ``topic`` and ``author`` shape the pushed commit, so the ``git`` review driver
    (a plain git remote, no REST) uses them too; the REST keys it refuses.
    """

    url: str = ""  # REST base URL, also the base of the change links (kept without a final /)
    user: str = ""  # REST (HTTP basic) user; empty: anonymous reads, no abandon
    password_file: Path | None = None  # file holding the HTTP password (first line)
    password_env: str = ""  # or: the environment variable holding it
    topic: str = ""  # the push topic; empty: the builder's name (DLRN: gerrit_topic)
    author: str = ""  # "Name <email>" of the review commit; empty: "<builder> <mail_from>"

    def __post_init__(self) -> None:
        if self.url and not self.url.startswith(("http://", "https://")):
            raise _FieldError("url", "expected an http:// or https:// URL")
        msgspec.structs.force_setattr(self, "url", self.url.rstrip("/"))
        _env_name("password_env", self.password_env)
        if self.author and not AUTHOR.fullmatch(self.author):
            raise _FieldError("author", "expected 'Name <user@host>'")


class NotifySettings(_Section, frozen=True):
    """Mail and reviews on FTBFS (``[notify]``), delivered through the outbox.

    Passwords are never written in the TOML: ``*_password_file`` names a file
    whose first line is the password, ``*_password_env`` an environment variable.
    ``retry_*`` is the outbox's backoff for the ``mail`` and ``review`` channels.
    """

    smtp_server: str = ""  # empty: no mail
    smtp_port: PortOrZero = 0  # 0: 25, 587 (starttls) or 465 (ssl)
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
    timeout: PositiveFloat = 30.0  # seconds per SMTP or REST call (git: git_timeout)
    retry_base_seconds: PositiveInt = 30
    retry_cap_seconds: PositiveInt = 3600
    retry_max_attempts: PositiveInt = 30

    def __post_init__(self) -> None:
        """Each key is well formed, and every key acts: mail keys need a server, a login a
        password, gerrit a URL."""
        _env_name("smtp_password_env", self.smtp_password_env)
        for key in ("mail_from", "recipients"):
            value = getattr(self, key)
            for addr in (value,) if isinstance(value, str) else value:
                if "@" not in addr or any(c.isspace() or c in ",<>" for c in addr.strip()):
                    raise _FieldError(key, f"{addr!r} is not a mail address (user@host)")
        if not self.smtp_server.strip():
            given = _given(self, MAIL_KEYS)
            if given:
                raise _FieldError(given[0], "needs smtp_server (empty: no mail is sent)")
            channel = _given(self, CHANNEL_KEYS) if self.review == "none" else []
            if channel:
                raise _FieldError(channel[0], "needs smtp_server or a review driver")
        if self.smtp_user and self.smtp_password_file is None and not self.smtp_password_env:
            raise _FieldError("smtp_user", "needs smtp_password_file or smtp_password_env")
        g = self.gerrit
        if self.review == "gerrit" and not g.url:
            raise _FieldError("gerrit.url", 'missing (review = "gerrit" needs it)')
        if self.review == "none" and self.gerrit != GerritSettings():
            raise _FieldError("gerrit", 'used only with review = "gerrit" or "git"')
        rest = _given(g, GERRIT_REST_KEYS)
        if self.review == "git" and rest:
            raise _FieldError(
                f"gerrit.{rest[0]}",
                'used only with review = "gerrit" (review = "git" talks to no Gerrit: '
                "it pushes to the plain review-origin remote)",
            )
        if g.user and g.password_file is None and not g.password_env:
            raise _FieldError("gerrit.user", "needs gerrit.password_file or gerrit.password_env")


class ReplicationSettings(_Section, frozen=True):
    """rsync mirrors that receive every new hashed repo, then the moved links, then reports."""

    targets: tuple[str, ...] = ()  # "/abs/dir", "host:/path" or "rsync://host/module/path"
    timeout: PositiveFloat = 600.0  # seconds per rsync call (and its I/O timeout)
    extra_args: tuple[str, ...] = ()  # e.g. ["--bwlimit=10m", "-e", "ssh -i /key"]

    def __post_init__(self) -> None:
        for target in self.targets:
            remote = "://" in target or ":" in target.split("/", 1)[0]
            if not target.strip() or target.startswith("-") or not target.isprintable():
                raise _FieldError("targets", f"target {target!r}: not a usable rsync destination")
            if not remote and not Path(target).is_absolute():
                raise _FieldError(
                    "targets", f"target {target!r}: a local target must be an absolute path"
                )


STABLE_PHASES = ("candidate", "testing", "release")


class StableSettings(_Section, frozen=True):
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
    task_timeout: PositiveFloat = 3600.0  # seconds a build/tag task may take
    poll_interval: PositiveFloat = 5.0  # koji: seconds between task polls
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    gpg_key: str = ""  # key id or fingerprint signing the release phase (local)
    gpg_home: Path | None = None  # GNUPGHOME holding the key; None: gpg's default
    gpg_passphrase_file: Path | None = None  # None: gpg-agent supplies the passphrase
    review_url: str = ""  # metadata repo receiving refs/for/<branch>; empty: [packages] path
    review_branch: str = "master"  # the metadata branch a review targets

    def __post_init__(self) -> None:
        """Each key is checked in the order of the fields; keys of the other driver are refused."""
        koji = self.driver == "koji"
        if koji and not self.hub_url:
            raise _FieldError("hub_url", "missing (driver koji needs the hub's URL)")
        if koji and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", self.hub_url):
            raise _FieldError("hub_url", "expected the hub's http:// or https:// URL (driver koji)")
        if not koji and self.hub_url:
            raise _FieldError("hub_url", "only for driver koji (driver local has no hub)")
        for key in ("koji_user", "koji_password_file"):
            if getattr(self, key) and not koji:
                raise _FieldError(key, "only for driver koji")
        if "{release}" not in self.tag_pattern or "{phase}" not in self.tag_pattern:
            raise _FieldError("tag_pattern", "must contain {release} and {phase}")
        if "{release}" not in self.target_pattern or "{phase}" in self.target_pattern:
            raise _FieldError("target_pattern", "must contain {release} (and no {phase})")
        if koji and self.dist != _default(StableSettings, "dist"):
            raise _FieldError(
                "dist", "only for driver local (with koji the hub's build tag sets it)"
            )
        if not koji and self.poll_interval != _default(StableSettings, "poll_interval"):
            raise _FieldError(
                "poll_interval", "only for driver koji (local builds finish before build returns)"
            )
        for phase in self.rules:
            if phase not in STABLE_PHASES[1:]:
                raise _FieldError("rules", f"{phase!r}: expected testing or release")
        if self.gpg_key and koji:
            raise _FieldError(
                "gpg_key", "driver koji: Koji never signs (the hub's signing service does)"
            )
        for key in ("gpg_home", "gpg_passphrase_file"):
            if getattr(self, key) is not None and not self.gpg_key:
                raise _FieldError(key, "needs gpg_key")


class UcSettings(_Section, frozen=True):
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
    repos: dict[str, str] = field(default_factory=dict)
    repo_files: tuple[str, ...] = ()
    review_remote: str = "review"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"3\.\d{1,2}", self.python):
            raise _FieldError("python", "expected a Python version like 3.12")
        for name, url in self.repos.items():
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
                raise _FieldError("repos", f"repo id {name!r}: expected letters, digits, . _ -")
            if not url.startswith(("file:///", "http://", "https://", "/")):
                raise _FieldError(
                    "repos",
                    f"repo {name!r}: {url!r} is not an absolute path, file:// or http(s) URL",
                )
        for url in self.repo_files:
            if not url.startswith(("file:///", "http://", "https://", "/")):
                raise _FieldError(
                    "repo_files", f"{url!r} is not an absolute path, file:// or http(s) URL"
                )


WEBHOOK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class WebhookSettings(_Section, frozen=True):
    """One webhook receiver of events (``[[events.webhooks]]``): outbox channel ``webhook:<name>``.

    Exactly one of ``secret`` and ``secret_file`` (a file holding the secret, read when
    the builder starts) signs every delivery (``X-Trunkline-Signature``, see README).
    """

    name: str
    url: str
    secret: str = ""
    secret_file: Path | None = None
    topics: tuple[str, ...] = ("*",)  # fnmatch patterns of the topics it receives

    def __post_init__(self) -> None:
        if not WEBHOOK_NAME.fullmatch(self.name):
            raise _FieldError("name", "expected 1-64 letters, digits, '_', '.', '-'")
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", self.url):
            raise _FieldError("url", "expected an http:// or https:// URL")
        if not self.topics or not all(t.strip() for t in self.topics):
            raise _FieldError("topics", "expected a non-empty list of topic patterns")
        if (self.secret_file is None) == (not self.secret):
            raise ValueError("give exactly one of 'secret' and 'secret_file'")


class EventsSettings(_Section, frozen=True):
    """Events out: the AMQP bus and webhooks (``trunkline.events``); nothing is sent when empty.

    Retries of every event channel follow ``retry_*``: ``retry_base * 2**(n-1)``
    seconds after the n-th failure, at most ``retry_cap``, given up after
    ``retry_max_attempts`` (the message stays in the delivery log as ``dead``).
    """

    amqp_url: str = ""  # amqp://user:pass@host:5672/vhost; empty: no bus
    exchange: str = "trunkline"  # a durable topic exchange, declared on connect
    amqp_timeout: PositiveFloat = 10.0  # seconds: connect, publish confirm
    webhook_timeout: PositiveFloat = 10.0  # seconds per POST
    webhooks: tuple[WebhookSettings, ...] = ()
    retry_base: PositiveInt = 30  # seconds
    retry_cap: PositiveInt = 3600  # seconds
    retry_max_attempts: PositiveInt = 30
    deliver_interval: PositiveFloat = 30.0  # seconds between delivery passes

    def __post_init__(self) -> None:
        if self.amqp_url and not re.fullmatch(r"amqps?://\S+", self.amqp_url):
            raise _FieldError(
                "amqp_url", "expected amqp://user:password@host:port/vhost (or amqps://)"
            )
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,127}", self.exchange):
            raise _FieldError("exchange", "expected 1-127 letters, digits, '_', '.', ':', '-'")
        names = [h.name for h in self.webhooks]
        for name in names:
            if names.count(name) > 1:
                raise _FieldError("webhooks", f"webhook name {name!r} used twice")


class ForgeHookSettings(_Section, frozen=True):
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

    def __post_init__(self) -> None:
        if self.secret_file is not None and self.secret:
            raise _FieldError("secret_file", "give one of 'secret' and 'secret_file', not both")


class HooksSettings(_Section, frozen=True):
    """Push hooks in (``POST /api/hooks/<forge>``): per-forge secrets and the queue bound."""

    github: ForgeHookSettings = ForgeHookSettings()
    gitlab: ForgeHookSettings = ForgeHookSettings()
    gitea: ForgeHookSettings = ForgeHookSettings()
    forgejo: ForgeHookSettings = ForgeHookSettings()
    gerrit: ForgeHookSettings = ForgeHookSettings()
    queue_size: PositiveInt = 1000  # pending requests; past it: 429
    package_cache: NonNegativeFloat = 60.0  # seconds the API keeps the package list


class ServeSettings(_Section, frozen=True):
    """``trunkline build --serve``: the builder as a service."""

    poll_interval: PositiveFloat = 300.0  # seconds between full cycles
    hook_interval: PositiveFloat = 1.0  # seconds between looks at the hook queue


class WorkersSettings(_Section, frozen=True):
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

    def __post_init__(self) -> None:
        if self.broker_url and not self.broker_url.startswith(("amqp://", "amqps://")):
            raise _FieldError(
                "broker_url", f"{self.broker_url!r}: expected an amqp:// or amqps:// URL"
            )
        if self.queue and not QUEUE_NAME.fullmatch(self.queue):
            raise _FieldError("queue", f"{self.queue!r}: expected build.<arch>.<driver>[.<pool>]")
        host, sep, port = self.listen.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise _FieldError("listen", f"{self.listen!r}: expected host:port, e.g. 0.0.0.0:8780")
        if self.broker_url and len(self.token) < 16:
            raise _FieldError("token", "at least 16 characters are needed with broker_url")


class Settings(_Section, frozen=True):
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


_AT = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_UNKNOWN = re.compile(r"Object contains unknown field `(.+)`")
_MISSING = re.compile(r"Object missing required field `(.+)`")
_ABSENT = object()
_SECRET_WORDS = ("token", "secret", "password")  # keys whose value an error never shows


def _location(err: msgspec.ValidationError) -> tuple[str, list[str | int]]:
    """msgspec's message and where it points: ``"msg - at `$.a.b[0]`"`` -> ``msg, [a, b, 0]``.

    A section's :class:`_FieldError` (the error's cause) adds the key it names.
    """
    text = str(err)
    message, sep, where = text.rpartition(" - at `")
    if not sep:
        message, where = text, ""
    where = where.rstrip("`").partition("[...]")[0]  # "[...]": inside a table; it stops there
    loc: list[str | int] = [name if name else int(index) for name, index in _AT.findall(where)]
    if isinstance(err.__cause__, _FieldError):
        loc.extend(err.__cause__.field.split("."))
    return message, loc


def _key_type(loc: list[str | int]) -> Any:
    """The declared type of the key at ``loc`` (``Literal[...]``, ``int``...), or None."""
    kind: Any = Settings
    for part in loc:
        if isinstance(kind, type) and issubclass(kind, _Section) and isinstance(part, str):
            kind = get_type_hints(kind).get(part)
        elif get_origin(kind) is tuple and isinstance(part, int):
            kind = get_args(kind)[0]
        else:
            return None
    return kind


def _value_at(raw: Any, loc: list[str | int]) -> Any:
    """The raw value at ``loc``, or ``_ABSENT`` (a default, or a key of a dict)."""
    for part in loc:
        in_table = isinstance(raw, dict) and isinstance(part, str) and part in raw
        in_array = isinstance(raw, list | tuple) and isinstance(part, int) and part < len(raw)
        if not (in_table or in_array):
            return _ABSENT
        raw = raw[part]
    return raw


def _describe(err: msgspec.ValidationError, path: Path | str, raw: dict[str, Any]) -> str:
    """One line naming the file, the key and what was expected (msgspec's error reworded)."""
    message, loc = _location(err)
    key = ".".join(str(p) for p in loc)
    unknown, missing = _UNKNOWN.fullmatch(message), _MISSING.fullmatch(message)
    if unknown or missing:
        found = unknown or missing
        assert found is not None
        name = ".".join(filter(None, (key, found.group(1))))
        return f"{path}: {'unknown' if unknown else 'missing'} key '{name}'"
    kind = _key_type(loc)
    if message.startswith("Invalid enum value") and get_origin(kind) is Literal:
        message = "expected one of " + ", ".join(repr(v) for v in get_args(kind))
    else:  # "Expected `int`, got `str`" -> "expected `int`" (the value follows)
        message = re.sub(r", got `\w+`$", "", message)
        message = message.replace("`object`", "a table").replace("`array`", "an array")
        message = message[:1].lower() + message[1:]
    got = _value_at(raw, loc)
    secret = any(word in str(loc[-1]) for word in _SECRET_WORDS) if loc else False
    shown = "" if got is _ABSENT or secret or isinstance(got, dict) else f" (got {got!r})"
    return f"{path}: key '{key or '(top level)'}': {message}{shown}"


def settings_from_dict(raw: dict[str, Any], *, source: str = "<config>") -> Settings:
    """Validate a raw mapping (TOML-shaped: tables, arrays, strings) into Settings.

    Raises:
        ConfigError: a key is unknown, missing or has a bad value; names the key.
    """
    try:
        return msgspec.convert(raw, Settings, dec_hook=_decode)
    except msgspec.ValidationError as err:
        raise ConfigError(_describe(err, source, raw)) from None


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
    # keys are checked against every key, but only what differs from a default is
    # re-validated: the sections' "is this key used?" checks look at values that differ
    # from the defaults (``_given``), so a default written out would change nothing
    known = settings.to_dict()
    raw = settings.to_dict(defaults=False)
    for item in overrides:
        dotted, sep, text = item.partition("=")
        dotted, text = dotted.strip(), text.strip()  # "builder.workers = 2" as in the file
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
