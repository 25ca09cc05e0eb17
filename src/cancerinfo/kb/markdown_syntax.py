"""The Markdown syntax of KB pages, in one place: the patterns of block-level lines and of
inline markup, and one walk over a page's lines that knows fenced code.

Who reads a page with what:

* :mod:`cancerinfo.index.markdown` and :mod:`cancerinfo.index.markdown_inline`, the parser
  that turns a page into clean text with source offsets (the chunks): the block
  patterns :data:`FENCE`, :data:`ATX_HEADING`, :data:`THEMATIC_BREAK`,
  :data:`TABLE_DELIMITER`, :data:`LIST_MARKER`, :data:`BLOCK_QUOTE_MARK`, :data:`TABLE_PIPE`,
  :data:`LINE_BREAK_TAG`, and the inline :data:`LINK_DESTINATION`,
  :data:`LOOSE_DESTINATION`, :data:`AUTOLINK`, :data:`HTML_TAG` (emphasis it matches
  opener to closer, not with a pattern).
* :mod:`cancerinfo.kb.lint` and :mod:`cancerinfo.index.vocabulary_mining`, which only walk a
  page's lines: :func:`body_lines` (fenced code marked) and :func:`atx_headings`, read with
  :data:`ATX_HEADING` as the parser reads headings; lint finds links with
  :data:`LINK_TARGET`, :data:`DESTINATION_SPAN` and :data:`REFERENCE_DEFINITION`;
  vocabulary mining reads running text with :data:`LINK` and :data:`SOFT_BREAK`.
* :mod:`cancerinfo.service.render`, which renders one line at a time: :data:`BULLET_LINE`,
  :data:`HEADING_LINE`, :data:`RULE_LINE`, and the bounded inline :data:`IMAGE`,
  :data:`LINK_ON_A_LINE`, :data:`STRONG`, :data:`EMPHASIS`.

Where two readers read one construct differently, both patterns stand here with what
differs: each reader keeps the reading it had, so a page is chunked, linted, mined and shown
as before. Headings are ATX only (``#`` to ``######``): the KB has no underlined ones.

Not a reader of this module, on purpose: :mod:`cancerinfo.answer.citations` proves a quote
against the page with a few expressions of its own, a reading independent of the parser's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# --- block-level lines ------------------------------------------------------------------

FENCE = re.compile(r" {0,3}(`{3,}(?=[^`]*$)|~{3,})")
"""A line that opens fenced code; its fence is group 1: three or more backticks or tildes,
indented up to three spaces. After a backtick fence the line holds no backtick (CommonMark:
```` ```code``` ```` is text)."""

FENCE_RUN = re.compile(r" {0,3}(`{3,}|~{3,})")
"""A line that starts with a run of three or more backticks or tildes (group 1), whatever
follows: how :func:`body_lines` finds a fence that opens or closes. Unlike :data:`FENCE`
it also opens one on a line where another backtick follows the run."""

ATX_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
"""A heading line: its ``#`` marks (group 1, the level) and its text (group 2; empty on a
line of marks alone, such as the ``##`` the cancer.gov export writes above its headings),
without a closing run of ``#`` set off by white space."""

THEMATIC_BREAK = re.compile(
    r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:=[ \t]*){3,})$"
)
"""A thematic break (``---``, ``***``, ``___``) or a setext underline (``===``): no text."""

TABLE_DELIMITER = re.compile(r" {0,3}\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$")
"""The delimiter row under a table's header (``| --- | :-: |``): no text."""

LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
"""The start of a list item: a bullet (``-``, ``*``, ``+``) or a number with ``.`` or ``)``,
then white space or the end of the line."""

BLOCK_QUOTE_MARK = re.compile(r" {0,3}> ?")
"""One ``>`` of a block quote, with the space after it."""

TABLE_PIPE = re.compile(r"(?<!\\)\|")
"""A pipe between table cells (an escaped ``\\|`` is text)."""

LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
"""An HTML line break (``<br>``, ``<br/>``) in a paragraph or a table cell."""

SOFT_BREAK = re.compile(r"\n(?![\n#*+|>\d \t-])")
"""A line end inside a paragraph: the next line neither is blank nor may start a heading,
list item, table row, quote or indented line (hard-wrapped text, joined by a space)."""

# --- inline markup ----------------------------------------------------------------------

LINK_DESTINATION = re.compile(
    r"""\(\s*(?:<[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)"""
    r"""(?:\s+(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?\s*\)""",
    re.DOTALL,
)
"""A link's ``(destination "title")`` after its ``]``, as CommonMark reads it: the address
in ``<…>`` or without white space (escapes and one level of balanced parentheses in it),
then an optional title in quotes or parentheses."""

LOOSE_DESTINATION = re.compile(r"\([^\s\[\]]{0,2000}?\)")
"""A destination :data:`LINK_DESTINATION` refuses that a web page's export still writes:
a URL with an unbalanced ``(`` (``…%20()``), up to the first ``)``."""

AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*|[^\s<>@]+@[^\s<>@]+\.[A-Za-z]+)>")
"""``<https://…>`` or ``<name@host.org>``: the address (group 1) is the text."""

HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
"""An HTML tag; its name is group 1 (a tag named in :data:`INLINE_HTML_TAGS` is markup,
anything else in angle brackets, ``<MM/DD/YYYY>``, is text)."""

INLINE_HTML_TAGS = frozenset(
    "a abbr b br cite del div em font i img ins mark p s small span strong sub sup u wbr".split()
)
"""The HTML tags a page's text may hold as markup (the clean text drops them)."""

LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
"""``[text](target)`` in running text: the text (group 1, which may run over lines) and
the target (group 2: no white space, no title, one level of balanced parentheses)."""

LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
"""Where a link's target starts, at any ``](``: the target up to white space, ``)`` or
``>`` (group 1). Lint checks every such target, also in a link :data:`LINK_DESTINATION`
would refuse (a space in the target)."""

DESTINATION_SPAN = re.compile(r"\]\([^)]*\)")
"""``](…)``: a link's target with its brackets, up to the first ``)`` (lint counts a page's
words without the addresses it links to)."""

REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
"""A reference definition line, ``[label]: target``: the target is group 1."""

# --- the renderer's line-at-a-time reading (service/render.py) ---------------------------
# The renderer reads one line at a time, takes any white space for a space and trims the
# line first. Its inline patterns read text anyone can write, so every repeat is bounded
# and a link's text holds no "[": a line of 30,000 "[" or "**" costs linear time.

BULLET_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
"""A list item line as the renderer reads it, its text in group 1. Unlike
:data:`LIST_MARKER`: a number has at most three digits, and white space must follow the
marker."""

HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
"""A heading line as the renderer reads it: level marks (group 1) and text (group 2).
Unlike :data:`ATX_HEADING`: no indentation, white space must follow the marks, and
trailing ``#`` go even without white space before them."""

RULE_LINE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
"""A line the renderer skips between blocks: a table delimiter row whose cells have three
or more dashes each, or a line of dashes (``---``)."""

IMAGE = re.compile(r"!\[([^\[\]\n]{0,500})\]\([^()\n]{0,2000}\)")
"""``![alt](src)`` on one line: the alt text is group 1."""

LINK_ON_A_LINE = re.compile(r"\[([^\[\]\n]{1,500})\]\([^()\n]{0,2000}\)")
"""``[text](target)`` on one line: the text is group 1 (bounded, unlike :data:`LINK`)."""

STRONG = re.compile(r"\*\*(?=\S)(.{1,500}?)(?<=\S)\*\*")
"""``**strong**``: the text (group 1) neither starts nor ends with white space."""

EMPHASIS = re.compile(r"(?<![\w*])[*_](?=\S)(.{1,500}?)(?<=\S)[*_](?![\w*])")
"""``*emphasis*`` or ``_emphasis_``, not inside a word: the text is group 1."""

# --- a page's lines ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a page body: its number, its text, and whether it is fenced code (the
    fence lines included)."""

    number: int
    text: str
    in_code: bool


def body_lines(body: str, *, first: int = 0) -> Iterator[Line]:
    """The lines of ``body`` numbered from ``first``, each marked when it is fenced code.

    A fence opens at a line :data:`FENCE_RUN` matches and closes at a line of the same
    character, at least as long, with nothing else but spaces and tabs. This is simpler
    than the parser's reading (:mod:`cancerinfo.index.markdown` also reads fences inside
    block quotes, and closes one at any indentation).
    """
    fence: str | None = None
    for offset, text in enumerate(_split_lines(body)):
        match = FENCE_RUN.match(text)
        marker = match.group(1) if match is not None else None
        in_code = fence is not None or marker is not None
        if marker is not None and fence is None:
            fence = marker
        elif marker is not None and fence is not None and _closes(fence, marker, text):
            fence = None
        yield Line(first + offset, text, in_code)


def _split_lines(body: str) -> Iterator[str]:
    """``body.split("\\n")``, one line at a time (a reader that stops early reads no more)."""
    start = 0
    while (end := body.find("\n", start)) >= 0:
        yield body[start:end]
        start = end + 1
    yield body[start:]


def _closes(fence: str, marker: str, text: str) -> bool:
    """A closing fence: the opening character, at least as long, nothing else on the line."""
    return marker[0] == fence[0] and len(marker) >= len(fence) and not text.strip(marker + " \t")


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading line outside fenced code: the line, its level and its text as written
    (``text`` is empty on a line of ``#`` marks alone)."""

    line: Line
    level: int
    text: str


def atx_headings(lines: Iterable[Line]) -> Iterator[Heading]:
    """The headings among ``lines``, read with :data:`ATX_HEADING`; fenced code has none."""
    for line in lines:
        match = None if line.in_code else ATX_HEADING.match(line.text)
        if match is not None:
            yield Heading(line, len(match.group(1)), match.group(2))
