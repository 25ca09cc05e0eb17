"""The pages on a kind of treatment that a drug's page links to.

A drug's page in the NCI KB says what the drug is approved for, and not its side effects
nor how it works; its "Related Resources" link to the KB's pages on the kind of treatment
it is ("Pembrolizumab" -> "Immune Checkpoint Inhibitors", "Leuprolide Acetate" -> "Hormone
Therapy for Prostate Cancer"). Those links are the KB's own word on what the drug is, so an
answer on what the drug page lacks ("what side effects should we watch for on keytruda")
may quote those pages, and says where the quotes come from (:mod:`.assistant`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from urllib.parse import urljoin, urlsplit

from cancerinfo.index.records import DocumentInfo

#: A Markdown link's target: ``[text](target)``.
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def linked_pages(body: str, url: str, document_of_url: Mapping[str, int]) -> list[int]:
    """The KB pages a page's Markdown ``body`` links to, in the order of their first link
    (relative links read against the page's ``url``; a fragment or a trailing slash makes
    no other page)."""
    found: dict[int, None] = {}
    for match in _LINK.finditer(body):
        target = urljoin(url, match.group(1))
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            continue
        plain = f"{parts.scheme}://{parts.netloc}{parts.path}"
        document = document_of_url.get(plain)
        if document is None:
            document = document_of_url.get(plain.rstrip("/"))
        if document is None:
            document = document_of_url.get(plain.rstrip("/") + "/")
        if document is not None:
            found.setdefault(document, None)
    return list(found)


def class_pages(
    drug_pages: Collection[int],
    documents: Sequence[DocumentInfo],
    body: Callable[[int], str],
    document_of_url: Mapping[str, int],
) -> dict[int, tuple[int, ...]]:
    """For each drug page, the patient page on the kind of treatment it belongs to: of the
    pages it links to that are no drug's page, the most particular, the one the fewest drug
    pages link to ("Immune Checkpoint Inhibitors", linked from 16 NCI drug pages, rather than
    "Monoclonal Antibodies", 67, or "Targeted Therapy for Cancer", 201: a broader page answers
    for the whole kind, and its sections win on their headings alone); pages as particular as
    each other all, in the order of their links ("T-cell Transfer Therapy" and "CAR T Cells")."""
    links: dict[int, list[int]] = {}
    for drug in sorted(drug_pages):
        if drug >= len(documents):
            continue
        links[drug] = [
            page for page in linked_pages(body(drug), documents[drug].url, document_of_url)
            if page != drug and page not in drug_pages and not documents[page].professional
        ]
    linked_from = Counter(page for pages in links.values() for page in pages)
    return {
        drug: tuple(page for page in pages if linked_from[page] == min(linked_from[p] for p in pages))
        for drug, pages in links.items() if pages
    }


class DrugClasses:
    """The class pages of each drug page of a KB (:func:`class_pages`), read from the pages'
    bodies the first time they are asked for."""

    def __init__(
        self,
        drug_pages: Collection[int],
        documents: Sequence[DocumentInfo],
        body: Callable[[int], str],
        document_of_url: Mapping[str, int],
    ) -> None:
        self._args = (drug_pages, documents, body, document_of_url)
        self._pages: dict[int, tuple[int, ...]] | None = None

    def of(self, drugs: Collection[int]) -> list[int]:
        """The class pages of ``drugs`` (drug pages), each once, the most particular first."""
        if self._pages is None:  # two threads may both read them: the same result
            self._pages = class_pages(*self._args)
        pages = self._pages
        found = [(rank, page) for drug in drugs for rank, page in enumerate(pages.get(drug, ()))]
        return list(dict.fromkeys(page for _, page in sorted(found)))

    def placed(self, ranked: list[int], named: Collection[int]) -> tuple[list[int], list[int]]:
        """``ranked`` with the class pages of the drug pages among ``named`` that it lacks right
        after the last of those drug pages (after all of ``ranked`` when none is in it), and
        all those class pages."""
        classes = self.of(named)
        missing = [page for page in classes if page not in ranked]
        if not missing:
            return ranked, classes
        drugs = set(named)
        last = max((i for i, page in enumerate(ranked) if page in drugs), default=len(ranked) - 1)
        return [*ranked[: last + 1], *missing, *ranked[last + 1 :]], classes
