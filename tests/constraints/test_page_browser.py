"""uc.html in a real browser (headless Chromium): uc.js sorts by a header click and filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.constraints.test_history import run
from trunkline.constraints.report import UcStatus
from trunkline.db.engine import open_database, session_factory, session_scope
from trunkline.reports.uc_page import write_uc_pages


def test_sort_and_filter(tmp_path: Path, page: Any, http_dir: str) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'uc.sqlite'}")
    statuses = {"b-mod": UcStatus.LOWER, "c-mod": UcStatus.EQUAL, "a-mod": UcStatus.LOWER}
    with session_scope(session_factory(engine)) as session:
        run(session, 0, statuses)
        write_uc_pages(session, tmp_path, project_name="demo")
    engine.dispose()
    page.goto(f"{http_dir}/uc.html")
    modules = page.locator("table.uc tbody tr td:nth-child(2)")
    assert modules.all_text_contents() == ["b-mod", "c-mod", "a-mod"]
    page.get_by_role("columnheader", name="Module").click()
    assert modules.all_text_contents() == ["a-mod", "b-mod", "c-mod"]
    page.get_by_role("columnheader", name="Module").click()
    assert modules.all_text_contents() == ["c-mod", "b-mod", "a-mod"]
    page.get_by_label("Filter by status").select_option("lower")
    visible = page.locator("table.uc tbody tr:visible td:nth-child(2)")
    assert visible.all_text_contents() == ["b-mod", "a-mod"]
    page.get_by_role("link", name="equal 1").click()
    page.wait_for_url("**/uc-equal.html")
    assert page.locator("table.uc tbody tr td:nth-child(2)").all_text_contents() == ["c-mod"]
