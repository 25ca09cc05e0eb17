"""A KB page as loaded from disk: its front matter, its Markdown body, its hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cancerinfo.kb.frontmatter import FrontMatter


def professional_url(url: str) -> bool:
    """A health-professional version by its url: a ``/hp/`` segment
    (``/types/breast/hp/breast-treatment-pdq``) or a page slug ending in ``-hp`` or ``-hp-pdq``
    (``/side-effects/lymphedema/lymphedema-hp-pdq``, the professional twin of a patient page)."""
    segments = [segment.lower() for segment in urlsplit(url).path.split("/") if segment]
    return "hp" in segments or any(segment.endswith(("-hp", "-hp-pdq")) for segment in segments)


@dataclass(frozen=True, slots=True)
class Document:
    """One valid KB page.

    ``text`` is the whole file after decoding, BOM removal and newline normalisation;
    ``body`` is the Markdown after the closing ``---``; ``body_line`` is the 1-based line
    of the file where the body starts, so positions in the body map back to the file.
    """

    path: Path
    front_matter: FrontMatter
    body: str
    body_line: int
    text: str

    @property
    def url(self) -> str:
        """The page's identity: ``url`` from its front matter."""
        return self.front_matter.url

    @property
    def content_hash(self) -> str:
        """SHA-256 of ``text`` (:func:`content_hash`)."""
        return content_hash(self.text)


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text: the identity of one version of a page."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
