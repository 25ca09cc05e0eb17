"""A tiny, safe Markdown renderer for KB text: escape everything first, then add our tags.

No HTML from the KB (or from a person) ever reaches the page: every character is escaped
with :func:`markupsafe.escape` before the few patterns below turn into tags the renderer
writes itself. A KB ``<script>`` shows as the text ``<script>``.

Supported, and nothing else: ``#`` headings, ``-``/``*``/``1.`` list items, paragraphs,
``**bold**``, ``*italic*``/``_italic_``, links (their words only: a KB link's target is
never followed from here), images (their alt text), table rows (their cells as text), and
in answers the citation markers ``[n]`` of the response, as links to the source cards.
The Markdown patterns, read one line at a time and bounded against hostile text, are
those of :mod:`cancerinfo.kb.markdown_syntax`.

Text that deceives never reaches the page (a second line of defence for stores ingested
before the loader removed it): bidi controls and other invisible format characters
(:mod:`cancerinfo.kb.text`) are removed from every line, and from every value a template
prints (:func:`finalize`); HTML comments (``<!-- a curator's note -->``) are removed from
pages and answers. Both in linear time (a character class; ``str.find`` scans).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from cancerinfo.kb.markdown_syntax import (
    BULLET_LINE,
    EMPHASIS,
    HEADING_LINE,
    IMAGE,
    LINK_ON_A_LINE,
    RULE_LINE,
    STRONG,
)
from cancerinfo.kb.text import remove_invisible, strip_html_comments

_CITATION = re.compile(r"\[(\d{1,3})\]")


def by_page(citations: list[Any]) -> list[list[Any]]:
    """The citations grouped by page, in the order of each page's first citation: one source
    card a page, its quotes inside (an answer often quotes several lines of one page)."""
    groups: dict[str, list[Any]] = {}
    for citation in citations:
        url = citation["url"] if isinstance(citation, Mapping) else citation.url
        groups.setdefault(url, []).append(citation)
    return list(groups.values())


def safe_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) address, else None (no ``javascript:``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc:
        return url.strip()
    return None


_TEL = re.compile(r"^(tel|sms):\+?[0-9]{2,15}$")


def tel_url(url: str) -> str | None:
    """``url`` when it is a ``tel:`` or ``sms:`` link to digits only, else None."""
    return url if isinstance(url, str) and _TEL.match(url) else None


def inline(text: str, *, citations: Collection[int] = (), anchor: str = "") -> Markup:
    """One line: escaped, then bold, italics, link words and (in answers) citation links."""
    html = str(escape(remove_invisible(text)))
    html = IMAGE.sub(lambda m: m.group(1), html)
    html = LINK_ON_A_LINE.sub(lambda m: m.group(1), html)
    html = STRONG.sub(r"<strong>\1</strong>", html)
    html = EMPHASIS.sub(r"<em>\1</em>", html)
    if anchor:

        def cite(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if n not in citations:
                return match.group(0)
            return (
                f'<a class="cite" href="#src-{anchor}-{n}" data-source="src-{anchor}-{n}"'
                f' aria-label="Source {n}">[{n}]</a>'
            )

        html = _CITATION.sub(cite, html)
    return Markup(html)  # built from escaped text and our own tags only


def answer_text(text: str, *, citations: Collection[int] = (), anchor: str = "") -> Markup:
    """A section of an answer: bullet lines become a list, other lines paragraphs."""
    lines = strip_html_comments(text).splitlines()
    return _blocks(lines, citations=citations, anchor=anchor, headings=False)


def document_body(markdown: str) -> Markup:
    """A KB page's body for the document page (headings shifted one level down)."""
    lines = strip_html_comments(markdown).splitlines()
    return _blocks(lines, citations=(), anchor="", headings=True)


def finalize(value: Any) -> Any:
    """What a template prints for ``{{ value }}``: text without invisible characters (then
    escaped by autoescape); markup we built ourselves and other values as they are."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return remove_invisible(value)
    return value


def _blocks(lines: list[str], *, citations: Collection[int], anchor: str, headings: bool) -> Markup:
    parts: list[str] = []
    for kind, items in _group(lines, headings=headings):
        rendered = [inline(item, citations=citations, anchor=anchor) for item in items]
        if kind == "list":
            parts.append("<ul>" + "".join(f"<li>{item}</li>" for item in rendered) + "</ul>")
        elif kind.startswith("h"):
            level = min(6, int(kind[1:]) + 1)
            parts.append(f"<h{level}>{rendered[0]}</h{level}>")
        else:
            parts.append("<p>" + " ".join(str(item) for item in rendered) + "</p>")
    return Markup("\n".join(parts))  # every piece went through inline()


def _group(lines: list[str], *, headings: bool) -> Iterator[tuple[str, list[str]]]:
    """Consecutive lines as blocks: ("list", items), ("hN", [title]) or ("p", lines)."""
    kind, items = "", []
    for raw in lines:
        line = raw.rstrip()
        if not line.strip() or RULE_LINE.match(line):
            if items:
                yield kind, items
            kind, items = "", []
            continue
        heading = HEADING_LINE.match(line) if headings else None
        bullet = BULLET_LINE.match(line)
        if heading:
            if items:
                yield kind, items
            yield f"h{len(heading.group(1))}", [heading.group(2)]
            kind, items = "", []
        elif bullet:
            if kind != "list" and items:
                yield kind, items
                items = []
            kind = "list"
            items.append(bullet.group(1))
        else:
            if line.lstrip().startswith("|"):
                line = " · ".join(cell.strip() for cell in line.strip().strip("|").split("|") if cell.strip())
            if kind == "list" and raw.startswith((" ", "\t")):
                items[-1] += " " + line.strip()  # a list item's continuation line
                continue
            if kind == "list":
                yield kind, items
                items = []
            kind = "p"
            items.append(line.strip())
    if items:
        yield kind, items


def message_of(answer: Mapping[str, Any]) -> str:
    """The text of an answer before its sections (a lead line, or why it is not answered),
    without the disclaimer, which the page shows on its own."""
    text = str(answer.get("text", ""))
    text = text.replace(f"_{answer.get('disclaimer', '')}_", "").strip()
    return text.split("\n## ", 1)[0].strip() if not text.startswith("## ") else ""


def share_link(question: str, filters: Mapping[str, str] | None = None) -> str:
    """The address of a server-rendered answer to ``question`` (a link to share)."""
    return "/?" + urlencode({"q": question, **{k: v for k, v in (filters or {}).items() if v}})


def schema_type(schema: Mapping[str, Any] | None) -> str:
    """A JSON-schema fragment as a short type for the API page: ``list[Citation] | null``."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(schema_type(option) for option in schema[key])
    if "enum" in schema:
        return " | ".join(repr(value) for value in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    if schema.get("type") == "array":
        return f"list[{schema_type(schema.get('items'))}]"
    return str(schema.get("type", "object"))
