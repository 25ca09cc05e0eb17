"""Which language a message is written in.

The writing system decides first where it is unambiguous (Hangul → Korean, kana → Japanese,
Han → Chinese, Arabic, Cyrillic → Russian, Devanagari → Hindi, Thai, ...). Latin-script
messages go to ``py3langid`` (langid.py's model, shipped inside the wheel: nothing is
downloaded), limited to the languages the triage policy lists, so a short message is not
taken for a language nobody here has a lexicon or notice for. A message with fewer than
two letters-words, or one the model is unsure of, is taken as English: English is where
the full triage and the answers are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Identified", "LanguageIdentifier"]

_LETTERS = re.compile(r"[^\W\d_]+")
# writing system → language, when the system is enough to tell
_SCRIPTS = (
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("CJK", "zh"),
    ("ARABIC", "ar"),
    ("CYRILLIC", "ru"),
    ("DEVANAGARI", "hi"),
    ("THAI", "th"),
    ("HEBREW", "he"),
    ("GREEK", "el"),
    ("BENGALI", "bn"),
    ("GURMUKHI", "pa"),
    ("TAMIL", "ta"),
    ("ARMENIAN", "hy"),
    ("ETHIOPIC", "am"),
    ("KHMER", "km"),
)

# writing systems several listed languages share: the model tells them apart
_SHARED_SCRIPTS = {
    "ar": ("ar", "fa", "ur", "ps"),
    "ru": ("ru", "uk", "bg", "sr", "be", "kk"),
    "hi": ("hi", "mr", "ne"),
}


@dataclass(frozen=True, slots=True)
class Identified:
    """A message's language, how sure the identifier is, and how it decided."""

    language: str  # ISO 639-1
    confidence: float  # 0-1
    how: str  # "script", "model" or "default"


class LanguageIdentifier:
    """Identifies a message's language among ``languages`` (English always included)."""

    def __init__(self, languages: Iterable[str], *, min_confidence: float = 0.6) -> None:
        self.languages = sorted({"en", *languages})
        self.min_confidence = min_confidence

    @functools.cached_property
    def _model(self):  # type: ignore[no-untyped-def]
        from py3langid.langid import MODEL_FILE  # type: ignore[import-untyped]
        from py3langid.langid import LanguageIdentifier as Model

        model = Model.from_model_file(MODEL_FILE, norm_probs=True)
        model.set_languages([lang for lang in self.languages if lang in model.nb_classes])
        return model

    @functools.cached_property
    def _any_model(self):  # type: ignore[no-untyped-def]
        from py3langid.langid import MODEL_FILE  # type: ignore[import-untyped]
        from py3langid.langid import LanguageIdentifier as Model

        return Model.from_model_file(MODEL_FILE, norm_probs=True)

    def any_language(self, text: str) -> Identified:
        """The language of ``text`` among all the model knows (97), for a message that is
        neither English nor a language listed: it still deserves the multilingual notice."""
        language, confidence = self._any_model.classify(text)
        return Identified(str(language), float(confidence), "model, any language")

    def warm(self) -> None:
        """Load the model now (about 0.8 s) rather than on the first non-ASCII message."""
        _ = self._model
        _ = self._any_model

    def identify(self, text: str) -> Identified:
        """The language of ``text``."""
        script = _script_language(text)
        if script is not None:
            family = _SHARED_SCRIPTS.get(script, ())
            if family and any(lang in self.languages for lang in family):
                language, confidence = self._model.classify(text)
                if language in family:
                    return Identified(str(language), float(confidence), "script and model")
            return Identified(script, 1.0, "script")
        words = _LETTERS.findall(text)
        if len(words) < 2:
            return Identified("en", 0.0, "default")
        language, confidence = self._model.classify(text)
        if language != "en" and confidence < self.min_confidence:
            # taken as English, but the guess is kept: its danger phrases are still looked for
            return Identified("en", float(confidence), f"default (guess {language})")
        return Identified(str(language), float(confidence), "model")


def _script_language(text: str) -> str | None:
    """The language a non-Latin writing system says, when most letters are in it."""
    counts: dict[str, int] = {}
    latin = 0
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            latin += 1
            continue
        for prefix, language in _SCRIPTS:
            if name.startswith(prefix):
                counts[language] = counts.get(language, 0) + 1
                break
    if not counts:
        return None
    if "ja" in counts:  # Japanese mixes kana with Han characters
        counts["ja"] += counts.pop("zh", 0)
    language, count = max(counts.items(), key=lambda item: item[1])
    return language if count >= latin else None


def guessed(identified: Identified) -> str | None:
    """The language the identifier guessed for a message it was unsure of, if any."""
    return identified.how.removeprefix("default (guess ").rstrip(")") if identified.how.startswith("default (guess") else None
