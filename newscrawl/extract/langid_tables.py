"""The arrays FastIdentifier scores with, prepared from py3langid's model: pure data, built in memory.

py3langid's model ships LZMA-compressed: decompressing it takes ~0.6 s per process, and widening its float16 table
and finding the DFA's depth another ~0.4 s. So the language pipeline does not build them per process: its cache
(newscrawl/pipelines/langid_cache.py) writes them once per machine as .npy files and memory-maps them after (a few
milliseconds), and hands the loaded Tables to FastIdentifier. This module only builds and holds them: no file is
written from extract/, which stays HTML + URL in, article out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

FORMAT = 1
"""Bumped whenever the prepared arrays change meaning, so that a stored copy of older ones is never read."""
ARRAYS = ("ptc", "pc", "nextmove", "rowbase", "output")


@dataclass(frozen=True)
class Tables:
    classes: list[str]
    """Class labels in model column order (dialect and script aliases repeat a label)."""
    alias_pairs: list[tuple[int, int]]
    """(first column, duplicate column) per repeated label: py3langid merges their probabilities."""
    depth: int
    """Longest string any DFA state stands for: the window of bytes that settles a position's state."""
    arrays: dict[str, np.ndarray]
    """ptc (features × classes, float32), pc (classes), nextmove (distinct DFA rows), rowbase (state → row offset),
    output (state → feature id or -1)."""

    @classmethod
    def from_py3langid(cls, identifier: LanguageIdentifier) -> Tables:
        nextmove = np.frombuffer(identifier.tk_nextmove, dtype=f"u{identifier.tk_nextmove.itemsize}")
        rowbase = np.frombuffer(identifier.tk_row, dtype=f"u{identifier.tk_row.itemsize}").astype(np.intp) << 8
        # float32 once (+28 MB over the shipped float16 unless memory-mapped): widening the gathered rows per call
        # was half the cost of a classification. Exact: float16 widens to float32 without rounding, as the mixed
        # matmul py3langid runs does anyway.
        arrays = {"ptc": np.asarray(identifier.nb_ptc).astype(np.float32), "pc": np.asarray(identifier.nb_pc),
                  "nextmove": nextmove, "rowbase": rowbase,
                  "output": np.asarray(identifier.tk_output, dtype=np.intp)}
        return cls(list(identifier.nb_classes), [tuple(pair) for pair in identifier._alias_pairs],
                   _trie_depth(nextmove, rowbase), arrays)

    @classmethod
    def from_model(cls) -> Tables:
        """Prepared from the model py3langid ships (~1 s): the fallback when no stored copy can be had."""
        return cls.from_py3langid(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))

    def description(self) -> dict[str, object]:
        """Everything but the arrays, as plain JSON-able data (stored beside them)."""
        return {"classes": self.classes, "alias_pairs": self.alias_pairs, "depth": self.depth}

    @classmethod
    def from_description(cls, description: dict[str, object], arrays: dict[str, np.ndarray]) -> Tables:
        """The inverse of ``description`` plus the arrays (KeyError/ValueError/TypeError on a damaged one)."""
        classes, pairs, depth = description["classes"], description["alias_pairs"], description["depth"]
        if not isinstance(classes, list) or not isinstance(pairs, list) or not isinstance(depth, int):
            raise ValueError("not a language tables description")
        if set(arrays) != set(ARRAYS):
            raise KeyError(f"arrays {sorted(arrays)}, expected {sorted(ARRAYS)}")
        return cls([str(name) for name in classes], [(int(a), int(b)) for a, b in pairs], depth, arrays)


def _trie_depth(nextmove: np.ndarray, rowbase: np.ndarray) -> int:
    """The longest shortest path from the start state: the length of the longest string a state stands for.

    Breadth-first over the transition table, one array step per level; a state's shortest path from the start has
    the length of its trie string, so the last level reached is the depth that bounds every state's window."""
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier = np.zeros(1, dtype=np.intp)
    columns = np.arange(256, dtype=np.intp)
    depth = 0
    while True:
        rows = np.zeros(len(nextmove) >> 8, dtype=bool)  # states share rows: expand each distinct row once
        rows[rowbase[frontier] >> 8] = True
        reached = np.zeros(len(rowbase), dtype=bool)
        reached[nextmove[((np.flatnonzero(rows) << 8)[:, None] + columns).ravel()]] = True
        reached &= ~seen
        frontier = np.flatnonzero(reached)
        if not len(frontier):
            return depth
        seen |= reached
        depth += 1
