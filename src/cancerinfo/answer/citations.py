"""Quotes: cutting a chunk's clean text into quotable units, and proving a quote is the
page's own words.

A chunk's text is the page's clean text (:mod:`cancerinfo.index.markdown`: link targets
and emphasis markers removed, list items one per line). A *unit* is one sentence of a
paragraph or one list item. A quote is one unit or a run of consecutive units of one
chunk; :func:`quote_in_page` checks it against the page's whole clean text, with list
markers and runs of white space folded, so a quote is shown only if the page says it
word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

IMAGE_MARK = "\u2042"  # ⁂: not a character KB text uses
_IMAGE = re.compile(r"!\[[^\]\n]*\]\((?:[^()\n]|\([^()\n]*\))*\)")
# [text](target "title"): the text stays; the text may span lines (not paragraphs)
_LINK = re.compile(r"\[((?:[^\[\]\n]|\n(?![ \t]*\n)|\[[^\[\]\n]*\])*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\s*\)")
_LINK_TAIL = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*\)")  # a link whose text ran over paragraphs
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*)>")
_HTML_TAG = re.compile(r"</?(?:a|abbr|b|br|cite|del|div|em|font|i|img|ins|mark|p|s|small|span|strong|sub|sup|u|wbr)\b[^<>]*/?>", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_TABLE_PIPE = re.compile(r"(?<!\\)\|")
_LINE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:#{1,6}[ \t]+|(?:[-+*•]|\d{1,9}[.)])[ \t]+)?", re.MULTILINE)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,9}[.)])[ \t]+", re.MULTILINE)
_SPACE = re.compile(r"\s+")
# A sentence ends at . ! ? (and a closing quote or bracket) before white space and a capital,
# digit or opening quote; not after a common abbreviation or a single capital ("U.S.").
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')\]]?\s+(?=[\"“(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|St|No|Fig|al|approx)|\b[A-Z])\.$")
#: A capital letter after a lower-case word ends a sentence ("... includes BCLC stage D.",
#: "vitamin D.", "hepatitis B."); after a capitalised word it is an initial ("John F. Kennedy").
_LETTER_AFTER_WORD = re.compile(r"\b[a-z][\w'’-]*\s+[A-Z]\.$")


@dataclass(frozen=True, slots=True)
class Unit:
    """One quotable sentence or list item of a chunk, with the paragraph or list it belongs to."""

    text: str
    list_item: bool
    block: int = 0  # the paragraph (or list) of the chunk it is in
    continues_item: bool = False  # a later sentence of a list item

def fold(text: str) -> str:
    """Text as compared for quoting: list markers dropped, white space folded, typographic
    apostrophes and quotes made plain."""
    text = _LIST_MARKER.sub("", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())  # what \s+ → " " and strip do, twice as fast


#: Folded pages kept (the most recently used).
FOLDED_PAGES_KEPT = 2048


@lru_cache(maxsize=FOLDED_PAGES_KEPT)
def folded_page(body: str) -> str:
    """A page's Markdown as a reader sees it, folded (cached: pages are quoted many times):
    link targets, HTML tags, escapes, emphasis, heading, quote, list and table marks go.
    An image stands as a mark no quote contains, so a quote never runs across one. This is
    a few regular expressions, not the chunker's parser: an independent reading of the page."""
    text = _IMAGE.sub(f"\n\n{IMAGE_MARK}\n\n", body)
    text = _LINK.sub(r"\1", text)
    text = _LINK_TAIL.sub("", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _TABLE_PIPE.sub("\n", text)
    text = _LINE_MARKS.sub("", text)
    return fold(_strip_emphasis(text))


def quote_in_page(quote: str, body: str) -> bool:
    """True when ``quote`` is found word for word in the page whose Markdown is ``body``."""
    needle = fold(_strip_emphasis(quote))
    return bool(needle) and needle in folded_page(body)


def quote_position(quote: str, body: str) -> int:
    """Where ``quote`` starts in the page's folded text (:func:`folded_page`); -1 when it is not found."""
    needle = fold(_strip_emphasis(quote))
    return folded_page(body).find(needle) if needle else -1


def _strip_emphasis(text: str) -> str:
    # five replace calls: twelve times faster than str.translate with a deletion table
    return text.replace("*", "").replace("_", "").replace("`", "").replace("[", "").replace("]", "")


def units(chunk_text: str) -> list[Unit]:
    """The sentences and list items of a chunk, in order; a list item is its first sentence,
    its later sentences follow as units that continue it. Table rows and headings-only
    lines are left out (a table cell is not a sentence)."""
    found: list[Unit] = []
    for block, paragraph in enumerate(re.split(r"\n\s*\n", chunk_text)):
        for line in paragraph.split("\n"):
            stripped = line.strip()
            if not stripped or " | " in stripped:
                continue
            marker = _LIST_MARKER.match(line)
            if marker:  # a list item: its first sentence ("CT scan: A procedure that ..."), then the rest
                item = sentences(_SPACE.sub(" ", line[marker.end() :]).strip())
                if item:
                    found.append(Unit(item[0], True, block))
                    found.extend(Unit(more, False, block, True) for more in item[1:])
                continue
            found.extend(Unit(sentence, False, block) for sentence in sentences(stripped))
    return [unit for unit in found if unit.text]


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences (a light rule; abbreviations do not end one)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.start()].rstrip()
        before = paragraph[: match.start()].rstrip("\"”')]")
        if _ABBREVIATION.search(before) and not _LETTER_AFTER_WORD.search(before):
            continue
        pieces.append(candidate + paragraph[match.start() : match.end()].rstrip())
        start = match.end()
    pieces.append(paragraph[start:])
    return [_SPACE.sub(" ", piece).strip() for piece in pieces if piece.strip()]
