"""The front-matter model: one pydantic model of the KB page header.

Required fields (a page without them is rejected): ``title``, ``url``, ``source``,
``sourceType``, ``language``, ``status``, ``audienceLevel``, ``lastReviewed``,
``reviewFrequency``. Retrieval, answers and source cards cannot be trusted without them:
the tier comes from ``sourceType``, the review status from ``lastReviewed`` +
``reviewFrequency``, patient-vs-professional ranking from ``audienceLevel``.

Optional fields: ``cancerTypes`` and ``tags`` (lists, default empty), ``citation``,
``license`` and ``version`` (``v<N>``; absent on a few real pages). Unknown extra keys
are kept in :attr:`FrontMatter.model_extra` and reported as warnings by the loader.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from cancerinfo.kb.languages import ISO_639_1_CODES

SOURCE_TYPE_PATTERN = re.compile(r"^(?P<tier>\d{2})_(?P<name>[a-z0-9]+(?:_[a-z0-9]+)*)$")
VERSION_PATTERN = re.compile(r"^v[1-9]\d*$")


class Status(StrEnum):
    """Where a page is in its editorial life (``status``)."""

    DRAFT = "draft"
    ACTIVE = "active"
    UNDER_REVIEW = "under_review"
    DEPRECATED = "deprecated"
    ARCHIVED = "archived"


class ReviewFrequency(StrEnum):
    """How often a page is due for review (``reviewFrequency``)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    BIENNIAL = "biennial"
    AS_NEEDED = "as_needed"

    @property
    def months(self) -> int | None:
        """Months between reviews; ``None`` for ``as_needed`` (never due)."""
        return _MONTHS[self]


_MONTHS: dict[ReviewFrequency, int | None] = {
    ReviewFrequency.MONTHLY: 1,
    ReviewFrequency.QUARTERLY: 3,
    ReviewFrequency.SEMIANNUAL: 6,
    ReviewFrequency.ANNUAL: 12,
    ReviewFrequency.BIENNIAL: 24,
    ReviewFrequency.AS_NEEDED: None,
}


class AudienceLevel(StrEnum):
    """Who a page is written for (``audienceLevel``)."""

    PATIENT = "patient"
    CAREGIVER = "caregiver"
    HEALTH_PROFESSIONAL = "health_professional"
    GENERAL = "general"


class FrontMatter(BaseModel):
    """The YAML header of one KB page. Field aliases are the KB's own key names."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        frozen=True,
        str_strip_whitespace=True,
        title="cancerinfo KB page front matter",
    )

    title: str = Field(min_length=1, description="Page title shown on source cards.")
    url: str = Field(description="Canonical absolute http(s) address of the page; its identity.")
    source: str = Field(min_length=1, description="Publisher, e.g. NCI.")
    source_type: str = Field(
        alias="sourceType",
        description="Tier and source name as NN_name; a lower NN is more authoritative.",
    )
    language: str = Field(description="ISO 639-1 code of the page text, e.g. en.")
    status: Status = Field(description="Editorial status; only active pages are answered from.")
    audience_level: AudienceLevel = Field(alias="audienceLevel")
    last_reviewed: date = Field(
        alias="lastReviewed", description="ISO date (YYYY-MM-DD) of the last review; not in the future."
    )
    review_frequency: ReviewFrequency = Field(alias="reviewFrequency")
    cancer_types: list[str] = Field(default_factory=list, alias="cancerTypes")
    tags: list[str] = Field(default_factory=list)
    citation: str | None = Field(default=None, description="Citation string, e.g. 'NCI, 2025'.")
    license: str | None = Field(default=None, description="Licence of the page text.")
    version: str | None = Field(default=None, description="Editorial version label v<N>.")

    @property
    def tier(self) -> int:
        """The number in ``sourceType`` (02 for ``02_nci_core``)."""
        return int(self.source_type[:2])

    @property
    def extra_keys(self) -> list[str]:
        """The unknown keys kept from the front matter, sorted."""
        return sorted((self.model_extra or {}).keys())

    @field_validator("title", "source", "citation", "license", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValueError(f"must be text, not {_kind(value)}")
        return value

    @field_validator("url", mode="before")
    @classmethod
    def _absolute_http_url(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"must be text, not {_kind(value)}")
        text = value.strip()
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an absolute http(s) address like https://example.org/page, got {text!r}")
        if any(ch.isspace() for ch in text):
            raise ValueError("must not contain spaces")
        return text

    @field_validator("source_type", mode="before")
    @classmethod
    def _tiered_source_type(cls, value: Any) -> str:
        if not isinstance(value, str) or not SOURCE_TYPE_PATTERN.match(value.strip()):
            raise ValueError(
                f"must look like NN_name (two digits, underscore, lowercase name), e.g. 02_nci_core; got {value!r}"
            )
        return value.strip()

    @field_validator("language", mode="before")
    @classmethod
    def _iso_language(cls, value: Any) -> str:
        if isinstance(value, bool):  # YAML 1.1 reads an unquoted no/yes/on/off as true/false
            raise ValueError(
                f"must be a two-letter ISO 639-1 code in lowercase, e.g. en or es; got {value!r} "
                "(write the code in quotes, e.g. 'no': YAML reads an unquoted no, yes, on or off "
                "as true/false)"
            )
        if not isinstance(value, str) or value.strip() not in ISO_639_1_CODES:
            raise ValueError(f"must be a two-letter ISO 639-1 code in lowercase, e.g. en or es; got {value!r}")
        return value.strip()

    @field_validator("last_reviewed", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> date:
        if isinstance(value, datetime):
            raise ValueError(f"must be a date written YYYY-MM-DD without a time, got {value.isoformat()!r}")
        if isinstance(value, date):
            parsed = value
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                parsed = date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"is not a real calendar date: {value!r}") from None
        else:
            raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")
        return parsed

    @field_validator("last_reviewed")
    @classmethod
    def _not_in_future(cls, value: date, info: ValidationInfo) -> date:
        """A rule for KB input only: the loader passes ``context={"today": ...}``. Front
        matter read back from a store is validated without it, so a reader whose clock or
        time zone is behind the writer's still reads the store (review status is computed
        on read, it is not a validity rule)."""
        if not info.context or "today" not in info.context:
            return value
        today = info.context["today"] or date.today()
        if value > today:
            raise ValueError(f"{value.isoformat()} is in the future (today is {today.isoformat()})")
        return value

    @field_validator("cancer_types", "tags", mode="before")
    @classmethod
    def _list_of_words(cls, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError(f"must be a list (one '- item' per line), not {_kind(value)}")
        items: list[str] = []
        for position, item in enumerate(value, start=1):
            if not isinstance(item, str | int | float) or isinstance(item, bool) or not str(item).strip():
                raise ValueError(f"item {position} must be a non-empty word, got {item!r}")
            items.append(str(item).strip())
        return items

    @field_validator("version", mode="before")
    @classmethod
    def _version_label(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str) or not VERSION_PATTERN.match(value.strip()):
            raise ValueError(f"must look like v1, v2, ...; got {value!r}")
        return value.strip()

    def to_yaml_dict(self) -> dict[str, Any]:
        """The header as the KB writes it (aliases, ISO date, extra keys kept)."""
        data = self.model_dump(by_alias=True, mode="json", exclude_none=True)
        return data


REQUIRED_FIELDS: tuple[str, ...] = tuple(
    field.alias or name for name, field in FrontMatter.model_fields.items() if field.is_required()
)
KNOWN_FIELDS: frozenset[str] = frozenset(
    field.alias or name for name, field in FrontMatter.model_fields.items()
)


def front_matter_json_schema() -> dict[str, Any]:
    """The JSON Schema of the front matter (``cancerinfo schema``)."""
    return FrontMatter.model_json_schema(by_alias=True)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, str):
        return "text"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__
