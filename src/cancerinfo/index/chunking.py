"""Split a KB page into chunks: one per heading section, long sections in parts.

* Sections follow the H1/H2/H3 hierarchy; H4–H6 headings stay in the text as lines of
  their own. Headings inside fenced code are code. The page's own H1s (one that repeats
  the title, ``# Ixazomib Citrate - NCI`` / ``# Ixazomib Citrate``, or any H1 before the
  first text) add nothing to the heading path, so the text under them (a drug page's
  pronunciation, description, brand names) is one chunk with the heading path
  ``(title,)``. A later H1 is a section like the others. A section without text (or
  with only sub-headings) gives no chunk.
* The text of a chunk is clean text (:mod:`cancerinfo.index.markdown`): anchor text
  without link targets, no emphasis markers, lists and table rows one per line.
* A section longer than ``max_chars`` is cut at paragraph breaks, then at line breaks
  (list items, table rows), then at sentence ends; only a sentence longer than
  ``max_chars`` on its own is cut between words, so no chunk is longer than
  ``max_chars`` (unless one word is). Parts are balanced in size; a sub-heading or a
  paragraph ending with ":" is not left last in a part when it fits in the next.
* ``chunk_id`` depends on the page URL, the headings below the title, the occurrence of
  that heading path on the page (two "Overview" sections under one parent) and the part
  number: never on the text, so editing one section keeps the ids of all the others.
* ``start``/``end`` is the span of the chunk in ``Document.body``: from its first to its
  last character, markup between them included.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cancerinfo.index.markdown import (
    DEFAULT_DROP_LINES,
    HEADING,
    Block,
    PlainText,
    clean_markdown,
    parse_markdown,
    plain_text_with_offsets,
)
from cancerinfo.index.topics import without_publisher
from cancerinfo.kb.document import Document

__all__ = [
    "DEFAULT_DROP_LINES",
    "DEFAULT_MAX_CHARS",
    "Chunk",
    "chunk_document",
    "chunk_id",
    "clean_markdown",
    "plain_text_with_offsets",
]

DEFAULT_MAX_CHARS = 1_200  # about 256 tokens of English
MIN_MAX_CHARS = 100
SECTION_LEVELS = 3  # H1-H3 start sections; deeper headings are lines of the text
SECTION_SEPARATOR = " > "
CHUNK_ID_LENGTH = 20  # hex digits of a SHA-256 (80 bits)

# A sentence ends with . ! or ? (then closing quotes or brackets and citations like
# "[1-3]") before white space and a character that is not a lowercase letter.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?:\[\d[\d,\-–— ]*\])*(\s+)(?=[^\sa-z])")
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:(?:[A-Za-z]\.)*[A-Za-z]|Dr|Mr|Mrs|Ms|Prof|St|vs|Fig|No|al|approx|Jr|Sr)$"
)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One piece of a page, as indexed and quoted."""

    chunk_id: str
    url: str
    title: str
    heading_path: tuple[str, ...]
    section: str
    ordinal: int
    text: str
    start: int
    end: int
    content_hash: str


@dataclass(frozen=True, slots=True)
class _Atom:
    """A piece of a section that is never cut further: a paragraph, line or sentence.

    ``lead_in`` (a sub-heading, a paragraph ending with ":") belongs with what follows.
    """

    start: int
    end: int
    lead_in: bool = False


def chunk_document(
    document: Document,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    drop_lines: Iterable[str] = DEFAULT_DROP_LINES,
) -> list[Chunk]:
    """The chunks of one page, in page order (``ordinal`` 0, 1, ...)."""
    if max_chars < MIN_MAX_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_MAX_CHARS}, got {max_chars}")
    plain = parse_markdown(document.body, drop_lines=drop_lines)
    title = document.front_matter.title
    chunks: list[Chunk] = []
    occurrences: dict[tuple[str, ...], int] = {}
    for path, blocks in _sections(plain, title):
        occurrence = occurrences.get(path, 0)
        occurrences[path] = occurrence + 1
        if all(block.kind == HEADING for block in blocks):
            continue
        for part, (start, end) in enumerate(_split(plain.text, blocks, max_chars)):
            text = plain.text[start:end]
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(document.url, path[1:], part, occurrence=occurrence),
                    url=document.url,
                    title=title,
                    heading_path=path,
                    section=SECTION_SEPARATOR.join(path),
                    ordinal=len(chunks),
                    text=text,
                    start=plain.offsets[start],
                    end=plain.offsets[end - 1] + 1,
                    content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                )
            )
    return chunks


def chunk_id(url: str, headings: tuple[str, ...], part: int, *, occurrence: int = 0) -> str:
    """Stable id of part ``part`` of the ``occurrence``-th section ``headings`` of ``url``."""
    key = json.dumps([url, list(headings), occurrence, part], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:CHUNK_ID_LENGTH]


def _sections(plain: PlainText, title: str) -> list[tuple[tuple[str, ...], list[Block]]]:
    """(heading path, blocks) of each section, including empty ones (they count for ids).

    An H1 is the page's own heading, not a section, when it repeats the title or when
    nothing but other H1s comes before it ("# Hormone Therapy for Cancer - NCI" then
    "# Hormone Therapy to Treat Cancer").
    """
    headings: dict[int, str] = {}
    sections: list[tuple[tuple[str, ...], list[Block]]] = [((title,), [])]
    for block in plain.blocks:
        if block.kind != HEADING or block.level > SECTION_LEVELS:
            sections[-1][1].append(block)
            continue
        heading = plain.text[block.start : block.end]
        page_start = len(sections) == 1 and not sections[0][1]
        if block.level == 1 and (page_start or _repeats_title(heading, title)):
            headings.clear()  # the page's own heading(s): text under them is the intro
            if sections[-1][0] == (title,):
                continue
        else:
            headings = {level: text for level, text in headings.items() if level < block.level}
            headings[block.level] = heading
        path = (title, *(headings[level] for level in sorted(headings)))
        sections.append((path, []))
    return sections


def _repeats_title(heading: str, title: str) -> bool:
    """``# Ixazomib Citrate - NCI`` or ``# Ixazomib Citrate`` on the page "Ixazomib Citrate - NCI"."""
    heading, title = _normal(heading), _normal(title)
    return heading in (title, without_publisher(title))


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _split(text: str, blocks: list[Block], max_chars: int) -> list[tuple[int, int]]:
    """Spans of the clean text making the parts of one section."""
    start, end = blocks[0].start, blocks[-1].end
    if end - start <= max_chars:
        return [(start, end)]
    return _pack(list(_atoms(text, blocks, max_chars)), max_chars)


def _atoms(text: str, blocks: list[Block], max_chars: int) -> Iterator[_Atom]:
    """Paragraphs; lines of a paragraph too long; sentences, then words, of a line too long."""
    paragraphs: list[list[Block]] = []
    for block in blocks:
        if block.new_paragraph or block.kind == HEADING or not paragraphs:
            paragraphs.append([block])
        else:
            paragraphs[-1].append(block)
    for paragraph in paragraphs:
        if paragraph[-1].end - paragraph[0].start <= max_chars:
            start, end = paragraph[0].start, paragraph[-1].end
            yield _Atom(start, end, paragraph[0].kind == HEADING or text[end - 1] == ":")
            continue
        for block in paragraph:
            if block.end - block.start <= max_chars:
                yield _Atom(block.start, block.end, block.kind == HEADING)
                continue
            for start, end in _sentences(text, block.start, block.end):
                if end - start <= max_chars:
                    yield _Atom(start, end)
                else:
                    yield from _words(text, start, end, max_chars)


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for match in _SENTENCE_END.finditer(text, start, end):
        if text[match.start()] == "." and _ABBREVIATION.search(
            text, max(start, match.start() - 12), match.start()
        ):
            continue
        yield start, match.start(1)
        start = match.end(1)
    yield start, end


def _words(text: str, start: int, end: int, max_chars: int) -> Iterator[_Atom]:
    """Cut between words; a single word longer than ``max_chars`` stays whole."""
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars + 1)
        if cut == -1:
            cut = text.find(" ", start + max_chars, end)
            if cut == -1:
                break
        piece_end = cut
        while text[piece_end - 1].isspace():  # code lines keep runs of spaces
            piece_end -= 1
        yield _Atom(start, piece_end)
        start = cut + 1
        while text[start].isspace():
            start += 1
    yield _Atom(start, end)


def _pack(atoms: list[_Atom], max_chars: int) -> list[tuple[int, int]]:
    """Group consecutive atoms into parts of about equal size, none over ``max_chars``."""
    end = atoms[-1].end
    parts: list[tuple[int, int]] = []
    members: list[_Atom] = []
    for atom in atoms:
        if members:
            first = members[0].start
            remaining = end - first
            target = remaining / math.ceil(remaining / max_chars)
            current, grown = members[-1].end - first, atom.end - first
            if grown <= max_chars and (grown <= target or grown - target < target - current):
                members.append(atom)
                continue
            carry: list[_Atom] = []
            if (
                members[-1].lead_in
                and len(members) > 1
                and atom.end - members[-1].start <= max_chars
            ):
                carry = [members.pop()]
            parts.append((members[0].start, members[-1].end))
            members = carry
        members.append(atom)
    parts.append((members[0].start, members[-1].end))
    return parts
