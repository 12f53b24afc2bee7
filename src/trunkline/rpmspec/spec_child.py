"""The rpm spec helper process (``python -m trunkline.rpmspec.spec_child``, started by the builder).

It answers :class:`~trunkline.rpmspec.service.ChildSpecs`' requests with
:class:`~trunkline.rpmspec.service.LocalSpecs`, in this process, which holds rpm
and specfile for its life; the protocol is in ``rpmspec/service.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from trunkline.childproc import serve
from trunkline.errors import SpecError
from trunkline.rpmspec.service import LocalSpecs, SpecRewrite
from trunkline.rpmspec.specinfo import to_json


def handle(request: dict[str, Any], specs: LocalSpecs) -> dict[str, Any]:
    """The answer to one request (``{"error": ...}`` for a spec that cannot be used)."""
    spec = Path(request["spec"])
    try:
        if request["op"] == "info":
            return {"info": to_json(specs.info(spec, request["macros"]))}
        if request["op"] == "rewrite":
            specs.rewrite(spec, SpecRewrite(**request["rewrite"]))
            return {"ok": True}
    except SpecError as exc:
        return {"error": str(exc)}
    return {"error": f"{spec}: unknown spec helper request {request['op']!r}"}


def main() -> int:
    """Serve requests until stdin closes."""
    specs = LocalSpecs()
    serve(lambda request: handle(request, specs), sys.stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
