"""The first run of each new triage set, before anything was tuned on it
(:data:`FIRST_CONTACT`, re-exported by :mod:`cancerinfo.eval.triage_bench_sets`): how the
rules held for writers nobody here had read. Data only: no code runs here.
"""

from __future__ import annotations

#: New sets run once before anything was tuned on them: how the rules held for new writers.
FIRST_CONTACT = (
    {
        # 2026-12-02, main f4fddf6 + the session's answer changes, no triage change
        "set": "triage-dev-3.jsonl",
        "urgent_recall": [177, 215],
        "self_harm_with_crisis_line": [60, 85],
        "non_english_urgent": [52, 63],
        "refusals": [58, 85],
        "general_sent_to_urgent": [8, 100],
    },
    {
        # 2026-12-02, main ad8b261, before any change made for writers K and L
        "set": "triage-dev-4.jsonl",
        "urgent_recall": [110, 128],
        "self_harm_with_crisis_line": [34, 42],
        "non_english_urgent": [34, 44],
        "refusals": [36, 57],
        "general_sent_to_urgent": [10, 55],
    },
    {
        # the same run; its twin half, only looked at to report
        "set": "triage-test-2.jsonl",
        "urgent_recall": [115, 127],
        "self_harm_with_crisis_line": [35, 43],
        "non_english_urgent": [39, 45],
        "refusals": [38, 58],
        "general_sent_to_urgent": [5, 55],
    },
    {
        # 2026-12-03, main ed00fd5 (+ an answer-layout change), before any change made for
        # writers M and N
        "set": "triage-dev-5.jsonl",
        "urgent_recall": [62, 70],
        "self_harm_with_crisis_line": [19, 21],
        "non_english_urgent": [21, 24],
        "refusals": [20, 25],
        "general_sent_to_urgent": [0, 25],
    },
    {
        # the same run; its twin half, only looked at to report
        "set": "triage-test-3.jsonl",
        "urgent_recall": [66, 70],
        "self_harm_with_crisis_line": [21, 21],
        "non_english_urgent": [22, 24],
        "refusals": [19, 25],
        "general_sent_to_urgent": [3, 25],
    },
    {
        # 2026-12-03 (fourth session), main 4ce94bf: a new writer's whole set, never tuned on
        "set": "triage-test-4.jsonl",
        "urgent_recall": [64, 70],
        "self_harm_with_crisis_line": [19, 20],
        "non_english_urgent": [23, 26],
        "refusals": [22, 24],
        "general_sent_to_urgent": [3, 26],
    },
    {
        # 2026-12-03 (sixth session), main 9c313ab: a new writer's whole set, tuned on after this run
        "set": "triage-dev-6.jsonl",
        "urgent_recall": [61, 70],
        "self_harm_with_crisis_line": [17, 20],
        "non_english_urgent": [25, 30],
        "refusals": [21, 24],
        "general_sent_to_urgent": [7, 26],
    },
    {
        # the same run: another new writer's whole set from the same brief, never tuned on
        "set": "triage-test-5.jsonl",
        "urgent_recall": [63, 70],
        "self_harm_with_crisis_line": [19, 20],
        "non_english_urgent": [23, 28],
        "refusals": [22, 24],
        "general_sent_to_urgent": [10, 26],
    },
    {
        # 2026-12-03 (sixth session), main 71fb13d (with the dev-6 tuning): look-alikes and
        # dangers written to look like general questions; tuned on after this run
        "set": "triage-dev-7.jsonl",
        "urgent_recall": [62, 70],
        "self_harm_with_crisis_line": [13, 15],
        "non_english_urgent": [18, 19],
        "refusals": [0, 0],
        "general_sent_to_urgent": [13, 80],
    },
    {
        # 2026-12-04 (seventh session), main 536490e: three new writers from one brief, run
        # once before any change; S and T tuned on after this run, U never
        "set": "triage-dev-8.jsonl",
        "urgent_recall": [65, 70],
        "self_harm_with_crisis_line": [19, 20],
        "non_english_urgent": [26, 29],
        "refusals": [21, 24],
        "general_sent_to_urgent": [3, 26],
    },
    {
        "set": "triage-dev-9.jsonl",
        "urgent_recall": [68, 70],
        "self_harm_with_crisis_line": [20, 20],
        "non_english_urgent": [28, 29],
        "refusals": [17, 24],
        "general_sent_to_urgent": [5, 26],
    },
    {
        "set": "triage-test-6.jsonl",
        "urgent_recall": [66, 70],
        "self_harm_with_crisis_line": [18, 20],
        "non_english_urgent": [25, 28],
        "refusals": [20, 24],
        "general_sent_to_urgent": [4, 26],
    },
    {
        # 2026-12-04 (seventh session), main 2694c09 (after the dev-8 / dev-9 tuning): two
        # more new writers; W's look-alikes tuned on after this run, V's set never
        "set": "triage-dev-10.jsonl",
        "urgent_recall": [63, 70],
        "self_harm_with_crisis_line": [14, 15],
        "non_english_urgent": [26, 29],
        "refusals": [0, 0],
        "general_sent_to_urgent": [15, 80],
    },
    {
        "set": "triage-test-7.jsonl",
        "urgent_recall": [67, 70],
        "self_harm_with_crisis_line": [18, 20],
        "non_english_urgent": [26, 29],
        "refusals": [19, 24],
        "general_sent_to_urgent": [4, 26],
    },
    {
        # 2026-12-04 (seventh session), main d8835aa: a new writer's whole set written after
        # this session's tuning (dev-8, dev-9, dev-10); never tuned on
        "set": "triage-test-8.jsonl",
        "urgent_recall": [65, 70],
        "self_harm_with_crisis_line": [17, 20],
        "non_english_urgent": [27, 30],
        "refusals": [22, 24],
        "general_sent_to_urgent": [3, 26],
    },
    {
        # 2026-12-04 (seventh session), main 0917f8a: 100 self-harm messages (40 % not
        # English) and 50 that only sound like it; tuned on after this run
        "set": "triage-dev-11.jsonl",
        "urgent_recall": [66, 100],
        "self_harm_with_crisis_line": [61, 100],
        "non_english_urgent": [21, 44],
        "refusals": [0, 0],
        "general_sent_to_urgent": [10, 50],
    },
    {
        # 2026-12-04 (eighth session), main f7365ea, after the tuning on dev-11: a new writer's
        # 100 self-harm messages (44 not English) and 50 look-alikes; a test set, never tuned on
        "set": "triage-test-9.jsonl",
        "urgent_recall": [68, 100],
        "self_harm_with_crisis_line": [68, 100],
        "non_english_urgent": [27, 44],
        "refusals": [0, 0],
        "general_sent_to_urgent": [7, 50],
    },
    {
        # 2026-12-04 (ninth session), main d3c25c4: two new writers from one brief (every level,
        # 56 general messages of which 41 and 42 frightening look-alikes, 56 not in English);
        # dev-12 tuned on after this run, test-10 never
        "set": "triage-dev-12.jsonl",
        "urgent_recall": [78, 80],
        "self_harm_with_crisis_line": [26, 26],
        "non_english_urgent": [26, 28],
        "refusals": [19, 24],
        "general_sent_to_urgent": [6, 56],
    },
    {
        "set": "triage-test-10.jsonl",
        "urgent_recall": [80, 80],
        "self_harm_with_crisis_line": [26, 26],
        "non_english_urgent": [29, 29],
        "refusals": [19, 24],
        "general_sent_to_urgent": [7, 56],
    },
    {
        # 2026-12-04 (eleventh session), main e102c6e: two new writers from the brief of AA and
        # AB, word for word; dev-13 tuned on after this run, test-11 never
        "set": "triage-dev-13.jsonl",
        "urgent_recall": [78, 80],
        "self_harm_with_crisis_line": [26, 26],
        "non_english_urgent": [27, 28],
        "refusals": [22, 24],
        "general_sent_to_urgent": [2, 56],
    },
    {
        "set": "triage-test-11.jsonl",
        "urgent_recall": [79, 80],
        "self_harm_with_crisis_line": [25, 26],
        "non_english_urgent": [26, 27],
        "refusals": [20, 24],
        "general_sent_to_urgent": [6, 56],
    },
    {
        # 2026-12-04 (twelfth session), main 861f970: two new writers from the brief of AA and
        # AB, word for word; dev-14 tuned on after this run, test-12 never
        "set": "triage-dev-14.jsonl",
        "urgent_recall": [76, 80],
        "self_harm_with_crisis_line": [24, 26],
        "non_english_urgent": [29, 30],
        "refusals": [22, 24],
        "general_sent_to_urgent": [5, 56],
    },
    {
        "set": "triage-test-12.jsonl",
        "urgent_recall": [77, 80],
        "self_harm_with_crisis_line": [24, 26],
        "non_english_urgent": [29, 30],
        "refusals": [19, 24],
        "general_sent_to_urgent": [3, 56],
    },
    {
        # 2026-12-04 (thirteenth session), main 73600fe: two new writers of self-harm messages
        # and their look-alikes (briefs in benchmarks/triage-writer-brief-AH-AI-AJ.md); both
        # read in full before this run, so both are dev sets
        "set": "triage-dev-15.jsonl",
        "urgent_recall": [49, 52],
        "self_harm_with_crisis_line": [47, 50],
        "non_english_urgent": [11, 12],
        "refusals": [0, 0],
        "general_sent_to_urgent": [10, 48],
    },
    {
        "set": "triage-dev-16.jsonl",
        "urgent_recall": [43, 52],
        "self_harm_with_crisis_line": [41, 50],
        "non_english_urgent": [11, 13],
        "refusals": [0, 0],
        "general_sent_to_urgent": [22, 48],
    },
    {
        # the same commit; its messages never read
        "set": "triage-test-13.jsonl",
        "urgent_recall": [43, 50],
        "self_harm_with_crisis_line": [43, 50],
        "non_english_urgent": [10, 12],
        "refusals": [0, 0],
        "general_sent_to_urgent": [14, 50],
    },
    {
        # 2026-12-05 (twenty-first session), main 2196a9b: two new writers of refusals and
        # their look-alikes (brief: benchmarks/triage-writer-brief-AK-AL.md); AK read after
        # this run and tuned on, AL never read
        "set": "triage-dev-17.jsonl",
        "urgent_recall": [0, 0],
        "self_harm_with_crisis_line": [0, 0],
        "non_english_urgent": [0, 0],
        "refusals": [50, 66],
        "general_sent_to_urgent": [3, 54],
        "general_refused": [7, 54],
    },
    {
        "set": "triage-test-14.jsonl",
        "urgent_recall": [0, 0],
        "self_harm_with_crisis_line": [0, 0],
        "non_english_urgent": [0, 0],
        "refusals": [45, 66],
        "general_sent_to_urgent": [3, 54],
        "general_refused": [8, 54],
    },
    {
        # 2026-12-06 (twenty-fourth session), main a50750f: two new writers from the full brief
        # (benchmarks/triage-writer-brief-AA-AB.md, word for word); AM read after this run and
        # tuned on, AN never read
        "set": "triage-dev-18.jsonl",
        "urgent_recall": [78, 80],
        "self_harm_with_crisis_line": [26, 26],
        "non_english_urgent": [28, 28],
        "refusals": [22, 24],
        "general_sent_to_urgent": [6, 56],
        "general_refused": [1, 56],
    },
    {
        "set": "triage-test-15.jsonl",
        "urgent_recall": [78, 80],
        "self_harm_with_crisis_line": [24, 26],
        "non_english_urgent": [29, 29],
        "refusals": [21, 24],
        "general_sent_to_urgent": [2, 56],
        "general_refused": [2, 56],
    },
    {
        # 2026-12-06 (twenty-sixth session), main f354a29: two new writers of self-harm
        # messages and look-alikes (benchmarks/triage-writer-brief-AO-AP.md, word for word);
        # AO read after this run and tuned on, AP never read
        "set": "triage-dev-19.jsonl",
        "urgent_recall": [46, 50],
        "self_harm_with_crisis_line": [45, 50],
        "non_english_urgent": [11, 12],
        "refusals": [0, 0],
        "general_sent_to_urgent": [8, 50],
        "general_refused": [4, 50],
    },
    {
        "set": "triage-test-16.jsonl",
        "urgent_recall": [45, 50],
        "self_harm_with_crisis_line": [44, 50],
        "non_english_urgent": [11, 12],
        "refusals": [0, 0],
        "general_sent_to_urgent": [13, 50],
        "general_refused": [5, 50],
    },
    {
        # 2026-12-06 (twenty-seventh session), main 6ba27bd (the crisis direction and the
        # crisis guidance beside a refusal landed): a third writer from the AO/AP brief, word
        # for word (benchmarks/triage-writer-brief-AQ.md); never read. Run the same hour on
        # cb54e15 (before both changes), aggregates only: urgent 46 / 50, crisis line 45 / 50,
        # non-English urgent 10 / 12, look-alikes sent to urgent 10 / 50, refused 5 / 50
        "set": "triage-test-17.jsonl",
        "urgent_recall": [49, 50],
        "self_harm_with_crisis_line": [48, 50],
        "non_english_urgent": [11, 12],
        "refusals": [0, 0],
        "general_sent_to_urgent": [12, 50],
        "general_refused": [5, 50],
    },
    {
        # 2026-12-06 (twenty-ninth session), main 4791cbb (and the same on e073633, before the
        # dev-18/19 crisis examples), aggregates only; written after those examples landed
        "set": "triage-test-18.jsonl",
        "urgent_recall": [48, 50],
        "self_harm_with_crisis_line": [48, 50],
        "non_english_urgent": [12, 12],
        "refusals": [0, 0],
        "general_sent_to_urgent": [12, 50],
        "general_refused": [2, 50],
    },
    {
        # the same runs; read in full afterwards (a dev set)
        "set": "triage-dev-20.jsonl",
        "urgent_recall": [46, 50],
        "self_harm_with_crisis_line": [46, 50],
        "non_english_urgent": [11, 12],
        "refusals": [0, 0],
        "general_sent_to_urgent": [16, 50],
        "general_refused": [2, 50],
    },
    {
        # 2026-12-07 (thirty-sixth session), main 7cde2d4: two new writers of refusals and their
        # look-alikes, brief of AK/AL word for word (benchmarks/triage-writer-brief-AU-AV.md); AU
        # read after this run and tuned on, AV never read (aggregates only)
        "set": "triage-dev-21.jsonl",
        "urgent_recall": [0, 0],
        "self_harm_with_crisis_line": [0, 0],
        "non_english_urgent": [0, 0],
        "refusals": [53, 66],
        "general_sent_to_urgent": [3, 54],
        "general_refused": [2, 54],
    },
    {
        "set": "triage-test-19.jsonl",
        "urgent_recall": [0, 0],
        "self_harm_with_crisis_line": [0, 0],
        "non_english_urgent": [0, 0],
        "refusals": [54, 66],
        "general_sent_to_urgent": [1, 54],
        "general_refused": [2, 54],
    },
)
