"""The benchmark harness: scoring functions on hand-made inputs, the KB cache key, and the
smoke suite end to end through `cancerinfo eval run` (real ingest, real MiniLM)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cancerinfo.eval.liveqa import grades_of, score
from cancerinfo.eval.retrieval_bench import label_ceiling
from cancerinfo.eval.run import PACKAGE, STORE_BUILDERS, KBCache, corpus_key, run_suites
from tests.helpers import write_page

JUDGED = [
    {"url": "u1", "section": "What causes X ?", "grade": 4},
    {"url": "u1", "section": "Symptoms of X", "grade": 2},
    {"url": "u2", "section": "Treatment of X", "grade": 3},
]


def test_grades_follow_the_judged_url_and_top_heading() -> None:
    hits = [("u1", "Symptoms of X > More"), ("u9", "Anything"), ("u2", "treatment of  X")]
    assert grades_of(hits, JUDGED) == [2, 0, 3]


def test_liveqa_measures_on_a_hand_scored_ranking() -> None:
    # ranks: 1 graded 2 (not relevant), 2 unjudged, 3 graded 3, 4 graded 4; two relevant answers
    metrics = score([2, 0, 3, 4], JUDGED)
    assert metrics["avgScore"] == 1  # grade 2 maps to 1
    assert metrics["MRR@10"] == pytest.approx(1 / 3)
    assert metrics["MAP@10"] == pytest.approx(((1 / 3) + (2 / 4)) / 2)
    assert metrics["P@5"] == pytest.approx(2 / 5)
    assert score([], JUDGED) == {"avgScore": 0.0, "MRR@10": 0.0, "MAP@10": 0.0, "P@5": 0.0}


def test_the_label_ceiling_counts_questions_asked_with_different_pages(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    rows = [
        {"id": "1", "question": "What is X?", "relevant": [{"url": "a"}]},
        {"id": "2", "question": "what is x?", "relevant": [{"url": "b"}]},
        {"id": "3", "question": "What is X?", "relevant": [{"url": "a"}]},
        {"id": "4", "question": "What is Y?", "relevant": [{"url": "c"}]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert label_ceiling(path) == 0.75  # one of the three "What is X?" can never be right


def test_the_cache_key_changes_with_any_byte_of_the_corpus(tmp_path: Path) -> None:
    page = write_page(tmp_path / "kb", "a.md")
    before = corpus_key([tmp_path / "kb"])
    assert corpus_key([tmp_path / "kb"]) == before
    page.write_text(page.read_text() + "More.\n")
    assert corpus_key([tmp_path / "kb"]) != before


def test_the_cache_key_changes_with_the_code_that_builds_a_store(tmp_path: Path) -> None:
    write_page(tmp_path / "kb", "a.md")
    builder = tmp_path / "vocabulary_mining.py"
    builder.write_text("MIN_BRAND_SHORT = 5\n")
    before = corpus_key([tmp_path / "kb"], builders=(builder,))
    builder.write_text("MIN_BRAND_SHORT = 4\n")
    assert corpus_key([tmp_path / "kb"], builders=(builder,)) != before
    # the files named are the package's own: a renamed one is noticed here, not in make bench
    assert all((PACKAGE / name).is_file() for name in STORE_BUILDERS)
    assert corpus_key([tmp_path / "kb"]) != before


def test_an_unknown_suite_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown suite 'speed'"):
        run_suites(["speed"], shared=tmp_path, cache=KBCache(tmp_path / "cache"))


@pytest.mark.slow
def test_the_smoke_suite_runs_end_to_end_and_reports_numbers(tmp_path: Path) -> None:
    from tests.conftest import SHARED
    from tests.test_cli import cli

    output = tmp_path / "bench.md"
    result = cli("eval", "run", "--suite", "smoke", "--shared", str(SHARED), "--output", str(output),
                 "--cache", str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    report = json.loads(output.with_suffix(".json").read_text())
    smoke = report["smoke"]
    assert smoke["pages"] >= 2 and smoke["retrieval"]["questions"] >= 2
    assert 0 <= smoke["retrieval"]["metrics"]["doc@1"] <= 1
    assert smoke["answers"]["quotes"] > 0 and smoke["answers"]["quotes_not_in_page"] == 0
    assert smoke["search_ms"]["p50"] > 0 and smoke["answers"]["ask_ms"]["p50"] > 0
    assert "## Smoke" in output.read_text()


def test_a_scale_run_keeps_the_other_suites_of_the_previous_report(tmp_path: Path) -> None:
    from cancerinfo.eval.report import render
    from cancerinfo.eval.run import merge_previous

    previous = tmp_path / "benchmarks.json"
    old_point = {"pages": 9_993, "chunks": 281_242, "search": {"load_seconds": 3.4, "p50": 13.4, "p99": 29.9}}
    previous.write_text(json.dumps({
        "machine": {"commit": "0ld0ne", "date": "2026-11-29T08:41:00+00:00"},
        "validate": {"files": 1}, "scale": {"points": [old_point]}, "seconds": 9,
    }))
    new_point = {
        "pages": 99_930, "chunks": 2_812_420, "ingest_seconds": 1500.0, "pages_per_second": 66.6,
        "ingest_peak_rss_mib": 2900.0, "store_mib": 15800.0, "synthetic": True,
        "search": {"load_seconds": 30.0, "p50": 40.0, "p99": 90.0, "peak_rss_mib": 4000.0},
    }
    results = {"machine": {"date": "d", "cpu": "c", "cores": 2, "memory_gib": 23.5, "python": "3.11",
                           "commit": "abc", "dirty": False},
               "suites": ["scale"], "scale": {"points": [new_point]}, "seconds": 1}
    merged = merge_previous(results, previous)
    assert merged["validate"] == {"files": 1} and merged["kept_from_previous"] == ["validate"]
    assert merged["scale"]["points"] == [new_point] and merged["seconds"] == 1
    page = render({key: value for key, value in merged.items() if key != "validate"})  # a stub, not rendered
    assert "| 99,930 | 2,812,420 | 1500 s | 66.6 | 2900.0 MiB | 15800.0 MiB | 30.0 s | 4000.0 MiB | 40.0 ms | 90.0 ms |" in page
    assert "kept from an earlier report (commit 0ld0ne, 2026-11-29T08:41:00+00:00): validate" in page


def test_a_suite_kept_twice_names_the_run_that_measured_it(tmp_path: Path) -> None:
    """A report that had kept scale from an earlier one passes that run on, not its own."""
    from cancerinfo.eval.run import merge_previous

    previous = tmp_path / "benchmarks.json"
    previous.write_text(json.dumps({
        "machine": {"commit": "second", "date": "2026-11-30T10:00:00+00:00"},
        "scale": {"points": []}, "validate": {"files": 1},
        "kept_from_previous": ["scale"], "previous_run": {"commit": "first", "date": "2026-11-30T08:00:00+00:00"},
    }))
    merged = merge_previous({"machine": {"commit": "third"}, "validate": {"files": 2}}, previous)
    assert merged["kept_from_previous"] == ["scale"]
    assert merged["previous_run"] == {"commit": "first", "date": "2026-11-30T08:00:00+00:00"}
    # scale from the first run, validate from the second: each kept suite names its own run
    merged = merge_previous({"machine": {"commit": "third"}}, previous)
    assert merged["kept_runs"] == {
        "scale": {"commit": "first", "date": "2026-11-30T08:00:00+00:00"},
        "validate": {"commit": "second", "date": "2026-11-30T10:00:00+00:00"},
    }
    assert "previous_run" not in merged
    from cancerinfo.eval.report import _kept

    assert _kept(merged) == (
        "; kept from earlier reports: scale (commit first, 2026-11-30T08:00:00+00:00), "
        "validate (commit second, 2026-11-30T10:00:00+00:00)"
    )
    again = tmp_path / "again.json"  # and a later run passes each suite's run on
    again.write_text(json.dumps({**merged, "machine": {"commit": "third", "date": "d3"}}))
    assert merge_previous({"machine": {"commit": "fourth"}, "validate": {"files": 3}}, again)["previous_run"] == {
        "commit": "first", "date": "2026-11-30T08:00:00+00:00"
    }


def test_a_measured_ingest_that_rejects_files_still_reports_and_a_crash_is_named() -> None:
    from cancerinfo.eval.ingest_bench import ProcessRun
    from cancerinfo.eval.scale import _report

    assert _report(ProcessRun(1.0, 90.0, 1, '{"added": 3, "rejected": 1}'), "ingest")["added"] == 3
    with pytest.raises(RuntimeError, match=r"the ingest of 100,000 pages failed \(exit code -9, peak RSS 9000 MiB\)"):
        _report(ProcessRun(1.0, 9000.0, -9, ""), "the ingest of 100,000 pages")


def test_the_drills_section_shows_every_drill_and_the_run_that_measured_it() -> None:
    from cancerinfo.eval.report import render
    from cancerinfo.eval.run import KEPT_KEYS, SUITES

    assert "drills" in SUITES and "drills" in KEPT_KEYS
    machine = {"date": "2026-12-03T07:00:00+00:00", "cpu": "c", "cores": 2, "memory_gib": 23.5,
               "python": "3.11", "commit": "abc1234", "dirty": False}
    drills = {
        "machine": machine, "seconds": 600.0,
        "kill_ingest": {"pages_old": 120, "pages_new": 163, "seed": 15, "runs": 24, "kills": 23,
                        "in_write_transaction": 11, "finished_before_kill": 1, "old_state": 15, "new_state": 9,
                        "neither": 0, "integrity_ok": 24, "next_ingest_ok": 24},
        "serving_ingest": {"clients": 4, "requests": 900, "non_200": 0, "transport_errors": 0,
                           "served_after_seconds": 1.2},
        "disk_full": {"cases": 1, "one_line": 1, "old_kept": 1, "integrity_ok": 1,
                      "details": [{"how": "tmpfs with 64 KiB free", "exit": 1, "line": "error: x: the disk is full"}]},
        "damaged": {"damages": 8, "commands": 7, "runs": 56, "refused_one_line": 40, "worked": 16, "bad": 0,
                    "reading_untouched": 48, "reading_runs": 48, "details": []},
        "server_kill": {"runs": 3, "clients": 16, "asks": 500, "acknowledged_feedback": 480, "lost": 0,
                        "integrity_ok": 3},
    }
    page = render({"machine": machine, "suites": ["drills"], "drills": drills})
    assert "## Fault drills (issue 15)" in page
    assert "24 runs: 23 killed (11 inside the write transaction)" in page and "neither 0" in page
    assert "480 acknowledged feedback rows, 0 lost" in page
    assert "Measured 2026-12-03T07:00:00+00:00 at commit abc1234" in page
    assert "- tmpfs with 64 KiB free: exit 1, `error: x: the disk is full`" in page
