"""A fake Koji hub: a real HTTP XML-RPC server on loopback speaking Koji's wire format.

Only the calls trunkline's ``koji`` driver makes, with the hub's own shapes
(kojihub.py): ``login``, ``build``, ``getTaskInfo``, ``listBuilds``,
``tagBuild``, ``untagBuild``, ``listTagged``, ``getBuild``. Keyword arguments
arrive as koji's client encodes them (a trailing struct with ``__starstar``);
errors are XML-RPC faults with koji's codes (GenericError 1000, AuthError
1002), which the real client turns back into its exception classes; every
response carries the ``Koji-Version`` header a 1.35+ hub sends. Sessions are
checked from the ``Koji-Session-Id``/``-Key`` headers the client sends after a
``login`` (header auth).

The "builder" reads the NVR of the distgit commit with the real ``rpmspec``
(the task goes FREE → OPEN → CLOSED over successive ``getTaskInfo`` calls, so
clients must poll), and a finished build is tagged into its target's
destination tag, as Koji does.
"""

from __future__ import annotations

import tempfile
import threading
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from trunkline.process import run

GENERIC, AUTH = 1000, 1002
FREE, OPEN, CLOSED, FAILED = 0, 1, 2, 5


class HubFaultError(Exception):
    """A fault the hub returns (code, message)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Task:
    """A hub task: its method, state and what to do when it closes."""

    id: int
    method: str
    polls_left: int
    args: tuple[Any, ...]
    state: int = FREE
    result: Any = None


@dataclass
class FakeHub:
    """The hub's state (see module doc)."""

    user: str
    password: str
    dist: str
    targets: dict[str, str]  # build target -> destination tag
    tags: set[str]
    builds: dict[str, dict[str, Any]] = field(default_factory=dict)
    tagged: dict[str, list[str]] = field(default_factory=dict)  # tag -> NVRs (newest last)
    tasks: dict[int, Task] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    session_key: str = "0123abcd"
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- dispatch --------------------------------------------------------------------

    def call(self, method: str, params: tuple[Any, ...], headers: dict[str, str]) -> Any:
        args = list(params)
        kwargs: dict[str, Any] = {}
        if args and isinstance(args[-1], dict) and args[-1].get("__starstar"):
            kwargs = {k: v for k, v in args.pop().items() if k != "__starstar"}
        handler = getattr(self, f"rpc_{method}", None)
        if handler is None:
            raise HubFaultError(GENERIC, f"Invalid method: {method}")
        if method in ("build", "tagBuild", "untagBuild"):
            self._check_session(headers)
        with self.lock:
            self.calls.append(method)
            return handler(*args, **kwargs)

    def _check_session(self, headers: dict[str, str]) -> None:
        if headers.get("Koji-Session-Key") != self.session_key:
            raise HubFaultError(AUTH, "Not logged-in")

    # --- calls -----------------------------------------------------------------------

    def rpc_login(self, user: str, password: str, opts: Any = None) -> dict[str, Any]:
        if (user, password) != (self.user, self.password):
            raise HubFaultError(AUTH, f"Invalid username or password for {user}")
        return {"session-id": 7, "session-key": self.session_key, "header-auth": True}

    def _new_task(self, method: str, *args: Any) -> int:
        task_id = len(self.tasks) + 1
        self.tasks[task_id] = Task(task_id, method, polls_left=2, args=args)
        return task_id

    def rpc_build(self, src: str, target: str, opts: Any = None, priority: Any = None) -> int:
        if target not in self.targets:
            raise HubFaultError(GENERIC, f"No such build target: {target}")
        if not src.startswith("git+") or "#" not in src:
            raise HubFaultError(GENERIC, f"invalid source: {src}")
        return self._new_task("build", src, target)

    def _tag_exists(self, tag: str) -> None:
        if tag not in self.tags:
            raise HubFaultError(GENERIC, f"No such tagInfo: '{tag}'")

    def rpc_tagBuild(self, tag: str, build: str, force: bool = False, fromtag: Any = None) -> int:
        self._tag_exists(tag)
        if build not in self.builds:
            raise HubFaultError(GENERIC, f"No such build: {build}")
        return self._new_task("tagBuild", tag, build)

    def rpc_untagBuild(
        self, tag: str, build: str, strict: bool = True, force: bool = False
    ) -> None:
        self._tag_exists(tag)
        if build not in self.tagged.get(tag, []):
            raise HubFaultError(GENERIC, f"build {build} not in tag {tag}")
        self.tagged[tag].remove(build)

    def rpc_getTaskInfo(self, task_id: int, request: bool = False, strict: bool = False) -> Any:
        task = self.tasks.get(task_id)
        if task is None:
            return None
        if task.state in (FREE, OPEN):
            task.polls_left -= 1
            task.state = OPEN
            if task.polls_left <= 0:
                self._finish(task)
        return {"id": task.id, "method": task.method, "state": task.state}

    def _finish(self, task: Task) -> None:
        try:
            if task.method == "build":
                src, target = task.args
                nvr = self._build_nvr(src)
                if nvr in self.builds:
                    raise HubFaultError(GENERIC, f"Build already exists: {nvr}")
                self.builds[nvr] = self._record(nvr, task.id)
                self.tagged.setdefault(self.targets[target], []).append(nvr)
            else:
                tag, nvr = task.args
                if nvr not in self.tagged.setdefault(tag, []):
                    self.tagged[tag].append(nvr)
            task.state = CLOSED
        except HubFaultError:
            task.state = FAILED

    def _build_nvr(self, src: str) -> str:
        url, commit = src.removeprefix("git+").split("#", 1)
        with tempfile.TemporaryDirectory(prefix="fake-kojid-") as tmp:
            run(["git", "clone", "--quiet", url, f"{tmp}/src"], timeout=60)
            run(["git", "-C", f"{tmp}/src", "checkout", "--quiet", commit], timeout=60)
            spec = next(Path(f"{tmp}/src").glob("*.spec"))
            out = run(
                [
                    "rpmspec",
                    "-q",
                    "--srpm",
                    "--define",
                    f"dist {self.dist}",
                    "--qf",
                    "%{name}-%{version}-%{release}\\n",
                    str(spec),
                ],
                timeout=60,
            ).stdout
        return out.split()[0]

    def _record(self, nvr: str, task_id: int) -> dict[str, Any]:
        name, version, release = nvr.rsplit("-", 2)
        build_id = len(self.builds) + 100
        return {
            "id": build_id,
            "build_id": build_id,
            "nvr": nvr,
            "name": name,
            "package_name": name,
            "version": version,
            "release": release,
            "epoch": None,
            "state": 1,
            "task_id": task_id,
        }

    def rpc_listBuilds(self, **kwargs: Any) -> list[dict[str, Any]]:
        task_id = kwargs.get("taskID")
        return [b for b in self.builds.values() if b["task_id"] == task_id]

    def rpc_listTagged(self, tag: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        self._tag_exists(tag)
        return [{**self.builds[nvr], "tag_name": tag} for nvr in reversed(self.tagged.get(tag, []))]

    def rpc_getBuild(self, build: str, strict: bool = False) -> dict[str, Any] | None:
        return self.builds.get(build)


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                params, method = xmlrpc.client.loads(body, use_builtin_types=True)
                result = hub.call(method or "", params, dict(self.headers))
                payload = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True)
            except HubFaultError as fault:
                payload = xmlrpc.client.dumps(xmlrpc.client.Fault(fault.code, str(fault)))
            data = payload.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Koji-Version", "1.35.0")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_hub(hub: FakeHub) -> Iterator[str]:
    """Serve ``hub`` on 127.0.0.1; yield its ``/kojihub`` URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/kojihub"
    finally:
        server.shutdown()
        server.server_close()
