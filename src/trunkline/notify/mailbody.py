"""The FTBFS mails: subject, body and headers composed from an outbox payload.

Three mails, one per ``ftbfs.*`` topic (payload shapes: ``../shared`` contract,
``outbox/routing.py``): ``ftbfs.opened`` (the failure, its culprit, the lines of
the log that explain it), ``ftbfs.culprit`` (bisection named the culprit after
the opening mail went) and ``ftbfs.fixed`` (who fixed it, how long it lasted).

Like DLRN's ``notification_email.j2`` the mail says which package failed, links
the logs and the packaging and tells the reader why they get it; unlike it, the
subject names the builder (DLRN's says "master" whatever it builds) and the body
carries the culprit commits and the log excerpt, so nobody has to open a page.

The ``Message-ID`` is derived from the outbox ``message_id``: a mail sent again
after a kill between the send and its record has the same id, and mail systems
and clients drop the copy. Every mail of one FTBFS references one thread id.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from trunkline.outbox.dispatch import Envelope

TOPICS = ("ftbfs.opened", "ftbfs.culprit", "ftbfs.fixed")

CULPRIT_STATES = {
    "single": "the only new commit since the last good build",
    "bisected": "found by building the commits in between (bisection)",
    "bisecting": "several commits since the last good build; bisecting, another mail follows",
    "could-not-isolate": "could not be isolated: a build in between failed for another reason",
    "unknown": "unknown: no earlier successful build to compare with",
}


@dataclass(frozen=True)
class Recipients:
    """Who gets the mails of one builder (the ``[notify]`` keys they come from)."""

    builder_list: tuple[str, ...] = ()  # recipients: always added
    mail_maintainers: bool = True
    opt_out: frozenset[str] = frozenset()  # packages whose maintainers are not mailed

    def for_package(self, package: str, maintainers: Iterable[str]) -> list[str]:
        """The To list: the maintainers (unless opted out), then the builder's list, each once."""
        wanted = list(maintainers) if self.mail_maintainers and package not in self.opt_out else []
        seen: list[str] = []
        for addr in [*wanted, *self.builder_list]:
            addr = addr.strip()
            if "@" in addr and addr.lower() not in (s.lower() for s in seen):
                seen.append(addr)
        return seen


def message_id(envelope: Envelope, domain: str) -> str:
    """``<OUTBOX-MESSAGE-ID@DOMAIN>``: the same for every attempt of one outbox message."""
    return f"<{envelope.message_id}@{domain}>"


def _domain(mail_from: str) -> str:
    return mail_from.rsplit("@", 1)[-1] or "localhost"


def duration_text(seconds: int) -> str:
    """``2 d 3 h``, ``3 h 20 min``, ``5 min``, ``40 s``: the two largest units."""
    units = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
    parts: list[str] = []
    rest = max(0, int(seconds))
    for name, size in units:
        if rest >= size or (name == "s" and not parts):
            parts.append(f"{rest // size} {name}")
            rest %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def _commit_lines(label: str, commit: Mapping[str, Any] | None) -> list[str]:
    if not commit:
        return [f"  {label:<9} -"]
    lines = [f"  {label:<9} {str(commit.get('hash') or '')[:12]} {commit.get('subject') or ''}"]
    if commit.get("author"):
        lines.append(f"  {'':<9} by {commit['author']}")
    if commit.get("url"):
        lines.append(f"  {'':<9} {commit['url']}")
    return lines


def _culprit_block(culprit: Mapping[str, Any] | None) -> list[str]:
    culprit = culprit or {}
    state = str(culprit.get("state") or "unknown")
    lines = [f"Culprit: {CULPRIT_STATES.get(state, state)}"]
    if state not in ("unknown", "bisecting") or culprit.get("upstream") or culprit.get("distgit"):
        lines += _commit_lines("upstream", culprit.get("upstream"))
        lines += _commit_lines("distgit", culprit.get("distgit"))
    return lines


def _links(p: Mapping[str, Any]) -> list[str]:
    names = (
        ("Logs", "log_url"),
        ("Repo", "repo_url"),
        ("Upstream", "upstream_url"),
        ("Distgit", "distgit_url"),
    )
    return [f"{label + ':':<10}{p[key]}" for label, key in names if p.get(key)]


def _head(p: Mapping[str, Any]) -> list[str]:
    component = f" (component {p['component']})" if p.get("component") else ""
    return [
        f"Package:  {p['package']}{component}",
        f"Builder:  {p['builder']}",
        f"NVR:      {p.get('nvr') or '-'}",
        f"Branches: upstream {p.get('upstream_branch') or '-'}, "
        f"distgit {p.get('distgit_branch') or '-'}",
    ]


def _opened(p: Mapping[str, Any]) -> tuple[str, list[str]]:
    subject = f"[trunkline] {p['builder']}: {p['package']} failed to build"
    body = [
        f"A build of {p['package']} on the builder {p['builder']} failed "
        f"(FTBFS #{p['ftbfs_id']}, {p.get('attempts') or 1} attempt(s)).",
        "",
        *_head(p),
        "",
        *_culprit_block(p.get("culprit")),
        "",
        "Build log (the error lines and their context):",
        *(f"  {line}" for line in (p.get("log_excerpt") or ["(no log excerpt)"])),
        "",
        *_links(p),
    ]
    return subject, body


def _culprit(p: Mapping[str, Any]) -> tuple[str, list[str]]:
    culprit = p.get("culprit") or {}
    found = culprit.get("upstream") or culprit.get("distgit")
    what = f"culprit {str(found.get('hash') or '')[:12]}" if found else "culprit not isolated"
    subject = f"[trunkline] {p['builder']}: {p['package']} failed to build ({what})"
    body = [
        f"Bisection of FTBFS #{p['ftbfs_id']} of {p['package']} on the builder "
        f"{p['builder']} finished.",
        "",
        *_head(p),
        "",
        *_culprit_block(culprit),
        "",
        *_links(p),
    ]
    return subject, body


def _fixed(p: Mapping[str, Any]) -> tuple[str, list[str]]:
    subject = f"[trunkline] {p['builder']}: {p['package']} builds again"
    fixed_by = str(p.get("fixed_by") or "unknown")
    seconds = int(p.get("duration_seconds") or 0)
    body = [
        f"{p['package']} builds again on the builder {p['builder']}: FTBFS #{p['ftbfs_id']} "
        f"is closed after {duration_text(seconds)}.",
        "",
        *_head(p),
        f"Opened:   {formatdate(int(p.get('opened_at') or 0), usegmt=True)}",
        f"Closed:   {formatdate(int(p.get('closed_at') or 0), usegmt=True)}",
        "",
        f"Fixed by the {fixed_by} commit{'s' if fixed_by == 'both' else ''}:",
        *_commit_lines(fixed_by, p.get("fix")),
    ]
    if p.get("review_url") or p.get("review_id"):
        body += ["", f"Review:   {p.get('review_url') or p.get('review_id')}"]
    body += ["", *_links(p)]
    return subject, body


def compose(envelope: Envelope, *, mail_from: str, to: Sequence[str]) -> EmailMessage:
    """The mail for one ``ftbfs.*`` outbox message.

    Args:
        envelope: the outbox message (topic one of :data:`TOPICS`, payload per the contract).
        mail_from: the From address (``[notify] mail_from``); its domain ends the ids.
        to: the recipients (:meth:`Recipients.for_package`).

    Returns:
        The message; its Date is the outbox message's creation time, so a resend is
        byte-identical.

    Raises:
        KeyError: the topic is not one of :data:`TOPICS` (a routing bug).
    """
    p = envelope.payload
    subject, body = {"ftbfs.opened": _opened, "ftbfs.culprit": _culprit, "ftbfs.fixed": _fixed}[
        envelope.topic
    ](p)
    why = (
        f"You receive this mail as a maintainer of {p['package']} (packaging metadata) "
        f"or as a member of the builder {p['builder']}'s list."
    )
    domain = _domain(mail_from)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = mail_from
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(envelope.created_at or time.time(), usegmt=True)
    msg["Message-ID"] = message_id(envelope, domain)
    thread = re.sub(r"[^A-Za-z0-9.-]", "-", str(p["builder"]))
    msg["References"] = f"<ftbfs-{p['ftbfs_id']}.{thread}@{domain}>"
    msg["X-Trunkline-Builder"] = str(p["builder"])
    msg["X-Trunkline-Topic"] = envelope.topic
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("\n".join([*body, "", "-- ", why]) + "\n")
    return msg
