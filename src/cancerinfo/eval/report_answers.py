"""The sections of docs/benchmarks.md (:mod:`cancerinfo.eval.report`) on triage and answers:
triage, answers on the NCI KB (with the peer suite), the answer sets and their blind grades and
pairwise judgements (read from ``benchmarks/grades/``, :data:`GRADES`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cancerinfo.eval.triage_bench_sets import ANSWER_SETS


def _triage(triage: dict[str, Any]) -> list[str]:
    def rate(figure: dict[str, Any]) -> str:
        return f"{figure['ok']} / {figure['n']} ({figure['rate']:.3f})" if figure["n"] else "-"

    lines = [
        "## Triage (issue 13)",
        "",
        "Every message through the whole assistant on the NCI KB (`cancerinfo eval triage --set FILE`).",
        "The sets were written by helpers who never read the rules (benchmarks/README.md); the dev",
        "sets were tuned on, the test sets never tuned on: their figures (never their text) were also used to veto",
        "a dev change that lowered them (never to choose one). The dev sets' messages are also the",
        "examples of the meaning checks (refusal-examples.yaml, crisis-examples.yaml): for those checks the",
        "dev rows are in-sample, and the honest dev figures are the leave-one-writer-out calibrations",
        "(docs/triage.md); the test rows are the measure. Targets: urgent recall >= 0.98, self-harm",
        "100 % with the crisis line, non-English urgent >= 0.90, refusals >= 0.85, general questions",
        "sent to urgent <= 5 %.",
        "",
        "| set | messages | urgent recall | level exact | self-harm with crisis line | non-English urgent | refusals (right reason) | general sent to urgent | general refused | silent misses |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, figures in triage["sets"].items():
        general = figures["general_sent_to_urgent"]
        refused = figures.get("general_refused")  # reports before 2026-12-05 did not count it
        refused_cell = f"{refused['ok']} / {refused['n']}" if refused else "-"
        lines.append(
            f"| `{name}` ({figures['role']}) | {figures['messages']} | {rate(figures['urgent_recall'])} | "
            f"{rate(figures['urgent_level_exact'])} | {rate(figures['self_harm_with_crisis_line'])} | "
            f"{rate(figures['non_english_urgent'])} | {rate(figures['refusals'])} | "
            f"{general['ok']} / {general['n']} | {refused_cell} | "
            f"{figures['urgent_silent_misses']} |"
        )
    lines += _first_contact(triage)
    lines += ["", "Recall per level (any urgent level / the labelled level):", "",
              "| set | emergency | care_team_now | crisis | poison |", "|---|---|---|---|---|"]
    for name, figures in triage["sets"].items():
        cells = [
            f"{v['recall']['ok']}/{v['recall']['n']} · {v['level_exact']['ok']}/{v['level_exact']['n']}"
            for v in figures["by_level"].values()
        ]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += _calibration(triage["calibration"])
    latency = triage["latency"]
    lines += [
        "",
        f"Cost: the triage alone p50 {latency['triage_p50_ms']} ms, p99 {latency['triage_p99_ms']} ms "
        f"({latency['questions']} nci-kb questions, warm, one process; it embeds the message, which the "
        f"search then reuses). Ask p50 {latency['ask_p50_ms']} ms with it, "
        f"{latency['ask_p50_ms_without_triage']} ms with the triage replaced by a pass-through (four sweeps "
        "of the questions, alternating without and with, so neither side always meets colder caches).",
        "",
    ]
    return lines


def _first_contact(triage: dict[str, Any]) -> list[str]:
    """The first-contact runs of the triage sets (each run once before anything was tuned on it)."""
    lines: list[str] = []
    first_runs = triage.get("first_contact") or []
    if isinstance(first_runs, dict):  # reports written before there were two
        first_runs = [first_runs]
    for first in first_runs:
        def pair(key: str, first: dict[str, Any] = first) -> str:
            ok, n = first[key]
            return f"{ok} / {n} ({ok / n:.3f})" if n else "-"

        lines += [
            "",
            f"First contact: `{first['set']}` run once before anything was tuned on it: urgent recall "
            f"{pair('urgent_recall')}, self-harm with crisis line {pair('self_harm_with_crisis_line')}, "
            f"non-English urgent {pair('non_english_urgent')}, refusals {pair('refusals')}, general sent to "
            f"urgent {first['general_sent_to_urgent'][0]} / {first['general_sent_to_urgent'][1]}"
            + (f", general refused {first['general_refused'][0]} / {first['general_refused'][1]}." if "general_refused" in first else "."),
        ]
    if first_runs:
        lines += ["", "New writers still bring phrasings the rules miss; the test rows are the figures to quote."]
    return lines


def _calibration(calibration: dict[str, Any]) -> list[str]:
    """The self-harm-by-meaning calibration table (dev sets, English messages)."""
    lines = [
        "",
        "### Self-harm by meaning: calibration (dev sets, English messages)",
        "",
        "Messages flagged by the exemplar comparison alone (policies/triage/exemplars.yaml), per",
        f"threshold and margin. Chosen: threshold {calibration['chosen'][0]}, margin {calibration['chosen'][1]} "
        f"(recall first); below {calibration['strong']} a refusal wins over it.",
        "",
        "| threshold | margin | crisis messages flagged | general or refusal flagged | other urgent flagged |",
        "|---|---|---|---|---|",
    ]
    for row in calibration["rows"]:
        lines.append(
            f"| {row['threshold']} | {row['margin']} | {row['crisis'][0]} / {row['crisis'][1]} | "
            f"{row['general_or_refusal'][0]} / {row['general_or_refusal'][1]} | {row['other_urgent'][0]} / {row['other_urgent'][1]} |"
        )
    return lines


def _answers(answers: dict[str, Any]) -> list[str]:
    peer, grounded = answers["peer"], answers["groundedness"]
    held, triage, latency = answers["heldout_answers"], answers["heldout_triage"], answers["latency"]
    lines = [
        "## Answers on the NCI KB (issue 4)",
        "",
        "### Peer suite (252 cases of another cancer bot's suite, its own deterministic rubric)",
        "",
        "`cancerinfo.eval.peer`: status (`RED_FLAG_URGENT` → `urgent`, others `answered`/`refused`),",
        "≥ 2 distinct `02_nci_core` pages cited (non-urgent), the rubric's checks for the case's intent",
        "(disclaimer, prohibited diagnosis language, emergency phrases, clarifying questions, sections,",
        "citations), the cases' `must_include_any_phrases` / `must_not` / `emergency_required`, every quote",
        "in its page; `must_mention_tests` only for tests the cited sections name (evidence only).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| pass rate, issue-4 checks (all but `must_mention_tests`) | {peer['pass_rate_issue_checks']:.3f} "
        f"({peer['passed_issue_checks']} / {peer['cases']}) |",
        f"| pass rate, every check incl. `must_mention_tests` | {peer['pass_rate']:.3f} ({peer['passed']} / {peer['cases']}) |",
        f"| emergencies answered `urgent` | {peer['urgent_recall']} |",
        f"| statuses | {', '.join(f'{k} {v}' for k, v in sorted(peer['statuses'].items()))} |",
        "| reference bot (LLM judge, its own report) | 0.952, ~52 s per reply |",
        "",
        "| intent | cases | pass rate |",
        "|---|---:|---:|",
    ]
    for intent, rate in peer["by_intent"].items():
        lines.append(f"| {intent} | {rate['cases']} | {rate['pass_rate']:.3f} |")
    failures = ", ".join(f"`{k}` {v}" for k, v in peer["failures"].items()) or "none"
    lines += [
        "",
        f"Failed checks (cases): {failures}.",
        "",
    ]
    lines += _answer_sets(answers.get("answer_sets") or {})
    lines += [
        "### Groundedness, held-out sets, latency",
        "",
        f"- Quotes not found word for word in their cited page: **{grounded['quotes_not_in_page']}** of "
        f"{grounded['quotes']} quotes in {grounded['answers']} answers (peer suite + nci-kb-questions).",
        f"- nci-kb-questions ({answers['nci_questions']['questions']}): "
        + ", ".join(f"{k} {v}" for k, v in sorted(answers["nci_questions"]["statuses"].items())) + ".",
        f"- Our held-out answer set (`benchmarks/heldout-answers.jsonl`, lay wording, typos, follow-ups, "
        f"{held['unanswerable']} unanswerable): {held['agree']} / {held['questions']} as expected"
        + (f"; disagreements: {held['disagreements']}" if held["disagreements"] else "") + ".",
        f"- Our held-out triage set (`benchmarks/heldout-triage.jsonl`): {triage['agree']} / {triage['questions']}.",
        f"- Ask latency, warm process, {latency['questions']} questions (assistant load "
        f"{answers['load_seconds']} s): p50 {latency['p50']} ms, p95 {latency['p95']} ms, "
        f"p99 {latency['p99']} ms, max {latency['max']} ms (goal p50 ≤ 30 ms, p99 ≤ 150 ms); peak RSS "
        f"of the process {latency.get('process_peak_rss_mib', '?')} MiB.",
        "",
        "### Evidence gate calibration",
        "",
        "Questions stopped by `gate.min_similarity` (best section cosine below the threshold and no KB",
        f"page named): {answers['calibration']['answerable']} answerable questions (nci-kb-questions, the",
        "peer suite's non-emergency cases, our answerable held-out ones) and",
        f"{answers['calibration']['unanswerable']} unanswerable ones (ours; the other gate rules and",
        f"triage stop the rest, see the held-out line above). Chosen: {answers['calibration']['chosen']}.",
        "",
        "| threshold | answerable stopped | unanswerable stopped |",
        "|---:|---:|---:|",
    ]
    for row in answers["calibration"]["rows"]:
        lines.append(f"| {row['threshold']:.2f} | {row['answerable_stopped']} | {row['unanswerable_stopped']} |")
    lines.append("")
    return lines


def _answer_sets(sets: dict[str, Any]) -> list[str]:
    """The independent answer sets (issue 14): the composer and its baseline side by side."""
    if not sets:
        return []

    def share(figure: dict[str, Any]) -> str:
        return f"{figure['rate']:.3f} ({figure['ok']} / {figure['n']})" if figure["n"] else "n/a"

    def median(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f}".removesuffix(".0")

    names = list(sets)
    lines = [
        "### Independent answer sets (issue 14)",
        "",
        "`benchmarks/answers-dev.jsonl`, `answers-dev-2.jsonl`, `answers-dev-3.jsonl` and `answers-dev-4.jsonl`",
        "(tuned on), `answers-test.jsonl`, `answers-test-2.jsonl`, `answers-test-3.jsonl` and `answers-test-4.jsonl`",
        "(never tuned on; their aggregates were used to veto a dev change, and one kept change lowered their",
        "\"cancer types agree\": benchmarks/grades/pairwise-support-lines-7/), written by helpers who never read the",
        "answer code (writers C and D, then E and F,",
        "then G and H, first run at 861f970; then I and J, follow-ups: two-message conversations, first run at",
        "8ab7cf0); figures over the answerable questions",
        "(`cancerinfo.eval.answer_sets`). Baseline: the first five sentences of search's top hit.",
        "\"On the asked cancer\" reads the cancers named in the question and in page titles; on 144 pages cited",
        "at 0211a5b it agreed with a blind reader's labels for 138 (the front-matter figure: 96;",
        "benchmarks/grades/cancer-labels/).",
        "",
        "| measure | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    rows = [
        ("best page cited", lambda f: share(f["best_page_cited"])),
        ("best page in the short answer", lambda f: share(f["best_page_in_short_answer"])),
        ("a key fact stated", lambda f: share(f["key_fact_present"])),
        (
            "on the asked cancer (every page cited; titles)",
            lambda f: share(f["on_asked_cancer"]) if "on_asked_cancer" in f else "-",
        ),
        ("cancer types agree (front matter; was \"on topic\")", lambda f: share(f["on_topic"])),
        ("median words shown", lambda f: median(f["median_words"])),
        ("median reading grade (Flesch-Kincaid)", lambda f: median(f["median_reading_grade"])),
        ("answers with page leftovers", lambda f: f"{f['answers_with_leftovers']} / {f['answered']}"),
        ("unanswerable declined", lambda f: f"{f['unanswerable_declined']['ok']} / {f['unanswerable_declined']['n']}"),
        (
            "sent to urgent (none asked for it: triage false alarms)",
            lambda f: f"{f['sent_to_urgent']['ok']} / {f['sent_to_urgent']['n']}" if "sent_to_urgent" in f else "-",
        ),
        ("baseline: best page", lambda f: share(f["baseline"]["best_page_cited"])),
        ("baseline: a key fact stated", lambda f: share(f["baseline"]["key_fact_present"])),
        ("baseline: median words", lambda f: median(f["baseline"]["median_words"])),
    ]
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(sets[name]) for name in names) + " |")
    lines.append("")
    return lines + _blind_grades()


#: Blind grades of the answer sets (benchmarks/grades/README.md says who graded what, when).
GRADES = Path(__file__).resolve().parents[3] / "benchmarks" / "grades"


def _blind_grades() -> list[str]:
    """One row per grading and half: a folder of benchmarks/grades/ per grading, named
    ``NN-<commit>`` (NN: its order)."""
    rows = {
        (folder.name.split("-", 1)[-1], name): [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for folder in sorted(p for p in GRADES.iterdir() if p.is_dir()) if GRADES.is_dir()
        for name in ANSWER_SETS
        if (path := folder / f"{name}.jsonl").is_file()
    } if GRADES.is_dir() else {}
    if not rows:
        return []
    lines = [
        "Blind grades (0-3, as the asker would judge; a helper per half and grading who read only the",
        "questions and the answers as shown; rubric and graded commits in benchmarks/grades/README.md;",
        "not re-graded by `make bench`). Target (issue 14): mean >= 2.3.",
        "",
        "| graded on | half | answers | mean grade | 3 | 2 | 1 | 0 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (commit, name), graded in rows.items():
        counts = [sum(r["grade"] == g for r in graded) for g in (3, 2, 1, 0)]
        mean = sum(r["grade"] for r in graded) / len(graded)
        lines.append(f"| {commit} | {name} | {len(graded)} | {mean:.2f} | " + " | ".join(map(str, counts)) + " |")
    lines.append("")
    return lines + _pairwise()


def _pairwise() -> list[str]:
    """One row per pairwise judgement (``benchmarks/grades/pairwise-*/NAME.jsonl`` with its
    ``NAME.key.json`` mapping X/Y to old/new): which answer a blind judge preferred."""
    lines: list[str] = []
    for folder in sorted(p for p in GRADES.iterdir() if p.is_dir() and p.name.startswith("pairwise-")):
        for key_file in sorted(folder.glob("*.key.json")):
            verdicts = folder / key_file.name.replace(".key.json", ".jsonl")
            if not verdicts.is_file():
                continue
            key = json.loads(key_file.read_text(encoding="utf-8"))
            counts = {"new": 0, "old": 0, "same": 0}
            for line in verdicts.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    verdict = json.loads(line)
                    better = verdict["better"]
                    counts["same" if better == "same" else key[verdict["id"]][better]] += 1
            lines.append(
                f"| {folder.name} | {verdicts.stem} | {sum(counts.values())} | {counts['new']} | {counts['old']} | {counts['same']} |"
            )
    if not lines:
        return []
    return [
        "Pairwise blind judgements (a judge saw each changed answer as the asker sees it, old and new in",
        "random order, and chose the better or \"same\"; what was compared: the folder's README.md):",
        "",
        "| change | judged | answers | new better | old better | same |",
        "|---|---|---:|---:|---:|---:|",
        *lines,
        "",
    ]
