"""Split the two independently written triage sets into a dev half (tuned on) and a test
half (looked at only to report). Run once, before any tuning (2026-12-02):

    python scripts/split_triage_set.py benchmarks/triage-set-a.jsonl benchmarks/triage-set-b.jsonl

and for the writers K and L (second session of 2026-12-02, before any tuning on them):

    python scripts/split_triage_set.py --names triage-dev-4.jsonl triage-test-2.jsonl \
        triage-set-k.jsonl triage-set-l.jsonl

and for the writers M and N (2026-12-03, before any tuning on them):

    python scripts/split_triage_set.py --names triage-dev-5.jsonl triage-test-3.jsonl \
        triage-set-m.jsonl triage-set-n.jsonl

Stratified by (expected level, language group, writer) with a fixed seed, so both halves
hold every level, refusal reason and language group from both writers.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20261202


def main(paths: list[str]) -> None:
    names = ("triage-dev.jsonl", "triage-test.jsonl")
    if paths[:1] == ["--names"]:
        names, paths = (paths[1], paths[2]), paths[3:]
    records = []
    for path in paths:
        writer = Path(path).stem.rsplit("-", 1)[-1].upper()
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                record["writer"] = writer
                records.append(record)
    strata: dict[tuple[str, str, str, str], list[dict]] = defaultdict(list)
    for record in records:
        group = record["lang"] if record["lang"] in ("en", "es") else "other"
        strata[(record["expected"], record.get("reason") or "", group, record["writer"])].append(record)
    rng = random.Random(SEED)
    dev, test = [], []
    flip = 0
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        for record in members:
            (dev if flip % 2 == 0 else test).append(record)
            flip += 1
    out = Path(paths[0]).parent
    for name, half in ((names[0], dev), (names[1], test)):
        half.sort(key=lambda r: r["id"])
        (out / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in half), encoding="utf-8")
        print(name, len(half))


if __name__ == "__main__":
    main(sys.argv[1:])
