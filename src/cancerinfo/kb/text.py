"""Text that deceives: invisible format characters and HTML comments in KB pages.

**Invisible characters.** Bidi controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069
isolates, U+200E/U+200F marks, U+061C Arabic letter mark) can make a sentence or a title
read backwards ("...gnp.exe"); zero-width and other invisible format characters (Unicode
category Cf: U+200B, U+2060, U+FEFF inside text, tags U+E0000-U+E007F...) hide text or split
words. :data:`INVISIBLE` matches every one of them that cancerinfo removes.

Kept on purpose (category Cf too, but not deceptive): U+00AD soft hyphen (a hyphenation
hint), U+200C/U+200D zero-width non-joiner and joiner (needed to spell Persian, Indic
scripts and emoji sequences), the visible "prepended concatenation marks" of Arabic and
Syriac (U+0600-U+0605, U+06DD, U+070F, U+0890-U+0891, U+08E2, U+110BD, U+110CD), and the
format controls of Egyptian hieroglyphs (U+13430-U+1343F) and Duployan shorthand
(U+1BCA0-U+1BCA3), which only those scripts use. :data:`KEPT_FORMAT` lists them.

**HTML comments.** ``<!-- ... -->`` in a page body is a curator's note, never text for a
patient: :func:`strip_html_comments` and :func:`blank_html_comments` remove it (an unclosed
``<!--`` runs to the end of the text, as in CommonMark). Both scan with ``str.find`` from
left to right: linear in the text, whatever it holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

#: Every character cancerinfo removes from KB text (one character class: linear matching).
INVISIBLE = re.compile(
    "["
    "\u061c"  # ARABIC LETTER MARK (bidi)
    "\u180e"  # MONGOLIAN VOWEL SEPARATOR
    "\u200b"  # ZERO WIDTH SPACE
    "\u200e\u200f"  # LEFT-TO-RIGHT / RIGHT-TO-LEFT MARK
    "\u202a-\u202e"  # bidi embeddings, pop, overrides
    "\u2060-\u2064"  # WORD JOINER, invisible function application, times, separator, plus
    "\u2066-\u206f"  # bidi isolates, then deprecated format characters
    "\ufeff"  # ZERO WIDTH NO-BREAK SPACE (a byte-order mark inside the text)
    "\ufff9-\ufffb"  # interlinear annotation anchors
    "\U0001d173-\U0001d17a"  # musical beam and slur format controls
    "\U000e0001\U000e0020-\U000e007f"  # language tag, tag characters (hidden ASCII)
    "]"
)

#: Category Cf characters that are kept (see the module docstring); every other Cf
#: character is matched by :data:`INVISIBLE`.
KEPT_FORMAT = frozenset(
    "\u00ad\u200c\u200d\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\U000110bd\U000110cd"
    + "".join(map(chr, range(0x13430, 0x13440)))
    + "".join(map(chr, range(0x1BCA0, 0x1BCA4)))
)

_OPEN, _CLOSE = "<!--", "-->"


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds a character that :data:`INVISIBLE` matches."""
    return INVISIBLE.search(text) is not None


def remove_invisible(text: str) -> str:
    """``text`` without the characters of :data:`INVISIBLE` (newlines are never touched)."""
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text


def invisible_by_line(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """``(line, column, characters)`` for each line (1-based) holding invisible characters:
    the column (1-based, in characters) of the first one and all of them in order."""
    line, line_start, scanned = 1, 0, 0
    current: tuple[int, int, list[str]] | None = None
    for match in INVISIBLE.finditer(text):
        position = match.start()
        newlines = text.count("\n", scanned, position)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", scanned, position) + 1
        scanned = position
        if current is not None and current[0] != line:
            yield current
            current = None
        if current is None:
            current = (line, position - line_start + 1, [])
        current[2].append(match.group())
    if current is not None:
        yield current


def describe(character: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    name = unicodedata.name(character, "") or "unnamed format character"
    return f"U+{ord(character):04X} {name}"


def _comments(text: str) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, closed)`` of each ``<!-- ... -->``, left to right (an unclosed one
    runs to the end of the text)."""
    position = text.find(_OPEN)
    while position >= 0:
        close = text.find(_CLOSE, position + len(_OPEN))
        end = len(text) if close < 0 else close + len(_CLOSE)
        yield position, end, close >= 0
        if close < 0:
            return
        position = text.find(_OPEN, end)


def strip_html_comments(text: str) -> str:
    """``text`` without its HTML comments; the newlines inside one are kept, so the lines
    around it keep their numbers (a comment on lines of its own leaves blank lines)."""
    return _replace_comments(text, lambda comment: "\n" * comment.count("\n"))


def blank_html_comments(text: str) -> str:
    """``text`` with every character of its HTML comments but newlines turned into spaces:
    same length, so offsets into it are offsets into ``text``."""
    return _replace_comments(text, lambda comment: "".join("\n" if char == "\n" else " " for char in comment))


def _replace_comments(text: str, fill: Callable[[str], str]) -> str:
    """``text`` with each HTML comment replaced by ``fill(comment)``."""
    if _OPEN not in text:
        return text
    parts: list[str] = []
    kept = 0
    for start, end, _ in _comments(text):
        parts.append(text[kept:start])
        parts.append(fill(text[start:end]))
        kept = end
    parts.append(text[kept:])
    return "".join(parts)


def unclosed_comment(text: str) -> int | None:
    """The offset of an ``<!--`` that no ``-->`` closes, or None."""
    for start, _, closed in _comments(text):
        if not closed:
            return start
    return None
