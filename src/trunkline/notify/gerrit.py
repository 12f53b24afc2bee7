"""The ``gerrit`` review driver: changes pushed with git, read and abandoned over REST.

Creation is what ``git review`` does (:mod:`.reviewpush`, the code the ``git``
driver shares): fetch the distgit branch from the review remote (metadata
``review-origin``), commit on it, push to ``refs/for/<branch>%topic=<topic>``.
Gerrit answers with the change's URL on stderr (``remote:
https://host/c/project/+/12345 subject [NEW]``), which becomes the review's URL;
without one (an older Gerrit, a plain git remote) the URL is a search for the
Change-Id. A Change-Id Gerrit already has makes the push a new patch set of that
change (or "no new changes" when identical): never a second review. A plain
remote keeps ``refs/for/<branch>%topic=<topic>`` as an ordinary ref (the ``%``
suffix in its name), so before pushing the driver looks under
``refs/for/<branch>`` (with or without a ``%`` suffix) for a commit carrying the
Change-Id and reuses it; for a plain remote on purpose use the ``git`` driver
(:mod:`.gitreview`), which pushes to ``refs/for/<branch>`` itself.

State and abandon use Gerrit's REST API (``GET /changes/<id>``,
``POST /changes/<id>/abandon`` with ``{"message": ...}``; answers start with the
``)]}'`` XSSI guard), under ``/a/`` with HTTP basic auth when a user is set.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from trunkline.errors import DeliveryError
from trunkline.notify.review import ReviewChange, ReviewRef, ReviewState
from trunkline.notify.reviewpush import push_change

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

    # --- creation: git (notify.reviewpush, shared with the git driver) -------

    def open(self, change: ReviewChange) -> ReviewRef:
        """Push ``change`` to ``refs/for/<branch>%topic=<topic>`` of its remote (see the module).

        Raises:
            DeliveryError: fetch, commit or push failed (git's ``fatal:``/``!`` line).
        """

        def earlier_push(ref: str) -> bool:  # refs/for/<branch>, with or without %options
            name = ref.removeprefix("refs/for/").split("%", 1)[0]
            return ref.startswith("refs/for/") and name == change.branch

        pushed = push_change(
            change,
            target=f"refs/for/{change.branch}%topic={change.topic}",
            reuse=earlier_push,
            timeout=self.git_timeout,
        )
        found = _CHANGE_URL.search(pushed.said)
        return ReviewRef(change.change_id, found[1] if found else self._query_url(change))

    def _query_url(self, change: ReviewChange) -> str:
        return f"{self.url}/q/{change.change_id}"

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
