"""Reading Markdown as a person reads it, for the peer-suite checker: link targets,
escapes, emphasis and line marks dropped; phrases matched as whole words. Written apart
from the product's own quote check (:mod:`cancerinfo.answer.citations`) on purpose, so
the benchmark does not grade the product with the product's code."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LINK = re.compile(r"!?\[((?:[^\[\]\n]|\n(?![ \t]*\n)|\[[^\[\]\n]*\])*)\]\((?:[^()\s]|\([^()]*\)|\((?=\)))*"
                   r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)|<((?:https?|ftp|mailto):[^\s<>]*)>")  # or <autolink>
_BARE_URL = re.compile(r"https?://\S+")
#: The end of a link whose text runs over paragraphs ("[card ... text.](/url)"): a target.
_LINK_TAIL = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*\)")
_TABLE_PIPE = re.compile(r"(?<!\\)\|")  # table cells read as lines
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
LINE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:#{1,6}[ \t]+|(?:[-+*]|\d+[.)])[ \t]+)?", re.MULTILINE)
_EMPHASIS = str.maketrans({"*": None, "_": None, "`": None, "|": " ", "’": "'", "‘": "'", "“": '"', "”": '"'})
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\](?!\()")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=1024)
def regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled (cached)."""
    return re.compile(pattern)


def visible(text: str) -> str:
    """Markdown as read: ``[text](url)`` -> ``text``, bare urls dropped."""
    return _BARE_URL.sub(" ", _LINK.sub(r"\1\2", text))


def normalise_markdown(text: str) -> str:
    """Without link targets, escapes, emphasis, line markers (# > - 1.); spaced once; casefolded."""
    text = _ESCAPED.sub(r"\1", _LINK.sub(r"\1\2", unicodedata.normalize("NFKC", text)))
    text = _TABLE_PIPE.sub("\n", _LINK_TAIL.sub("", text))
    return " ".join(LINE_MARKS.sub("", text).translate(_EMPHASIS).split()).casefold()


@lru_cache(maxsize=256)
def normalised_page(page_markdown: str) -> str:
    """The page as :func:`normalise_markdown` reads it (cached: a page is normalised once)."""
    return normalise_markdown(page_markdown)


def quote_in_page(quote: str, page_markdown: str) -> bool:
    """Whether ``quote`` occurs word for word in the page (both normalised; a page once)."""
    wanted = normalise_markdown(quote)
    return bool(wanted) and wanted in normalised_page(page_markdown)


@lru_cache(maxsize=256)
def phrase(phrase: str, *, plural: bool = False) -> re.Pattern[str]:
    """Whole words, any case (an acronym in its own case), space or hyphen; ``plural``: last
    word may end -s/-es (-y: -ies)."""
    words = [re.escape(word) for word in re.split(r"[\s-]+", phrase.strip()) if word]
    if plural and words:
        last = words[-1]
        words[-1] = f"{last[:-1]}(?:y|ies)" if last.endswith("y") else f"{last}(?:e?s)?"
    flags = 0 if is_acronym(phrase) else re.IGNORECASE  # "FIT" the test, not "fit"
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"(?!\w)", flags)


def is_acronym(phrase: str) -> bool:
    """Whether ``phrase`` is all capitals and at most six characters without hyphens."""
    return phrase.isupper() and len(phrase.replace("-", "")) <= 6
