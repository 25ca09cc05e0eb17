"""The real `cancerinfo` commands on real files, as a curator runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import cli, write_page


def assert_clean_failure(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    for fragment in fragments:
        assert fragment in text, text


def test_validate_examples_reports_seed_leftovers_but_passes(examples_kb: Path) -> None:
    result = cli("validate", str(examples_kb))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PLACEHOLDER_LEFTOVER" in result.stdout
    assert "2 files, 2 valid, 0 errors" in result.stdout


def test_validate_json_counts_findings_per_code(examples_kb: Path) -> None:
    result = cli("validate", str(examples_kb), "--format", "json")
    report = json.loads(result.stdout)
    assert report["files"] == 2 and report["errors"] == 0
    placeholder = [p for p in report["problems"] if p["code"] == "PLACEHOLDER_LEFTOVER"]
    assert report["counts"]["PLACEHOLDER_LEFTOVER"] == len(placeholder) == 2
    assert all(p["line"] and p["path"].endswith(".txt") for p in placeholder)


def test_validate_strict_turns_warnings_into_errors(examples_kb: Path) -> None:
    result = cli("validate", str(examples_kb), "--strict", "--summary")
    assert result.returncode == 1
    assert "FAILED" in result.stdout


def test_validate_names_file_line_and_field_of_an_error(tmp_path: Path) -> None:
    page = write_page(tmp_path, "bad.md", audienceLevel="everyone")
    result = cli("validate", str(tmp_path))
    assert_clean_failure(result, f"{page}:", "[audienceLevel]", "everyone")


def test_validate_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = cli("validate", str(tmp_path / "nope"))
    assert_clean_failure(result, "nope: no such file or directory")


def test_ingest_then_status_and_review(examples_kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    result = cli("ingest", str(examples_kb), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 added" in result.stdout
    status = json.loads(cli("status", "--db", str(db), "--format", "json").stdout)
    assert status["documents"] == 2 and status["versions"] == 2
    assert status["by_source_type"] == {"02_nci_core": 2}
    assert status["last_ingest"]["added"] == 2
    # The seeds were last reviewed 2025-12-30, quarterly: overdue from 2026-03-31 on.
    assert status["review_overdue"] == 2
    queue = json.loads(cli("review", "--db", str(db), "--format", "json").stdout)
    assert queue["count"] == 2
    assert {page["due_date"] for page in queue["pages"]} == {"2026-03-30"}
    again = cli("ingest", str(examples_kb), "--db", str(db), "--format", "json")
    assert json.loads(again.stdout)["unchanged"] == 2


def test_ingest_stores_good_files_and_exits_1_on_a_bad_one(tmp_path: Path) -> None:
    write_page(tmp_path / "kb", "good.md", url="https://example.org/good")
    write_page(tmp_path / "kb", "bad.md", url="https://example.org/bad", lastReviewed="yesterday")
    db = tmp_path / "kb.db"
    result = cli("ingest", str(tmp_path / "kb"), "--db", str(db))
    assert_clean_failure(result, "rejected", "bad.md", "lastReviewed", "1 added", "1 rejected")
    status = json.loads(cli("status", "--db", str(db), "--format", "json").stdout)
    assert status["documents"] == 1


def test_db_comes_from_the_environment(examples_kb: Path, tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    assert cli("ingest", str(examples_kb), env={"CANCERINFO_DB": str(db)}).returncode == 0
    assert db.exists()
    assert json.loads(cli("status", "--format", "json", env={"CANCERINFO_DB": str(db)}).stdout)["documents"] == 2


def test_status_of_a_missing_store_says_how_to_create_it(tmp_path: Path) -> None:
    result = cli("status", "--db", str(tmp_path / "none.db"))
    assert_clean_failure(result, "no such store", "cancerinfo ingest")


def test_a_bad_setting_in_the_environment_is_named(examples_kb: Path) -> None:
    result = cli("validate", str(examples_kb), env={"CANCERINFO_MAX_FILE_BYTES": "lots"})
    assert_clean_failure(result, "CANCERINFO_MAX_FILE_BYTES", "whole number")


def test_max_file_size_flag_rejects_big_files(examples_kb: Path) -> None:
    result = cli("validate", str(examples_kb), "--max-file-size", "100")
    assert_clean_failure(result, "FILE_TOO_LARGE")


def test_schema_is_json_schema_with_the_required_fields() -> None:
    result = cli("schema")
    schema = json.loads(result.stdout)
    assert set(schema["required"]) >= {"title", "url", "sourceType", "lastReviewed", "status"}
    assert schema["properties"]["status"]["$ref"] or schema["properties"]["status"]


@pytest.mark.parametrize(
    "command", ["validate", "ingest", "status", "review", "schema", "search", "eval retrieval"]
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = cli(*command.split(), "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    result = cli("status", "--frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "frobnicate" in result.stderr
