"""Mine the KB vocabulary from the KB's own pages: the terms, their kinds and their pages.

Sources, each giving entries of one :class:`Kind` (``url`` is the page read):

* **drug pages** — a page with a ``US Brand Name(s)`` or ``FDA Approved`` line. Its first
  H1 without `` - NCI`` is the generic name (``drug``); each line between ``US Brand
  Name(s)`` and ``FDA Approved`` is a ``brand``. The name without trailing salt words
  (``Ixazomib Citrate`` → ``ixazomib``) or a biologic suffix (``Zolbetuximab-clzb``) is a
  ``drug`` too, when exactly one page gives it and no page is named by it already.
* **regimen pages** — a line ``Drugs in the ABVD combination:``: the H1 and that name are
  a ``regimen``; each table row below, ``| **A** | = [Doxorubicin Hydrochloride](/…)
  (Adriamycin) |``, gives the linked name and each name in parentheses as a
  ``regimen_component`` pointing to the linked drug page.
* **also called** — ``Chemotherapy (also called chemo)``, ``X, also called Y,``, ``X is
  also called Y, Z, or W``: ``alias`` Y → X, when X stands alone (starts a line or clause,
  or follows a/an/the; at most 5 words) and is a term of another kind.
* **abbreviations** — ``acute lymphoblastic leukemia (ALL)`` or ``ALL (acute …)`` when the
  short form's letters appear in order in the long form, the first one at the start of a
  word (Schwartz & Hearst, 2003).
* **glossary** — the text of each ``[text](/Common/PopUps/popDefinition.aspx?…)`` link.
* **titles** — the first H1 (else the title) of every other page, without `` - NCI``,
  ``(PDQ®)`` or ``—Patient Version``; a title shared by more than
  :data:`MAX_TITLE_PAGES` pages ("Facebook" on empty dictionary pages) is dropped.

``urls``: the page about the term (drug, brand, regimen, title), the linked drug page
(regimen component), else the pages the term was read on, most frequent first, at most
:data:`MAX_URLS_PER_ENTRY`. Pages are read in url order and ties broken by text, so the
same pages always give the same entries. The abbreviations and "also called" pairs are read
in the running text by :mod:`cancerinfo.index.vocabulary_phrases`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urljoin, urlsplit, urlunsplit

from cancerinfo.index.vocabulary_phrases import _EDGE_PUNCTUATION, _abbreviations, _also_called
from cancerinfo.index.vocabulary_phrases import MAX_ALIAS_WORDS as MAX_ALIAS_WORDS
from cancerinfo.index.vocabulary_phrases import MAX_HEAD_WORDS as MAX_HEAD_WORDS
from cancerinfo.index.vocabulary_phrases import STOP_WORDS as STOP_WORDS
from cancerinfo.kb.document import Document
from cancerinfo.kb.markdown_syntax import LINK, SOFT_BREAK, atx_headings, body_lines

MAX_TERM_TOKENS = 12
MAX_URLS_PER_ENTRY = 20
MAX_TITLE_PAGES = 3
MAX_GLOSSARY_WORDS = 6


class Kind(StrEnum):
    """What a vocabulary term is, by the source it was mined from (module docstring)."""

    DRUG = "drug"
    BRAND = "brand"
    REGIMEN = "regimen"
    REGIMEN_COMPONENT = "regimen_component"
    TITLE = "title"
    LAY = "lay"
    ABBREVIATION = "abbreviation"
    ALIAS = "alias"
    GLOSSARY = "glossary"


#: Lower ranks first: a match naming a page beats a match naming a glossary word.
KIND_PRIORITY: dict[Kind, int] = {
    Kind.DRUG: 0,
    Kind.BRAND: 0,
    Kind.REGIMEN: 0,
    Kind.TITLE: 1,
    Kind.REGIMEN_COMPONENT: 2,
    Kind.LAY: 3,
    Kind.ABBREVIATION: 4,
    Kind.ALIAS: 5,
    Kind.GLOSSARY: 6,
}
PAGE_KINDS = frozenset({Kind.DRUG, Kind.BRAND, Kind.REGIMEN})

SALT_WORDS = frozenset(
    """acetate anhydrous besylate bitartrate bromide calcium camsylate chloride citrate
    dichloride dihydrate dihydrochloride dimaleate dimesylate disodium ditosylate fumarate
    hemihydrate hydrobromide hydrochloride hyclate lactate malate maleate mesylate monohydrate
    phosphate potassium sodium succinate sulfate tartrate tosylate trihydrate""".split()
)

_TOKEN = re.compile(r"[^\W_]+")
_GLOSSARY_LINK = re.compile(
    r"\[([^\[\]]+)\]\(\s*(?:https?://www\.cancer\.gov)?/Common/PopUps/popDefinition\.aspx\?",
    re.IGNORECASE,
)
_NCI_SUFFIX = re.compile(r"\s*[-–—]\s*NCI\s*$|\s+[-–—]$")
_VERSION = r"(?:Patient|Health Professional) Version"
_TITLE_SUFFIX = re.compile(rf"\s*(?:\(PDQ®?\)|[-–—|]\s*{_VERSION})$")
_BRAND_HEADER = re.compile(r"^[ \t]*US Brand Names?(?:\(s\))?[ \t]*:?[ \t]*$", re.MULTILINE)
_FDA_LINE = re.compile(r"^[ \t]*FDA Approved[ \t]*:?[ \t]*$", re.MULTILINE)
_REGIMEN_HEADER = re.compile(r"^[ \t]*Drugs in the (.+?) combination[ \t]*:?[ \t]*$", re.MULTILINE)
_COMPONENT = re.compile(r"^[=+\s]*\[(?P<name>[^\[\]]+)\]\((?P<href>[^()\s]+)\)(?P<rest>.*)$")
_BIOLOGIC_SUFFIX = re.compile(r"^(.+)-[a-z]{4}$")


@dataclass(frozen=True, slots=True)
class VocabularyEntry:
    """One surface term of the KB vocabulary.

    ``term`` is normalised (:func:`normalise_term`); ``canonical`` is what it stands for,
    as the KB writes it; ``needs_capitals``: the term matches only when written in capitals
    (an acronym that is also an ordinary word); ``count``: how often it was read.
    """

    term: str
    canonical: str
    kind: Kind
    urls: tuple[str, ...] = ()
    needs_capitals: bool = False
    count: int = 1


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """Normalised tokens of ``text`` with their offsets: runs of letters and digits,
    casefolded, accents removed; other characters separate tokens; possessive 's dropped."""
    spans = []
    for found in _TOKEN.finditer(text):
        start = found.start()
        possessive = start >= 2 and text[start - 1] in "'’" and text[start - 2].isalnum()
        if possessive and found.group() in ("s", "S"):
            continue
        word = found.group()
        if word.isascii():  # letters and digits only: nothing to decompose or drop
            token = word.lower()
        else:
            decomposed = unicodedata.normalize("NFKD", word.casefold())
            token = "".join(ch for ch in decomposed if ch.isalnum())
        if token:
            spans.append((token, start, found.end()))
    return spans


def normalise_term(text: str) -> str:
    """The matching key of a term: its tokens joined by single spaces."""
    return " ".join(token for token, _, _ in token_spans(text))


def _tidy(text: str) -> str:
    """Whitespace collapsed, ® and ™ dropped, stray punctuation and unpaired brackets cut."""
    text = " ".join(text.replace("®", "").replace("™", "").split())
    text = text.strip(_EDGE_PUNCTUATION + " ")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    while text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].lstrip()
    return text


def _is_acronym(surface: str) -> bool:
    upper = sum(ch.isupper() for ch in surface)
    return " " not in surface and upper >= 2 and upper * 2 >= sum(ch.isalpha() for ch in surface)


def _most_common(counter: Counter[str]) -> str:
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


@dataclass(slots=True)
class _Tally:
    forms: Counter[str] = field(default_factory=Counter)
    surfaces: Counter[str] = field(default_factory=Counter)
    urls: Counter[str] = field(default_factory=Counter)


class _Collector:
    """Tallies (term, kind, canonical) triples as they are read, then freezes them."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, Kind, str], _Tally] = {}
        self._normal: dict[str, tuple[str, str]] = {}

    def _normalise(self, text: str) -> tuple[str, str]:
        if text not in self._normal:
            tidy = _tidy(text)
            self._normal[text] = (tidy, normalise_term(tidy))
        return self._normal[text]

    def add(self, surface: str, canonical: str, kind: Kind, url: str | None) -> None:
        (surface, term), (canonical, key) = self._normalise(surface), self._normalise(canonical)
        if len(term.replace(" ", "")) < 2 or not key or term.count(" ") >= MAX_TERM_TOKENS:
            return
        tally = self.tallies.get((term, kind, key))
        if tally is None:
            tally = self.tallies[(term, kind, key)] = _Tally()
        tally.forms[canonical] += 1
        tally.surfaces[surface] += 1
        if url:
            tally.urls[url] += 1

    def terms_of(self, kinds: Iterable[Kind]) -> set[str]:
        wanted = frozenset(kinds)
        return {term for term, kind, _ in self.tallies if kind in wanted}

    def entries(self, ordinary_words: set[str]) -> list[VocabularyEntry]:
        """Freeze the tallies; an acronym that is short or an ordinary word needs capitals."""
        entries = []
        for (term, kind, _), tally in self.tallies.items():
            ranked = sorted(tally.urls.items(), key=lambda item: (-item[1], item[0]))
            common = len(term.replace(" ", "")) < 3 or term in ordinary_words
            acronym = _is_acronym(_most_common(tally.surfaces))
            urls = tuple(url for url, _ in ranked[:MAX_URLS_PER_ENTRY])
            needs_capitals = term in STOP_WORDS or (acronym and common)
            canonical, count = _most_common(tally.forms), tally.surfaces.total()
            entries.append(VocabularyEntry(term, canonical, kind, urls, needs_capitals, count))
        return entries


def page_name(document: Document) -> str:
    """The page's first H1 with text (else its title) without the `` - NCI`` suffix; the
    headings are read as lint reads them (:func:`~cancerinfo.kb.markdown_syntax.atx_headings`:
    none in fenced code)."""
    headings = atx_headings(body_lines(document.body))
    heading = next((found.text for found in headings if found.level == 1 and found.text), "")
    name = LINK.sub(r"\1", heading) if heading else document.front_matter.title
    return _NCI_SUFFIX.sub("", name).strip() or document.front_matter.title


def plain_text(body: str) -> str:
    """Markdown without link targets or emphasis, hard-wrapped lines joined."""
    text = LINK.sub(lambda link: link.group(1), body).replace("\xa0", " ")
    return SOFT_BREAK.sub(" ", text.replace("**", "").replace("__", ""))


def mine_entries(documents: Iterable[Document]) -> list[VocabularyEntry]:
    """Every vocabulary entry the pages give (see the module docstring), sorted."""
    pages = sorted(documents, key=lambda document: (document.url, str(document.path)))
    known = {_url_key(document.url).casefold(): document.url for document in reversed(pages)}
    collector = _Collector()
    short_forms: dict[str, set[tuple[str, str, str]]] = {}
    title_pages: dict[str, set[str]] = {}
    raw_words: set[str] = set()
    also_called: list[tuple[str, str, str]] = []
    for document in pages:
        body, url, name = document.body, document.url, page_name(document)
        regimen = _REGIMEN_HEADER.search(body) if "combination" in body else None
        if regimen:
            _mine_regimen(collector, body, url, name, regimen, known)
        elif _is_drug_page(body):
            collector.add(name, name, Kind.DRUG, url)
            for short in _short_generic_forms(name):
                short_forms.setdefault(normalise_term(short), set()).add((short, name, url))
            for brand in _brand_lines(body):
                collector.add(brand, name, Kind.BRAND, url)
        else:
            for variant in _title_variants(name):
                title_pages.setdefault(normalise_term(variant), set()).add(url)
                collector.add(variant, name, Kind.TITLE, url)
        for text in _GLOSSARY_LINK.findall(body):
            evidence = text.casefold().startswith("level of evidence")
            if len(text.split()) <= MAX_GLOSSARY_WORDS and not evidence:
                collector.add(text, text, Kind.GLOSSARY, url)
        plain = plain_text(body)
        for short, long in _abbreviations(plain):
            collector.add(short, long, Kind.ABBREVIATION, url)
        also_called.extend((alias, head, url) for alias, head in _also_called(plain))
        raw_words.update(plain.split())
    named = collector.terms_of(PAGE_KINDS)
    for term, sources in sorted(short_forms.items()):
        if len(sources) == 1 and term not in named:
            ((short, name, url),) = sources
            collector.add(short, name, Kind.DRUG, url)
    for key in [key for key in collector.tallies if key[1] is Kind.TITLE]:
        if len(title_pages.get(key[0], ())) > MAX_TITLE_PAGES:
            del collector.tallies[key]
    _add_aliases(collector, also_called)
    entries = collector.entries(_lowercase_words(raw_words))
    named_pages = {(e.term, e.urls) for e in entries if e.kind in PAGE_KINDS}
    # a component that is already the drug name of its own page adds nothing
    kept = [
        e
        for e in entries
        if e.kind != Kind.REGIMEN_COMPONENT or (e.term, e.urls) not in named_pages
    ]
    return sorted(kept, key=lambda e: (e.term, KIND_PRIORITY[e.kind], e.canonical))


def _url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/") or "/", "", ""))


def _is_drug_page(body: str) -> bool:
    return bool(
        ("US Brand Name" in body and _BRAND_HEADER.search(body))
        or ("FDA Approved" in body and _FDA_LINE.search(body))
    )


def _brand_lines(body: str) -> Iterator[str]:
    header = _BRAND_HEADER.search(body)
    for line in body[header.end() :].split("\n") if header else ():
        text = line.strip()
        if _FDA_LINE.match(line) or text.startswith(("#", "[", "|")) or len(text) > 60:
            return
        if text:
            yield text


def _short_generic_forms(name: str) -> Iterator[str]:
    words = name.split()
    while len(words) > 1 and words[-1].casefold() in SALT_WORDS:
        words.pop()
    if len(words) < len(name.split()):
        yield " ".join(words)
    suffixed = _BIOLOGIC_SUFFIX.match(name)
    if suffixed and " " not in name:
        yield suffixed.group(1)


def _title_variants(name: str) -> list[str]:
    variants = [name]
    while (shorter := _TITLE_SUFFIX.sub("", variants[-1]).strip()) not in ("", variants[-1]):
        variants.append(shorter)
    return variants


def _mine_regimen(
    collector: _Collector,
    body: str,
    url: str,
    name: str,
    header: re.Match[str],
    known: Mapping[str, str],
) -> None:
    collector.add(name, name, Kind.REGIMEN, url)
    collector.add(header.group(1), name, Kind.REGIMEN, url)
    started = False
    for line in body[header.end() :].split("\n"):
        text = line.strip()
        if not text.startswith("|"):
            if text or started:
                return
            continue
        started = True
        component = _COMPONENT.match(text.strip("|").split("|")[-1].strip())
        if component is None:
            continue
        drug = component.group("name")
        target = known.get(_url_key(urljoin(url, component.group("href"))).casefold(), url)
        collector.add(drug, drug, Kind.REGIMEN_COMPONENT, target)
        for aliases in re.findall(r"\(([^()]+)\)", component.group("rest")):
            for alias in aliases.split(";"):
                collector.add(alias, drug, Kind.REGIMEN_COMPONENT, target)


def _lowercase_words(raw_words: set[str]) -> set[str]:
    """The words the pages write in lower case: ordinary words, not acronyms."""
    stripped = (word.strip(_EDGE_PUNCTUATION) for word in raw_words)
    return {word for word in stripped if word.isalpha() and word.islower()}


def _add_aliases(collector: _Collector, found: list[tuple[str, str, str]]) -> None:
    """Keep the ``also called`` pairs whose head is a term of another kind.

    Or whose head ends with a page's name: in "the drugs fluorouracil (also known as
    5-FU)" the head read is "drugs fluorouracil" and the drug "fluorouracil" is kept.
    Dropped: aliases under 3 letters; one-word heads in lower case ("a gene (also called
    MLL)"); heads whose words are all in the alias ("minor depression" ≠ "depression").
    """
    known = collector.terms_of(set(Kind) - {Kind.ALIAS})
    known |= {key for (_, kind, key) in collector.tallies if kind is Kind.ABBREVIATION}
    pages = collector.terms_of(PAGE_KINDS | {Kind.REGIMEN_COMPONENT, Kind.TITLE})
    for alias, head, url in found:
        alias_term = normalise_term(alias)
        words = head.split()
        for start in range(len(words)):
            tail = " ".join(words[start:])
            if normalise_term(tail) not in (pages if start else known):
                continue
            head_words = set(normalise_term(tail).split())
            keep = len(alias_term.replace(" ", "")) >= 3 and alias_term != normalise_term(tail)
            keep = keep and not (" " not in tail and tail[:1].islower())
            if keep and not head_words < set(alias_term.split()):
                collector.add(alias, tail, Kind.ALIAS, url)
            break
