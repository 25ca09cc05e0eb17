"""Admin behind its token (and closed without one), re-ingest with reload, rate limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from cancerinfo.pipeline.ingest import ingest
from tests.helpers import write_page
from tests.service.conftest import ADMIN_TOKEN, HOSTILE_URL, Server, build_kb, build_store
from tests.service.test_api import assert_error

ADMIN_PATHS = ("/v1/admin/documents", "/v1/admin/review", "/v1/admin/metrics")


def test_admin_needs_the_bearer_token(client: httpx.Client) -> None:
    for path in ADMIN_PATHS:
        response = client.get(path)
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert_error(client.get(path, headers={"Authorization": "Bearer wrong-token-wrong-token"}), 401, "unauthorized")
    assert_error(client.post("/v1/admin/ingest", json={}), 401, "unauthorized")


def test_admin_lists_documents_with_review_status_and_the_review_queue(admin: httpx.Client) -> None:
    documents = admin.get("/v1/admin/documents").json()
    assert documents["count"] == 4
    statuses = {page["url"]: page["review_status"] for page in documents["pages"]}
    assert statuses[HOSTILE_URL] == "overdue"
    overdue = admin.get("/v1/admin/documents", params={"review_status": "overdue"}).json()
    assert {page["review_status"] for page in overdue["pages"]} == {"overdue"}
    review = admin.get("/v1/admin/review").json()
    assert review["overdue"] == 3 and review["pages"][0]["review_status"] == "overdue"  # the larynx page is ok


def test_admin_metrics_count_questions_statuses_and_reasons(admin: httpx.Client, client: httpx.Client) -> None:
    for question in ("What is Ninlaro used for?", "What is the capital of France?", "I can't breathe right now"):
        session = client.post("/v1/sessions").json()["session_id"]
        client.post("/v1/ask", json={"question": question, "session_id": session})
    metrics = admin.get("/v1/admin/metrics", params={"days": 7}).json()
    today = date.today().isoformat()
    assert metrics["questions_per_day"][-1]["date"] == today and metrics["questions_per_day"][-1]["questions"] >= 3
    assert metrics["statuses"]["answered"] >= 1 and metrics["statuses"]["urgent"] >= 1
    assert metrics["reasons"]["abstained"]["OFF_TOPIC"] >= 1 and metrics["reasons"]["urgent"]["EMERGENCY"] >= 1
    assert metrics["this_process"]["questions"] >= 3 and metrics["store"]["documents"] == 4
    assert "capital of France" not in str(metrics)  # counts, never what people typed
    assert_error(admin.get("/v1/admin/metrics", params={"days": 0}), 422, "invalid_request")


def test_admin_pages_log_in_with_the_token(client: httpx.Client) -> None:
    login = client.get("/admin")
    assert login.status_code == 200 and 'name="token"' in login.text
    wrong = client.post("/admin/login", data={"token": "not-the-token-at-all"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    signed_in = client.post("/admin/login", data={"token": ADMIN_TOKEN})
    assert signed_in.status_code == 303
    cookie = signed_in.cookies["cancerinfo_admin"]
    assert ADMIN_TOKEN not in cookie
    client.cookies.set("cancerinfo_admin", cookie)
    dashboard = client.get("/admin")
    assert "Review queue" in dashboard.text and "Questions, last 30 days" in dashboard.text
    assert "&lt;script&gt;" in dashboard.text and "<script>window" not in dashboard.text
    all_pages = client.get("/admin/documents")
    assert all_pages.text.count("<tr>") == 5  # a header and 4 pages


@pytest.fixture(scope="module")
def closed_server(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("closed")
    server = Server(build_store(root, examples_kb), root / "server.log", env={"CANCERINFO_RATE_LIMIT_PER_MINUTE": "5"})
    yield server
    server.stop()


def test_without_a_token_admin_is_closed_and_limits_apply(closed_server: Server) -> None:
    with httpx.Client(base_url=closed_server.url) as http:
        assert_error(http.get("/v1/admin/review", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}), 404, "not_found")
        assert http.get("/admin").status_code == 404
        # every request counts: 2 above, 3 questions make the burst of 5, the 6th waits
        statuses = [http.post("/v1/ask", json={"question": "What is Ninlaro used for?"}).status_code for _ in range(3)]
        assert statuses == [200] * 3
        refused = http.get("/v1/search", params={"q": "voice"})
        error = assert_error(refused, 429, "rate_limited")
        assert int(refused.headers["retry-after"]) >= 1 and "try again" in error["message"]
        assert http.get("/healthz").status_code == 200  # the health check and static files are not limited
        assert http.get("/static/app.css").status_code == 200


def test_a_short_admin_token_stops_the_server_with_one_line(tmp_path: Path, examples_kb: Path) -> None:
    db = build_store(tmp_path, examples_kb)
    with pytest.raises(RuntimeError, match="CANCERINFO_ADMIN_TOKEN must be at least 16 characters"):
        Server(db, tmp_path / "server.log", env={"CANCERINFO_ADMIN_TOKEN": "short"})
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_admin_ingest_re_ingests_the_store_folders_and_reloads(tmp_path: Path, examples_kb: Path) -> None:
    kb = build_kb(tmp_path, examples_kb)
    db = tmp_path / "store.db"
    assert ingest([kb], db=db).ok
    server = Server(db, tmp_path / "server.log", env={"CANCERINFO_ADMIN_TOKEN": ADMIN_TOKEN})
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=60) as http:
            question = {"question": "What is glimmer cancer?"}
            assert http.post("/v1/ask", json=question).json()["status"] == "abstained"  # and now cached
            assert_error(http.post("/v1/admin/ingest", json={"paths": [str(tmp_path)]}), 422, "invalid_request")
            assert_error(http.post("/v1/admin/ingest", json={"paths": ["/etc"]}), 422, "invalid_request")
            # a NUL byte in a path is a bad request, not a 500
            assert_error(http.post("/v1/admin/ingest", json={"paths": ["/tmp/a\u0000b"]}), 422, "invalid_request")
            write_page(kb / "en" / "02_nci_core" / "types", "new.md",
                       "# Glimmer cancer\n\n## What is glimmer cancer?\n\nGlimmer cancer is a made-up cancer of the toes.\n",
                       url="https://www.cancer.gov/types/glimmer", title="Glimmer Cancer - NCI")
            report = http.post("/v1/admin/ingest", json={}).json()
            assert report["added"] == 1 and report["reloaded"] is True
            assert http.get("/healthz").json()["documents"] == 5
            answer = http.post("/v1/ask", json=question).json()  # a new KB, a new cache
            assert answer["status"] == "answered"
            assert answer["citations"][0]["url"] == "https://www.cancer.gov/types/glimmer"
            # an ingest by the CLI (another process) is noticed too, within a few seconds
            write_page(kb / "en" / "02_nci_core" / "types", "newer.md", "# Shimmer\n\nShimmer is made up.\n",
                       url="https://www.cancer.gov/types/shimmer", title="Shimmer - NCI")
            assert ingest([kb], db=db).ok
            deadline = time.monotonic() + 30
            while http.get("/healthz").json()["documents"] != 6:
                assert time.monotonic() < deadline, "the server never reloaded"
                time.sleep(0.5)
    finally:
        server.stop()
