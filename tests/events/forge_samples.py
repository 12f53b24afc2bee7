"""Push events as each forge documents them, signed as each forge signs them.

The bodies follow the forges' documented sample payloads (trimmed of fields
trunkline does not read, never of the ones it does):

- GitHub "push" event, docs.github.com webhook-events-and-payloads#push;
  ``X-Hub-Signature-256: sha256=<HMAC-SHA256 hex of the body>``.
- GitLab "Push Hook", docs.gitlab.com user/project/integrations/webhook_events;
  ``X-Gitlab-Token: <secret>``.
- Gitea / Forgejo "push", docs.gitea.com usage/webhooks (Forgejo keeps the shape and
  renames the headers); ``X-Gitea-Signature`` / ``X-Forgejo-Signature``: HMAC hex.
- Gerrit ``ref-updated`` (stream-events JSON the webhooks plugin POSTs),
  gerrit-review.googlesource.com Documentation/cmd-stream-events.html; HTTP Basic.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

OLD, NEW = "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"


def _hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github(url: str, ref: str) -> dict[str, Any]:
    web = url.removesuffix(".git")
    return {
        "ref": ref,
        "before": OLD,
        "after": NEW,
        "created": False,
        "deleted": False,
        "forced": False,
        "compare": f"{web}/compare/{OLD[:12]}...{NEW[:12]}",
        "commits": [{"id": NEW, "message": "Update README.md", "distinct": True}],
        "head_commit": {"id": NEW, "message": "Update README.md"},
        "repository": {
            "id": 186853002,
            "name": "alpha",
            "full_name": "example/alpha",
            "html_url": web,
            "clone_url": url,
            "git_url": url.replace("https://", "git://"),
            "ssh_url": url,
            "default_branch": "master",
        },
        "pusher": {"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com"},
        "sender": {"login": "Codertocat", "id": 21031067, "type": "User"},
    }


def gitlab(url: str, ref: str) -> dict[str, Any]:
    web = url.removesuffix(".git")
    return {
        "object_kind": "push",
        "event_name": "push",
        "before": OLD,
        "after": NEW,
        "ref": ref,
        "ref_protected": True,
        "checkout_sha": NEW,
        "user_id": 4,
        "user_name": "John Smith",
        "user_username": "jsmith",
        "project_id": 15,
        "project": {
            "id": 15,
            "name": "alpha",
            "web_url": web,
            "git_ssh_url": url,
            "git_http_url": url,
            "namespace": "example",
            "path_with_namespace": "example/alpha",
            "default_branch": "master",
        },
        "commits": [{"id": NEW, "message": "Update README", "title": "Update README"}],
        "total_commits_count": 1,
        "repository": {
            "name": "alpha",
            "url": url,
            "homepage": web,
            "git_http_url": url,
            "git_ssh_url": url,
            "visibility_level": 0,
        },
    }


def gitea(url: str, ref: str) -> dict[str, Any]:
    web = url.removesuffix(".git")
    return {
        "ref": ref,
        "before": OLD,
        "after": NEW,
        "compare_url": f"{web}/compare/{OLD}...{NEW}",
        "commits": [{"id": NEW, "message": "Update README\n", "url": f"{web}/commit/{NEW}"}],
        "repository": {
            "id": 140,
            "name": "alpha",
            "full_name": "example/alpha",
            "html_url": web,
            "ssh_url": url,
            "clone_url": url,
            "default_branch": "master",
        },
        "pusher": {"id": 1, "login": "gitea", "username": "gitea"},
        "sender": {"id": 1, "login": "gitea", "username": "gitea"},
    }


def gerrit(project: str, ref: str) -> dict[str, Any]:
    return {
        "submitter": {"name": "Jane Roe", "email": "jane@example.org", "username": "jroe"},
        "refUpdate": {"oldRev": OLD, "newRev": NEW, "refName": ref, "project": project},
        "type": "ref-updated",
        "eventCreatedOn": 1700000000,
    }


def push(forge: str, where: str, ref: str, secret: str) -> tuple[dict[str, str], bytes]:
    """Headers and body of a push of ``ref`` to ``where`` (a URL; gerrit: a project name)."""
    maker = {"github": github, "gitlab": gitlab, "gerrit": gerrit}.get(forge, gitea)
    body = json.dumps(maker(where, ref)).encode()
    headers = {"Content-Type": "application/json"}
    if forge == "github":
        headers |= {
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
            "X-Hub-Signature-256": "sha256=" + _hex(secret, body),
        }
    elif forge == "gitlab":
        headers |= {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": secret}
    elif forge in ("gitea", "forgejo"):
        cap = forge.capitalize()
        headers |= {
            f"X-{cap}-Event": "push",
            f"X-{cap}-Delivery": "f6266f16-1bf3-46a5-9ea4-602e06ead473",
            f"X-{cap}-Signature": _hex(secret, body),
        }
    else:
        creds = base64.b64encode(f"gerrit:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {creds}"
    return headers, body
