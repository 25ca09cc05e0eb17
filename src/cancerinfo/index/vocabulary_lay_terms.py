"""The reviewed lay terms of ``policies/lay_terms.yaml`` for the KB vocabulary
(:class:`cancerinfo.index.vocabulary.Vocabulary`): the file read and validated (lay term →
KB term, in file order) and the entries it adds, each pointing to the pages of the KB term
it stands for."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cancerinfo.errors import PolicyError
from cancerinfo.index.vocabulary_mining import (
    KIND_PRIORITY,
    STOP_WORDS,
    Kind,
    VocabularyEntry,
    normalise_term,
)

LAY_TERMS_KEYS = ("version", "lay_terms")


def _lay_entries(
    entries: list[VocabularyEntry], lay_terms: Mapping[str, str]
) -> list[VocabularyEntry]:
    """Lay term → KB term; the urls are those of the KB term's best entry, if any."""
    by_term: dict[str, list[VocabularyEntry]] = defaultdict(list)
    for entry in entries:
        by_term[entry.term].append(entry)
    lay = []
    for lay_term, kb_term in lay_terms.items():
        targets = sorted(
            by_term.get(normalise_term(kb_term), ()),
            key=lambda e: (KIND_PRIORITY[e.kind], -e.count),
        )
        urls = targets[0].urls if targets else ()
        term = normalise_term(lay_term)
        lay.append(VocabularyEntry(term, kb_term, Kind.LAY, urls, term in STOP_WORDS, 1))
    return lay


def load_lay_terms(path: Path) -> dict[str, str]:
    """Read and validate ``policies/lay_terms.yaml``: lay term → KB term, in file order."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PolicyError(
            f"{path}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}"
        ) from None
    return parse_lay_terms(data, source=str(path))


def parse_lay_terms(data: Any, *, source: str) -> dict[str, str]:
    """Validate the loaded YAML of a lay-terms policy; errors name the file and key."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: must be a mapping with the keys {', '.join(LAY_TERMS_KEYS)}")
    for key in data:
        if key not in LAY_TERMS_KEYS:
            raise PolicyError(
                f"{source}: {key}: unknown key (expected {', '.join(LAY_TERMS_KEYS)})"
            )
    if data.get("version") != 1:
        raise PolicyError(f"{source}: version: must be 1, got {data.get('version')!r}")
    items = data.get("lay_terms")
    if not isinstance(items, list) or not items:
        raise PolicyError(
            f"{source}: lay_terms: must be a non-empty list of '- lay: …' / 'kb: …' items"
        )
    mapping: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        where = f"{source}: lay_terms[{position}]"
        if not isinstance(item, dict) or set(item) != {"lay", "kb"}:
            raise PolicyError(f"{where}: must have exactly the keys lay and kb, got {item!r}")
        for key in ("lay", "kb"):
            if not isinstance(item[key], str) or not normalise_term(item[key]):
                raise PolicyError(f"{where}.{key}: must be a word or phrase, got {item[key]!r}")
        lay, kb = " ".join(item["lay"].split()), " ".join(item["kb"].split())
        term = normalise_term(lay)
        if term == normalise_term(kb):
            raise PolicyError(f"{where}.kb: is the same term as lay ({lay!r})")
        if term in first_seen:
            raise PolicyError(
                f"{where}.lay: {lay!r} is listed twice (also item {first_seen[term]})"
            )
        first_seen[term] = position
        mapping[lay] = kb
    return mapping
