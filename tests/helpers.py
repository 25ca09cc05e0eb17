"""Writing KB pages for tests: real files with the seed pages' front matter."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
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


def ingest_pages(root: Path, pages: dict[str, tuple[str, str, list[str]]]) -> Path:
    """Write NCI pages into ``root / "kb"`` (which may hold pages already) and ingest them into
    ``root / "store.db"`` (returned). ``pages``: the address after https://www.cancer.gov/
    ("types/colon-treatment": folder ``types``, file ``colon-treatment.md``) -> title, body
    under an H1 of the title, cancerTypes."""
    for slug, (title, body, cancer_types) in pages.items():
        folder, name = slug.split("/", 1)[0], slug.rsplit("/", 1)[-1]
        write_page(root / "kb" / "en" / "02_nci_core" / folder, f"{name}.md", f"# {title}\n\n{body}",
                   url=f"https://www.cancer.gov/{slug}", title=f"{title} - NCI", cancerTypes=cancer_types)
    path = root / "store.db"
    from cancerinfo.pipeline.ingest import ingest

    assert ingest([root / "kb"], db=path).ok
    return path


def two_section_page(
    title: str, heading: str, text: str, *, also: tuple[str, str], cancer_types: list[str]
) -> tuple[str, str, list[str]]:
    """An ``ingest_pages`` entry: a page with a section of its own (``heading``, ``text``) and
    one its sibling pages share (``also``: heading, text)."""
    return title, f"## {heading}\n\n{text}\n\n## {also[0]}\n\n{also[1]}\n", cancer_types


def open_assistant(path: Path) -> Iterator[Any]:
    """An assistant on the store at ``path``, closed when the fixture that ``yield from``s
    this ends."""
    from cancerinfo.answer.assistant import Assistant

    found = Assistant(path)
    try:
        yield found
    finally:
        found.close()


#: A patient page in the PDQ shape (H2/H3 sections, a glossary link, lists), for answer and
#: service tests; its facts are simplified from the seed pages' kind of text.
LARYNX = """# Laryngeal Cancer Treatment

## General Information About Laryngeal Cancer

### Laryngeal cancer is a disease in which malignant cells form in the tissues of the larynx.

The [larynx](/Common/PopUps/popDefinition.aspx?id=1) is part of the throat, between the base of the tongue and the trachea.

### Signs and symptoms of laryngeal cancer include a sore throat and ear pain.

Check with your doctor if you have any of the following:

- A sore throat or cough that does not go away.
- Trouble or pain when swallowing.
- Ear pain.
- A lump in the neck or throat.
- A change or hoarseness in the voice.

### Tests that examine the throat and neck are used to diagnose laryngeal cancer.

The following tests and procedures may be used:

- **Physical exam of the throat and neck**: An exam to check the throat and neck for abnormal areas.
- **Laryngoscopy**: A procedure to look at the larynx with a mirror or with a laryngoscope.
- **Biopsy**: The removal of cells or tissues so they can be viewed under a microscope.

## Treatment Option Overview

### There are different types of treatment for patients with laryngeal cancer.

Three types of standard treatment are used: radiation therapy, surgery and chemotherapy.
"""


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real ``cancerinfo`` command in a fresh process, without the caller's CANCERINFO_*
    settings (``env`` adds some back)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CANCERINFO_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cancerinfo", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd, check=False, timeout=300,
    )


def rows(db: Path, sql: str) -> list[tuple]:
    """The rows of ``sql`` in the SQLite file ``db``, read by a connection of its own."""
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()
