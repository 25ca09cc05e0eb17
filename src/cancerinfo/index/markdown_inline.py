"""The inline level of :mod:`cancerinfo.index.markdown`: the verbatim pieces of a block's
Markdown left once its markup is removed (link targets, emphasis markers, code backticks,
escapes, images, autolink brackets and a few HTML tags), each with its offset in the page;
emphasis runs are matched opener to closer, nearest first. The link and tag patterns are
those of :mod:`cancerinfo.kb.markdown_syntax`."""

from __future__ import annotations

import re
import unicodedata

from cancerinfo.kb.markdown_syntax import (
    AUTOLINK,
    HTML_TAG,
    INLINE_HTML_TAGS,
    LINK_DESTINATION,
    LOOSE_DESTINATION,
)

_SPECIAL = re.compile(r"[\\`!\[\]<*_]")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_BRACKET = re.compile(r"\\.|[\[\]]", re.DOTALL)


class _Run:
    """A run of ``*`` or ``_``: may it open or close emphasis, and how much of it is used."""

    __slots__ = ("can_close", "can_open", "char", "end", "start", "used_left", "used_right")

    def __init__(self, raw: str, start: int, end: int, low: int, high: int) -> None:
        before = raw[start - 1] if start > low else " "
        after = raw[end] if end < high else " "
        space_before, space_after = before.isspace(), after.isspace()
        punct_before, punct_after = _is_punctuation(before), _is_punctuation(after)
        left = not space_after and (not punct_after or space_before or punct_before)
        right = not space_before and (not punct_before or space_after or punct_after)
        self.start, self.end, self.char = start, end, raw[start]
        if self.char == "*" and end - start >= 2:  # "**Treat cancer:**Chemotherapy" (export)
            self.can_open, self.can_close = not space_after, not space_before
        elif self.char == "*":
            self.can_open, self.can_close = left, right
        else:  # "_" does not open or close inside a word (snake_case stays)
            self.can_open = left and (not right or punct_before)
            self.can_close = right and (not left or punct_after)
        self.used_left = self.used_right = 0

    @property
    def left(self) -> int:
        return self.end - self.start - self.used_left - self.used_right


_Item = tuple[int, int] | _Run


def _inline(raw: str, low: int, high: int, base: int) -> list[tuple[int, str]]:
    """Pieces ``(offset in the Markdown, verbatim text)`` of ``raw[low:high]``, markup removed."""
    pairs = _bracket_pairs(raw, low, high)
    return [(base + start, raw[start:end]) for start, end in _ranges(raw, low, high, pairs)]


def _bracket_pairs(raw: str, low: int, high: int) -> dict[int, int]:
    """Position of the matching "]" for each "[" (escaped ones aside), in one pass."""
    pairs: dict[int, int] = {}
    opened: list[int] = []
    for match in _BRACKET.finditer(raw, low, high):
        if match.group() == "[":
            opened.append(match.start())
        elif match.group() == "]" and opened:
            pairs[opened.pop()] = match.start()
    return pairs


def _ranges(raw: str, low: int, high: int, pairs: dict[int, int]) -> list[tuple[int, int]]:
    """Verbatim ranges of ``raw[low:high]`` left once the markup is removed."""
    items: list[_Item] = []
    last_link: tuple[int, int] | None = None  # (its first item, its end) for a glued image
    i = low
    while i < high:
        match = _SPECIAL.search(raw, i, high)
        if match is None:
            items.append((i, high))
            break
        j = match.start()
        if j > i:
            items.append((i, j))
        char = raw[j]
        i = j + 1
        if char == "\\":
            if i < high and raw[i] in _ASCII_PUNCT:
                items.append((i, i + 1))
                i += 1
            else:
                items.append((j, i))
        elif char == "`":
            run = _run_length(raw, j, high)
            closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(raw, j + run, high)
            items.append((j + run, closing.start()) if closing else (j, j + run))
            i = closing.end() if closing else j + run
        elif char == "!" and raw.startswith("[", i) and (link := _link(raw, i, high, pairs)):
            if last_link is not None and last_link[1] == j:
                del items[last_link[0] :]
            last_link, i = None, link[1]
        elif char == "[" and (link := _link(raw, j, high, pairs)):
            last_link = (len(items), link[1])
            items.extend(_ranges(raw, j + 1, link[0], pairs))
            i = link[1]
        elif char == "[" and raw.startswith("![", i):
            pass  # "[![image](src)" then the link text in later paragraphs: a card
        elif char == "]" and (
            tail := LINK_DESTINATION.match(raw, i, high) or LOOSE_DESTINATION.match(raw, i, high)
        ):
            i = tail.end()  # "...](/href)": the end of a card link begun paragraphs before
        elif char == "<" and (auto := AUTOLINK.match(raw, j, high)):
            items.append((auto.start(1), auto.end(1)))
            i = auto.end()
        elif char == "<" and (tag := HTML_TAG.match(raw, j, high)):
            if tag.group(1).lower() in INLINE_HTML_TAGS:
                i = tag.end()
            else:
                items.append((j, i))
        elif char in "*_":
            i = j + _run_length(raw, j, high)
            items.append(_Run(raw, j, i, low, high))
        else:
            items.append((j, i))
    return [(start, end) for start, end in _resolve(items) if end > start]


def _link(raw: str, open_bracket: int, high: int, pairs: dict[int, int]) -> tuple[int, int] | None:
    """For ``[text](destination "title")`` at ``open_bracket``: (index of "]", end), or None."""
    close = pairs.get(open_bracket, high)
    if close >= high:
        return None
    destination = LINK_DESTINATION.match(raw, close + 1, high) or LOOSE_DESTINATION.match(
        raw, close + 1, high
    )
    return (close, destination.end()) if destination else None


def _run_length(raw: str, start: int, high: int) -> int:
    end = start
    while end < high and raw[end] == raw[start]:
        end += 1
    return end - start


def _is_punctuation(char: str) -> bool:
    return char in _ASCII_PUNCT or unicodedata.category(char)[0] in "PS"


def _resolve(items: list[_Item]) -> list[tuple[int, int]]:
    """Match emphasis openers with closers (nearest first); matched markers go, others stay."""
    openers: list[_Run] = []
    for item in items:
        if not isinstance(item, _Run):
            continue
        depth = len(openers) - 1 if item.can_close else -1
        while depth >= 0 and item.left:  # "**a *b***": one closer, two openers
            opener = openers[depth]
            if opener.char != item.char:
                depth -= 1
                continue
            used = min(opener.left, item.left)
            opener.used_right += used
            item.used_left += used
            del openers[depth + 1 :]
            if not opener.left:
                openers.pop()
            depth = len(openers) - 1
        if item.can_open and item.left:
            openers.append(item)
    return [
        (item.start + item.used_left, item.end - item.used_right)
        if isinstance(item, _Run)
        else item
        for item in items
    ]
