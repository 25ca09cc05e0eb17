"""The one picture of docs/benchmarks.md: search latency against KB size (PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def latency_plot(points: list[dict[str, Any]], path: Path) -> Path:
    """Search p50 and p99 (ms) against pages, log-scaled pages; written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: render to a file
    import matplotlib.pyplot as plt

    ordered = sorted(points, key=lambda point: point["pages"])
    pages = [point["pages"] for point in ordered]
    figure, axes = plt.subplots(figsize=(6.4, 3.6), dpi=120)
    for key, label, style in (("p50", "search p50", "o-"), ("p99", "search p99", "s--")):
        axes.plot(pages, [point["search"][key] for point in ordered], style, label=label)
    axes.set_xscale("log")
    axes.set_xlabel("pages in the KB (log scale)")
    axes.set_ylabel("milliseconds")
    axes.set_title("cancerinfo search latency against KB size (2 cores)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, metadata={"Software": None})  # no version stamp: the file changes only with the numbers
    plt.close(figure)
    return path
