"""Split the two independently written answer sets into a dev half (tuned on) and a test
half (looked at only to report). Run once, before any tuning (2026-12-02):

    python scripts/split_answer_set.py benchmarks/answer-set-c.jsonl benchmarks/answer-set-d.jsonl

Stratified by (category, answerable, writer) with a fixed seed.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20261202


def main(paths: list[str]) -> None:
    records = []
    for path in paths:
        writer = Path(path).stem.rsplit("-", 1)[-1].upper()
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                record["writer"] = writer
                records.append(record)
    strata: dict[tuple[str, bool, str], list[dict]] = defaultdict(list)
    for record in records:
        strata[(record["category"], record["answerable"], record["writer"])].append(record)
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
    for name, half in (("answers-dev.jsonl", dev), ("answers-test.jsonl", test)):
        half.sort(key=lambda r: r["id"])
        (out / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in half), encoding="utf-8")
        print(name, len(half))


if __name__ == "__main__":
    main(sys.argv[1:])
