"""Where the builder reads and rewrites specs: in this process, or in a helper process.

Reading a spec with rpm and rewriting it with specfile loads librpm, its macro
tables and packit's ``specfile`` into the process (~7 MB resident at 700
packages, issue #10), and they stay for its life. The builder has no other use
for them, so a build cycle asks a long-lived child (:class:`ChildSpecs`, ``python -m
trunkline.rpmspec.spec_child``) that holds them; its protocol is
:mod:`trunkline.childproc`'s:

- ``{"op": "info", "spec": str, "macros": {str: str}}`` -> ``{"info": SpecInfo as
  JSON}`` (:func:`~trunkline.rpmspec.specinfo.to_json`);
- ``{"op": "rewrite", "spec": str, "rewrite": SpecRewrite's fields}`` -> ``{"ok": true}``;
- either -> ``{"error": "<one line>"}`` for a :class:`~trunkline.errors.SpecError`.

rpm's macro context is process-wide, so specs are read one at a time in any
process (``RPM_LOCK``); the helper answers one request at a time too and no
parallelism is lost. A helper that dies is started again and the request sent
once more; a second death is a :class:`SpecError` for that spec. Everything
else (the distgit tools, remote workers, tests) reads specs in its own process
with :class:`LocalSpecs`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from trunkline.childproc import HelperDiedError, OnDemandHelper
from trunkline.errors import CommandError, SpecError
from trunkline.rpmspec.specinfo import SpecInfo, from_json

MODULE = "trunkline.rpmspec.spec_child"


@dataclass(frozen=True)
class SpecRewrite:
    """The values of one trunk build's spec rewrite (:func:`~.rewrite.rewrite_spec`'s arguments).

    Attributes:
        version: the RPM Version (normalised).
        upstream_version: the version upstream reports (``%{upstream_version}``).
        release: the Release without dist, e.g. ``0.20251118100000.0d094ba``.
        source0: the tarball's file name for Source0; None keeps the spec's.
        keep_changelog: keep ``%changelog`` entries.
        macros: extra rpm macros used while parsing.
    """

    version: str
    upstream_version: str
    release: str
    source0: str | None
    keep_changelog: bool
    macros: Mapping[str, str]


class SpecService(Protocol):
    """Reads and rewrites spec files; errors are one-line :class:`SpecError`\\ s naming the file."""

    def info(self, spec: Path, macros: Mapping[str, str]) -> SpecInfo:
        """What ``spec`` says (:func:`~.adapter.spec_info`)."""
        ...

    def rewrite(self, spec: Path, rewrite: SpecRewrite) -> None:
        """Rewrite ``spec`` into one trunk build's spec (:func:`~.rewrite.rewrite_spec`)."""
        ...


class LocalSpecs:
    """:class:`SpecService` in this process (rpm and specfile loaded on first use)."""

    def info(self, spec: Path, macros: Mapping[str, str]) -> SpecInfo:
        """See :class:`SpecService`."""
        from trunkline.rpmspec.adapter import spec_info

        return spec_info(spec, macros)

    def rewrite(self, spec: Path, rewrite: SpecRewrite) -> None:
        """See :class:`SpecService`."""
        from trunkline.rpmspec.rewrite import rewrite_spec

        rewrite_spec(
            spec,
            version=rewrite.version,
            upstream_version=rewrite.upstream_version,
            release=rewrite.release,
            source0=rewrite.source0,
            keep_changelog=rewrite.keep_changelog,
            macros=rewrite.macros,
        )


class ChildSpecs:
    """:class:`SpecService` answered by a helper process (module docstring).

    Thread-safe (one request at a time). The helper starts on the first request;
    call :meth:`close` when done (a forgotten one ends when collected).
    """

    def __init__(self, timeout: float = 300.0) -> None:
        """Args:
        timeout: seconds one request may take before the helper is killed.
        """
        self.timeout = timeout
        self._lock = threading.Lock()
        self._helper = OnDemandHelper(MODULE)

    def info(self, spec: Path, macros: Mapping[str, str]) -> SpecInfo:
        """See :class:`SpecService`.

        Raises:
            SpecError: the spec cannot be read, or the helper died twice on it.
        """
        answer = self._ask(spec, {"op": "info", "spec": str(spec), "macros": dict(macros)})
        try:
            return from_json(answer["info"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SpecError(f"{spec}: the spec helper gave no spec ({exc!r})") from None

    def rewrite(self, spec: Path, rewrite: SpecRewrite) -> None:
        """See :class:`SpecService`.

        Raises:
            SpecError: the spec cannot be rewritten, or the helper died twice on it.
        """
        fields = {**asdict(rewrite), "macros": dict(rewrite.macros)}
        self._ask(spec, {"op": "rewrite", "spec": str(spec), "rewrite": fields})

    def close(self) -> None:
        """End the helper (it finishes the request in hand first)."""
        with self._lock:
            self._helper.close()

    @property
    def started(self) -> int:
        """How many helpers were started (for tests and logs)."""
        return self._helper.started

    def _ask(self, spec: Path, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            try:
                answer = self._once(request)
            except HelperDiedError:
                try:
                    answer = self._once(request)
                except HelperDiedError as exc:
                    raise SpecError(f"{spec}: the rpm spec helper {exc}") from None
        if "error" in answer:
            raise SpecError(str(answer["error"]))
        return answer

    def _once(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._helper.ask(request, self.timeout)
        except CommandError as exc:
            raise SpecError(f"cannot start the rpm spec helper: {exc.detail}") from None
