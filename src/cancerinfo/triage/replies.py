"""The replies of the triage (:class:`~cancerinfo.triage.rules.Triage` inherits them from
:class:`_Replies`): urgent at a level (in Spanish too, or after another language's
notice), abstained, another language's notice, and a refusal asked in a language nobody
here answers in."""

from __future__ import annotations

from collections.abc import Sequence

from cancerinfo.triage.lexicon import Reading, TriageFiles
from cancerinfo.triage.policy_models import Rules
from cancerinfo.triage.result import (
    ABSTAINED,
    REFUSED,
    URGENCY_REASONS,
    URGENT,
    Evidence,
    TriageResult,
    _Found,
)
from cancerinfo.triage.safety import Refusal, SafetyPolicy


class _Replies:
    """The replies of :class:`~cancerinfo.triage.rules.Triage` (which sets the attributes
    below)."""

    safety: SafetyPolicy
    files: TriageFiles
    rules: Rules

    def _urgent(
        self, level: str, language: str, found: _Found, evidence: list[Evidence], *, also: str | None = None
    ) -> TriageResult:
        """The reply of ``level``; ``also``: a second level found in the same message, whose
        message follows (a crisis signal in a message that also names an emergency)."""
        text = self.safety.fill(level)
        if also is not None:
            text += "\n\n" + self.safety.fill(also)
        if language == "es":
            spanish = self.safety.fill(level, language="es")
            if also is not None:
                spanish += "\n\n" + self.safety.fill(also, language="es")
            text = spanish + "\n\n" + text
        elif language != "en":
            notice = self._notice(language)
            text = f"{notice}\n\n{text}" if notice else text
        return TriageResult(
            status=URGENT,
            urgency=level,
            reason=URGENCY_REASONS[level],
            language=language,
            message=text,
            personal=found.personal,
            evidence=tuple(evidence),
            also=also,
        )

    def _abstained(
        self, reason: str, template: str, language: str, evidence: list[Evidence], informational: str | None
    ) -> TriageResult:
        return TriageResult(
            status=ABSTAINED,
            urgency=None,
            reason=reason,
            language=language,
            message=self.safety.fill(template),
            informational=informational,
            evidence=tuple(evidence),
        )

    def _other_language(self, language: str, evidence: list[Evidence], informational: str | None) -> TriageResult:
        if language == "es":
            text = self.safety.fill("english_only", language="es")
        else:
            text = self._notice(language) or self._multilingual_notice()
        text = f"{text}\n\n{self.safety.fill('multilingual_notice')}"
        evidence.append(Evidence("language", language, note="not answered in this language"))
        return TriageResult(
            status=ABSTAINED,
            urgency=None,
            reason="LANGUAGE_NOT_SUPPORTED",
            language=language,
            message=text,
            informational=informational,
            evidence=tuple(evidence),
        )

    def _other_language_refusal(self, language: str, readings: Sequence[Reading]) -> tuple[str, str] | None:
        """The refusal kind (and its words) a language without a full lexicon lists for the
        message (other-languages.yaml ``refusals``), in the policy's order of kinds."""
        reading = next((r for r in readings if r.lexicon.language == language and not r.lexicon.has_cues), None)
        if reading is None:
            return None
        for refusal in self.safety.refusals:
            match = next(iter(reading.group(f"refusal:{refusal.kind}")), None)
            if match is not None:
                return refusal.kind, match.text
        return None

    def _refused(
        self,
        refusal: Refusal,
        language: str,
        found: _Found,
        evidence: list[Evidence],
        informational: str | None,
        *,
        spanish_cue: bool = False,
    ) -> TriageResult:
        """The kind refusal of ``refusal`` in English, or in Spanish for a Spanish message
        (``spanish_cue``: a Spanish cue matched a message identified as another language)."""
        in_spanish = (language == "es" and language in self.rules.languages.full) or spanish_cue
        return TriageResult(
            status=REFUSED,
            urgency=None,
            reason=refusal.kind.upper(),
            language="es" if spanish_cue else language,
            message=self.safety.fill(refusal.kind, language="es" if in_spanish else "en"),
            questions_for_doctor=refusal.questions_for_doctor_es if in_spanish else refusal.questions_for_doctor,
            informational=informational,
            personal=found.personal,
            evidence=tuple(evidence),
        )

    def _refused_in_other_language(
        self, kind: str, language: str, evidence: list[Evidence], informational: str | None, personal: bool
    ) -> TriageResult:
        """A request for personal care in a language nobody here answers in: the refusal in
        English, then the language's notice (where to turn, in the asker's words)."""
        refusal = next(r for r in self.safety.refusals if r.kind == kind)
        notice = self._notice(language) or self._multilingual_notice()
        return TriageResult(
            status=REFUSED,
            urgency=None,
            reason=kind.upper(),
            language=language,
            message=f"{notice}\n\n{self.safety.fill(kind, language='en')}",
            questions_for_doctor=refusal.questions_for_doctor,
            informational=informational,
            personal=personal,
            evidence=tuple(evidence),
        )

    def _notice(self, language: str) -> str | None:
        lexicon = self.files.lexicons.get(language)
        if lexicon is None or lexicon.notice is None:
            return None
        return lexicon.notice.format_map(dict(self.safety.contacts))

    def _multilingual_notice(self) -> str:
        """The notice in a few widely spoken languages (for a language nobody here reads)."""
        lines = [self.safety.fill("english_only", language="es")]
        for code in ("fr", "pt", "zh", "ar", "vi", "ru"):
            notice = self._notice(code)
            if notice:
                lines.append(notice)
        return "\n".join(lines)
