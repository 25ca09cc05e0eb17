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

from cancerinfo.eval.triage_bench_sets import EXAMPLE_SETS
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
        for name in EXAMPLE_SETS
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
    whole = (score >= 0.88) & (margin >= 0.01)
    sentences = _sentences(encoder, rows, vectors, crisis_v, other_v, crisis, benign, writers)
    passed_multilingual = _sentence_grid(whole, sentences, english, crisis, benign)
    _refusals(rows, labels, writers, english, similar)
    along = _direction(encoder, rows, vectors, writers)
    chosen = load_triage_files().rules.meaning_any_language.linear_threshold
    print()
    print("| crisis direction at least | English crisis caught | English general/refusal flagged | other languages crisis caught | other languages general/refusal flagged |")
    print("|---|---|---|---|---|")
    for threshold in (None, 0.0, 0.1, 0.2, 0.3):
        passed = passed_multilingual | (along >= threshold) if threshold is not None else passed_multilingual
        cells = []
        for group in (english, ~english):
            cells += [f"{int((passed & group & crisis).sum())}/{int((group & crisis).sum())}",
                      f"{int((passed & group & benign).sum())}/{int((group & benign).sum())}"]
        print(f"| {'off' if threshold is None else threshold} | " + " | ".join(cells) + " |")
    print(f"The direction alone at {chosen}: English crisis {int(((along >= chosen) & english & crisis).sum())}, "
          f"English general/refusal {int(((along >= chosen) & english & benign).sum())}; "
          f"the nearest example alone (0.88, 0.01): {int((whole & english & crisis).sum())} and {int((whole & english & benign).sum())}")
    if chosen is not None:
        passed_multilingual = passed_multilingual | (along >= chosen)
    _english_gate(rows, english & crisis & whole, args.questions, passed_multilingual, margin)


def _direction(encoder: MultilingualEncoder, rows: list[dict], vectors: np.ndarray, writers: np.ndarray) -> np.ndarray:
    """Each message's score along the crisis direction (rules.yaml ``linear_*``) fitted to the
    shipped examples (exemplars.yaml, crisis-examples.yaml: crisis against not crisis and the
    other urgent levels) without the message's own writer's messages."""
    from cancerinfo.triage import crisis_example_texts
    from cancerinfo.triage.meaning import CrisisDirection, cached_vectors

    files = load_triage_files()
    rule = files.rules.meaning_any_language
    crisis_texts, not_crisis_texts = crisis_example_texts(files)
    urgent = [t for ts in files.crisis_examples.urgent.values() for t in ts]
    texts = [*crisis_texts, *not_crisis_texts, *urgent]
    shipped = files.folder / "vectors"  # the lists as the checks load them, so their shipped vectors are read
    example_vectors = np.vstack([cached_vectors(encoder, [*crisis_texts, *not_crisis_texts], None, shipped),
                                 cached_vectors(encoder, urgent, None, shipped)])
    is_crisis = np.arange(len(texts)) < len(crisis_texts)
    owner: dict[str, set[str]] = {}
    for row, writer in zip(rows, writers, strict=True):
        owner.setdefault(" ".join(row["message"].split()), set()).add(str(writer))
    owners = [owner.get(" ".join(t.split()), set()) for t in texts]
    along = np.empty(len(rows))
    for writer in sorted(set(writers)):
        keep = np.array([writer not in o for o in owners])
        direction = CrisisDirection(example_vectors[keep & is_crisis], example_vectors[keep & ~is_crisis],
                                    penalty=rule.linear_penalty, crisis_weight=rule.linear_crisis_weight)
        for i in np.flatnonzero(writers == writer):
            along[i] = direction.score(vectors[i])
    return along


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


def _sentences(encoder: MultilingualEncoder, rows: list[dict], vectors: np.ndarray, crisis_v: np.ndarray,
               other_v: np.ndarray, crisis: np.ndarray, benign: np.ndarray, writers: np.ndarray) -> np.ndarray:
    """Each message's best sentence (of 4 words or more, the first 5, when it has several),
    judged like the whole against exemplars.yaml and the other writers' messages: rows of
    (cosine, margin), -1 where the message has a single sentence."""
    from cancerinfo.triage.text import split_sentences

    owner, texts = [], []
    for i, row in enumerate(rows):
        parts = [s for s in split_sentences(" ".join(row["message"].split())) if len(s.split()) >= 4]
        if len(parts) > 1:
            owner += [i] * len(parts[:5])
            texts += parts[:5]
    units = encoder.embed(texts)
    best = np.full((len(rows), 2), -1.0)
    for vector, i in zip(units, owner, strict=True):
        others = writers != writers[i]
        near = vectors @ vector
        near_crisis = max(float((crisis_v @ vector).max()), float(np.where(others & crisis, near, -1).max()))
        near_other = max(float((other_v @ vector).max()), float(np.where(others & benign, near, -1).max()))
        if near_crisis + min(near_crisis - near_other, 0) > best[i, 0] + min(best[i, 1], 0):
            best[i] = (near_crisis, near_crisis - near_other)
    return best


def _sentence_grid(whole: np.ndarray, sentences: np.ndarray, english: np.ndarray, crisis: np.ndarray,
                   benign: np.ndarray) -> np.ndarray:
    """Crisis caught and general/refusal flagged when a message whose whole did not pass
    (0.88, 0.01) is judged by its best sentence; returns the chosen rule's result (0.9, 0.03)."""
    print()
    print("| sentence threshold | sentence margin | English crisis caught | English general/refusal flagged | other languages crisis caught | other languages general/refusal flagged |")
    print("|---|---|---|---|---|---|")
    print(f"| whole only | | {int((whole & english & crisis).sum())}/{int((english & crisis).sum())} | "
          f"{int((whole & english & benign).sum())}/{int((english & benign).sum())} | "
          f"{int((whole & ~english & crisis).sum())}/{int((~english & crisis).sum())} | "
          f"{int((whole & ~english & benign).sum())}/{int((~english & benign).sum())} |")
    chosen = whole
    for threshold, least in ((0.88, 0.01), (0.88, 0.03), (0.9, 0.01), (0.9, 0.02), (0.9, 0.03), (0.9, 0.04), (0.92, 0.03)):
        passed = whole | ((sentences[:, 0] >= threshold) & (sentences[:, 1] >= least))
        if (threshold, least) == (0.9, 0.03):
            chosen = passed
        cells = []
        for group in (english, ~english):
            cells += [f"{int((passed & group & crisis).sum())}/{int((group & crisis).sum())}",
                      f"{int((passed & group & benign).sum())}/{int((group & benign).sum())}"]
        print(f"| {threshold} | {least} | " + " | ".join(cells) + " |")
    return chosen


def _refusals(rows: list[dict], labels: np.ndarray, writers: np.ndarray, english: np.ndarray, similar: np.ndarray) -> None:
    """Refusals by meaning, messages not in English: at least `votes` of the `k` nearest
    messages of other writers are refusals, the nearest refusal at least `threshold` close."""
    refuse = labels == "refuse"
    urgent = np.isin(labels, ["emergency", "care_team_now", "poison", "crisis"])
    general = labels == "general"
    reasons = np.array([r.get("reason") or "" for r in rows])
    group = ~english
    print()
    print("| k | votes | threshold | refusals not in English refused (right reason) | urgent refused | general refused |")
    print("|---|---|---|---|---|---|")
    for k, votes, threshold in ((3, 2, 0.88), (5, 2, 0.88), (5, 3, 0.85), (5, 3, 0.88), (5, 3, 0.9), (5, 4, 0.88), (7, 3, 0.88)):
        hit = np.zeros(len(rows), dtype=bool)
        right = np.zeros(len(rows), dtype=bool)
        for i in np.flatnonzero(group):
            others = np.flatnonzero(writers != writers[i])
            nearest = others[np.argsort(-similar[i, others], kind="stable")[:k]]
            refusals = nearest[refuse[nearest]]
            if len(refusals) >= votes and similar[i, refusals].max() >= threshold:
                hit[i] = True
                names, counts = np.unique(reasons[refusals], return_counts=True)
                right[i] = names[counts.argmax()] == reasons[i]
        print(f"| {k} | {votes} | {threshold} | {int((hit & refuse & group).sum())}/{int((refuse & group).sum())} "
              f"({int((right & refuse & group).sum())}) | {int((hit & urgent & group).sum())}/{int((urgent & group).sum())} | "
              f"{int((hit & general & group).sum())}/{int((general & group).sum())} |")


def _english_gate(rows: list[dict], caught: np.ndarray, questions: Path, multilingual: np.ndarray,
                  margins: np.ndarray) -> None:
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
    _english_sentences(rows, matcher, triage.rules.meaning, multilingual, margins)
    asked = []
    if questions.is_file():
        asked = [english_score(json.loads(line)["question"]) for line in questions.open(encoding="utf-8")][:1000]
    print()
    print("| English gate | English crisis caught by the multilingual check, kept | KB questions through the gate |")
    print("|---|---|---|")
    for gate in GATES:
        share = f"{np.mean(np.array(asked) >= gate):.3f}" if asked else "-"
        print(f"| {gate} | {sum(s >= gate for s in kept)}/{len(kept)} | {share} |")



def _english_sentences(rows: list[dict], matcher: object, rule: object, multilingual: np.ndarray,
                       margins: np.ndarray) -> None:
    """The English check (all-MiniLM-L6-v2 against exemplars.yaml, which holds no dev
    message), a pass below the "veto below" cosine cancelled when the multilingual check puts
    the whole message nearer a not-crisis message than any crisis message by more than the
    veto (each writer left out: ``margins``); beside it the multilingual check (whole and
    sentences) behind the 0.4 gate."""
    from cancerinfo.triage.signals import _english_closest

    english = np.array([r.get("lang", "en") == "en" for r in rows])
    labels = np.array([r["expected"] for r in rows])
    crisis, benign = english & (labels == "crisis"), english & np.isin(labels, ["general", "refuse"])
    found = [_english_closest(matcher, rule, r["message"]) if e else (None, False) for r, e in zip(rows, english, strict=True)]  # type: ignore[arg-type]
    passed = np.array([p for _, p in found])
    scores = np.array([c.score if c is not None else -1.0 for c, _ in found])
    gate = scores >= 0.4
    print()
    print("| veto below | veto | English check: crisis caught | flagged | with the multilingual check: crisis caught | flagged |")
    print("|---|---|---|---|---|---|")
    for below, veto in ((None, None), (0.6, 0.05), (0.6, 0.03), (0.7, 0.05), (0.7, 0.03), (0.7, 0.02), (1.01, 0.03)):
        kept = passed & ~((scores < below) & (margins < -veto)) if veto is not None else passed
        both = kept | (gate & ~kept & multilingual)
        print(f"| {'-' if below is None else below} | {'none' if veto is None else veto} | {int((kept & crisis).sum())}/{int(crisis.sum())} | "
              f"{int((kept & benign).sum())}/{int(benign.sum())} | {int((both & crisis).sum())}/{int(crisis.sum())} | {int((both & benign).sum())}/{int(benign.sum())} |")


if __name__ == "__main__":
    main()
