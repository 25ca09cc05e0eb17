"""Answering: triage, evidence gate, composer, citations, sessions."""
