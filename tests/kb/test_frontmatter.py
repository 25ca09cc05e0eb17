"""The front-matter model on its own: required fields, formats, enums, dates, extra keys."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from cancerinfo.kb.frontmatter import (
    KNOWN_FIELDS,
    REQUIRED_FIELDS,
    AudienceLevel,
    FrontMatter,
    ReviewFrequency,
    Status,
    front_matter_json_schema,
)

TODAY = date(2025, 6, 1)


def valid(**changes: Any) -> dict[str, Any]:
    """A valid header as the YAML loader would give it; ``None`` removes a key."""
    data: dict[str, Any] = {
        "title": "Breast Cancer Treatment",
        "url": "https://www.cancer.gov/types/breast/patient/breast-treatment-pdq",
        "source": "NCI",
        "sourceType": "02_nci_core",
        "language": "en",
        "status": "active",
        "audienceLevel": "patient",
        "lastReviewed": "2025-01-15",
        "reviewFrequency": "annual",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def validate(data: dict[str, Any], today: date = TODAY) -> FrontMatter:
    return FrontMatter.model_validate(data, context={"today": today})


def errors_of(data: dict[str, Any], today: date = TODAY) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        validate(data, today)
    return list(caught.value.errors(include_url=False))


def only_error(data: dict[str, Any], field: str) -> str:
    """The one error message of ``data``; it must be about ``field``."""
    errors = errors_of(data)
    assert len(errors) == 1, errors
    assert errors[0]["loc"][0] == field
    return str(errors[0]["msg"])


# --- the valid page -------------------------------------------------------------------


def test_a_valid_header_gives_typed_values() -> None:
    front = validate(valid(cancerTypes=["breast"], tags=["treatment"], version="v3"))
    assert front.title == "Breast Cancer Treatment"
    assert front.source_type == "02_nci_core"
    assert front.tier == 2
    assert front.status is Status.ACTIVE
    assert front.audience_level is AudienceLevel.PATIENT
    assert front.review_frequency is ReviewFrequency.ANNUAL
    assert front.last_reviewed == date(2025, 1, 15)
    assert front.cancer_types == ["breast"]
    assert front.tags == ["treatment"]
    assert front.version == "v3"
    assert front.extra_keys == []


def test_optional_fields_default_to_empty() -> None:
    front = validate(valid())
    assert front.cancer_types == []
    assert front.tags == []
    assert front.citation is None
    assert front.license is None
    assert front.version is None


def test_required_fields_are_the_ones_the_docstring_names() -> None:
    assert set(REQUIRED_FIELDS) == {
        "title",
        "url",
        "source",
        "sourceType",
        "language",
        "status",
        "audienceLevel",
        "lastReviewed",
        "reviewFrequency",
    }
    assert set(REQUIRED_FIELDS) < KNOWN_FIELDS
    assert KNOWN_FIELDS - set(REQUIRED_FIELDS) == {
        "cancerTypes",
        "tags",
        "citation",
        "license",
        "version",
    }


def test_json_schema_uses_the_kb_key_names() -> None:
    schema = front_matter_json_schema()
    assert set(schema["required"]) == set(REQUIRED_FIELDS)
    assert "lastReviewed" in schema["properties"]
    assert "last_reviewed" not in schema["properties"]


def test_the_model_is_frozen() -> None:
    front = validate(valid())
    with pytest.raises(ValidationError):
        front.title = "Another"  # type: ignore[misc]


def test_text_is_stripped() -> None:
    front = validate(valid(title="  Padded title \t", sourceType=" 02_nci_core ", language=" en "))
    assert front.title == "Padded title"
    assert front.source_type == "02_nci_core"
    assert front.language == "en"


def test_unknown_keys_are_kept() -> None:
    front = validate(valid(zeta=1, alpha="kept"))
    assert front.extra_keys == ["alpha", "zeta"]
    assert front.model_extra == {"zeta": 1, "alpha": "kept"}


def test_to_yaml_dict_round_trips_with_aliases_and_extra_keys() -> None:
    front = validate(valid(cancerTypes=["breast"], version="v2", reviewer="ana"))
    dumped = front.to_yaml_dict()
    assert dumped["lastReviewed"] == "2025-01-15"
    assert dumped["sourceType"] == "02_nci_core"
    assert dumped["reviewer"] == "ana"
    assert "citation" not in dumped  # None values are left out
    assert validate(dumped) == front


@pytest.mark.parametrize(
    ("frequency", "months"),
    [
        ("monthly", 1),
        ("quarterly", 3),
        ("semiannual", 6),
        ("annual", 12),
        ("biennial", 24),
        ("as_needed", None),
    ],
)
def test_review_frequency_months(frequency: str, months: int | None) -> None:
    assert ReviewFrequency(frequency).months == months


def test_every_review_frequency_has_months() -> None:
    for frequency in ReviewFrequency:
        assert frequency.months is None or frequency.months > 0


# --- required fields ---------------------------------------------------------------------


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_each_missing_required_field_is_named(field: str) -> None:
    errors = errors_of(valid(**{field: None}))
    assert [(error["type"], error["loc"]) for error in errors] == [("missing", (field,))]


def test_all_missing_fields_are_reported_at_once() -> None:
    errors = errors_of({})
    assert {error["loc"][0] for error in errors} == set(REQUIRED_FIELDS)


# --- enums -------------------------------------------------------------------------------

ENUMS: list[tuple[str, type]] = [
    ("status", Status),
    ("audienceLevel", AudienceLevel),
    ("reviewFrequency", ReviewFrequency),
]


@pytest.mark.parametrize(("field", "enum"), ENUMS)
def test_every_enum_value_is_accepted(field: str, enum: type) -> None:
    for member in enum:  # type: ignore[attr-defined]
        assert getattr(validate(valid(**{field: member.value})), _python_name(field)) is member


@pytest.mark.parametrize(("field", "enum"), ENUMS)
@pytest.mark.parametrize("bad", ["published", "ACTIVE", "", 3, ["active"]])
def test_every_enum_field_rejects_a_bad_value(field: str, enum: type, bad: Any) -> None:
    message = only_error(valid(**{field: bad}), field)
    first = next(iter(enum))  # type: ignore[call-overload]
    assert repr(first.value) in message  # the allowed values are listed


# --- formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cancer.gov/types/breast",
        "http://example.org",
        "https://example.org/a?b=c#d",
        "  https://example.org/padded  ",
    ],
)
def test_http_urls_are_accepted(url: str) -> None:
    assert validate(valid(url=url)).url == url.strip()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.org/page", "http(s)"),
        ("javascript:alert(1)", "http(s)"),
        ("file:///etc/passwd", "http(s)"),
        ("www.cancer.gov/types", "http(s)"),
        ("/types/breast", "http(s)"),
        ("https://", "http(s)"),
        ("", "http(s)"),
        ("https://example.org/a page", "spaces"),
        (42, "must be text, not a number"),
        (["https://example.org"], "must be text, not a list"),
    ],
)
def test_urls_that_are_not_absolute_http_are_rejected(url: Any, words: str) -> None:
    assert words in only_error(valid(url=url), "url")


@pytest.mark.parametrize("value", ["02_nci_core", "01_who", "10_a1_b2"])
def test_source_type_nn_name_is_accepted(value: str) -> None:
    front = validate(valid(sourceType=value))
    assert front.tier == int(value[:2])


@pytest.mark.parametrize(
    "value",
    ["2_nci", "002_nci", "02-nci", "02_NCI", "nci_02", "02_", "02__nci", "02_nci_", 2, None],
)
def test_source_type_not_nn_name_is_rejected(value: Any) -> None:
    data = valid(sourceType=value) if value is not None else {**valid(), "sourceType": None}
    assert "NN_name" in only_error(data, "sourceType")


@pytest.mark.parametrize("value", ["en", "es", "fr", "zh"])
def test_iso_639_1_languages_are_accepted(value: str) -> None:
    assert validate(valid(language=value)).language == value


@pytest.mark.parametrize("value", ["EN", "eng", "english", "xx", "e", "", "en-US", 12])
def test_language_not_iso_639_1_is_rejected(value: Any) -> None:
    assert "ISO 639-1" in only_error(valid(language=value), "language")


def test_unquoted_no_read_as_false_gets_a_hint() -> None:
    message = only_error(valid(language=False), "language")
    assert "in quotes" in message
    assert "'no'" in message


@pytest.mark.parametrize("value", ["v1", "v2", "v10", " v3 "])
def test_version_v_n_is_accepted(value: str) -> None:
    assert validate(valid(version=value)).version == value.strip()


@pytest.mark.parametrize("value", ["1", "v0", "V1", "v1.2", "v", "version1", "v01", 1])
def test_version_not_v_n_is_rejected(value: Any) -> None:
    assert "v1, v2" in only_error(valid(version=value), "version")


# --- lists -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["cancerTypes", "tags"])
def test_a_string_instead_of_a_list_is_rejected_in_plain_words(field: str) -> None:
    message = only_error(valid(**{field: "breast"}), field)
    assert message == "Value error, must be a list (one '- item' per line), not text"


@pytest.mark.parametrize("field", ["cancerTypes", "tags"])
def test_a_mapping_instead_of_a_list_is_rejected(field: str) -> None:
    assert "not a mapping" in only_error(valid(**{field: {"a": 1}}), field)


@pytest.mark.parametrize("field", ["cancerTypes", "tags"])
@pytest.mark.parametrize("item", ["", "   ", True, None, ["nested"], {"a": 1}])
def test_list_items_must_be_words(field: str, item: Any) -> None:
    message = only_error(valid(**{field: ["breast", item]}), field)
    assert "item 2 must be a non-empty word" in message


def test_list_items_are_stripped_and_numbers_become_words() -> None:
    front = validate(valid(cancerTypes=[" breast ", 2, 1.5], tags=None))
    assert front.cancer_types == ["breast", "2", "1.5"]
    assert validate({**valid(), "tags": None}).tags == []


# --- text fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "source"])
@pytest.mark.parametrize("value", ["", "   "])
def test_empty_title_and_source_are_rejected(field: str, value: str) -> None:
    errors = errors_of(valid(**{field: value}))
    assert [error["loc"] for error in errors] == [(field,)]
    assert errors[0]["type"] == "string_too_short"


@pytest.mark.parametrize("field", ["title", "source", "citation", "license"])
@pytest.mark.parametrize(
    ("value", "kind"),
    [(1984, "a number"), (True, "true/false"), (["a"], "a list"), ({"a": 1}, "a mapping")],
)
def test_text_fields_reject_other_kinds_in_plain_words(field: str, value: Any, kind: str) -> None:
    assert only_error(valid(**{field: value}), field) == f"Value error, must be text, not {kind}"


# --- lastReviewed ----------------------------------------------------------------------------


def test_last_reviewed_accepts_a_date_and_an_iso_string() -> None:
    assert validate(valid(lastReviewed=date(2024, 2, 29))).last_reviewed == date(2024, 2, 29)
    assert validate(valid(lastReviewed="2024-02-29")).last_reviewed == date(2024, 2, 29)


def test_last_reviewed_today_is_not_in_the_future() -> None:
    assert validate(valid(lastReviewed="2025-06-01"), today=TODAY).last_reviewed == TODAY


def test_a_future_last_reviewed_is_rejected_against_the_given_today() -> None:
    message = only_error(valid(lastReviewed="2025-06-02"), "lastReviewed")
    assert "2025-06-02 is in the future (today is 2025-06-01)" in message
    # The same header is fine once that day has come: the check uses the context's today.
    assert validate(valid(lastReviewed="2025-06-02"), today=date(2025, 6, 2))


def test_a_today_of_none_means_the_clock() -> None:
    with pytest.raises(ValidationError, match="in the future"):
        FrontMatter.model_validate(valid(lastReviewed="9999-12-31"), context={"today": None})
    assert validate(valid(lastReviewed="2000-01-01"), today=date.today()).last_reviewed.year == 2000


def test_without_a_today_context_the_future_rule_is_not_applied() -> None:
    """Front matter read back from a store is not checked against the reader's clock (issue
    15, point 7): the rule belongs to validate/ingest, which always pass a today."""
    stored = FrontMatter.model_validate(valid(lastReviewed="9999-12-31"))
    assert stored.last_reviewed == date(9999, 12, 31)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2025-02-30", "not a real calendar date"),
        ("2025-13-01", "not a real calendar date"),
        ("2025-1-5", "YYYY-MM-DD"),
        ("15/01/2025", "YYYY-MM-DD"),
        ("January 2025", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        (20250115, "YYYY-MM-DD"),
    ],
)
def test_bad_last_reviewed_is_rejected(value: Any, words: str) -> None:
    assert words in only_error(valid(lastReviewed=value), "lastReviewed")


def _python_name(alias: str) -> str:
    for name, field in FrontMatter.model_fields.items():
        if (field.alias or name) == alias:
            return name
    raise KeyError(alias)
