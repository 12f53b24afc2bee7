"""DLRN's own API tests, replayed as a table against trunkline's live server.

Each row is one test of dlrn/tests/test_api.py or test_graphql.py (DLRN 60269d3d,
named in the row's id): the same request on the same data (DLRN's samples
commits_2.yaml / commits_3.yaml, loaded before each row) and DLRN's asserted
status and body. Not replayed, because they need what a live server cannot
fake: rows that mock "now" (max_age > 0), mock ``os.symlink`` failures or a
failing ``session.commit``, and FreeIPA roles (Kerberos has its own tests
against a real KDC in test_kerberos.py). A row with ``differs`` is a known
difference, kept as a strict xfail so it is noticed once fixed.

Adaptation: DLRN's ``repo_dir`` column holds the source clone; here it is the
hashed repo directory (DLRN's ``getshardedcommitdir()``), created on disk so a
promotion can point at it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.api.conftest import LiveApi, start_live
from tests.api.dlrn_sample import add_sample_users, load_sample
from trunkline.db.models import User

pytestmark = pytest.mark.db

FOO = {"Authorization": "Basic " + base64.b64encode(b"foo:bar").decode()}  # DLRN's test user
C_ALEMBIC = "1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edc"
D_ALEMBIC = "8170b8686c38bafb6021d998e2fb268ab26ccf65"
C_PURGED = "1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0e77"
D_PURGED = "8170b8686c38bafb6021d998e2fb268ab26ccf77"
C_SAML = "17234e9ab9dfab4cf5600f67f1d24db5064f1025"
D_SAML = "024e24f0cf4366c2290c22f24e42de714d1addd1"
C_STDLIB = "93eee77657978547f5fad1cb8cd30b570da83e68"
D_STDLIB = "008678d7b0e20fbae185f2bb1bd0d9d167586211"
EXT = "1234567890_1234567890"


@pytest.fixture(scope="module")
def dlrn_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """A server whose users table has DLRN's test user, sha512_crypt hash and all."""
    for live in start_live(request, tmp_path_factory.mktemp("api"), "sqlite"):
        add_sample_users(live)
        yield live


@dataclass(frozen=True)
class Case:
    """One DLRN test: request, then DLRN's asserted status and body."""

    dlrn: str
    method: str
    path: str
    status: int
    body: Any = None  # JSON body (on GETs too: DLRN's deprecated way, dlrnapi's way)
    auth: bool = False
    sample: str = "commits_2"
    message: str | None = None  # the exact "message"
    count: int | None = None  # length of the JSON list
    fields: dict[str, Any] = field(default_factory=dict)  # items of the JSON object
    link: tuple[str, str] | None = None  # promotion link name -> DLRN's relative target
    differs: str = ""  # a known difference from DLRN: the row is a strict xfail


def hashes(c: str, d: str, **extra: Any) -> dict[str, Any]:
    return {"commit_hash": c, "distro_hash": d, **extra}


VOTE = {"job_id": "foo-ci", "url": "", "timestamp": "1941635095", "success": "true"}
ALEMBIC_DIR = f"1c/67/{C_ALEMBIC}_8170b868"
SAML_DIR = f"component/tripleo/17/23/{C_SAML}_024e24f0"
STDLIB_EXT_DIR = f"component/tripleo/93/ee/{C_STDLIB}_008678d7_12345678"
FIELD_REQUIRED = (
    "Errors detected: 2 {'commit_hash': 'field required', 'distro_hash': 'field required'}"
)
PKG = "Errors detected: 1 {'package_name': "

CASES = [
    # last_tested_repo (max_age=0: "now" does not matter)
    Case("test_get_last_tested_repo_noconstraints", "GET", "/api/last_tested_repo", 200,
         {"max_age": "0"}, fields=hashes(C_STDLIB, D_STDLIB, extended_hash=EXT)),
    Case("test_get_last_tested_repo_failed_url_params", "GET",
         "/api/last_tested_repo?max_age=0&success=0", 200,
         fields=hashes(C_SAML, D_SAML, job_id="current-passed-ci")),
    Case("test_get_last_tested_repo_sequential", "GET", "/api/last_tested_repo", 200,
         {"max_age": "0", "job_id": "foo-ci", "sequential_mode": "true",
          "previous_job_id": "current-passed-ci"},
         fields=hashes(C_SAML, D_SAML, job_id="current-passed-ci")),
    Case("test_get_last_tested_repo_sequential_needs_previous_job_id", "GET",
         "/api/last_tested_repo", 400,
         {"max_age": "0", "job_id": "foo-ci", "sequential_mode": "true"}),
    Case("test_get_last_tested_repo_sequential_novote", "GET", "/api/last_tested_repo", 400,
         {"max_age": "0", "job_id": "foo-ci", "sequential_mode": "true",
          "previous_job_id": "bar-ci"}),
    Case("test_get_last_tested_repo_component", "GET", "/api/last_tested_repo", 200,
         {"max_age": "0", "success": "1", "component": "foo-component"},
         fields=hashes(C_ALEMBIC, D_ALEMBIC, component="foo-component")),
    Case("test_post_last_tested_repo_needs_auth", "POST", "/api/last_tested_repo", 401),
    Case("test_post_last_tested_repo_missing_params", "POST", "/api/last_tested_repo", 400,
         {"max_age": "0"}, auth=True),
    Case("test_post_last_tested_repo_noconstraints", "POST", "/api/last_tested_repo", 201,
         {"max_age": "0", "reporting_job_id": "foo-ci"}, auth=True,
         fields=hashes(C_STDLIB, D_STDLIB, extended_hash=EXT, job_id="foo-ci", in_progress=True)),
    Case("test_post_last_tested_repo_sequential", "POST", "/api/last_tested_repo", 201,
         {"max_age": "0", "job_id": "foo-ci", "reporting_job_id": "foo-ci",
          "sequential_mode": "true", "previous_job_id": "current-passed-ci"}, auth=True,
         fields=hashes(C_SAML, D_SAML, job_id="foo-ci", in_progress=True)),
    Case("test_post_last_tested_repo_component", "POST", "/api/last_tested_repo", 201,
         {"max_age": "0", "reporting_job_id": "foo-ci", "component": "foo-component"},
         auth=True, fields=hashes(C_ALEMBIC, D_ALEMBIC, job_id="foo-ci",
                                  component="foo-component")),
    # report_result
    Case("test_report_result_needs_auth", "POST", "/api/report_result", 401),
    Case("test_report_result_missing_params", "POST", "/api/report_result", 400,
         {"commit_hash": "0"}, auth=True),
    Case("test_report_result_wrong_commit", "POST", "/api/report_result", 400,
         {**VOTE, **hashes("0", D_ALEMBIC)}, auth=True),
    Case("test_report_result_no_commit_hash", "POST", "/api/report_result", 400,
         {**VOTE, "distro_hash": "0"}, auth=True),
    Case("test_report_result_successful", "POST", "/api/report_result", 201,
         {**VOTE, **hashes(C_ALEMBIC, D_ALEMBIC)}, auth=True,
         fields={"in_progress": False, "success": True}),
    Case("test_report_result_aggregate", "POST", "/api/report_result", 201,
         {**VOTE, "aggregate_hash": "12345678", "job_id": "phase2-ci"}, auth=True,
         fields={"in_progress": False, "success": True, "aggregate_hash": "12345678"}),
    Case("test_report_result_agg_and_hash", "POST", "/api/report_result", 400,
         {**VOTE, "aggregate_hash": "12345678", "commit_hash": "123456"}, auth=True),
    Case("test_report_result_ext_hash", "POST", "/api/report_result", 201,
         {**VOTE, **hashes(C_STDLIB, D_STDLIB, extended_hash=EXT)}, auth=True,
         fields={"in_progress": False, "success": True, "extended_hash": EXT}),
    # promote, promote-batch
    Case("test_promote_needs_auth", "POST", "/api/promote", 401),
    Case("test_promote_missing_commit", "POST", "/api/promote", 400,
         hashes("abc123", "abc123", promote_name="foo"), auth=True),
    Case("test_promote_purged_commit", "POST", "/api/promote", 410,
         hashes(C_PURGED, D_PURGED, promote_name="foo-ci"), auth=True,
         message="commit_hash+distro_hash+extended_hash has been purged, cannot promote it"),
    Case("test_promote_successful", "POST", "/api/promote", 201,
         hashes(C_ALEMBIC, D_ALEMBIC, promote_name="foo-ci"), auth=True,
         fields={"extended_hash": None}, link=("foo-ci", ALEMBIC_DIR)),
    Case("test_promote_successful_exthash", "POST", "/api/promote", 201,
         hashes(C_STDLIB, D_STDLIB, extended_hash=EXT, promote_name="my-ci"), auth=True,
         fields={"extended_hash": EXT}, link=("my-ci", STDLIB_EXT_DIR)),
    Case("test_promote_invalid_name", "POST", "/api/promote", 403,
         hashes(C_ALEMBIC, D_ALEMBIC, promote_name="consistent"), auth=True,
         message="Invalid promote_name consistent"),
    Case("test_promote_invalid_name_relative", "POST", "/api/promote", 403,
         hashes(C_ALEMBIC, D_ALEMBIC, promote_name="../consistent"), auth=True,
         message="Invalid promote_name ../consistent"),
    Case("test_promote_batch_needs_auth", "POST", "/api/promote-batch", 401),
    Case("test_promote_batch_missing_commit", "POST", "/api/promote-batch", 400,
         [hashes("abc123", "abc123", promote_name="foo"),
          hashes("abc456", "abc456", promote_name="foo")], auth=True),
    Case("test_promote_batch_successful_1", "POST", "/api/promote-batch", 201,
         [hashes(C_ALEMBIC, D_ALEMBIC, promote_name="foo-ci")], auth=True,
         link=("foo-ci", ALEMBIC_DIR)),
    Case("test_promote_batch_successful_2", "POST", "/api/promote-batch", 201,
         [hashes(C_ALEMBIC, D_ALEMBIC, promote_name="foo-ci"),
          hashes(C_SAML, D_SAML, promote_name="foo-ci")], auth=True,
         link=("foo-ci", SAML_DIR)),
    Case("test_promote_batch_successful_exthash", "POST", "/api/promote-batch", 201,
         [hashes(C_ALEMBIC, D_ALEMBIC, promote_name="test-ci"),
          hashes(C_STDLIB, D_STDLIB, extended_hash=EXT, promote_name="test-ci")], auth=True,
         link=("test-ci", STDLIB_EXT_DIR)),
    # repo_status, agg_status
    Case("test_repo_status_missing_commit", "GET", "/api/repo_status", 400,
         {"commit_hash": "abc123", "distro_hash": "abc123"}),
    Case("test_repo_status_multiple_votes", "GET", "/api/repo_status", 200,
         hashes(C_SAML, D_SAML), count=2),
    Case("test_repo_status_with_success_url_param", "GET",
         f"/api/repo_status?commit_hash={C_SAML}&distro_hash={D_SAML}&success=true", 200,
         count=1),
    Case("test_repo_status_extended_hash", "GET",
         f"/api/repo_status?commit_hash={C_STDLIB}&distro_hash={D_STDLIB}&extended_hash={EXT}",
         200, count=1),
    Case("test_repo_status_invalid_args", "GET", "/api/repo_status", 400,
         message=FIELD_REQUIRED),
    Case("test_agg_status_missing_hash", "GET", "/api/agg_status?success=true", 400),
    Case("test_agg_status_multiple_votes", "GET", "/api/agg_status?aggregate_hash=12345678",
         200, count=2),
    Case("test_agg_status_with_success", "GET",
         "/api/agg_status?aggregate_hash=12345678&success=true", 200, count=1),
    Case("test_agg_status_hash_not_found", "GET", "/api/agg_status?aggregate_hash=000000000",
         200, count=0),
    # promotions, components
    Case("test_get_promotions_missing_commit", "GET", "/api/promotions", 400,
         {"distro_hash": "abc123"}),
    Case("test_get_promotions_no_such_commit_url_params", "GET",
         "/api/promotions?commit_hash=abc123&distro_hash=abc123", 400),
    Case("test_get_promotions_multiple_votes", "GET", "/api/promotions", 200, {}, count=4),
    Case("test_get_promotions_with_promote_name", "GET", "/api/promotions", 200,
         {"promote_name": "another-ci"}, count=1),
    Case("test_get_promotions_with_commit", "GET", "/api/promotions", 200,
         hashes(C_SAML, D_SAML), count=1),
    Case("test_get_promotions_with_ext_hash", "GET", "/api/promotions", 200,
         hashes(C_STDLIB, D_STDLIB, extended_hash=EXT), count=1),
    Case("test_get_promotions_with_offset_url_params", "GET", "/api/promotions?offset=1",
         200, count=3),
    Case("test_get_promotions_with_limit", "GET", "/api/promotions", 200, {"limit": 1},
         count=1),
    Case("(af74de88) components", "GET", "/api/components", 200,
         fields={"components": ["another-component", "tripleo"]}),
    # recheck_package (commits_3.yaml)
    Case("test_recheck_package_no_package_name", "POST", "/api/recheck_package", 400,
         auth=True, sample="commits_3", message=PKG + "'field required'}"),
    Case("test_recheck_package_not_allowed_package_name", "POST", "/api/recheck_package",
         400, {"package_name": None}, auth=True, sample="commits_3",
         message=PKG + "'none is not an allowed value'}"),
    Case("test_recheck_package_no_commit", "POST", "/api/recheck_package", 400,
         {"package_name": "foo-ci"}, auth=True, sample="commits_3",
         message="Error while rechecking foo-ci. There are no existing commits or the commit"
         " to be rechecked is already marked as RETRY."),
    Case("test_recheck_package_successful_commit", "POST", "/api/recheck_package", 409,
         {"package_name": "python-pysaml2"}, auth=True, sample="commits_3",
         message="Error while rechecking python-pysaml2. It's not possible to recheck a"
         " successful commit"),
    Case("test_recheck_package_failed_commit", "POST", "/api/recheck_package", 201,
         {"package_name": "python-stevedore"}, auth=True, sample="commits_3",
         fields={"result": "ok"}),
    Case("(dlrnapi recheck-package) query string", "POST",
         "/api/recheck_package?package_name=python-stevedore", 201, auth=True,
         sample="commits_3", fields={"result": "ok"}),
    # metrics, health
    Case("test_metrics_missing_start_date", "GET", "/api/metrics/builds", 400,
         {"end_date": "0"}),
    Case("test_metrics_wrong_date_format_url_param", "GET",
         "/api/metrics/builds?start_date=0&end_date=0", 400),
    Case("test_metrics_notindate", "GET", "/api/metrics/builds", 200,
         {"start_date": "2011-09-07", "end_date": "2011-09-09"},
         fields={"total": 0, "succeeded": 0, "failed": 0}),
    Case("test_metrics_success_url_param", "GET",
         "/api/metrics/builds?start_date=2015-09-07&end_date=2015-09-09", 200,
         fields={"total": 5, "succeeded": 5, "failed": 0}),
    Case("test_metrics_filtered", "GET", "/api/metrics/builds", 200,
         {"start_date": "2015-09-07", "end_date": "2015-09-09", "package_name": "python-pysaml2"},
         fields={"total": 1, "succeeded": 1, "failed": 0}),
    Case("test_metrics_filtered_nopackage_url_param", "GET",
         "/api/metrics/builds?start_date=2015-09-07&end_date=2015-09-09"
         "&package_name=python-pysaml", 200, fields={"total": 0}),
    Case("test_health_get", "GET", "/api/health", 200),
    Case("test_health_post_ok / test_basic_auth_success", "POST", "/api/health", 200,
         {"test": "test"}, auth=True),
    Case("test_health_post_nouser", "POST", "/api/health", 401),
    Case("test_health_put_wrong_method", "PUT", "/api/health", 405, {"test": "test"}, auth=True),
]  # fmt: skip


def request(live: LiveApi, case: Case, headers: dict[str, str] | None = None) -> httpx.Response:
    """Send a case's request as Flask's test client would."""
    hdrs = dict(FOO) if case.auth else {}
    hdrs.update(headers or {})
    content = None
    if case.body is not None:
        content = json.dumps(case.body).encode()
        hdrs["Content-Type"] = "application/json"
    with httpx.Client(base_url=live.url, timeout=30) as c:
        return c.request(case.method, case.path, content=content, headers=hdrs)


PARAMS = [
    pytest.param(c, id=c.dlrn, marks=[pytest.mark.xfail(strict=True, reason=c.differs)])
    if c.differs
    else pytest.param(c, id=c.dlrn)
    for c in CASES
]


@pytest.mark.parametrize("case", PARAMS)
def test_dlrn_api_test(dlrn_live: LiveApi, case: Case) -> None:
    load_sample(dlrn_live, case.sample)
    r = request(dlrn_live, case)
    assert r.status_code == case.status, r.text
    got = r.json()
    if case.message is not None:
        assert got == {"message": case.message}
    if case.count is not None:
        assert isinstance(got, list) and len(got) == case.count
    for key, value in case.fields.items():
        assert got[key] == value, key
    if case.link is not None:
        name, target = case.link
        assert (dlrn_live.repos / name).resolve() == (dlrn_live.repos / target).resolve()


def test_basic_auth_wrong_credentials_and_dlrn_hash_rehash(dlrn_live: LiveApi) -> None:
    """test_basic_auth_wrong_credentials / test_health_post_wrong_user, then the stored
    sha512_crypt hash has become argon2id after the successful logins above."""
    health = Case("", "POST", "/api/health", 401, {"test": "test"})
    for creds in (b"foo:wrong_password", b"blabla:blabla"):
        auth = {"Authorization": "Basic " + base64.b64encode(creds).decode()}
        assert request(dlrn_live, health, auth).status_code == 401
    assert request(dlrn_live, Case("", "POST", "/api/health", 200, auth=True)).status_code == 200
    with dlrn_live.sessions() as s:
        user = s.get(User, "foo")
        assert user is not None and user.password.startswith("$argon2id$")
