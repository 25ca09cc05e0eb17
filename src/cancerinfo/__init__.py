"""cancerinfo: an offline, grounded cancer information assistant.

Answers come only from a curated knowledge base (KB) of Markdown pages with YAML front
matter; every sentence shown to a patient is a quote with its source.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
