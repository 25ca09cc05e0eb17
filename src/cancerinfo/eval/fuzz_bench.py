"""The ``fuzz`` suite: Schemathesis against a live ``cancerinfo serve`` (issue 15).

Every operation of ``/openapi.json`` gets requests made from its schema by Schemathesis,
valid ones (``positive``) and invalid ones (``negative``: wrong types, values out of range,
missing and unknown fields), each sent to a real server over HTTP. Every response is
checked for what the OpenAPI document promises:

- no ``5xx``;
- its status declared for that operation;
- its body and headers matching the schema declared for that status (Schemathesis'
  ``response_schema_conformance``, ``content_type_conformance`` and
  ``response_headers_conformance``);
- every ``4xx`` in the one error shape, ``{"error": {"status", "code", "message",
  "details"?}}``, with the same status and a code of the ``ErrorDetail`` enum.

:func:`fuzz_api` is the run (the CI test ``tests/service/test_schemathesis.py`` makes a
short one); :func:`fuzz_suite` the full one of ``make bench``: a store of examples/kb, a
server with the admin API open, >= 10,000 cases. Runs are seeded: the same seed, code and
store send the same requests.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
#: The admin token of the bench's own server (a throwaway store, loopback only).
BENCH_ADMIN_TOKEN = "fuzz-bench-admin-token-0123456789"
MODES = ("positive", "negative")
#: Examples kept per finding kind, for the report.
KEPT_EXAMPLES = 5


@dataclass
class FuzzResult:
    """What one run sent and found; :meth:`as_dict` is the report's JSON."""

    seed: int
    cases: int = 0
    operations: list[str] = field(default_factory=list)
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    cases_by_operation: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    undeclared: Counter[str] = field(default_factory=Counter)  # "POST /v1/x -> 418": count
    schema_violations: int = 0
    error_shape_violations: int = 0
    #: valid requests (positive mode) answered 422: a rule the schema cannot say, e.g. an
    #: ingest path outside the store's KB folders; counted, not a finding
    valid_rejected: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def findings(self) -> int:
        """Server errors, undeclared statuses and schema or error-shape violations, counted
        together."""
        return (
            self.server_errors
            + sum(self.undeclared.values())
            + self.schema_violations
            + self.error_shape_violations
        )

    def note(self, kind: str, text: str) -> None:
        """Keep ``text`` as an example of ``kind`` (the first few distinct ones only)."""
        kept = self.examples.setdefault(kind, [])
        if len(kept) < KEPT_EXAMPLES and text not in kept:
            kept.append(text)

    def as_dict(self) -> dict[str, Any]:
        """The run as the report's JSON."""
        return {
            "seed": self.seed,
            "cases": self.cases,
            "operations": len(self.operations),
            "seconds": round(self.seconds, 1),
            "server_errors": self.server_errors,
            "undeclared_statuses": sum(self.undeclared.values()),
            "undeclared": dict(sorted(self.undeclared.items())),
            "schema_violations": self.schema_violations,
            "error_shape_violations": self.error_shape_violations,
            "valid_rejected": dict(sorted(self.valid_rejected.items())),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "cases_by_operation": dict(sorted(self.cases_by_operation.items())),
            "examples": self.examples,
        }


def error_shape_problem(body: Any, status: int, codes: set[str]) -> str | None:
    """Why ``body`` is not the one error shape for ``status``, or None when it is."""
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return "not {'error': {...}}"
    error = body["error"]
    if not {"status", "code", "message"} <= set(error) <= {"status", "code", "message", "details"}:
        return f"fields {sorted(error)}"
    if error["status"] != status:
        return f"error.status {error['status']!r} for HTTP {status}"
    if error["code"] not in codes:
        return f"error.code {error['code']!r} not in ErrorDetail.code"
    if not isinstance(error["message"], str) or not error["message"]:
        return "an empty error.message"
    return None


def fuzz_api(
    base_url: str,
    *,
    cases: int,
    seed: int = 15,
    admin_token: str | None = None,
    schema: dict[str, Any] | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> FuzzResult:
    """Send at least ``cases`` Schemathesis cases to the server at ``base_url``, spread over
    every operation of its OpenAPI document (or of ``schema``) and both modes, and check
    every response (the module docstring says how). Admin operations get ``admin_token``.
    """
    import requests
    import schemathesis

    session = requests.Session()
    if schema is None:
        schema = session.get(f"{base_url}/openapi.json", timeout=60).json()
    loaded = schemathesis.openapi.from_dict(schema)
    codes = set(schema["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"])
    operations = [result.ok() for result in loaded.get_all_operations()]
    result = FuzzResult(
        seed=seed, operations=[f"{op.method.upper()} {op.path}" for op in operations]
    )
    auth = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    checker = _CaseChecker(base_url, session, schema, codes, auth, result)
    started = time.perf_counter()
    runs = [(op, mode) for op in operations for mode in MODES]
    per_run = max(1, -(-cases // len(runs)))
    _fuzz_rounds(result, runs, cases=cases, per_run=per_run, check=checker.check, progress=progress)
    result.seconds = time.perf_counter() - started
    return result


def _conformance_checks() -> list[Callable[..., Any]]:
    """Schemathesis' checks of a response against the schema declared for its status."""
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    )

    return [response_schema_conformance, content_type_conformance, response_headers_conformance]


@dataclass
class _CaseChecker:
    """Sends cases to the server at ``base_url``; counts in ``result`` what each answer breaks."""

    base_url: str
    session: Any  # a requests.Session
    schema: dict[str, Any]
    codes: set[str]  # the ErrorDetail.code enum
    auth: dict[str, str]  # the headers of admin operations
    result: FuzzResult
    checks: list[Callable[..., Any]] = field(default_factory=_conformance_checks)

    def check(self, operation: Any, mode: str, case: Any) -> None:
        """Send ``case`` (``operation`` in ``mode``); count its status and every finding."""
        result = self.result
        name = f"{operation.method.upper()} {operation.path}"
        headers = self.auth if operation.path.startswith("/v1/admin/") else {}
        response = case.call(
            base_url=self.base_url, session=self.session, headers=headers, timeout=60
        )
        status = response.status_code
        result.cases += 1
        result.cases_by_operation[name] += 1
        result.statuses[status] += 1
        curl = case.as_curl_command(headers=headers, base_url=self.base_url)[:500]
        if mode == "positive" and status == 422:
            result.valid_rejected[name] += 1
        if status >= 500:
            result.server_errors += 1
            result.note("server_error", f"{status}: {curl}")
        declared = self.schema["paths"][operation.path][operation.method.lower()]["responses"]
        if str(status) not in declared:
            result.undeclared[f"{name} -> {status}"] += 1
            result.note("undeclared", f"{status}: {curl}")
            return  # nothing to validate the body against
        self._check_conformance(case, response, headers, status, curl)
        if status >= 400 and operation.method.upper() != "HEAD":
            self._check_error_shape(response, status, curl)

    def _check_conformance(
        self, case: Any, response: Any, headers: dict[str, str], status: int, curl: str
    ) -> None:
        """Count a response whose body or headers do not match the schema of its status."""
        from schemathesis.core.failures import FailureGroup

        try:
            case.validate_response(response, checks=self.checks, headers=headers)
        except FailureGroup as failures:
            self.result.schema_violations += 1
            titles = "; ".join(sorted({failure.title for failure in failures.exceptions}))
            self.result.note("schema", f"{status} ({titles}): {curl}")

    def _check_error_shape(self, response: Any, status: int, curl: str) -> None:
        """Count an error response not in the one error shape (:func:`error_shape_problem`)."""
        try:
            problem = error_shape_problem(json.loads(response.content), status, self.codes)
        except ValueError:
            problem = "not JSON"
        if problem:
            self.result.error_shape_violations += 1
            self.result.note("error_shape", f"{status} ({problem}): {curl}")


def _hypothesis_test(
    operation: Any,
    mode: str,
    run_seed: int,
    per_run: int,
    check: Callable[[Any, str, Any], None],
) -> Callable[[], None]:
    """The test, seeded ``run_seed``, that hands ``per_run`` cases of ``operation`` to ``check``."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))

    @hypothesis_seed(run_seed)
    @settings(
        max_examples=per_run,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # every failure counted, none shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        check(operation, mode, case)

    return run


def _fuzz_rounds(
    result: FuzzResult,
    runs: list[tuple[Any, str]],
    *,
    cases: int,
    per_run: int,
    check: Callable[[Any, str, Any], None],
    progress: Callable[[str], None],
) -> None:
    """Rounds over ``runs``, the seed one up each round, until ``cases`` or a round adds none."""
    from hypothesis.errors import Unsatisfiable

    round_seed = result.seed
    while result.cases < cases:
        before = result.cases
        for operation, mode in runs:
            try:
                _hypothesis_test(operation, mode, round_seed, per_run, check)()
            except Unsatisfiable:  # nothing to make invalid (no parameter, no body)
                continue
        progress(f"fuzz: {result.cases:,} cases, {result.findings} findings")
        if result.cases == before:
            break
        round_seed += 1


def start_server(db: Path, log: Path, *, admin_token: str) -> tuple[subprocess.Popen[bytes], str]:
    """``cancerinfo serve`` of ``db`` (serve's defaults) with the admin API open, limits out of
    the way; returns once ``/healthz`` answers."""
    from cancerinfo.service.loadtest import start_server as serve

    return serve(db, log=log, env={"CANCERINFO_ADMIN_TOKEN": admin_token})


def fuzz_suite(
    folder: Path,
    *,
    cases: int = 10_000,
    seed: int = 15,
    progress: Callable[[str], None] = lambda _message: None,
) -> dict[str, Any]:
    """The full run of ``make bench``: a fresh store of examples/kb, a real server, ``cases``
    cases over every operation."""
    from cancerinfo.eval.ingest_bench import run_cli

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "fuzz.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    run_cli("ingest", str(REPO / "examples" / "kb"), "--db", str(db), "--format", "json")
    process, url = start_server(db, folder / "server.log", admin_token=BENCH_ADMIN_TOKEN)
    try:
        result = fuzz_api(
            url, cases=cases, seed=seed, admin_token=BENCH_ADMIN_TOKEN, progress=progress
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    import schemathesis

    return {**result.as_dict(), "kb": "examples/kb", "schemathesis": schemathesis.__version__}
