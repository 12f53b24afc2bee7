"""The ``gerrit`` review driver: changes pushed with git, read and abandoned over REST.

Creation is what ``git review`` does: fetch the distgit branch from the review
remote (metadata ``review-origin``), commit on it, push to
``refs/for/<branch>%topic=<topic>``. Gerrit answers with the change's URL on
stderr (``remote:   https://host/c/project/+/12345 subject [NEW]``), which becomes
the review's URL; without one (an older Gerrit, a plain git remote) the URL is a
search for the Change-Id. A Change-Id Gerrit already has makes the push a new
patch set of that change (or "no new changes" when identical): never a second
review. A plain remote keeps ``refs/for/...`` as an ordinary ref, so before
pushing the driver looks there for a commit carrying the Change-Id and reuses it.

State and abandon use Gerrit's REST API (``GET /changes/<id>``,
``POST /changes/<id>/abandon`` with ``{"message": ...}``; answers start with the
``)]}'`` XSSI guard), under ``/a/`` with HTTP basic auth when a user is set.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from trunkline import gitcmd
from trunkline.errors import CommandError, DeliveryError
from trunkline.notify.review import ReviewChange, ReviewRef, ReviewState

XSSI_PREFIX = ")]}'"
# "remote:   https://review.example.org/c/openstack/nova-distgit/+/12345 subject [NEW]"
_CHANGE_URL = re.compile(r"remote:\s+(https?://\S+?/(?:\+/)?(\d+))(?:\s|$)")
_STATES: dict[str, ReviewState] = {"NEW": "open", "MERGED": "merged", "ABANDONED": "abandoned"}


@dataclass(frozen=True)
class GerritDriver:
    """Gerrit at ``url`` (REST, links); pushes over the package's own review remote.

    Attributes:
        url: the REST base, ``https://review.example.org`` (no trailing slash).
        user: HTTP basic user (empty: anonymous REST, which cannot abandon).
        password: its HTTP password.
        timeout: seconds per REST call.
        git_timeout: seconds per git fetch and push.
    """

    url: str
    user: str = ""
    password: str | None = None
    timeout: float = 30.0
    git_timeout: float = 600.0

    # --- creation: git -------------------------------------------------------

    def open(self, change: ReviewChange) -> ReviewRef:
        """Push ``change`` to ``refs/for/<branch>`` of its remote (see the module).

        Raises:
            DeliveryError: fetch, commit or push failed (git's ``fatal:``/``!`` line).
        """
        with tempfile.TemporaryDirectory(prefix="trunkline-review-") as tmp:
            work = Path(tmp)
            git = gitcmd.at(work).with_env(
                **gitcmd.identity(
                    change.author_name, change.author_email, date=f"@{change.date} +0000"
                )
            )
            try:
                gitcmd.NOWHERE.run("init", "-q", str(work), timeout=self.git_timeout)
                existing = self._existing(git, change)
                if existing is not None:
                    return existing
                git.run(
                    "fetch", "-q", "--no-tags", "--depth", "1", "--", change.remote,
                    f"refs/heads/{change.branch}", timeout=self.git_timeout,
                )  # fmt: skip
                git.run("checkout", "-q", "--detach", "FETCH_HEAD")
                self._commit(git, work, change)
                pushed = git.run(
                    "push", "--", change.remote,
                    f"+HEAD:refs/for/{change.branch}%topic={change.topic}",
                    timeout=self.git_timeout, check=False,
                )  # fmt: skip
            except CommandError as exc:
                raise DeliveryError(f"review {change.remote}: {exc.detail}") from None
        said = pushed.stdout + pushed.stderr
        if not pushed.ok and "no new changes" not in said:
            last = [ln for ln in said.splitlines() if ln.strip()][-1:] or ["push failed"]
            raise DeliveryError(f"review push to {change.remote}: {last[0].strip()}")
        found = _CHANGE_URL.search(said)
        return ReviewRef(change.change_id, found[1] if found else self._query_url(change))

    def _query_url(self, change: ReviewChange) -> str:
        return f"{self.url}/q/{change.change_id}"

    def _existing(self, git: gitcmd.Git, change: ReviewChange) -> ReviewRef | None:
        """The change already under ``refs/for/<branch>`` of a plain remote, if it is ours."""
        listing = git.output(
            "ls-remote", "--", change.remote, "refs/for/*", timeout=self.git_timeout
        )
        for line in listing.splitlines():
            ref = line.partition("\t")[2]
            name = ref.removeprefix("refs/for/").split("%", 1)[0]
            if name != change.branch:
                continue
            git.run("fetch", "-q", "--no-tags", "--depth", "1", "--", change.remote, ref,
                    timeout=self.git_timeout)  # fmt: skip
            body = git.output("log", "-1", "--format=%B", "FETCH_HEAD")
            if f"Change-Id: {change.change_id}" in body.splitlines():
                return ReviewRef(change.change_id, self._query_url(change))
        return None

    def _commit(self, git: gitcmd.Git, work: Path, change: ReviewChange) -> None:
        """DLRN's commit: the REMOVEME line appended to the spec (an empty commit without one)."""
        specs = sorted(work.glob("*.spec"))
        if specs:
            text = specs[0].read_text(encoding="utf-8")
            sep = "" if text.endswith("\n") or not text else "\n"
            specs[0].write_text(f"{text}{sep}{change.spec_note}\n", encoding="utf-8")
            git.run("add", "--", specs[0].name)
            git.run("commit", "-q", "-F", "-", input_text=change.message)
        else:
            git.run("commit", "-q", "--allow-empty", "-F", "-", input_text=change.message)

    # --- state and abandon: REST ----------------------------------------------

    @functools.cached_property
    def _client(self) -> httpx.Client:
        """One client for the driver's life (building one loads the CA bundle: ~0.1 s)."""
        auth = httpx.BasicAuth(self.user, self.password or "") if self.user else None
        return httpx.Client(base_url=self.url, auth=auth, timeout=self.timeout)

    def _path(self, ref: ReviewRef, tail: str = "") -> str:
        return f"{'/a' if self.user else ''}/changes/{ref.id}{tail}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            resp = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"gerrit {self.url}{path}: {exc}") from None
        text = resp.text
        if resp.status_code >= 400:
            first = (text.strip().splitlines() or [resp.reason_phrase])[0]
            raise DeliveryError(f"gerrit {method} {self.url}{path}: {resp.status_code} {first}")
        text = text.removeprefix(XSSI_PREFIX)
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            raise DeliveryError(f"gerrit {self.url}{path}: not JSON: {text[:80]!r}") from None

    def state(self, ref: ReviewRef) -> ReviewState:
        """``open``/``merged``/``abandoned`` from the change's ``status``.

        Raises:
            DeliveryError: Gerrit unreachable, an HTTP error (404: unknown change), or
                a status trunkline does not know.
        """
        info = self._call("GET", self._path(ref))
        status = str(info.get("status")) if isinstance(info, dict) else ""
        if status not in _STATES:
            raise DeliveryError(f"gerrit change {ref.id}: unknown status {status!r}")
        return _STATES[status]

    def abandon(self, ref: ReviewRef, comment: str) -> None:
        """Abandon the change with ``comment``.

        Raises:
            DeliveryError: Gerrit unreachable or refused (409 on a merged change).
        """
        self._call("POST", self._path(ref, "/abandon"), {"message": comment})
