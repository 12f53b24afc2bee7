"""Cached page parts follow the builder: a new build, FTBFS, vote or promotion shows at once.

The Overview's figures and the Promotions section are kept per builder until
the builder's DB fingerprint moves; the builder writes through its own engine
while the dashboard serves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.web import world
from tests.web.conftest import LiveSite, serve_site, sqlite_urls
from trunkline.db.engine import open_database
from trunkline.db.models import BuildStatus, CIVote, Commit, Ftbfs
from trunkline.web.site import load_site


@pytest.fixture
def fresh_site(tmp_path: Path) -> Iterator[LiveSite]:
    """A served site this test may write to."""
    site_file, worlds = world.make_site(tmp_path, sqlite_urls(tmp_path), only=("centos9-epoxy",))
    for url in serve_site(load_site(site_file)):
        yield LiveSite(url, site_file, worlds)


def _epoxy_row(html: str) -> list[str]:
    row = re.search(r"<tr>\s*<td><a href=\"/builds\?builder=centos9-epoxy\">.*?</tr>", html, re.S)
    assert row
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row[0], re.S)]


def test_overview_and_promotions_show_new_records_at_once(fresh_site: LiveSite) -> None:
    before = _epoxy_row(httpx.get(fresh_site.url + "/").text)
    assert (before[4], before[5]) == ("0", "1")  # builds today, FTBFS open
    httpx.get(fresh_site.url + "/promotions")  # fill the cache
    (stable,) = fresh_site.worlds
    engine = open_database(stable.settings.database_url)
    now = int(time.time())
    with Session(engine) as s:
        row = Commit(dt_commit=now - 60, dt_distro=now - 60, dt_build=now, project_name="python-x",
                     commit_hash=world.sha("new"), distro_hash=world.sha("new-d"),
                     status=BuildStatus.FAILED)  # fmt: skip
        s.add(row)
        s.flush()
        s.add(Ftbfs(project_name="python-x", opened_at=now, first_failed_commit_id=row.id,
                    last_failed_commit_id=row.id))  # fmt: skip
        s.add(CIVote(commit_id=row.id, ci_name="fresh-job", ci_vote=True, timestamp=now))
        s.commit()
    engine.dispose()
    after = _epoxy_row(httpx.get(fresh_site.url + "/").text)
    assert (after[4], after[5]) == ("1", "2")
    assert "fresh-job" in httpx.get(fresh_site.url + "/promotions").text
