"""The commented example configuration written by ``trunkline init``.

Kept beside config.py so the two change together; a test loads this text
through ``load_settings`` so the example can never drift into an invalid file.
"""

EXAMPLE_CONFIG = """\
# trunkline builder configuration. One file = one builder = one database + one repo tree.
# Relative paths are resolved against the directory of this file.

[builder]
name = "centos9-master"          # shown in reports
data_dir = "data"                # mirrors, work dirs, the SQLite DB, the repo tree
# repos_dir = "data/repos"       # where hashed repos and current/consistent live
reponame = "delorean"            # name of the .repo file and repo id in each hashed repo
baseurl = ""                     # public URL of repos_dir ("" = file:// URLs)
project_name = "trunkline"       # report titles
target = "centos9"
dist = ".el9s"                   # the target's dist tag, passed to rpmbuild/mock
distro_branch = "rpm-master"     # distgit branch when the metadata names no release
source_branch = "master"         # upstream branch when the metadata names no release
fallback_to_master = false       # stable/X gone -> unmaintained/X -> X-eol tag -> X-eom tag
                                 # (nothing new to build); true: then master/main, another
                                 # release's code (the ref built is shown in the reports)
release_numbering = "0.date.hash"  # or "0.1.date.hash", "minor.date.hash"
keep_changelog = false
include_srpm_in_repo = true
repodata = "library"             # createrepo_c's library (in a helper process); or "cli" (--update)
use_components = false
head_only = false                # build only the newest commit of each package
maxretries = 3                   # transient failures retried this many times
workers = 0                      # parallel builds; 0 = number of cores
publish_order = "commit"         # "commit": in commit order (reproducible); "finish": as built
fetch_workers = 4                # mirrors fetched and polled at once
git_timeout = 600.0

[database]
url = ""                         # "" = SQLite in data_dir; or postgresql+psycopg://..., mysql+pymysql://...

[packages]
source = "rdoinfo"               # "rdoinfo" (metadata repo) or "gitrepo" (a directory of distgits)
path = "metadata"                # directory or git URL
# ref = "master"                 # git ref of the metadata repo
info_files = ["rdo.yml"]
tag = "flamingo"                 # the release this builder follows
packages = []                    # restrict to these package names

[build]
driver = "auto"                  # "rpmbuild" (local, trusted input only), "mock" (isolated),
                                 # or "auto": mock when [build.mock] config is set
timeout = 3600.0
sdist = "auto"                   # "auto", "never" (git archive only), "always"

[build.env]                      # environment of every build (also: build --build-env VAR=value)
# GREETING = "hello"

[build.macros]                   # extra rpm macros, e.g. for a host without python macros
# python3_sitelib = "/usr/lib/python3.9/site-packages"

[build.rpmbuild]
nodeps = true                    # record unmet BuildRequires instead of failing on them

[build.mock]
config = ""                      # mock -r argument, e.g. "centos-stream-9-x86_64" or a .cfg path
current_repo = true              # builds may take BuildRequires from this builder's current repo
deps_url = ""                    # a .repo file added to the build root (DLRN's deps_url):
                                 # "https://example.org/c9/delorean-deps.repo", file:// or a path

[install_check]
enabled = false                  # dnf test-install of each build from the new repo + base repos
base_repos = []                  # baseurls, e.g. ["file:///srv/base", "http://mirror/BaseOS/"]
policy = "record"                # or "block-current": an uninstallable build does not move current

[api]
host = "127.0.0.1"
port = 5000
read_only = false
protect_read_endpoints = false

[promotion.rules]
# current-passed-ci = ["job-a", "job-b"]   # promote when all these jobs report success

[notify]
smtp_server = ""                 # FTBFS mails ("" = none); the keys below need it, so uncomment
# smtp_port = 0                  # 0: 25, 587 (starttls) or 465 (ssl)
# smtp_tls = "starttls"          # "none", "starttls" (never falls back to plain) or "ssl"
# smtp_ca_file = "/etc/pki/my-ca.pem"   # CA of the server's certificate (default: system's)
# smtp_user = "trunk"            # AUTH; the password comes from a file or a variable, never here:
# smtp_password_file = "/etc/trunkline/smtp-password"   # or smtp_password_env = "SMTP_PASSWORD"
# mail_from = "trunk@example.org"
# recipients = ["packagers@example.org"]   # the builder's list, on every mail
# mail_maintainers = true        # also the package's maintainers (metadata)
# opt_out = ["openstack-nova"]   # packages whose maintainers are not mailed
# timeout = 30.0                 # seconds per SMTP or REST call
# retry_base_seconds = 30        # outbox backoff: 30 s, 1 min, 2 min ... capped, then given up
# retry_cap_seconds = 3600
# retry_max_attempts = 30
# review = "gerrit"              # a review on the distgit per FTBFS ("none": no review;
#                                # "git": a refs/for/<branch> ref on a plain git review-origin)
# [notify.gerrit]                # with review = "git" only topic and author apply
# url = "https://review.example.org"   # REST API and links; pushes go to metadata review-origin
# user = "trunk-bot"             # HTTP user, to abandon reviews of fixed FTBFS
# password_file = "/etc/trunkline/gerrit-http-password"   # or password_env
# topic = ""                     # default: the builder's name
# author = "RDO Trunk <trunk@example.org>"   # of the review commits

[replication]
targets = []                     # rsync mirrors: "/srv/mirror", "host:/srv/repos", "rsync://h/mod"
timeout = 600.0                  # seconds per rsync call (also its I/O timeout)
extra_args = []                  # extra rsync options, e.g. ["--bwlimit=20m", "-e", "ssh -i /key"]

[stable]
driver = "local"                 # stable tag builds: "local" (here) or "koji" (hub_url needed)
tag_pattern = "cloud9s-openstack-{release}-{phase}"   # phases: candidate, testing, release
target_pattern = "cloud9s-openstack-{release}-el9s"
dist = ".el9s"
# rules = {testing = ["job-a"], release = ["job-b"]}  # votes needed on the phase below's repo
# gpg_key = "FINGERPRINT"        # signs the release phase (local driver only)
review_branch = "master"         # metadata branch the buildsys-tags reviews target

[uc]                             # trunkline uc report / uc propose
source = ""                      # default --uc: a file, an http(s) URL or REPO@REF
release = "master"               # the Release column of the report
python = "3.12"                  # upper-constraints markers are evaluated for this Python
current = true                   # read this builder's <repos_dir>/current first
repo_files = []                  # dnf .repo files (URLs, paths): enabled sections, after repos
review_remote = "review"         # uc propose --push: this remote's refs/for/<branch>

[uc.repos]                       # repo id = baseurl, read after current (base OS, deps)
# baseos = "https://mirror.example.org/9-stream/BaseOS/x86_64/os/"

[events]                         # every state change out to a message bus and webhooks
amqp_url = ""                    # e.g. "amqp://guest:guest@127.0.0.1:5672/"; empty: no bus
exchange = "trunkline"           # durable topic exchange; keys trunkline.<builder>.<topic>
amqp_timeout = 10.0              # seconds to connect and to get a publisher confirm
webhook_timeout = 10.0           # seconds per webhook POST
retry_base = 30                  # seconds before the first retry, doubled each time ...
retry_cap = 3600                 # ... up to this many seconds
retry_max_attempts = 30          # then the message is given up (kept in the delivery log)
deliver_interval = 30.0          # seconds between delivery passes (a commit also wakes one)
# [[events.webhooks]]
# name = "ci"                    # outbox channel webhook:ci
# url = "https://ci.example.org/trunkline"
# secret_file = "/etc/trunkline/ci.secret"   # or secret = "..."; signs every POST
# topics = ["build.finished", "promotion.*"]

[hooks]                          # POST /api/hooks/<forge>: a push triggers a poll and build
queue_size = 1000                # pending requests; past it the endpoint answers 429
package_cache = 60.0             # seconds the API keeps the package list it matches repos to
# [hooks.github]                 # also gitlab, gitea, forgejo, gerrit; an empty secret refuses
# secret = "..."                 # or secret_file = "..."
# [hooks.gerrit]
# secret = "..."                 # HTTP Basic password of `username` (default "gerrit")
# url = "https://review.opendev.org"   # the Gerrit's git base URL

[serve]                          # trunkline build --serve
poll_interval = 300.0            # seconds between full cycles (the safety net)
hook_interval = 1.0              # seconds between looks at the push-hook queue

[workers]                        # build on other hosts ("trunkline worker"); default: locally
broker_url = ""                  # "" = local builds; amqp://user:pass@rabbit:5672/%2F = remote
queue = ""                       # build.<arch>.<driver>[.<pool>]; "" = this host's arch + driver
token = ""                       # shared with the workers (>= 16 characters with broker_url)
listen = "127.0.0.1:8780"        # where workers fetch sources and upload RPMs and logs
"""
