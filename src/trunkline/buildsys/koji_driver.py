"""The ``koji`` build system: the real ``koji`` client library talking XML-RPC to a hub.

Builds are ``build(src, target)`` from ``git+URL#COMMIT`` (what ``koji build``
sends), followed by polling ``getTaskInfo`` until the task is CLOSED (or
FAILED/CANCELED), then ``listBuilds(taskID=...)`` for the build it made.
``tagBuild`` is a task too and is waited for the same way; ``untagBuild``,
``listTagged`` and ``getBuild`` are plain calls. With ``[stable] koji_user``
the session logs in with the hub's ``login`` call (password read from
``koji_password_file``) before the calls that need it (build, tag, untag);
reads are anonymous, as with the ``koji`` CLI.

Every koji exception (``GenericError`` faults from the hub, connection errors
from requests) becomes one :class:`~trunkline.buildsys.BuildSystemError` line
naming the call and the hub.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from trunkline.buildsys import BuildSystemError
from trunkline.buildsys.base import BuildInfo, BuildSource
from trunkline.config import StableSettings

# Koji's task states (koji.TASK_STATES): FREE 0, OPEN 1, CLOSED 2, CANCELED 3, ASSIGNED 4, FAILED 5
TASK_CLOSED = 2
TASK_ENDED_BADLY = {3: "canceled", 5: "failed"}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


class KojiBuildSystem:
    """A Koji hub (CBS) through the ``koji`` client library."""

    name = "koji"

    def __init__(self, settings: StableSettings, *, sleep: Callable[[float], None] = time.sleep):
        import koji

        self._koji = koji
        self.settings = settings
        self.hub = settings.hub_url
        opts: dict[str, Any] = {"anon_retry": False, "max_retries": 0, "timeout": 60}
        if settings.koji_user:
            opts["user"] = settings.koji_user
            opts["password"] = self._password()
        self.session = koji.ClientSession(self.hub, opts)
        self._sleep = sleep

    def _password(self) -> str:
        path = self.settings.koji_password_file
        if path is None:
            raise BuildSystemError("[stable] koji_password_file: missing (koji_user is set)")
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise BuildSystemError(
                f"{path}: cannot read the koji password: {exc.strerror}"
            ) from None

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.session, method)(*args, **kwargs)
        except self._koji.GenericError as exc:
            raise BuildSystemError(f"koji {method} on {self.hub}: {_one_line(exc)}") from None
        except Exception as exc:  # requests' connection errors, bad XML: the hub is unusable
            kind = type(exc).__name__
            raise BuildSystemError(
                f"koji {method}: cannot talk to the hub at {self.hub}: {kind}: {_one_line(exc)}"
            ) from None

    def _login(self) -> None:
        if self.settings.koji_user and not self.session.logged_in:
            self._call("login")

    @staticmethod
    def _info(build: dict[str, Any]) -> BuildInfo:
        return BuildInfo(
            build_id=int(build["build_id"] if "build_id" in build else build["id"]),
            nvr=str(build["nvr"]),
            name=str(build.get("package_name") or build.get("name")),
            version=str(build["version"]),
            release=str(build["release"]),
            epoch=build.get("epoch"),
        )

    def build(self, source: BuildSource, target: str) -> int:
        """``build(src, target)``; the task id (see module doc)."""
        self._login()
        return int(self._call("build", source.scm_url, target, {}))

    def _wait_task(self, task_id: int, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            info = self._call("getTaskInfo", task_id)
            if not info:
                raise BuildSystemError(f"koji task {task_id} on {self.hub}: no such task")
            state = int(info["state"])
            if state == TASK_CLOSED:
                return
            if state in TASK_ENDED_BADLY:
                raise BuildSystemError(
                    f"koji {what} task {task_id} {TASK_ENDED_BADLY[state]} on {self.hub}"
                )
            if time.monotonic() > deadline:
                raise BuildSystemError(
                    f"koji {what} task {task_id}: not finished after {timeout:.0f}s"
                )
            self._sleep(self.settings.poll_interval)

    def wait_build(self, task_id: int, timeout: float) -> BuildInfo:
        """Poll ``getTaskInfo`` until the build task ends; the build it made."""
        self._wait_task(task_id, timeout, "build")
        builds = self._call("listBuilds", taskID=task_id)
        if not builds:
            raise BuildSystemError(f"koji build task {task_id} closed without a build")
        return self._info(builds[0])

    def tag_build(self, tag: str, nvr: str) -> None:
        """``tagBuild`` and wait for its task (no call when already tagged)."""
        if any(b.nvr == nvr for b in self.list_tagged(tag)):
            return
        self._login()
        task_id = self._call("tagBuild", tag, nvr)
        if task_id is not None:
            self._wait_task(int(task_id), self.settings.task_timeout, "tagBuild")

    def untag_build(self, tag: str, nvr: str) -> None:
        """``untagBuild`` (synchronous on the hub)."""
        self._login()
        self._call("untagBuild", tag, nvr)

    def list_tagged(self, tag: str) -> tuple[BuildInfo, ...]:
        """``listTagged(tag)``."""
        return tuple(self._info(b) for b in self._call("listTagged", tag))

    def get_build(self, nvr: str) -> BuildInfo | None:
        """``getBuild(nvr)`` (None when the hub has no such build)."""
        found = self._call("getBuild", nvr)
        return self._info(found) if found else None
