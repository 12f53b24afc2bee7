"""The static reports, rendered from a real database on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tests.reports.builds import DAY, T0, Builds, sha
from tests.reports.htmltable import body_rows, hrefs
from trunkline.db.models import BuildStatus, Commit, InstallStatus
from trunkline.reports.render import ReportResult, generate_reports

pytestmark = pytest.mark.db

NOW = T0 + 30 * DAY


def render(session: Session, repos: Path) -> ReportResult:
    return generate_reports(
        session, repos, project_name="RDO <trunk>", baseurl="https://trunk.example/", now=NOW
    )


def test_recent_builds_are_newest_first_with_nvr_status_and_links(
    db_session: Session, tmp_path: Path
) -> None:
    b = Builds(db_session)
    ok = b.add("python-nova", install_status=InstallStatus.INSTALLABLE)
    bad = b.add("python-glance", BuildStatus.FAILED)
    retry = b.add("python-nova", BuildStatus.RETRY)
    render(db_session, tmp_path)

    html = (tmp_path / "report.html").read_text()
    rows = body_rows(html)
    assert [r[1] for r in rows] == ["python-nova", "python-glance", "python-nova"]
    newest, failed, oldest = rows
    assert newest[7] == "RETRY" and newest[9] == ""  # no repo dir, so no links
    assert failed[7] == "FAILED" and failed[10] == "error: it broke"
    assert oldest[2] == ok.commit_hash[:10] and oldest[4] == ok.distro_hash[:10]
    assert oldest[5] == f"python-nova-1.0.0-{ok.release}"
    assert oldest[8] == "INSTALLABLE"
    assert oldest[0] == "2023-11-14 22:23"
    links = hrefs(html)
    for row in (ok, bad):
        assert f"{row.repo_dir}/" in links
        assert f"{row.repo_dir}/build.log" in links
        assert f"{row.repo_dir}/rpmbuild.log" in links
    assert retry.repo_dir == ""
    assert "RDO &lt;trunk&gt; — recent builds" in html
    assert (tmp_path / "report.css").read_text().startswith("/* trunkline reports")


def test_status_report_names_the_culprit_commit_and_days_since_last_success(
    db_session: Session, tmp_path: Path
) -> None:
    b = Builds(db_session)
    b.add("alpha", dt_build=T0)
    culprit = b.add("alpha", BuildStatus.FAILED, dt_build=T0 + 2 * DAY)
    b.add("alpha", BuildStatus.FAILED, dt_build=T0 + 3 * DAY)
    b.add("beta", BuildStatus.FAILED, dt_build=T0 + 4 * DAY)
    b.add("gamma", BuildStatus.FAILED, dt_build=T0 + 5 * DAY)
    b.add("gamma", dt_build=T0 + 6 * DAY)
    b.add("delta", dt_build=T0 + 7 * DAY)
    b.add("delta", BuildStatus.RETRY, dt_build=T0 + 8 * DAY)
    render(db_session, tmp_path)

    rows = {r[0]: r for r in body_rows((tmp_path / "status_report.html").read_text())}
    assert sorted(rows) == ["alpha", "beta", "delta", "gamma"]
    alpha = rows["alpha"]
    assert alpha[6] == "FAILED"
    assert alpha[9].startswith("2023-11-16 22:13 " + culprit.commit_hash[:10])
    assert alpha[10] == "2023-11-14 22:13"
    assert alpha[11] == "30"
    assert rows["beta"][9].startswith("2023-11-18") and rows["beta"][11] == "Never"
    assert rows["gamma"][6] == "SUCCESS" and rows["gamma"][9] == ""
    assert rows["delta"][6] == "RETRY" and rows["delta"][9] == "", "a retry after success is ok"
    ftbfs = [r[0] for r in body_rows((tmp_path / "ftbfs.html").read_text())]
    assert ftbfs == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("commit_branch", "source_branch", "shown"),
    [
        ("stable/2024.2", None, "stable/2024.2"),  # recorded before the column existed
        ("stable/2025.1", "stable/2025.1", "stable/2025.1"),
        ("unmaintained/2024.1", "stable/2024.1", "unmaintained/2024.1 (for stable/2024.1)"),
        ("2024.2-eol", "stable/2024.2", "2024.2-eol (for stable/2024.2)"),
        ("master", "stable/2023.2", "master (for stable/2023.2)"),  # fallback_to_master
        ("9.7.1", "9.7.1", "9.7.1"),  # a pin
    ],
)
def test_the_upstream_ref_built_is_shown_and_says_what_it_replaced(
    db_session: Session,
    tmp_path: Path,
    commit_branch: str,
    source_branch: str | None,
    shown: str,
) -> None:
    b = Builds(db_session)
    b.add("python-oslo-config", commit_branch=commit_branch, source_branch=source_branch)
    b.add("python-evil", commit_branch="<b>x</b>", source_branch="<i>y</i>")
    render(db_session, tmp_path)

    builds = {r[1]: r for r in body_rows((tmp_path / "report.html").read_text())}
    status = {r[0]: r for r in body_rows((tmp_path / "status_report.html").read_text())}
    assert builds["python-oslo-config"][3] == shown
    assert status["python-oslo-config"][3] == shown
    assert status["python-evil"][3] == "<b>x</b> (for <i>y</i>)"  # text, not markup
    html = (tmp_path / "status_report.html").read_text()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_status_csv_has_dlrn_columns_one_line_per_package(
    db_session: Session, tmp_path: Path
) -> None:
    b = Builds(db_session)
    b.add("alpha", artifacts="repos/a/x.src.rpm,repos/a/x.noarch.rpm", component="compute")
    last = b.add("alpha", BuildStatus.FAILED)
    render(db_session, tmp_path)

    rows = list(csv.reader(io.StringIO((tmp_path / "status_report.csv").read_text())))
    assert rows[0] == [
        "Project",
        "Source Sha",
        "Dist Sha",
        "Extended Sha",
        "Component",
        "Status",
        "Timestamp",
        "Packages",
    ]
    assert rows[1:] == [
        [
            "alpha",
            last.commit_hash,
            last.distro_hash,
            "None",
            "None",
            "FAILED",
            str(last.dt_build),
            "",
        ]
    ]


def test_a_second_run_redoes_only_what_a_new_build_changed(
    db_session: Session, tmp_path: Path
) -> None:
    b = Builds(db_session)
    b.many(150, ["alpha", "beta", "gamma"])
    first = render(db_session, tmp_path)
    assert first.full and first.pages_total == 2

    again = render(db_session, tmp_path)
    assert again.written == () and again.rows_rendered == 0

    b.add("beta", BuildStatus.FAILED)
    after = render(db_session, tmp_path)
    assert not after.full
    assert after.written == (
        "report.html",
        "status_report.html",
        "ftbfs.html",
        "status_report.csv",
    )
    assert after.rows_rendered == 1
    assert [r[0] for r in body_rows((tmp_path / "ftbfs.html").read_text())] == ["beta"]


def test_an_updated_old_build_rerenders_its_page(db_session: Session, tmp_path: Path) -> None:
    b = Builds(db_session)
    b.many(150, ["alpha", "beta"])
    render(db_session, tmp_path)
    old = b.session.get(Commit, 20)
    assert old is not None
    old.install_status = InstallStatus.UNINSTALLABLE
    db_session.flush()
    result = render(db_session, tmp_path)
    assert result.written == ("report-2.html",)
    assert "UNINSTALLABLE" in (tmp_path / "report-2.html").read_text()


def test_deleted_builds_make_the_next_run_recompute_everything(
    db_session: Session, tmp_path: Path
) -> None:
    b = Builds(db_session)
    b.add("alpha")
    b.add("alpha", BuildStatus.FAILED)
    render(db_session, tmp_path)
    db_session.execute(delete(Commit).where(Commit.id == 2))
    db_session.flush()
    result = render(db_session, tmp_path)
    assert result.full
    assert body_rows((tmp_path / "status_report.html").read_text())[0][6] == "SUCCESS"
    assert body_rows((tmp_path / "ftbfs.html").read_text()) == [["No packages here."]]


def test_pages_are_blocks_of_one_hundred_ids_with_a_pager(
    db_session: Session, tmp_path: Path
) -> None:
    b = Builds(db_session)
    b.many(250, ["alpha", "beta"])
    (tmp_path / "report-7.html").write_text("stale")
    render(db_session, tmp_path)

    assert sorted(p.name for p in tmp_path.glob("report*.html")) == [
        "report-2.html",
        "report-3.html",
        "report.html",
    ]
    first = (tmp_path / "report.html").read_text()
    assert [int(r[5].rsplit(".", 2)[1]) for r in body_rows(first)] == list(range(250, 200, -1))
    third = (tmp_path / "report-3.html").read_text()
    assert len(body_rows(third)) == 100
    assert "Page 3 of 3: builds #1–#100" in third
    assert "report-2.html" in hrefs(first) and "report.html" in hrefs(third)


def test_untrusted_names_notes_and_paths_are_escaped_not_executed(
    db_session: Session, tmp_path: Path
) -> None:
    b = Builds(db_session)
    evil = "<script>alert('x')</script>"
    b.add(evil, BuildStatus.FAILED, notes='"><img src=x onerror=alert(1)> & <b>bold</b>')
    b.add("pkg-with-bad-dir", repo_dir="javascript:alert(1)")
    b.add("pkg-climbing", repo_dir="../../etc")
    current = tmp_path / "current"
    current.mkdir()
    (current / "versions.csv").write_text(
        "Project,Source Repo,Source Sha\n"
        f'"{evil}",javascript:alert(1),x\n'
        "pkg-climbing,https://github.com/openstack/../../evil,x\n"
    )
    render(db_session, tmp_path)

    for name in ("report.html", "status_report.html", "ftbfs.html"):
        html = (tmp_path / name).read_text()
        assert "<script>" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert not [h for h in hrefs(html) if "javascript" in h or ".." in h]
    report = (tmp_path / "report.html").read_text()
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in report
    csv_rows = list(csv.reader(io.StringIO((tmp_path / "status_report.csv").read_text())))
    assert [r[0] for r in csv_rows[1:]] == sorted([evil, "pkg-with-bad-dir", "pkg-climbing"])


def test_upstream_commits_link_to_known_web_hosts(db_session: Session, tmp_path: Path) -> None:
    b = Builds(db_session)
    nova = b.add("python-nova")
    local = b.add("local-pkg")
    current = tmp_path / "current"
    current.mkdir()
    (current / "versions.csv").write_text(
        "Project,Source Repo,Source Sha\n"
        "python-nova,https://opendev.org/openstack/nova.git,x\n"
        "local-pkg,file:///srv/git/local-pkg,x\n"
    )
    render(db_session, tmp_path)
    links = hrefs((tmp_path / "report.html").read_text())
    assert f"https://opendev.org/openstack/nova/commit/{nova.commit_hash}" in links
    assert not [h for h in links if local.commit_hash in h and "commit" in h]
    assert sha("unused") not in links


def test_a_new_day_renders_every_status_row_again(db_session: Session, tmp_path: Path) -> None:
    b = Builds(db_session)
    b.add("alpha", dt_build=T0)
    b.add("beta", dt_build=T0)
    render(db_session, tmp_path)
    same_day = generate_reports(
        db_session,
        tmp_path,
        project_name="RDO <trunk>",
        baseurl="https://trunk.example/",
        now=NOW + 60,
    )
    assert same_day.rows_rendered == 0
    next_day = generate_reports(
        db_session,
        tmp_path,
        project_name="RDO <trunk>",
        baseurl="https://trunk.example/",
        now=NOW + DAY,
    )
    assert next_day.rows_rendered == 2 and not next_day.full
    assert [r[11] for r in body_rows((tmp_path / "status_report.html").read_text())] == ["31", "31"]


def test_a_corrupt_state_file_means_a_full_regeneration(
    db_session: Session, tmp_path: Path
) -> None:
    Builds(db_session).add("alpha")
    render(db_session, tmp_path)
    (tmp_path / ".report-state.json").write_text("{not json")
    result = render(db_session, tmp_path)
    assert result.full and result.rows_rendered == 1
