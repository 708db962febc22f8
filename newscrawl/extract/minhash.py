"""Near-duplicate text detection: word shingles, MinHash signatures and LSH band keys (pure Python, deterministic).

Why our own (≈80 lines) rather than datasketch: we need one signature per article, a handful of band keys and a
similarity estimate; datasketch would add numpy and scipy to the runtime dependencies for that. Shingles are hashed
with blake2b, so signatures are the same in every process and run (Python's hash() of a string is salted per
process).

    >>> a = signature(shingles("The quick brown fox jumps over the lazy dog near the river bank today"))
    >>> b = signature(shingles("The quick brown fox jumps over the lazy dog near the river bank"))
    >>> similarity(a, b) > 0.6, similarity(a, signature(shingles("Completely different words here now ok")))
    (True, 0.0)
"""

from __future__ import annotations

import hashlib
import operator
import re
import sys
from array import array

SHINGLE_WORDS = 5  # long enough that two different stories on one topic share few shingles
NUM_PERM = 64  # signature positions: bins of the one permutation, chosen by a hash's low 6 bits (a power of 2)
BANDS = 32  # 32 bands of 2 rows: pairs with Jaccard ≥ 0.3 become candidates with probability ≥ 0.95
ROWS = NUM_PERM // BANDS
_VALUE_SHIFT = 7  # the value kept per bin: the hash's top 57 bits, so a densified value (+ t * _SPAN) fits in 64
_SPAN = 1 << (64 - _VALUE_SHIFT)
_MAX = (1 << 64) - 1  # the empty set's positions; no densified value reaches it (63 * _SPAN + _SPAN - 1 < _MAX)
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
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes  # a few hundred grams per article: no lookups per gram
    return {from_bytes(blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams}


def signature(hashes: set[int]) -> array[int]:
    """MinHash signature by one permutation hashing with densification by rotation (Shrivastava & Li, 2014).

    The shingle hashes are already uniform 64-bit values, so their low bits split them into NUM_PERM bins and the
    least remaining value per bin plays the part of one min-wise hash each. That is one pass over the shingles
    instead of NUM_PERM (64 multiplications and modulos per shingle made this a quarter of a crawl's CPU time).
    An empty bin borrows the value of the next non-empty bin to its right, plus its distance times _SPAN, so two
    sets with the same bins fill their empty ones alike and equal positions still estimate Jaccard similarity.
    """
    if not hashes:
        return array("Q", [_MAX] * NUM_PERM)
    bins = [_MAX] * NUM_PERM
    mask = NUM_PERM - 1
    for value in hashes:
        index = value & mask
        rest = value >> _VALUE_SHIFT
        if rest < bins[index]:
            bins[index] = rest
    if _MAX in bins:
        dense = list(bins)
        for index in range(NUM_PERM):
            if bins[index] == _MAX:
                distance = next(d for d in range(1, NUM_PERM) if bins[(index + d) & mask] != _MAX)
                dense[index] = bins[(index + distance) & mask] + distance * _SPAN
        bins = dense
    return array("Q", bins)


def similarity(a: array[int], b: array[int]) -> float:
    """Estimated Jaccard similarity of the two shingle sets (share of equal signature positions)."""
    if a[0] == _MAX or b[0] == _MAX:
        return 0.0
    equal: int = sum(map(operator.eq, a, b))
    return equal / NUM_PERM


def to_bytes(sig: array[int]) -> bytes:
    """A signature as NUM_PERM little-endian uint64 (what the crawl state stores), on any machine.

    >>> sig = signature(shingles("The quick brown fox jumps over the lazy dog near the river bank today"))
    >>> from_bytes(to_bytes(sig)) == sig, len(to_bytes(sig))
    (True, 512)
    """
    stored = array("Q", sig)
    if sys.byteorder == "big":
        stored.byteswap()
    return stored.tobytes()


def from_bytes(data: bytes) -> array[int]:
    """The signature to_bytes() wrote."""
    sig = array("Q")
    sig.frombytes(data)
    if sys.byteorder == "big":
        sig.byteswap()
    return sig


def packed(sig: array[int]) -> int:
    """The signature's positions reduced to one byte each (b-bit minwise hashing, b = 8), packed in one int.

    Comparing two of these is a XOR and a count of zero bytes, done in C: about 20 times cheaper than
    similarity(), which matters because an index checks every LSH candidate, and a day of same-topic coverage
    makes hundreds of candidates per article. The densified distance (top bits) is folded into the byte.
    """
    return int.from_bytes(bytes(((value ^ (value >> 57) * 0x5B) & 0xFF) for value in sig), "little")


def packed_similarity(a: int, b: int) -> float:
    """similarity() estimated from packed() signatures: two different values share a byte 1 time in 256, so
    the share of equal bytes E estimates Jaccard similarity as (E - 1/256) / (1 - 1/256).

    >>> x = packed(signature(shingles("The quick brown fox jumps over the lazy dog near the river bank today")))
    >>> packed_similarity(x, x)
    1.0
    """
    equal = (a ^ b).to_bytes(NUM_PERM, "little").count(0) / NUM_PERM
    return max(0.0, (equal - 1 / 256) / (1 - 1 / 256))


PACKED_SIMILARITY: tuple[float, ...] = tuple(packed_similarity(0, (1 << (8 * (NUM_PERM - equal))) - 1)
                                             for equal in range(NUM_PERM + 1))
"""packed_similarity() by the count of equal bytes (the index), for loops that compare many candidates."""


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
