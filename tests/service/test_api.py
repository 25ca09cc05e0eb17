"""The HTTP API against a real uvicorn (``cancerinfo serve``) on 127.0.0.1, over httpx."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cancerinfo.answer.assistant import Assistant
from tests.service.conftest import HOSTILE_URL, LARYNX_URL, Server

CONTRACT_KEYS = {
    "status", "reason", "urgency", "actions", "intent", "text", "sections", "more", "citations", "disclaimer",
    "session_id",
}
CITATION_KEYS = {
    "n", "url", "title", "section", "chunk_id", "quote", "source", "sourceType", "citation",
    "lastReviewed", "review_status",
}


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    """Every 4xx/5xx has one shape: {"error": {"status", "code", "message"}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


def test_health_says_the_knowledge_base_is_loaded(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["documents"] == 4 and health["version"]


def test_head_on_the_health_check_and_the_chat_page_is_answered_not_405(client: httpx.Client) -> None:
    # load balancers and uptime monitors send HEAD
    head = client.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert client.head("/").status_code == 200


def test_ask_returns_the_same_contract_as_the_library(client: httpx.Client, service_db: Path) -> None:
    question = "What are the symptoms of laryngeal cancer?"
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == CONTRACT_KEYS and answer["status"] == "answered"
    assert "X-CancerInfo-Turn" not in response.headers  # no session, nothing stored
    assert [c["n"] for c in answer["citations"]] == list(range(1, len(answer["citations"]) + 1))
    assert all(set(c) == CITATION_KEYS for c in answer["citations"])
    assert LARYNX_URL in {c["url"] for c in answer["citations"]}
    assistant = Assistant(service_db)
    try:
        assert answer == assistant.ask(question).as_dict()
    finally:
        assistant.close()


def test_an_emergency_is_urgent_with_the_emergency_message_first(client: httpx.Client) -> None:
    answer = client.post("/v1/ask", json={"question": "I can't breathe right now"}).json()
    assert answer["status"] == "urgent" and answer["reason"] == "EMERGENCY"
    first = answer["sections"][0]
    assert first["source"] == "safety" and "emergency" in first["text"].lower()
    assert answer["urgency"] == "emergency" and "tel:911" in [a["href"] for a in answer["actions"]]


def test_the_urgency_levels_are_in_the_openapi_schema(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    urgency = schema["Answer"]["properties"]["urgency"]
    levels = {value for option in urgency.get("anyOf", [urgency]) for value in option.get("enum", [])}
    assert levels == {"emergency", "care_team_now", "crisis", "poison"}
    assert "actions" in schema["Answer"]["properties"]


def test_questions_over_2000_characters_are_refused_with_422(client: httpx.Client) -> None:
    at_limit = client.post("/v1/ask", json={"question": "What is laryngeal cancer? " + "x" * 1974})
    assert at_limit.status_code == 200
    error = assert_error(client.post("/v1/ask", json={"question": "x" * 2001}), 422, "invalid_request")
    assert "2000" in error["message"] and "xxxx" not in str(error)  # the input is not echoed
    assert_error(client.get("/v1/search", params={"q": "x" * 2001}), 422, "invalid_request")


def test_bodies_over_64_kb_are_refused_with_413_declared_or_streamed(client: httpx.Client) -> None:
    big = b'{"question": "' + b"x" * 70_000 + b'"}'
    assert_error(
        client.post("/v1/ask", content=big, headers={"content-type": "application/json"}), 413, "payload_too_large"
    )

    def chunks():  # no Content-Length: the server counts as it reads
        yield b'{"question": "'
        for _ in range(80):
            yield b"x" * 1000
        yield b'"}'

    assert_error(
        client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"}),
        413, "payload_too_large",
    )


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"question": ""}', b'{"question": "hi", "unknown": 1}', b'{"question": "hi", "session_id": "../x"}',
     b'{"question": "hi", "filters": {"cancer_type": 5}}'],
)
def test_malformed_requests_get_the_error_shape(client: httpx.Client, body: bytes) -> None:
    assert_error(client.post("/v1/ask", content=body, headers={"content-type": "application/json"}), 422, "invalid_request")


def test_a_session_keeps_turns_so_a_follow_up_continues_the_topic(client: httpx.Client) -> None:
    created = client.post("/v1/sessions")
    assert created.status_code == 201
    session = created.json()["session_id"]
    first = client.post("/v1/ask", json={"question": "What are the symptoms of laryngeal cancer?", "session_id": session})
    assert first.headers["X-CancerInfo-Turn"] == "1" and first.json()["session_id"] == session
    second = client.post("/v1/ask", json={"question": "and how is it treated?", "session_id": session})
    assert second.headers["X-CancerInfo-Turn"] == "2"
    assert second.json()["status"] == "answered"
    assert {c["url"] for c in second.json()["citations"]} == {LARYNX_URL}


def test_an_unknown_session_is_404_and_a_bad_id_422(client: httpx.Client) -> None:
    assert_error(client.post("/v1/ask", json={"question": "What is ixabepilone?", "session_id": "never-made"}), 404, "not_found")
    assert_error(client.post("/v1/ask", json={"question": "What is ixabepilone?", "session_id": "a b"}), 422, "invalid_request")


def test_feedback_rates_a_turn_once_and_shows_in_the_metrics(client: httpx.Client, admin: httpx.Client) -> None:
    session = client.post("/v1/sessions").json()["session_id"]
    client.post("/v1/ask", json={"question": "What is Ninlaro used for?", "session_id": session})
    before = admin.get("/v1/admin/metrics").json()["feedback"]
    assert client.post("/v1/feedback", json={"session_id": session, "turn": 1, "rating": -1}).json() == {"recorded": True}
    changed = {"session_id": session, "turn": 1, "rating": 1, "comment": "Clear, thank you"}
    assert client.post("/v1/feedback", json=changed).status_code == 200  # replaces the first rating
    after = admin.get("/v1/admin/metrics").json()["feedback"]
    assert after["helpful"] == before["helpful"] + 1 and after["not_helpful"] == before["not_helpful"]
    assert after["comments"][0]["comment"] == "Clear, thank you"
    assert after["comments"][0]["answer_status"] == "answered"
    assert_error(client.post("/v1/feedback", json={**changed, "turn": 99}), 404, "not_found")
    assert_error(client.post("/v1/feedback", json={**changed, "rating": 0}), 422, "invalid_request")
    assert_error(client.post("/v1/feedback", json={**changed, "comment": "x" * 1001}), 422, "invalid_request")
    # a turn number past SQLite's integer range is a bad request, not a 500
    assert_error(client.post("/v1/feedback", json={**changed, "turn": 2**63}), 422, "invalid_request")


def test_search_returns_hits_and_filters_fail_closed(client: httpx.Client) -> None:
    result = client.get("/v1/search", params={"q": "hoarseness in the voice", "k": 3}).json()
    assert result["hits"] and result["hits"][0]["url"] == LARYNX_URL and len(result["hits"]) <= 3
    none = client.get("/v1/search", params={"q": "voice", "cancer_type": "no-such-type"}).json()
    assert none["hits"] == [] and none["reason"] == "FILTER_MATCHES_NOTHING"
    assert_error(client.get("/v1/search"), 422, "invalid_request")


def test_a_document_has_its_review_status_and_body(client: httpx.Client) -> None:
    page = client.get("/v1/documents", params={"url": LARYNX_URL}).json()
    assert page["title"].startswith("Laryngeal Cancer Treatment") and page["review_status"] == "ok"
    assert page["due_date"] and "Ear pain." in page["body"]
    assert client.get("/v1/documents", params={"url": HOSTILE_URL}).json()["review_status"] == "overdue"
    assert_error(client.get("/v1/documents", params={"url": "https://example.org/none"}), 404, "not_found")


def test_unknown_paths_are_404_json_for_the_api_and_a_page_for_browsers(client: httpx.Client) -> None:
    assert_error(client.get("/v1/nothing"), 404, "not_found")
    assert_error(client.delete("/v1/ask"), 405, "method_not_allowed")
    page = client.get("/nothing", headers={"accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text


def test_the_api_is_described_at_docs_without_any_outside_script(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/v1/ask", "/v1/search", "/v1/sessions", "/v1/feedback", "/v1/documents", "/healthz",
                 "/v1/admin/metrics", "/v1/admin/ingest"):
        assert path in schema["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "POST /v1/ask" in docs.text and "AskRequest" in docs.text
    assert "cdn" not in docs.text.lower() and 'src="http' not in docs.text


def test_every_response_carries_the_security_headers(client: httpx.Client) -> None:
    for response in (client.get("/healthz"), client.get("/"), client.post("/v1/ask", json={"question": ""})):
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


def test_concurrent_questions_are_all_answered(server: Server) -> None:
    """The assistant runs on one thread of its own: many requests at once are queued, not broken."""
    questions = ["What is Ninlaro used for?", "What are the symptoms of laryngeal cancer?", "What is ixabepilone?"] * 8

    def ask(question: str) -> int:
        with httpx.Client(base_url=server.url, timeout=60.0) as http:
            return http.post("/v1/ask", json={"question": question}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert set(pool.map(ask, questions)) == {200}


def test_no_question_text_reaches_the_server_log(client: httpx.Client, server: Server) -> None:
    marker = "quokkamarker"
    client.post("/v1/ask", json={"question": f"What are the symptoms of laryngeal cancer {marker}?"})
    client.cookies.set("cancerinfo_consent", "1")
    client.get("/", params={"q": f"laryngeal {marker}"})
    client.get("/v1/search", params={"q": marker})
    client.post("/v1/ask", json={"question": marker * 300})  # a validation error
    log = server.output()
    assert "POST /v1/ask 200" in log and "GET /v1/search 200" in log
    assert marker not in log
