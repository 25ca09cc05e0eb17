"""The OpenAPI document tells the truth: malformed requests against the real server.

For every operation of ``/openapi.json`` a seeded Hypothesis run sends requests a careless
or hostile client would send (wrong types, huge integers, missing and unknown fields, JSON
that does not parse or is not UTF-8, unknown ids, other methods, a body over the limit) to
the real ``cancerinfo serve`` and checks that nothing is a 5xx, that every status is
declared for that path and method, and that every error has the one documented shape with
a code listed in docs/service.md. A second server, admin closed and a tiny rate limit,
covers 404 on admin paths and 429.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.conftest import ADMIN_TOKEN, LARYNX_URL, Server, build_store

REPO = Path(__file__).resolve().parents[2]
WRONG_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

HUGE = st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, 2**63 - 1, -1, 0])
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
TEXT = st.text(max_size=40) | st.sampled_from(
    ["", " ", "\u0000", "x" * 2_001, "../../etc/passwd", "a b"]
)
SCALARS = TEXT | st.integers() | HUGE | st.booleans()
RAW_BODIES = [
    b"not json",
    b"{",
    b'{"question": "\xff\xfe"}',
    b"\xff\xfe\xfd",
    b"[]",
    b"1",
    b'"text"',
    b'{"question": 1e999}',
    b"{" * 200,
]


@dataclass(frozen=True)
class Operation:
    """One path and method, and what its fields may be sent as."""

    path: str
    method: str
    body: dict[str, st.SearchStrategy[Any]] | None = None  # None: no JSON body
    query: dict[str, st.SearchStrategy[Any]] = field(default_factory=dict)
    admin: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(session: str) -> list[Operation]:
    """Every operation of the API, with a known session (turn 1 asked) to aim at."""
    sessions = st.sampled_from([session, "never-made", "a" * 65, "x/y"]) | JSON_VALUES
    filters = (
        st.fixed_dictionaries(
            {},
            optional={
                "cancer_type": SCALARS,
                "audience": SCALARS,
                "tags": JSON_VALUES,
                "colour": SCALARS,
            },
        )
        | JSON_VALUES
    )
    return [
        Operation("/healthz", "GET"),
        Operation("/healthz", "HEAD"),
        Operation(
            "/v1/ask",
            "POST",
            body={
                "question": st.sampled_from(["What is Ninlaro used for?", "and in children?"])
                | TEXT
                | JSON_VALUES,
                "session_id": sessions,
                "filters": filters,
                "unknown": JSON_VALUES,
            },
        ),
        Operation(
            "/v1/search",
            "GET",
            query={
                "q": TEXT | st.just("voice"),
                "k": SCALARS,
                "cancer_type": TEXT,
                "tag": TEXT,
                "other": TEXT,
            },
        ),
        Operation("/v1/sessions", "POST", body={"anything": JSON_VALUES}),
        Operation(
            "/v1/shares",
            "POST",
            body={
                "question": st.sampled_from(["What is Ninlaro used for?"]) | TEXT | JSON_VALUES,
                "filters": filters,
                "session_id": sessions,
                "turn": st.integers() | HUGE | TEXT | st.just(1),
                "unknown": JSON_VALUES,
            },
        ),
        Operation(
            "/v1/feedback",
            "POST",
            body={
                "session_id": sessions,
                "turn": st.integers() | HUGE | TEXT | st.just(1),
                "rating": st.sampled_from([1, -1, 0, 2, "1"]) | JSON_VALUES,
                "comment": TEXT | JSON_VALUES,
                "extra": JSON_VALUES,
            },
        ),
        Operation("/v1/documents", "GET", query={"url": TEXT | st.just(LARYNX_URL), "other": TEXT}),
        Operation(
            "/v1/admin/documents",
            "GET",
            query={"review_status": TEXT | st.just("overdue")},
            admin=True,
        ),
        Operation("/v1/admin/review", "GET", query={"x": TEXT}, admin=True),
        Operation("/v1/admin/metrics", "GET", query={"days": SCALARS}, admin=True),
        # never an empty or default body with the token: that would re-ingest the shared store
        Operation(
            "/v1/admin/ingest",
            "POST",
            body={
                "paths": st.lists(TEXT, min_size=1, max_size=3)
                | st.sampled_from([["/etc"], ["/tmp/a\u0000b"]]),
                "other": JSON_VALUES,
            },
            admin=True,
        ),
    ]


@dataclass
class Sent:
    method: str
    body: bytes | None = None
    json_body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@st.composite
def requests_for(draw: st.DrawFn, operation: Operation) -> Sent:
    method = operation.method
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(WRONG_METHODS))
    sent = Sent(method)
    token = (
        draw(st.sampled_from(["right", "right", "none", "wrong", "scheme"]))
        if operation.admin
        else "none"
    )
    sent.headers["authorization"] = {
        "right": f"Bearer {ADMIN_TOKEN}",
        "none": "",
        "wrong": "Bearer not-the-token-0123456789",
        "scheme": f"Basic {ADMIN_TOKEN}",
    }[token]
    if not sent.headers["authorization"]:
        del sent.headers["authorization"]
    params = draw(st.fixed_dictionaries({}, optional=operation.query))
    sent.params = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in params.items()
    }
    if operation.body is not None and method in ("POST", "PUT", "PATCH", "DELETE"):
        shape = draw(st.sampled_from(["fields", "fields", "fields", "raw", "any"]))
        if shape == "fields":
            body = draw(st.fixed_dictionaries({}, optional=operation.body))
            if operation.path == "/v1/admin/ingest":
                body.setdefault("paths", ["/etc"])
            sent.json_body = body
        elif shape == "raw":
            sent.body = draw(st.sampled_from(RAW_BODIES))
            sent.headers["content-type"] = draw(st.sampled_from(["application/json", "text/plain"]))
        else:
            value = draw(JSON_VALUES)
            if operation.path == "/v1/admin/ingest" and value in (None, {}, []):
                value = {"paths": []}  # an explicit empty list is refused before any ingest
            sent.json_body = value
    return sent


def send(http: httpx.Client, path: str, sent: Sent) -> httpx.Response:
    if sent.json_body is not None or (
        sent.body is None and sent.method in ("POST", "PUT", "PATCH")
    ):
        return http.request(
            sent.method, path, params=sent.params, headers=sent.headers, json=sent.json_body
        )
    return http.request(
        sent.method, path, params=sent.params, headers=sent.headers, content=sent.body
    )


def documented_errors() -> set[tuple[int, str]]:
    """(status, code) of every row of the errors table in docs/service.md."""
    text = (REPO / "docs" / "service.md").read_text(encoding="utf-8")
    return {
        (int(status), code)
        for status, code in re.findall(r"^\| (\d{3}) \| `([a-z_]+)` \|", text, re.M)
    }


def assert_honest(schema: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
    """No 5xx, a status declared for the path and method, an error in the documented shape."""
    status = response.status_code
    assert status < 500, f"{method} {path} -> {status}: {response.text[:300]}"
    operations = schema["paths"][path]
    if method.lower() in operations:
        declared = operations[method.lower()]["responses"]
        assert str(status) in declared, f"{method} {path} -> {status}, declared: {sorted(declared)}"
    else:
        assert status == 405, f"{method} {path} (not in the schema) -> {status}"
    if status >= 400 and method != "HEAD":
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"error"}, body
        error = body["error"]
        assert set(error) <= {"status", "code", "message", "details"} and error["status"] == status
        assert isinstance(error["message"], str) and error["message"]
        assert (status, error["code"]) in documented_errors(), (
            f"undocumented {status} {error['code']}"
        )
        assert (
            error["code"]
            in schema["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
        )


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60.0) as client:
        yield client


@pytest.fixture(scope="module")
def schema(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


@pytest.fixture(scope="module")
def session(http: httpx.Client) -> str:
    made = http.post("/v1/sessions").json()["session_id"]
    assert (
        http.post(
            "/v1/ask", json={"question": "What is Ninlaro used for?", "session_id": made}
        ).status_code
        == 200
    )
    return str(made)


OPERATION_NAMES = [str(op) for op in operations("s")]


def test_the_table_covers_every_operation_of_the_schema(schema: dict[str, Any]) -> None:
    in_schema = {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert in_schema == set(OPERATION_NAMES)


@pytest.mark.parametrize("name", OPERATION_NAMES)
def test_malformed_requests_get_declared_statuses_and_the_error_shape(
    name: str, http: httpx.Client, schema: dict[str, Any], session: str
) -> None:
    operation = next(op for op in operations(session) if str(op) == name)

    @settings(
        max_examples=40,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(requests_for(operation))
    def run(sent: Sent) -> None:
        assert_honest(schema, operation.path, sent.method, send(http, operation.path, sent))

    run()


@pytest.mark.parametrize("name", OPERATION_NAMES)
def test_each_operation_declares_what_the_table_of_cases_gets(
    name: str, http: httpx.Client, schema: dict[str, Any], session: str
) -> None:
    """Fixed cases that must each happen: a body over the limit, not UTF-8, no token, huge ints."""
    path, method = name.split(" ")[1], name.split(" ")[0]
    big = http.request(
        method, path, content=b"x" * 70_000, headers={"content-type": "application/json"}
    )
    assert big.status_code == 413
    assert_honest(schema, path, method, big)
    cases: list[Sent] = []
    if method == "POST":
        cases.append(
            Sent(method, body=b'{"question": "\xff"}', headers={"content-type": "application/json"})
        )
        cases.append(Sent(method, body=b"{not json", headers={"content-type": "application/json"}))
    if path.startswith("/v1/admin/"):
        cases.append(Sent(method, json_body={"paths": ["/etc"]} if method == "POST" else None))
    for sent in cases:
        assert_honest(schema, path, method, send(http, path, sent))
    if path in ("/v1/feedback", "/v1/shares"):
        for turn in (2**63, 2**63 - 1, 10**30, -(2**63) - 1):
            sent = Sent("POST", json_body={"session_id": session, "turn": turn, "rating": 1})
            assert_honest(schema, path, method, send(http, path, sent))


def test_known_failures_have_their_declared_status(
    http: httpx.Client, schema: dict[str, Any], session: str
) -> None:
    expected = [
        (
            "POST",
            "/v1/ask",
            Sent("POST", json_body={"question": "hi", "session_id": "never-made"}),
            404,
        ),
        (
            "POST",
            "/v1/feedback",
            Sent("POST", json_body={"session_id": session, "turn": 99, "rating": 1}),
            404,
        ),
        ("GET", "/v1/documents", Sent("GET", params={"url": "https://example.org/none"}), 404),
        (
            "POST",
            "/v1/ask",
            Sent(
                "POST", body=b'{"question": "\xff"}', headers={"content-type": "application/json"}
            ),
            400,
        ),
        (
            "POST",
            "/v1/feedback",
            Sent("POST", body=b"\xff", headers={"content-type": "application/json"}),
            400,
        ),
        ("GET", "/v1/search", Sent("GET", params={"q": "voice", "k": str(2**64)}), 422),
        (
            "POST",
            "/v1/shares",
            Sent("POST", json_body={"session_id": session, "turn": 99}),
            404,
        ),
        (
            "POST",
            "/v1/shares",
            Sent("POST", json_body={"question": "hi", "session_id": session, "turn": 1}),
            422,
        ),
        ("GET", "/v1/admin/review", Sent("GET"), 401),
    ]
    for method, path, sent, status in expected:
        response = send(http, path, sent)
        assert response.status_code == status, (method, path, response.text)
        assert_honest(schema, path, method, response)


def test_every_error_uses_one_documented_schema_and_every_code_is_documented(
    schema: dict[str, Any],
) -> None:
    documented = documented_errors()
    codes = set(schema["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"])
    assert codes == {code for _, code in documented}
    assert (400, "http_error") in documented
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    content = response["content"]["application/json"]["schema"]
                    assert content == {"$ref": "#/components/schemas/ErrorOut"}, (
                        method,
                        path,
                        status,
                    )
    assert "HTTPValidationError" not in schema["components"]["schemas"]


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory, examples_kb: Path) -> Iterator[Server]:
    """Admin closed, three requests a minute."""
    root = tmp_path_factory.mktemp("strict")
    running = Server(
        build_store(root, examples_kb),
        root / "server.log",
        env={"CANCERINFO_RATE_LIMIT_PER_MINUTE": "3"},
    )
    yield running
    running.stop()


def test_closed_admin_and_the_rate_limit_are_declared(strict_server: Server) -> None:
    with httpx.Client(base_url=strict_server.url, timeout=60.0) as client:
        schema = client.get("/healthz") and client.get("/openapi.json").json()  # 1 of the 3
        admin = client.get("/v1/admin/review", headers={"authorization": f"Bearer {ADMIN_TOKEN}"})
        assert admin.status_code == 404
        assert_honest(schema, "/v1/admin/review", "GET", admin)
        client.get("/v1/search", params={"q": "voice"})  # the 3rd
        for path, methods in schema["paths"].items():
            for method in methods:
                response = client.request(method.upper(), path)
                if path == "/healthz":
                    assert response.status_code == 200
                else:
                    assert response.status_code == 429, (method, path)
                assert_honest(schema, path, method.upper(), response)


def test_admin_operations_declare_the_bearer_security_scheme(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    bearer = [
        name
        for name, scheme in schemes.items()
        if scheme == {**scheme, "type": "http", "scheme": "bearer"}
    ]
    assert len(bearer) == 1, schemes
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if path.startswith("/v1/admin/"):
                assert operation.get("security") == [{bearer[0]: []}], (method, path)
                assert "401" in operation["responses"]
            else:
                assert "security" not in operation, (method, path)
