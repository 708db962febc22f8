"""py3langid's classification, computed the same way but with the byte-level DFA walk vectorised in NumPy.

py3langid scores a text by walking its tokeniser DFA over the UTF-8 bytes one byte at a time in pure Python
(`visit_counts`), which made language detection the largest cost of a replay after parsing. The DFA is an
Aho-Corasick automaton over byte n-grams: the state after byte i is the longest suffix of the text read so far that
is a node of its trie, so it depends only on the last `depth` bytes (the trie's depth, the longest n-gram prefix).
Walking every position's window of `depth` bytes from the start state therefore gives every position's state at
once, in `depth` array steps instead of one Python step per byte. The feature counts come out in the same
first-seen order as py3langid's Counter, and the scoring below repeats py3langid's `_decide` operation for
operation on the same dtypes, so language and confidence are bit-identical (tests/test_language.py compares them
with py3langid's own classify).
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np
from py3langid.langid import LanguageIdentifier

from newscrawl.extract.langid_tables import Tables


class FastIdentifier:
    """py3langid's `LanguageIdentifier(norm_probs=True).classify`, with the same model and the same result."""

    def __init__(self, tables: Tables) -> None:
        self.classes: list[str] = tables.classes
        self.alias_pairs: list[tuple[int, int]] = tables.alias_pairs
        self.depth: int = tables.depth
        self.ptc, self.pc = tables.arrays["ptc"], tables.arrays["pc"]
        self.nextmove, self.rowbase = tables.arrays["nextmove"], tables.arrays["rowbase"]
        self.output = tables.arrays["output"]

    @classmethod
    def from_py3langid(cls, identifier: LanguageIdentifier) -> FastIdentifier:
        return cls(Tables.from_py3langid(identifier))

    def classify(self, text: str) -> tuple[str, float]:
        """(language, normalised probability), as py3langid's classify returns them for `text`."""
        data = _encode(text)
        features = self.feature_counts(data)
        if features is None:
            scores = np.full(len(self.classes), 0.0, dtype=np.float32)
        else:
            ids, counts = features
            scores = np.log1p(counts) @ self.ptc[ids] + self.pc
        scores *= 1.0 / math.sqrt(len(data) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for first, dupe in self.alias_pairs:
            scores[first] += scores[dupe]
            scores[dupe] = 0.0
        best = int(scores.argmax())
        return self.classes[best], float(scores[best])

    def feature_counts(self, data: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(feature ids in order of first occurrence, their counts as float32), py3langid's `visit_counts`."""
        text = np.frombuffer(data, dtype=np.uint8).astype(np.intp)
        size = len(text)
        states = np.zeros(size, dtype=np.intp)
        # Position i reads bytes i-depth+1 .. i from the start state; positions near the start read fewer.
        for back in range(min(self.depth, size) - 1, -1, -1):
            states[back:] = self.nextmove[self.rowbase[states[back:]] + text[:size - back]]
        emitted = self.output[states]
        emitted_at = emitted >= 0
        emitted = emitted[emitted_at]
        if not len(emitted):
            return None
        # Count and order by first position in one plain sort: key = feature id, then position (a stable sort by
        # id with return_index cost twice as much). Positions are distinct, so the order of first sightings is exact.
        shift = size.bit_length()
        keys = np.sort((emitted << shift) | np.flatnonzero(emitted_at))
        ids = keys >> shift
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        counts = np.diff(np.append(starts, len(keys)))
        order = np.argsort(keys[starts] & ((1 << shift) - 1))
        return ids[starts][order], counts[order].astype(np.float32)


def _encode(text: str) -> bytes:
    """py3langid's `_encode` for str input: all-capitals lowered, NFC, UTF-8 keeping lone surrogates."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
