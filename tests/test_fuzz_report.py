"""The ``fuzz`` bench suite in the harness: chosen by ``--suite fuzz``, kept by a run of other
suites, rendered in docs/benchmarks.md (the run itself: tests/service/test_schemathesis.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cancerinfo.eval.report import render
from cancerinfo.eval.run import ALL, KBCache, merge_previous, run_suites

FUZZ = {
    "seed": 15,
    "cases": 14_566,
    "operations": 11,
    "seconds": 1774.0,
    "server_errors": 0,
    "undeclared_statuses": 2,
    "undeclared": {"POST /v1/feedback -> 418": 2},
    "schema_violations": 1,
    "error_shape_violations": 0,
    "valid_rejected": {"POST /v1/admin/ingest": 71},
    "statuses": {"200": 10_000, "418": 2},
    "cases_by_operation": {"GET /healthz": 2, "POST /v1/feedback": 14_564},
    "examples": {"undeclared": ["418: curl -X POST http://127.0.0.1:1/v1/feedback"]},
    "kb": "examples/kb",
    "schemathesis": "4.32.5",
}
MACHINE = {
    "date": "d",
    "cpu": "c",
    "cores": 2,
    "memory_gib": 23.5,
    "python": "3.11",
    "commit": "abc",
    "dirty": False,
}


def test_the_fuzz_suite_is_part_of_make_bench_and_rejected_names_still_are(tmp_path: Path) -> None:
    assert "fuzz" in ALL
    with pytest.raises(ValueError, match="fuzz"):  # listed among the choices
        run_suites(["fuzzz"], shared=tmp_path, cache=KBCache(tmp_path / "cache"))


def test_a_run_of_other_suites_keeps_the_last_fuzz_figures(tmp_path: Path) -> None:
    previous = tmp_path / "benchmarks.json"
    previous.write_text(json.dumps({"machine": {"commit": "0ld", "date": "d0"}, "fuzz": FUZZ}))
    merged = merge_previous({"machine": MACHINE, "suites": ["scale"], "seconds": 1}, previous)
    assert merged["fuzz"] == FUZZ and merged["kept_from_previous"] == ["fuzz"]


def test_the_fuzz_section_shows_cases_findings_and_examples() -> None:
    page = render({"machine": MACHINE, "suites": ["fuzz"], "fuzz": FUZZ})
    assert "## API fuzzing with Schemathesis (issue 15)" in page
    assert "| 14,566 | 11 | 1774.0 | 0 | 2 | 1 | 0 |" in page
    assert "Statuses: 200 × 10,000, 418 × 2." in page
    assert "`POST /v1/admin/ingest` 71" in page
    assert "- `418: curl -X POST http://127.0.0.1:1/v1/feedback`" in page
