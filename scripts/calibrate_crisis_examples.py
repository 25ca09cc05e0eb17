"""Calibrate self-harm by meaning in any language (rules.yaml ``meaning_any_language``).

Every message of the dev triage sets is embedded by the multilingual encoder and judged
against exemplars.yaml and the *other writers'* dev messages (crisis, or general/refusal as
not crisis): a writer's own messages are never compared with themselves. Prints, for a grid
of thresholds and margins, the crisis messages caught and the general or refusal messages
flagged, English and the other languages apart; then, for the English gate, how many of the
English crisis messages caught keep an English-check cosine at or above each gate and what
share of the NCI KB questions (``--questions``) would pass it (the cost: one more encoder call).

    python scripts/calibrate_crisis_examples.py [--questions ../shared/eval/nci-kb-questions.jsonl]

Test sets are never read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cancerinfo.eval.triage_bench import DEV_SETS
from cancerinfo.triage.lexicon import load_triage_files
from cancerinfo.triage.multilingual import MultilingualEncoder

ROOT = Path(__file__).resolve().parents[1]
GRID = ((0.86, 0.0), (0.88, 0.0), (0.88, 0.005), (0.88, 0.01), (0.88, 0.02), (0.90, 0.0), (0.90, 0.01))
GATES = (0.3, 0.35, 0.4, 0.45)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "nci-kb-questions.jsonl")
    args = parser.parse_args()
    rows = [
        json.loads(line)
        for name in DEV_SETS
        for line in (ROOT / "benchmarks" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    encoder = MultilingualEncoder()
    # exemplars.yaml only: the shipped crisis-examples.yaml holds every writer's messages
    exemplars = load_triage_files().exemplars
    crisis_ex = [t for ts in exemplars.crisis.values() for t in ts]
    other_ex = [t for ts in exemplars.not_crisis.values() for t in ts]
    vectors = encoder.embed([" ".join(r["message"].split()) for r in rows])
    crisis_v, other_v = encoder.embed(crisis_ex), encoder.embed(other_ex)
    labels = np.array([r["expected"] for r in rows])
    writers = np.array([r.get("writer") or "?" for r in rows])
    english = np.array([r.get("lang", "en") == "en" for r in rows])
    crisis = labels == "crisis"
    benign = np.isin(labels, ["general", "refuse"])
    similar = vectors @ vectors.T
    score = np.empty(len(rows))
    margin = np.empty(len(rows))
    for i in range(len(rows)):
        others = writers != writers[i]
        near_crisis = max(float((crisis_v @ vectors[i]).max()), float(np.where(others & crisis, similar[i], -1).max()))
        near_other = max(float((other_v @ vectors[i]).max()), float(np.where(others & benign, similar[i], -1).max()))
        score[i], margin[i] = near_crisis, near_crisis - near_other
    print("| threshold | margin | English crisis caught | English general/refusal flagged | other languages crisis caught | other languages general/refusal flagged |")
    print("|---|---|---|---|---|---|")
    for threshold, least in GRID:
        passed = (score >= threshold) & (margin >= least)
        cells = []
        for group in (english, ~english):
            cells += [f"{int((passed & group & crisis).sum())}/{int((group & crisis).sum())}",
                      f"{int((passed & group & benign).sum())}/{int((group & benign).sum())}"]
        print(f"| {threshold} | {least} | " + " | ".join(cells) + " |")
    # beside another level (rules.py, _crisis_beside_level): not-crisis *and* other urgent examples
    beside = np.empty(len(rows))
    for i in range(len(rows)):
        others = writers != writers[i]
        near_other = max(float((other_v @ vectors[i]).max()), float(np.where(others & ~crisis, similar[i], -1).max()))
        beside[i] = score[i] - near_other
    passed = (score >= 0.88) & (beside >= 0.01) & ~english
    urgent = np.isin(labels, ["emergency", "care_team_now", "poison"])
    print()
    print(f"Beside another level (0.88, 0.01, other languages): crisis {int((passed & crisis).sum())}/{int((~english & crisis).sum())}, "
          f"other urgent {int((passed & urgent).sum())}/{int((~english & urgent).sum())}, "
          f"general/refusal {int((passed & benign).sum())}/{int((~english & benign).sum())}")
    _levels(vectors, labels, writers, english, benign, similar)
    _english_gate(rows, english & crisis & (score >= 0.88) & (margin >= 0.01), args.questions)


def _levels(vectors: np.ndarray, labels: np.ndarray, writers: np.ndarray, english: np.ndarray,
            benign: np.ndarray, similar: np.ndarray) -> None:
    """The other urgent levels by meaning, messages not in English: the nearest urgent message
    of another writer against the nearest general or refusal message of another writer."""
    urgent = np.isin(labels, ["emergency", "care_team_now", "poison"])
    score = np.empty(len(labels))
    margin = np.empty(len(labels))
    level_right = np.zeros(len(labels), dtype=bool)
    for i in range(len(labels)):
        others = writers != writers[i]
        near = np.where(others & urgent, similar[i], -1)
        best = int(near.argmax())
        score[i] = near[best]
        margin[i] = near[best] - np.where(others & benign, similar[i], -1).max()
        level_right[i] = labels[best] == labels[i]
    group = ~english
    print()
    print("| level threshold | level margin | other languages urgent (not crisis) caught | at its level | general/refusal flagged |")
    print("|---|---|---|---|---|")
    for threshold, least in ((0.88, 0.0), (0.88, 0.01), (0.88, 0.02), (0.88, 0.03), (0.90, 0.02)):
        passed = (score >= threshold) & (margin >= least) & group
        print(f"| {threshold} | {least} | {int((passed & urgent).sum())}/{int((group & urgent).sum())} | "
              f"{int((passed & urgent & level_right).sum())} | {int((passed & benign).sum())}/{int((group & benign).sum())} |")


def _english_gate(rows: list[dict], caught: np.ndarray, questions: Path) -> None:
    """How many English crisis messages the multilingual check catches keep an English-check
    cosine at or above each gate, and the share of KB questions that would pass the gate."""
    from cancerinfo.index.question_model import question_embedder
    from cancerinfo.index.ranking import load_retrieval_policy
    from cancerinfo.triage import SafetyPolicy, build_triage
    from cancerinfo.triage.text import split_sentences

    triage = build_triage(SafetyPolicy.load(), embedder=question_embedder(load_retrieval_policy(), threads=1))
    matcher = triage.exemplars["en"]

    def english_score(text: str) -> float:
        sentences = [s for s in split_sentences(text) if len(s.split()) >= 6]
        units = [text, *sentences] if len(sentences) > 1 else [text]
        closest = matcher.closest(units[: triage.rules.meaning.max_units])
        return closest.score if closest is not None else -1.0

    kept = [english_score(rows[i]["message"]) for i in np.flatnonzero(caught)]
    asked = []
    if questions.is_file():
        asked = [english_score(json.loads(line)["question"]) for line in questions.open(encoding="utf-8")][:1000]
    print()
    print("| English gate | English crisis caught by the multilingual check, kept | KB questions through the gate |")
    print("|---|---|---|")
    for gate in GATES:
        share = f"{np.mean(np.array(asked) >= gate):.3f}" if asked else "-"
        print(f"| {gate} | {sum(s >= gate for s in kept)}/{len(kept)} | {share} |")


if __name__ == "__main__":
    main()
