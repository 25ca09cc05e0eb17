"""Question intent, and which KB section headings answer it (``policies/intents.yaml``).

Both sides use the same kind of cue: word stems matched at the start of a word. A
question's intent is the first intent (in policy order) with a matching question cue; a
heading can fit several intents. Nothing here is fitted to benchmark questions: the cues
are the KB's own heading words and ordinary question words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from cancerinfo.errors import PolicyError
from cancerinfo.policies import cue_pattern, policy_path, unless

GENERAL = "general"


@dataclass(frozen=True, slots=True)
class Intent:
    """One intent of the intents policy: its name and the cues of questions and headings that have
    it."""

    name: str
    question: re.Pattern[str]
    #: the heading cues, except in a heading naming one of ``not_heading`` (policies.unless)
    heading: re.Pattern[str]
    #: words of a question that tell its background, not what it asks ("was just diagnosed"):
    #: read past before the question cues are
    background: re.Pattern[str] | None = None


class IntentModel:
    """Classifies questions and headings with the cues of the intents policy."""

    def __init__(self, intents: list[Intent]) -> None:
        self.intents = intents
        self.names = [intent.name for intent in intents]

    @classmethod
    def load(cls, path: Path | None = None) -> IntentModel:
        """The intents of ``policies/intents.yaml`` (or ``path``); raises :class:`PolicyError`
        naming the key at fault."""
        path = path or policy_path("intents.yaml")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise PolicyError(f"{path}: cannot read the intents policy: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("intents"), dict) or not data["intents"]:
            raise PolicyError(f"{path}: key 'intents' must map intent names to their cues")
        intents = []
        for name, cues in data["intents"].items():
            if not isinstance(cues, dict):
                raise PolicyError(f"{path}: key intents.{name} must have 'question' and 'heading' lists")
            for side in ("question", "heading"):
                words = cues.get(side)
                if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
                    raise PolicyError(f"{path}: key intents.{name}.{side} must be a non-empty list of words")
            not_heading = cues.get("not_heading", [])
            background = cues.get("background", [])
            for key, words in (("not_heading", not_heading), ("background", background)):
                if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                    raise PolicyError(f"{path}: key intents.{name}.{key} must be a list of words")
            heading = unless(cue_pattern(cues["heading"]), cue_pattern(not_heading) if not_heading else None)
            intents.append(Intent(str(name), cue_pattern(cues["question"]), heading, cue_pattern(background) if background else None))
        return cls(intents)

    def classify(self, question: str) -> str:
        """The intent of a question, or ``general``."""
        for intent in self.intents:
            asked = intent.background.sub(" ", question) if intent.background is not None else question
            if intent.question.search(asked):
                return intent.name
        return GENERAL

    def heading_intents(self, heading: str) -> frozenset[str]:
        """Every intent a section heading (path) answers."""
        return frozenset(intent.name for intent in self.intents if intent.heading.search(heading))

