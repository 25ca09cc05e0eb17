"""The replies other than an answer (:class:`~cancerinfo.answer.assistant.Assistant`
inherits them from :class:`_Replies`): urgent at a level with cited context when the KB has
some, refused with questions for the doctor and general cited information, abstained with a
reason, and the guidance added to an answer about a danger."""

from __future__ import annotations

from typing import Any

from cancerinfo.answer.asked import Asked
from cancerinfo.answer.assistant_layout import DRUG_INTENT, _ShortAnswer
from cancerinfo.answer.contract import Action, Citation, Response, Section, render_text
from cancerinfo.answer.gate import check_search
from cancerinfo.index.filters import Filters
from cancerinfo.index.intent import GENERAL
from cancerinfo.index.records import SearchResult
from cancerinfo.triage import SafetyPolicy, Triage, TriageResult


class _Replies(_ShortAnswer):
    """The urgent, refused and abstained replies of
    :class:`~cancerinfo.answer.assistant.Assistant` (which sets the attributes below)."""

    safety: SafetyPolicy
    triage: Triage

    def _urgent_reply(self, triage: TriageResult, question: str, filters: Filters | None) -> Response:
        """The level's message (in the message's language when it has one) and the numbers
        to call first. For an emergency or a call to the care team, cited KB context after
        it when the KB supports some (in English); never for a crisis or a poisoning, where
        a quote could name a means. After a call to the care team, a question of a kind the
        answer plans know ("what should I eat", "what can we do to help him") is answered
        below the call, short answer first: the call comes first, the question is not lost."""
        level = triage.urgency or "emergency"
        language = "es" if triage.language == "es" else "en"
        section = Section("emergency_guidance", self.safety.title(level, language=language), triage.message, [], "safety")
        sections = [section]
        citations: list[Citation] = []
        more: list[Section] = []
        if level in ("emergency", "care_team_now") and triage.language == "en":
            result = self.searcher.search(question, k=10, filters=filters, snippets=False)
            if self._supported(result):
                asked_intent = self.policy.classify(question) if level == "care_team_now" else None
                plan_intent = asked_intent or "urgent"
                evidence = self.composer.evidence(result, plan_intent)
                hits = {hit.chunk_id for hit in result.hits}
                kb_sections, citations = self.composer.compose(question, plan_intent, evidence, hit_chunks=hits)
                if any(s.source == "kb" for s in kb_sections):
                    if asked_intent is not None:
                        kb_sections, more, citations = self._arrange(
                            question, result, evidence, plan_intent, kb_sections, citations
                        )
                    sections += [s for s in kb_sections if s.source == "kb"]
                else:
                    citations = []
        response = Response(
            status="urgent",
            intent="urgent",
            disclaimer=self.policy.disclaimer,
            reason=triage.reason,
            urgency=level,  # type: ignore[arg-type]
            actions=[
                Action(kind, label, href)  # type: ignore[arg-type]
                for kind, label, href in dict.fromkeys(
                    [*self.safety.actions(level), *(self.safety.actions(triage.also) if triage.also else [])]
                )
            ],
            sections=sections,
            citations=citations,
            more=more,
            explain={"triage": level, "matched": triage.matched, "language": triage.language, "resolved": question},
        )
        response.text = render_text(sections, self.policy.disclaimer)
        return response
    def _with_guidance(self, sections: list[Section], triage: TriageResult) -> list[Section]:
        """An answer about a danger gets that level's guidance; a report of how someone
        feels now, with no danger found, a pointer to the care team."""
        if triage.informational is not None:
            if not any(s.kind == "emergency_guidance" for s in sections):
                text = self.triage.emergency_guidance(triage.informational)
                sections = [*sections, Section("emergency_guidance", "If this is happening now", text, [], "safety")]
        elif triage.personal:
            text = self.safety.fill("check_in")
            sections = [*sections, Section("when_to_seek_care", "If you are worried now", text, [], "safety")]
        return sections

    def _safety_reply(
        self, triage: TriageResult, asked: Asked, result: SearchResult, intent: str
    ) -> Response:
        """Refused: the kind refusal and questions to ask the doctor, then general cited
        information when the KB has some (not for an attempt to change the rules, nor in
        a language the KB is not written in)."""
        spanish = triage.language == "es"
        title = "Lo que puedo y no puedo hacer" if spanish else "What I can and cannot do"
        first = Section("refusal", title, triage.message, [], "safety")
        sections = [first]
        citations: list[Citation] = []
        more: list[Section] = []
        informative = triage.reason != "RULES_NOT_CHANGEABLE" and triage.language == "en"
        if informative and self._supported(result):
            evidence = self.composer.evidence(result, intent)
            # the refusal says general information follows: a drug's page's parts, or the
            # general plan's, when the intent's parts find nothing on the pages found ("will i
            # live longer if i take the whole breast": no outlook section on the surgery pages)
            drug = [DRUG_INTENT] if evidence.drug_named else []
            plan_intent, kb_sections, citations = self._compose_first(
                asked.resolved, [intent, *drug, GENERAL], evidence, result
            )
            if any(s.source == "kb" for s in kb_sections):  # navigation text only beside quotes
                # the general information as short as an answer's: its short answer and one
                # supporting part, the rest behind "more"
                kb_sections, more, citations = self._arrange(
                    asked.resolved, result, evidence, plan_intent, kb_sections, citations
                )
                sections += [s for s in kb_sections if s.source == "kb" or s.kind != "questions_for_doctor"]
                more = [s for s in more if s.source == "kb" or s.kind != "questions_for_doctor"]
        if informative and not any(s.source == "kb" for s in sections):
            # the refusal says general information follows: say that none does
            sections.append(Section("no_general_information", "From my sources", self.safety.fill("no_general_information"), [], "safety"))
        if triage.questions_for_doctor:  # right after the refusal that leads into them
            sections.insert(
                1,
                Section(
                    "questions_for_doctor",
                    "Preguntas para su médico" if spanish else "Questions to ask your doctor",
                    "\n".join(f"- {q}" for q in triage.questions_for_doctor),
                    [],
                    "safety",
                )
            )
        crisis = triage.informational == "crisis"
        if crisis:  # a crisis signal beside the refusal: its guidance first, in any language
            sections = [*self._with_guidance([], triage), *sections]
        elif informative:
            sections = self._with_guidance(sections, triage)
        response = Response(
            status="refused",
            intent=intent,
            disclaimer=self.policy.disclaimer,
            reason=triage.reason,
            # its numbers to tap, as an urgent reply has
            actions=[Action(*action) for action in self.safety.actions("crisis")] if crisis else [],  # type: ignore[arg-type]
            sections=sections,
            citations=citations,
            more=more,
            explain={"triage": triage.category, "matched": triage.matched, "resolved": asked.resolved},
        )
        response.text = render_text(sections, self.policy.disclaimer)
        return response

    def _supported(self, result: SearchResult) -> bool:
        return check_search(result, self.policy).reason is None

    def _abstain(
        self,
        reason: str,
        intent: str,
        *,
        message: str | None = None,
        explain: dict[str, Any] | None = None,
        triage: TriageResult | None = None,
    ) -> Response:
        """No answer, with a reason; a question about a danger or a report of how someone
        feels still gets its guidance (never a silent abstention)."""
        text = message or self.policy.abstain_message(reason)
        sections = self._with_guidance([], triage) if triage is not None else []
        response = Response(
            status="abstained", intent=intent, disclaimer=self.policy.disclaimer, reason=reason,
            sections=sections, explain=explain or {},
        )
        extra = "".join(f"\n\n## {s.title}\n\n{s.text}" for s in sections)
        response.text = f"{text}{extra}\n\n_{self.policy.disclaimer}_"
        return response
