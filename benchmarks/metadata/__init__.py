"""The hand-checked metadata dev set (title, authors, published day) and its scorer; see README.md here."""

from benchmarks.metadata.score import load, score

__all__ = ["load", "score"]
