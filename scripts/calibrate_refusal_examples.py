"""Calibration table for refusals by meaning (policies/triage/rules.yaml refusal_examples).

Leaves each group of writers of the dev triage sets out in turn: the examples are the other
writers' English messages plus the answers-dev questions; the left-out writers' messages are
then judged as the assistant would (a message the cues already refuse or send to urgent is
left as it is). Also counts false refusals on ordinary questions: the 999 nci-kb questions
of ../shared (when present) and each answers-dev question left out of the examples. The test
half (triage-test.jsonl) is never read. The first row (votes 6 of 5) is the cues alone.

    python scripts/calibrate_refusal_examples.py --db .bench-cache/nci-kb.db
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cancerinfo.answer.assistant import Assistant

ROOT = Path(__file__).resolve().parents[1]
SETS = ("triage-dev.jsonl", "triage-dev-extra.jsonl", "triage-dev-3.jsonl")
GROUPS = ("I", "J", "ABEFGH")
GRID = [(5, 6, 1.0, 1.0), (5, 3, 0.45, 0.0), (5, 3, 0.45, 0.05), (5, 3, 0.45, 0.1), (5, 3, 0.5, 0.1), (7, 4, 0.45, 0.1), (5, 3, 0.45, 0.15)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--nci", type=Path, default=ROOT.parent / "shared" / "eval" / "nci-kb-questions.jsonl")
    args = parser.parse_args()
    assistant = Assistant(args.db)
    rows = [json.loads(line) for name in SETS for line in (ROOT / "benchmarks" / name).open(encoding="utf-8")]
    rows = [r for r in rows if r["lang"] == "en"]
    answers = [json.loads(line)["question"] for line in (ROOT / "benchmarks" / "answers-dev.jsonl").open(encoding="utf-8")]
    nci = [json.loads(line)["question"] for line in args.nci.open(encoding="utf-8")] if args.nci.is_file() else []

    def read(text: str) -> tuple[np.ndarray, float, str | None]:
        triage = assistant.triage.assess(text, known_terms=assistant.known_terms, treatment_terms=assistant.names_drug)
        result = assistant.searcher.search(text, k=10, snippets=False)
        return result.vector, float(result.best_similarity), triage.status

    read_rows = [read(r["message"]) for r in rows]
    read_answers = [read(q) for q in answers]
    read_nci = [read(q) for q in nci]
    X = np.vstack([v for v, _, _ in read_rows])
    A = np.vstack([v for v, _, _ in read_answers])
    refuse = np.array([r["expected"] == "refuse" for r in rows])
    general = np.array([r["expected"] == "general" for r in rows])
    writers = np.array([r["writer"] for r in rows])

    def refused(vector: np.ndarray, kb: float, examples: np.ndarray, labels: np.ndarray, k: int, votes: int, t: float, m: float) -> bool:
        scores = examples @ vector
        nearest = np.argsort(-scores, kind="stable")[:k]
        best = scores[labels].max()
        return bool(labels[nearest].sum() >= votes and best >= t and best - kb >= m)

    print("| k | votes | threshold | KB margin | " + " | ".join(f"writers {g}: refusals, general refused" for g in GROUPS)
          + " | nci-kb questions refused | answers-dev refused (left out) |")
    print("|---" * (6 + len(GROUPS)) + "|")
    for k, votes, t, m in GRID:
        cells = []
        for group in GROUPS:
            out = np.isin(writers, list(group))
            examples = np.vstack([X[~out], A])
            labels = np.concatenate([refuse[~out], np.zeros(len(A), bool)])
            caught = wrong = 0
            for i in np.flatnonzero(out):
                vector, kb, status = read_rows[i]
                final = status == "refused" or (status is None and refused(vector, kb, examples, labels, k, votes, t, m))
                caught += final and refuse[i]
                wrong += final and general[i]
            cells.append(f"{caught}/{refuse[out].sum()}, {wrong}/{general[out].sum()}")
        examples = np.vstack([X, A])
        labels = np.concatenate([refuse, np.zeros(len(A), bool)])
        nci_wrong = sum(s is None and refused(v, kb, examples, labels, k, votes, t, m) for v, kb, s in read_nci)
        left = 0
        for j, (v, kb, s) in enumerate(read_answers):
            keep = np.arange(len(A)) != j
            ex = np.vstack([X, A[keep]])
            lab = np.concatenate([refuse, np.zeros(int(keep.sum()), bool)])
            left += s is None and refused(v, kb, ex, lab, k, votes, t, m)
        print(f"| {k} | {votes} | {t} | {m} | " + " | ".join(cells) + f" | {nci_wrong}/{len(nci)} | {left}/{len(A)} |")
    assistant.close()


if __name__ == "__main__":
    main()
