"""Near-duplicate text detection: word shingles, MinHash signatures and LSH band keys (pure Python, deterministic).

Why our own (≈80 lines) rather than datasketch: we need one signature per article, a handful of band keys and a
similarity estimate; datasketch would add numpy and scipy to the runtime dependencies for that. The hash functions
are seeded, so signatures are the same in every process and run (Python's hash() is salted per process).

    >>> a = signature(shingles("The quick brown fox jumps over the lazy dog near the river bank today"))
    >>> b = signature(shingles("The quick brown fox jumps over the lazy dog near the river bank"))
    >>> similarity(a, b) > 0.6, similarity(a, signature(shingles("Completely different words here now ok")))
    (True, 0.0)
"""

from __future__ import annotations

import hashlib
import random
import re
from array import array

SHINGLE_WORDS = 5  # long enough that two different stories on one topic share few shingles
NUM_PERM = 64
BANDS = 32  # 32 bands of 2 rows: pairs with Jaccard ≥ 0.3 become candidates with probability ≥ 0.95
ROWS = NUM_PERM // BANDS
_PRIME = (1 << 61) - 1
_MAX = (1 << 32) - 1
_rng = random.Random(20250321)  # fixed seed: the same permutations in every process
_PERMUTATIONS = [(_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(NUM_PERM)]
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """Stable 64-bit hashes of the lower-cased word `size`-grams of a text (one shingle for a shorter text).

    >>> len(shingles("a b c d e f")), len(shingles("a b")), shingles("")
    (2, 1, set())
    """
    words = _WORD.findall(text.lower())
    if not words:
        return set()
    grams = [" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1))]
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams}


def signature(hashes: set[int]) -> array[int]:
    """MinHash signature: for each of NUM_PERM seeded hash functions, the least value over the shingles."""
    if not hashes:
        return array("Q", [_MAX] * NUM_PERM)
    values = list(hashes)
    return array("Q", [min(((a * x + b) % _PRIME) & _MAX for x in values) for a, b in _PERMUTATIONS])


def similarity(a: array[int], b: array[int]) -> float:
    """Estimated Jaccard similarity of the two shingle sets (share of equal signature positions)."""
    if a[0] == _MAX or b[0] == _MAX:
        return 0.0
    return sum(x == y for x, y in zip(a, b)) / NUM_PERM


def band_keys(sig: array[int]) -> list[int]:
    """One key per band (band number folded in, so equal rows in different bands do not collide)."""
    return [hash((band, *sig[band * ROWS:(band + 1) * ROWS])) for band in range(BANDS)]


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of the smaller set found in the larger, derived from their Jaccard similarity and sizes.

    A wire story that one outlet cut after five paragraphs is contained in the full copy without being similar
    to it by Jaccard (|A∩B| = J (|A| + |B|) / (1 + J)).

    >>> round(containment(0.25, 100, 400), 2)
    1.0
    """
    if jaccard <= 0 or not size_a or not size_b:
        return 0.0
    shared = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, shared / min(size_a, size_b))
