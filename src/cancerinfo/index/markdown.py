"""Markdown → clean text, with the offset of every clean character in the Markdown.

The clean text is what gets indexed and quoted, so it must stay the page's own words:

* link targets go, anchor text stays (``[lenalidomide](/Common/...)`` → ``lenalidomide``);
  emphasis markers (``**bold**``, ``*italic*``, ``__x__``, ``_x_``) and code backticks go;
  ``\\*`` becomes ``*``; ``<https://x.org>`` becomes ``https://x.org``; a few HTML tags
  (``<br>``, ``<sup>``…) are dropped, anything else in angle brackets (``<MM/DD/YYYY>``)
  is text. HTML entities are left as written.
* images are dropped, with the link glued in front of one (``[Enlarge](big.jpg)![alt](x)``):
  alt text is not what a reader sees on the page. A "card" link whose text runs over
  several paragraphs (``[![img](src)`` … ``Description.](/href)``) loses its ``[`` and
  its ``](/href)``.
* heading markers, thematic breaks, fences and table delimiter rows go; a heading is a
  paragraph of its own (a ``##`` line with no text takes the next line, when it is a
  short paragraph line, as its text: the cancer.gov export writes headings so); list
  items keep their marker (``- item``) one per line; a table row becomes its non-empty
  cells joined by `` | ``; code lines are kept as written (indentation aside).
* inside a paragraph, line breaks and runs of white space become one space; paragraphs
  are separated by a blank line, lines of a list or table by a newline.
* a line whose text is one of ``drop_lines`` (template leftovers) is dropped.
* HTML comments (``<!-- a curator's note -->``, an unclosed one to the end of the page)
  go, as white space (:func:`cancerinfo.kb.text.blank_html_comments`): a note for the
  editors is never indexed, quoted or shown to a patient.

Not supported (kept as text): setext headings, reference-style links, indented code.

For every clean character, ``offsets`` gives its position in the Markdown. Offsets never
decrease; a character other than white space is the very character found at its offset
(``clean[k] == markdown[offsets[k]]``), so any slice of the clean text maps back to a
verbatim span of the page. White space may stand for markup (a space between table cells
sits on the ``|``, a paragraph break on the end of the paragraph before).

The inline markup of a block (links, emphasis, code, escapes, tags) is removed by
:mod:`cancerinfo.index.markdown_inline`. The patterns of both levels are in
:mod:`cancerinfo.kb.markdown_syntax`, which every reader of KB Markdown shares.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cancerinfo.index.markdown_inline import _inline
from cancerinfo.kb.markdown_syntax import (
    ATX_HEADING,
    BLOCK_QUOTE_MARK,
    FENCE,
    LINE_BREAK_TAG,
    LIST_MARKER,
    TABLE_DELIMITER,
    TABLE_PIPE,
    THEMATIC_BREAK,
)
from cancerinfo.kb.text import blank_html_comments

DEFAULT_DROP_LINES: tuple[str, ...] = ("Placeholder slot",)
MAX_HEADING_LINE = 200  # "##", blank line, then the heading's text: the cancer.gov export

PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
TABLE_ROW = "table_row"
HEADING = "heading"
CODE = "code"

_TOKENS = re.compile(r"\S+(?: \S+)*|\s+")


@dataclass(frozen=True, slots=True)
class Block:
    """One heading, paragraph, list item, table row or code line of the clean text.

    ``start``/``end`` delimit it in the clean text; ``new_paragraph`` says a blank line
    (not a single newline) separates it from the block before.
    """

    kind: str
    level: int
    start: int
    end: int
    new_paragraph: bool


@dataclass(frozen=True, slots=True)
class PlainText:
    """Clean text from Markdown, each character's offset in the Markdown, and its blocks."""

    text: str
    offsets: list[int]
    blocks: tuple[Block, ...]


def clean_markdown(markdown: str, *, drop_lines: Iterable[str] = DEFAULT_DROP_LINES) -> str:
    """The readable text of some Markdown (see the module docstring for the rules)."""
    return parse_markdown(markdown, drop_lines=drop_lines).text


def plain_text_with_offsets(
    markdown: str, *, drop_lines: Iterable[str] = DEFAULT_DROP_LINES
) -> tuple[str, list[int]]:
    """The clean text and, for each of its characters, its offset in ``markdown``."""
    plain = parse_markdown(markdown, drop_lines=drop_lines)
    return plain.text, plain.offsets


def parse_markdown(markdown: str, *, drop_lines: Iterable[str] = DEFAULT_DROP_LINES) -> PlainText:
    """Clean text, offsets and the blocks (with heading levels) the text is made of."""
    markdown = blank_html_comments(markdown)  # same length: offsets still point into the page
    builder = _Builder(markdown)
    for raw in _scan_blocks(markdown, frozenset(drop_lines)):
        builder.add(raw)
    return PlainText("".join(builder.parts), builder.offsets, tuple(builder.blocks))


# --- block level -------------------------------------------------------------------------


@dataclass(slots=True)
class _RawBlock:
    """A block's Markdown: ``start``/``end`` in the page; ``masks`` are ``>`` quote markers
    of its continuation lines, read as spaces."""

    kind: str
    level: int
    start: int
    end: int
    new_paragraph: bool
    masks: list[tuple[int, int]] = field(default_factory=list)


def _scan_blocks(markdown: str, drop_lines: frozenset[str]) -> list[_RawBlock]:
    """Group lines into blocks; a paragraph or list item takes its continuation lines."""
    blocks: list[_RawBlock] = []
    fence: str | None = None
    fence_quoted = False
    empty_heading: int | None = None  # level of a "##" line with no text, waiting for it
    open_block = False  # the last block can take continuation lines
    broken = True  # a paragraph break before the next block
    position = 0
    for line in markdown.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        content = start
        quote = (
            BLOCK_QUOTE_MARK.match(markdown, start, end) if fence is None or fence_quoted else None
        )
        while quote:
            content = quote.end()
            quote = BLOCK_QUOTE_MARK.match(markdown, content, end)
        text = markdown[content:end]
        stripped = text.strip()
        if fence is not None:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence, broken = None, True
            elif stripped:
                blocks.append(_RawBlock(CODE, 0, content, end, broken))
                broken = False
            continue
        fence_match = FENCE.match(text)
        if fence_match:
            fence, fence_quoted = fence_match.group(1), content > start
            open_block, broken = False, True
        elif not stripped or stripped in drop_lines or THEMATIC_BREAK.match(text):
            open_block, broken = False, True
        elif heading := ATX_HEADING.match(text):
            level = len(heading.group(1))
            span = (content + heading.start(2), content + heading.end(2))
            if span[1] > span[0]:
                blocks.append(_RawBlock(HEADING, level, *span, True))
            open_block, broken = False, True
            empty_heading = None if span[1] > span[0] else level
            continue
        elif stripped.startswith("|") or TABLE_DELIMITER.match(text):
            if not TABLE_DELIMITER.match(text):
                blocks.append(_RawBlock(TABLE_ROW, 0, content, end, broken))
                broken = False
            open_block = False
        elif open_block and not LIST_MARKER.match(text):
            if content > start:
                blocks[-1].masks.append((start, content))
            blocks[-1].end = end
        elif empty_heading and len(stripped) <= MAX_HEADING_LINE and not LIST_MARKER.match(text):
            blocks.append(_RawBlock(HEADING, empty_heading, content, end, True))
            open_block, broken = False, True
        else:
            kind = LIST_ITEM if LIST_MARKER.match(text) else PARAGRAPH
            blocks.append(_RawBlock(kind, 0, content, end, broken))
            open_block, broken = True, False
        if stripped:
            empty_heading = None
    return blocks


# --- inline level ------------------------------------------------------------------------


class _Builder:
    """Appends cleaned blocks to the clean text and its offsets."""

    def __init__(self, markdown: str) -> None:
        self.markdown = markdown
        self.parts: list[str] = []
        self.offsets: list[int] = []
        self.blocks: list[Block] = []
        self.length = 0

    def add(self, raw_block: _RawBlock) -> None:
        kind, start, end = raw_block.kind, raw_block.start, raw_block.end
        if kind == CODE:
            line = self.markdown[start:end]
            first = start + len(line) - len(line.lstrip())
            text = line.strip()
            offsets = list(range(first, first + len(text)))
        elif kind == TABLE_ROW:
            text, offsets = self._table_row(start, end)
        else:
            raw = _blank_line_breaks(self.markdown[start:end])
            for mask_start, mask_end in raw_block.masks:
                width = mask_end - mask_start
                raw = raw[: mask_start - start] + " " * width + raw[mask_end - start :]
            text, offsets = _collapse(_inline(raw, 0, len(raw), start))
        if not text:
            return
        if self.blocks:
            paragraph = raw_block.new_paragraph or HEADING in (kind, self.blocks[-1].kind)
            separator = "\n\n" if paragraph else "\n"
            self.parts.append(separator)
            self.offsets.extend([self.offsets[-1] + 1] * len(separator))
            self.length += len(separator)
        self.blocks.append(
            Block(
                kind, raw_block.level, self.length, self.length + len(text), raw_block.new_paragraph
            )
        )
        self.parts.append(text)
        self.offsets.extend(offsets)
        self.length += len(text)

    def _table_row(self, start: int, end: int) -> tuple[str, list[int]]:
        """The non-empty cells of a table row joined by " | " (the joint sits on a pipe)."""
        row = _blank_line_breaks(self.markdown[start:end])
        pipes = [match.start() for match in TABLE_PIPE.finditer(row)]
        edges = pipes if row.lstrip().startswith("|") else [-1, *pipes]
        if not pipes or pipes[-1] != len(row.rstrip()) - 1:
            edges.append(len(row))
        parts: list[str] = []
        offsets: list[int] = []
        for left, right in itertools.pairwise(edges):
            text, cell_offsets = _collapse(_inline(row, left + 1, right, start))
            if not text:
                continue
            if parts:
                parts.append(" | ")
                offsets.extend([start + left] * 3)
            parts.append(text)
            offsets.extend(cell_offsets)
        return "".join(parts), offsets


def _blank_line_breaks(raw: str) -> str:
    """``<br>`` read as white space (same length, so positions do not move)."""
    return LINE_BREAK_TAG.sub(lambda match: " " * len(match.group()), raw) if "<" in raw else raw


def _collapse(pieces: list[tuple[int, str]]) -> tuple[str, list[int]]:
    """Join verbatim pieces ``(offset, text)``; each white-space run → one space, ends trimmed."""
    parts: list[str] = []
    offsets: list[int] = []
    pending: int | None = None
    for offset, text in pieces:
        for match in _TOKENS.finditer(text):
            if match.group()[0].isspace():
                if offsets and pending is None:
                    pending = offset + match.start()
                continue
            if pending is not None:
                parts.append(" ")
                offsets.append(pending)
                pending = None
            parts.append(match.group())
            offsets.extend(range(offset + match.start(), offset + match.end()))
    return "".join(parts), offsets
