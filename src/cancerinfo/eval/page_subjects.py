"""Which cancer a question asks about and which cancer a page is about, read from words an
asker or a reader sees (the question, the page title), for the answer sets' "on the asked
cancer" figure (issue 14: "every cited page on the asked cancer").

The front matter's ``cancerTypes`` cannot decide this: real KBs carry noisy values (coping
pages tagged ``skin``, a talking-with-children page tagged ``breast``), so a figure built on
them measures the tags, not the answer. Here a text names a cancer when it says

- a disease name that is itself a cancer ("leukemia", "multiple myeloma", "sarcoma",
  "neuroblastoma": a name ending in -oma, -emia or -osis; any other word ending in -oma
  but "carcinoma" and a few that are not cancers, such as "hematoma", is a cancer of its
  own), or
- a site followed by a cancer word, possibly after other sites or one more word
  ("colon cancer", "breast and ovarian cancer", "small cell lung cancer",
  "lip and oral cavity cancer", "renal cell carcinoma", "brain tumors"), or
- a cancer word followed by "of (the)" and a site ("cancer of the stomach").

"Mouth and Throat Problems", "skin rash" or "Oral Complications of Cancer Therapies" name
no cancer. The names are the KB's own ``cancerTypes`` values (not the collections and
treatments of ``always_fit``) and the synonyms of ``policies/lint.yaml``, each mapped to
its value ("colon" -> ``colorectal``, "hodgkin" -> ``lymphoma``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_CANCER_WORD = r"(?:cancers?|carcinomas?|tumou?rs?|neoplasms?|malignanc(?:y|ies))"
_DISEASE = re.compile(r"(?:oma|emia|aemia|osis)$")
_JOIN = r"(?:\s*,\s*|\s+(?:and|or|&)\s+|\s+)"
#: A word ending in -oma that no name list holds ("chordoma", "craniopharyngioma") names a
#: cancer of its own, except these words that name no particular cancer.
_OMA = re.compile(r"\b([a-z]{3,}oma)s?\b")
NOT_CANCERS = frozenset({"carcinoma", "hematoma", "haematoma", "glaucoma", "diploma", "aroma", "stoma", "trachoma", "granuloma"})
_PUNCTUATION = re.compile(r"[()\[\]|:/\u2013\u2014]")


class CancerNames:
    """The cancer names of one KB, each mapped to its ``cancerTypes`` value."""

    def __init__(self, values: Iterable[str], synonyms: Mapping[str, Iterable[str]], *, ignore: Iterable[str] = ()) -> None:
        skip = {value.lower() for value in ignore}
        canonical: dict[str, str] = {}
        for value in values:
            value = value.strip().lower()
            if value and value not in skip:
                canonical.setdefault(value, value)
        for value, words in synonyms.items():
            value = value.strip().lower()
            for word in (value, *words):
                canonical.setdefault(word.strip().lower(), value)
        self.canonical = canonical
        names = sorted(canonical, key=len, reverse=True)
        name = r"(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names) + r")(?:e?s)?"
        self._name = re.compile(r"\b" + name + r"\b")
        self._before = re.compile(
            r"\b(?P<names>" + name + r"(?:" + _JOIN + name + r")*)(?:\s+[a-z-]+)?\s+" + _CANCER_WORD + r"\b"
        )
        self._after = re.compile(r"\b" + _CANCER_WORD + r"\s+of\s+(?:the\s+)?(?P<names>" + name + r")\b")
        self._diseases = {n.rstrip("s") for n in names if any(_DISEASE.search(word) for word in n.split())}

    def _value(self, matched: str) -> str | None:
        word = " ".join(matched.split())
        for form in (word, word.removesuffix("es"), word.removesuffix("s")):
            if form in self.canonical:
                return self.canonical[form]
        return None

    def named(self, text: str) -> set[str]:
        """The ``cancerTypes`` values that ``text`` names as a cancer (see the module doc)."""
        lowered = _PUNCTUATION.sub(" ", text.lower())
        found: set[str] = set()
        for match in _OMA.finditer(lowered):
            word = match.group(1)
            if word not in NOT_CANCERS:
                found.add(self._value(word) or word)
        for match in self._name.finditer(lowered):
            value = self._value(match.group(0))
            if value is not None and " ".join(match.group(0).split()).rstrip("s") in self._diseases:
                found.add(value)
        for pattern in (self._before, self._after):
            for match in pattern.finditer(lowered):
                for name in self._name.finditer(match.group("names")):
                    value = self._value(name.group(0))
                    if value is not None:
                        found.add(value)
        return found

    def mentioned(self, text: str) -> set[str]:
        """What :meth:`named` finds, and every site ``text`` names at all ("stage 4 colon",
        "spread to her liver"): a question is read generously, a page title strictly."""
        lowered = _PUNCTUATION.sub(" ", text.lower())
        bare = {self._value(match.group(0)) for match in self._name.finditer(lowered)}
        return self.named(text) | {value for value in bare if value is not None}


def on_asked_cancer(
    cited: Iterable[str],
    relevant: Iterable[str],
    asked: str,
    titles: Mapping[str, str],
    names: CancerNames,
) -> bool:
    """Every cited page is a relevant page, names no cancer in its title, or names a cancer
    that the question (``asked``: with the previous message of a follow-up; any site it
    mentions) or a relevant page's title names. A page on one cancer quoted for a question on
    none (the hairy cell leukemia page for "will my hair grow back") is off the asked cancer."""
    relevant = set(relevant)
    wanted = names.mentioned(asked)
    for url in relevant:
        wanted |= names.named(titles.get(url, ""))
    for url in cited:
        if url in relevant:
            continue
        mine = names.named(titles.get(url, ""))
        if mine and not (mine & wanted):
            return False
    return True
