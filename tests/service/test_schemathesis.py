"""Schemathesis against the real server: what /openapi.json promises, the server keeps.

A short seeded run of :func:`cancerinfo.eval.fuzz_bench.fuzz_api` (the full one, >= 10,000
cases, is ``make bench``'s ``fuzz`` suite) sends valid and invalid requests made from the
OpenAPI document to every operation of a real ``cancerinfo serve`` on a small real store,
and fails on any 5xx, any status not declared for the operation, any response not matching
its declared schema and any error not in the one error shape. The run is shown to catch a
status the document does not declare and an error code it does not list. Then one test per
finding of the fuzzing, each failing before its fix.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cancerinfo.eval.fuzz_bench import error_shape_problem, fuzz_api
from cancerinfo.service.models import MAX_JSON_INT
from tests.service.conftest import ADMIN_TOKEN, Server, build_store

SEED = 15
SHORT_RUN = 240  # 12 operations x 2 modes x 10 examples (explicit examples come on top)


class PatientServer(Server):
    """The same server; start-up may take longer than 90 s on a busy shared machine."""

    def _wait_ready(self, timeout: float = 300.0) -> None:
        super()._wait_ready(timeout)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Iterator[Server]:
    """A server of its own: the run re-ingests its store through the admin API."""
    root = tmp_path_factory.mktemp("schemathesis")
    running = PatientServer(
        build_store(root, examples_kb),
        root / "server.log",
        env={
            "CANCERINFO_ADMIN_TOKEN": ADMIN_TOKEN,
            "CANCERINFO_RATE_LIMIT_PER_MINUTE": "1000000",
            "CANCERINFO_CLIENT_DAILY_QUOTA": "1000000",
        },
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def http(fuzz_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_server.url, timeout=60.0) as client:
        yield client


@pytest.fixture(scope="module")
def schema(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operation_names(schema: dict[str, Any]) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }


def test_a_seeded_schemathesis_run_finds_no_5xx_no_undeclared_status_no_schema_violation(
    fuzz_server: Server, schema: dict[str, Any]
) -> None:
    result = fuzz_api(fuzz_server.url, cases=SHORT_RUN, seed=SEED, admin_token=ADMIN_TOKEN)
    report = result.as_dict()
    assert result.cases >= SHORT_RUN
    assert set(result.operations) == operation_names(schema)
    assert set(result.cases_by_operation) == operation_names(schema)  # every one was sent cases
    assert result.server_errors == 0, report["examples"]
    assert not result.undeclared, report["examples"]
    assert result.schema_violations == 0, report["examples"]
    assert result.error_shape_violations == 0, report["examples"]
    # the run got past validation: answers, sessions, documents, admin pages
    assert report["statuses"].get("200", 0) > 0 and report["statuses"].get("422", 0) > 0
    assert "Duplicate Operation ID" not in fuzz_server.output()


def only(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    """A copy of ``schema`` with one operation."""
    doctored = copy.deepcopy(schema)
    doctored["paths"] = {path: {method: doctored["paths"][path][method]}}
    return doctored


def test_the_run_fails_on_a_status_the_openapi_does_not_declare(
    fuzz_server: Server, schema: dict[str, Any]
) -> None:
    doctored = only(schema, "/v1/feedback", "post")
    del doctored["paths"]["/v1/feedback"]["post"]["responses"]["404"]  # an unknown session
    result = fuzz_api(
        fuzz_server.url, cases=40, seed=SEED, admin_token=ADMIN_TOKEN, schema=doctored
    )
    assert result.undeclared.get("POST /v1/feedback -> 404", 0) > 0, result.as_dict()
    assert result.examples["undeclared"][0].startswith("404: curl")


def test_the_run_fails_on_an_error_code_the_openapi_does_not_list(
    fuzz_server: Server, schema: dict[str, Any]
) -> None:
    doctored = only(schema, "/v1/search", "get")
    codes = doctored["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
    codes.remove("invalid_request")
    result = fuzz_api(
        fuzz_server.url, cases=40, seed=SEED, admin_token=ADMIN_TOKEN, schema=doctored
    )
    assert result.error_shape_violations > 0, result.as_dict()
    assert result.schema_violations > 0  # ErrorOut no longer matches either


def test_the_error_shape_check_names_what_is_wrong() -> None:
    codes = {"not_found"}
    good = {"error": {"status": 404, "code": "not_found", "message": "no such page"}}
    assert error_shape_problem(good, 404, codes) is None
    assert error_shape_problem({"detail": "Not Found"}, 404, codes) == "not {'error': {...}}"
    assert "error.status" in str(error_shape_problem(good, 400, codes))
    assert "error.code" in str(error_shape_problem(good, 404, {"busy"}))
    extra = {"error": {**good["error"], "input": "x"}}
    assert "fields" in str(error_shape_problem(extra, 404, codes))


# --- findings of the fuzzing, each with its fix ---------------------------------------------


def request_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every query parameter and every request body property, nested."""

    def walk(where: str, node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = schema["components"]["schemas"][name]
        for option in node.get("anyOf", []):
            yield from walk(where, option)
        if node.get("type") in ("integer", "string"):
            yield where, node
        if node.get("type") == "array":
            yield from walk(f"{where}[]", node["items"])
        for name, child in node.get("properties", {}).items():
            yield from walk(f"{where}.{name}", child)

    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                yield from walk(f"{method} {path} ?{parameter['name']}", parameter["schema"])
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield from walk(f"{method} {path} body", body["schema"])


def test_every_integer_and_string_a_request_carries_is_bounded(schema: dict[str, Any]) -> None:
    """Integers within what every JSON parser reads exactly; strings with a length limit
    (or a pattern or enum that bounds them)."""
    fields = list(request_schemas(schema))
    assert any("turn" in where for where, _ in fields)
    for where, node in fields:
        if "enum" in node or "const" in node:
            continue
        if node["type"] == "integer":
            assert node.get("minimum", -(2**63)) >= -MAX_JSON_INT, where
            assert node.get("maximum", 2**63) <= MAX_JSON_INT, where
        else:
            bounded = "maxLength" in node or "{1,64}" in node.get("pattern", "")
            assert bounded, where


def test_a_turn_past_two_to_the_53_is_refused_as_invalid(http: httpx.Client) -> None:
    """Under the old bound, 2**63 - 1, Schemathesis sent 9223372036854775999 as a valid turn
    (the bound is past what a float holds exactly); past 2**53 - 1 JSON integers are not read
    alike by every client."""
    session = http.post("/v1/sessions").json()["session_id"]
    for turn in (MAX_JSON_INT + 1, 2**63 - 1):
        response = http.post(
            "/v1/feedback", json={"session_id": session, "turn": turn, "rating": 1}
        )
        assert response.status_code == 422, (turn, response.text)
        assert response.json()["error"]["details"][0]["loc"] == ["turn"]
    in_range = http.post(
        "/v1/feedback", json={"session_id": session, "turn": MAX_JSON_INT, "rating": 1}
    )
    assert in_range.status_code == 404  # a valid number, no such turn


def test_head_and_get_of_healthz_have_their_own_operation_ids(
    http: httpx.Client, schema: dict[str, Any]
) -> None:
    ids = [op["operationId"] for methods in schema["paths"].values() for op in methods.values()]
    assert len(ids) == len(set(ids)), sorted(ids)
    assert set(schema["paths"]["/healthz"]) == {"get", "head"}
    head = http.head("/healthz")
    assert head.status_code == 200 and head.content == b""


def test_a_search_tag_over_100_characters_is_refused(http: httpx.Client) -> None:
    response = http.get("/v1/search", params={"q": "voice", "tag": "t" * 101})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == ["query", "tag", "0"]
    assert http.get("/v1/search", params={"q": "voice", "tag": "t" * 100}).status_code == 200


def test_an_admin_ingest_error_names_the_path_without_echoing_it(http: httpx.Client) -> None:
    """The error shape's promise: a message never echoes the input."""
    sent = "/nowhere/" + "q" * 3_000
    response = http.post(
        "/v1/admin/ingest",
        json={"paths": [sent]},
        headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith("paths[0] is not one of the store's KB folders"), message
    assert "qqqq" not in response.text
    nul = http.post(
        "/v1/admin/ingest",
        json={"paths": ["/tmp/a\u0000b" + "z" * 50]},
        headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert nul.status_code == 422
    assert nul.json()["error"]["message"] == "paths[0] is not a usable path (ValueError)"
