"""Push events from forges: each verified by its own scheme, read as (repo URLs, ref).

=========  ==========================================  ==================================
forge      verification (secret: ``[hooks.<forge>]``)   push event
=========  ==========================================  ==================================
github     ``X-Hub-Signature-256: sha256=<hex>``,       ``X-GitHub-Event: push``
           HMAC-SHA256 of the body
gitlab     ``X-Gitlab-Token`` equals the secret         ``X-Gitlab-Event: Push Hook``/
                                                        ``Tag Push Hook``
gitea      ``X-Gitea-Signature: <hex>``, HMAC-SHA256    ``X-Gitea-Event: push``
forgejo    ``X-Forgejo-Signature: <hex>``, same         ``X-Forgejo-Event: push``
gerrit     HTTP Basic ``username``:secret (the         body ``"type": "ref-updated"``
           webhooks plugin's URL credentials)
=========  ==========================================  ==================================

Every comparison is constant-time. A forge without a secret refuses every event
(401): an endpoint that cannot verify does not accept. GitHub's ``ping`` and other
event types are accepted and ignored (nothing queued).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trunkline.config import ForgeHookSettings, HooksSettings
from trunkline.errors import InputError, TrunklineError

FORGES = ("github", "gitlab", "gitea", "forgejo", "gerrit")


class HookAuthError(TrunklineError):
    """The event's signature or token is missing or wrong (HTTP 401)."""


class UnknownForgeError(TrunklineError):
    """``/api/hooks/<forge>`` names no supported forge (HTTP 404)."""


@dataclass(frozen=True)
class Push:
    """A push as a forge reported it: the repo's URLs (clone, web, ssh) and the ref."""

    urls: tuple[str, ...]
    ref: str  # refs/heads/<branch> or refs/tags/<tag>
    delivery: str  # the forge's delivery id, '' when it sends none


def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def verify(
    forge: str, conf: ForgeHookSettings, secret: str, headers: Mapping[str, str], body: bytes
) -> None:
    """Check the event's credentials by ``forge``'s scheme.

    Args:
        headers: the request headers, lower-case names.

    Raises:
        HookAuthError: no secret configured, or the credentials do not match.
    """
    if not secret:
        raise HookAuthError(f"hooks.{forge}: no secret configured; event refused")
    ok = False
    if forge == "github":
        ok = _same(headers.get("x-hub-signature-256", ""), "sha256=" + _hmac_hex(secret, body))
    elif forge == "gitlab":
        ok = _same(headers.get("x-gitlab-token", ""), secret)
    elif forge in ("gitea", "forgejo"):
        ok = _same(headers.get(f"x-{forge}-signature", ""), _hmac_hex(secret, body))
    elif forge == "gerrit":
        ok = _basic_ok(headers.get("authorization", ""), conf.username, secret)
    if not ok:
        raise HookAuthError(f"{forge} event: bad or missing signature")


def _basic_ok(header: str, username: str, secret: str) -> bool:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return _same(user, username) & _same(password, secret)


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InputError("hook body: not JSON") from None
    if not isinstance(data, dict):
        raise InputError("hook body: expected a JSON object")
    return data


def _strings(obj: Any, *keys: str) -> tuple[str, ...]:
    if not isinstance(obj, dict):
        return ()
    return tuple(v for k in keys if isinstance(v := obj.get(k), str) and v)


def parse(
    forge: str, conf: ForgeHookSettings, headers: Mapping[str, str], body: bytes
) -> Push | None:
    """The push ``body`` reports, or None for an event that is not a push (ping...).

    Raises:
        InputError: the body is not the forge's push event shape (HTTP 400).
    """
    data = _json(body)
    if forge == "gerrit":
        return _gerrit(conf, data)
    kind = headers.get(
        {"github": "x-github-event", "gitlab": "x-gitlab-event"}.get(forge, f"x-{forge}-event"),
        "",
    )
    if kind not in ("push", "Push Hook", "Tag Push Hook"):
        return None
    ref = data.get("ref")
    if not isinstance(ref, str) or not ref:
        raise InputError(f"{forge} push event: no 'ref'")
    if forge == "gitlab":
        urls = _strings(data.get("project"), "git_http_url", "git_ssh_url", "web_url")
        urls += _strings(data.get("repository"), "git_http_url", "git_ssh_url", "homepage")
    else:
        urls = _strings(data.get("repository"), "clone_url", "html_url", "ssh_url", "git_url")
    if not urls:
        raise InputError(f"{forge} push event: no repository URL")
    delivery = headers.get(
        {"github": "x-github-delivery", "gitlab": "x-gitlab-event-uuid"}.get(
            forge, f"x-{forge}-delivery"
        ),
        "",
    )
    return Push(urls, ref, delivery[:128])


def _gerrit(conf: ForgeHookSettings, data: dict[str, Any]) -> Push | None:
    if data.get("type") != "ref-updated":
        return None
    update = data.get("refUpdate")
    project = update.get("project") if isinstance(update, dict) else None
    ref = update.get("refName") if isinstance(update, dict) else None
    if not isinstance(project, str) or not isinstance(ref, str) or not project or not ref:
        raise InputError("gerrit ref-updated event: no refUpdate.project/refName")
    if not ref.startswith("refs/"):
        ref = f"refs/heads/{ref}"  # older Gerrit versions send the short branch name
    base = conf.url.rstrip("/")
    return Push((f"{base}/{project}",), ref, "")


def forge_settings(hooks: HooksSettings, forge: str) -> ForgeHookSettings:
    """``[hooks.<forge>]``.

    Raises:
        UnknownForgeError: not one of :data:`FORGES`.
    """
    if forge not in FORGES:
        raise UnknownForgeError(f"unknown forge {forge!r}: expected one of {', '.join(FORGES)}")
    conf: ForgeHookSettings = getattr(hooks, forge)
    return conf
