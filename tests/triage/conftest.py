"""Triages built from the shipped policy files: without the sentence encoder (fast, the
lexicons alone) and with it (self-harm by meaning)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cancerinfo.triage import SafetyPolicy, Triage, build_triage

#: Stands in for "the KB vocabulary knows this term" in tests.
KB_TERMS = ("ixazomib", "selinexor", "lonsurf", "mekinist", "zejula")


def known_terms(text: str) -> bool:
    return any(term in text.lower() for term in KB_TERMS)


@pytest.fixture(scope="session")
def safety() -> SafetyPolicy:
    return SafetyPolicy.load()


@pytest.fixture(scope="session")
def lexical(safety: SafetyPolicy) -> Triage:
    """The triage without the meaning check."""
    return build_triage(safety)


@pytest.fixture(scope="session")
def triage(safety: SafetyPolicy, tmp_path_factory: pytest.TempPathFactory) -> Triage:
    """The triage as the assistant builds it: lexicons, numbers and meaning."""
    from cancerinfo.index.question_model import question_embedder
    from cancerinfo.index.ranking import load_retrieval_policy

    cache: Path = tmp_path_factory.mktemp("triage-cache")
    embedder = question_embedder(load_retrieval_policy(), threads=1)
    return build_triage(safety, embedder=embedder, cache=cache)
