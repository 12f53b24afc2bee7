"""Report history in the DB (every back end), the uc pages and GET /api/uc."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import make_settings, serve
from trunkline.constraints.report import UcRow, UcStatus
from trunkline.db.engine import open_database, session_factory, session_scope
from trunkline.db.uc_queries import latest_run, record_run, trend
from trunkline.reports.uc_page import render_uc_html, write_uc_pages

pytestmark = pytest.mark.db

DAY = 86_400
T0 = 1_780_000_000


def row(module: str, status: UcStatus, release: str = "epoxy") -> UcRow:
    pkg = "" if status is UcStatus.MISSING else f"python3-{module.lower()}"
    return UcRow(
        release,
        module,
        "2.0",
        pkg,
        "1.0-1" if pkg else "",
        "deps" if pkg else "",
        ("baseos",) if pkg else (),
        "python3dist" if pkg else "",
        status,
    )


def run(session: Session, day: int, statuses: dict[str, UcStatus], release: str = "epoxy") -> None:
    rows = [row(m, s, release) for m, s in statuses.items()]
    record_run(session, rows, release=release, python="3.12", source="uc.txt", now=T0 + day * DAY)


def test_lower_since_is_the_start_of_the_current_lower_streak(db_session: Session) -> None:
    lo, eq = UcStatus.LOWER, UcStatus.EQUAL
    run(db_session, 0, {"a": lo, "b": eq, "c": lo})
    run(db_session, 1, {"a": lo, "b": lo, "c": eq})
    run(db_session, 2, {"a": lo, "b": lo, "c": lo})
    run(db_session, 3, {"other": lo}, release="dalmatian")
    found = latest_run(db_session, "epoxy")
    assert found is not None
    stored, rows = found
    since = {r.row.module: r.lower_since for r in rows}
    assert since == {"a": T0, "b": T0 + DAY, "c": T0 + 2 * DAY}
    assert stored.counts == {"equal": 0, "lower": 3, "greater": 0, "missing": 0}
    assert [t.counts["lower"] for t in trend(db_session, "epoxy")] == [2, 2, 3]
    newest = latest_run(db_session)
    assert newest is not None and newest[0].release == "dalmatian"
    assert rows[0].row.also == ("baseos",)


def test_the_page_counts_filters_and_escapes(db_session: Session, tmp_path: Path) -> None:
    run(
        db_session,
        0,
        {"<script>x</script>": UcStatus.LOWER, "ok": UcStatus.EQUAL, "gone": UcStatus.MISSING},
    )
    written = write_uc_pages(db_session, tmp_path, project_name="demo")
    assert {"uc.html", "uc-lower.html", "uc-missing.html", "uc.js", "report.css"} <= set(written)
    page = (tmp_path / "uc.html").read_text()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert re.search(r'href="uc-lower.html">lower 1<', page)
    assert '<script src="uc.js" defer></script>' in page
    assert page.count("<script") == 1  # no inline script
    lower = (tmp_path / "uc-lower.html").read_text()
    assert lower.count('data-status="lower"') == 1 and 'data-status="equal"' not in lower
    assert '<a href="uc.html">Upper constraints</a>' in lower


def test_the_page_without_any_run_says_so(db_session: Session) -> None:
    html = render_uc_html(db_session, project_name="demo", release="nosuch")
    assert "No upper-constraints report yet" in html


def test_get_api_uc(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'uc.sqlite'}")
    engine = open_database(settings.database_url)
    with session_scope(session_factory(engine)) as session:
        run(session, 0, {"a": UcStatus.LOWER, "b": UcStatus.EQUAL})
        run(session, 1, {"a": UcStatus.LOWER, "b": UcStatus.MISSING})
    engine.dispose()
    for base in serve(settings):
        with httpx.Client(base_url=base) as client:
            doc = client.get("/api/uc").json()
            assert doc["run"]["counts"] == {"equal": 0, "lower": 1, "greater": 0, "missing": 1}
            assert [t["counts"]["equal"] for t in doc["trend"]] == [1, 0]
            assert [r["module"] for r in doc["rows"]] == ["a", "b"]
            assert doc["rows"][0]["lower_since"] == T0
            lower = client.get("/api/uc", params={"status": "lower"}).json()
            assert [r["module"] for r in lower["rows"]] == ["a"]
            assert client.get("/api/uc", params={"release": "none"}).json()["run"] is None
            assert client.get("/api/uc", params={"status": "higher"}).status_code == 400


def test_the_build_cycle_reports_write_a_uc_page_once(db_session: Session, tmp_path: Path) -> None:
    """The nav of every page links uc.html: the cycle's reports make it if it is missing."""
    from trunkline.reports.render import render_reports

    render_reports(db_session, tmp_path, project_name="demo", baseurl="")
    assert "No upper-constraints report yet" in (tmp_path / "uc.html").read_text()
    run(db_session, 0, {"a": UcStatus.LOWER})
    render_reports(db_session, tmp_path, project_name="demo", baseurl="")  # kept as it is
    assert "No upper-constraints report yet" in (tmp_path / "uc.html").read_text()
