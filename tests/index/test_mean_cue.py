""""mean" is a definition cue as a whole word ("what does grade 2 mean", "what it means"),
not the start of "meantime" or "meanwhile" (policies/intents.yaml)."""

from __future__ import annotations

from cancerinfo.index.intent import IntentModel


def test_meantime_is_not_asking_what_something_means() -> None:
    model = IntentModel.load()
    assert model.classify("and what do we do in the meantime") != "definition"
    assert model.classify("meanwhile what should he eat") != "definition"
    assert model.classify("what does it mean") == "definition"
    assert model.classify("what it means for us") == "definition"
