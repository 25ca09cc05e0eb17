"""Writing KB pages for tests: real files with the seed pages' front matter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

BASE_FRONT_MATTER: dict[str, Any] = {
    "audienceLevel": "patient",
    "cancerTypes": ["general"],
    "citation": "NCI, 2025",
    "language": "en",
    "lastReviewed": "2025-12-30",
    "license": "public_domain",
    "reviewFrequency": "quarterly",
    "source": "NCI",
    "sourceType": "02_nci_core",
    "status": "active",
    "tags": ["treatment"],
    "title": "Example Page - NCI",
    "url": "https://www.cancer.gov/example",
    "version": "v1",
}


def page_text(body: str = "# Example\n\nSome text.\n", **fields: Any) -> str:
    """A KB page: front matter (the base fields, overridden or removed with None) + body."""
    front = {**BASE_FRONT_MATTER, **fields}
    front = {key: value for key, value in front.items() if value is not None}
    return "---\n" + yaml.safe_dump(front, sort_keys=True, allow_unicode=True) + "---\n\n" + body


def write_page(folder: Path, name: str, body: str = "# Example\n\nSome text.\n", **fields: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_text(body, **fields), encoding="utf-8")
    return path
