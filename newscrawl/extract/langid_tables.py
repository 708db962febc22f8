"""The arrays FastIdentifier scores with, prepared from py3langid's model once per machine and memory-mapped after.

py3langid's model ships LZMA-compressed: decompressing it took ~0.6 s per process, and widening its float16 table
and finding the DFA's depth another ~0.4 s, i.e. ~1 ms per page of a 1,000-page replay and again in every process
of a parallel replay. The prepared arrays are written once as plain .npy files under a cache directory
(NEWSCRAWL_CACHE_DIR, else $XDG_CACHE_HOME/newscrawl, else ~/.cache/newscrawl) in a folder named after the
py3langid version and the model file's size and mtime, and memory-mapped read-only afterwards: loading is a few
milliseconds, processes share the pages, and only the touched rows are resident. An unwritable cache directory
only costs the preparation time (logged at debug level).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

logger = logging.getLogger(__name__)

FORMAT = 1
"""Bumped whenever the prepared arrays change meaning, so an old cache folder is never read."""
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
    def load(cls, cache_root: Path | None = None) -> Tables:
        """The prepared tables from the cache, prepared and cached first if missing."""
        folder = (cache_root or default_cache_root()) / _cache_name()
        try:
            return cls._read(folder)
        except (OSError, ValueError, KeyError):
            pass  # not prepared yet (or a damaged folder): prepare again
        tables = cls.from_py3langid(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
        try:
            tables._write(folder)
        except OSError as error:
            logger.debug("language model tables not cached in %s: %s", folder, error)
        return tables

    @classmethod
    def _read(cls, folder: Path) -> Tables:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        # Plain ndarray views of the maps: np.memmap's subclass hooks would run on every array operation.
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
                  for name in ARRAYS}
        return cls(list(meta["classes"]), [tuple(pair) for pair in meta["alias_pairs"]], int(meta["depth"]), arrays)

    def _write(self, folder: Path) -> None:
        """All files into a temporary sibling, then one rename: a reader sees a whole folder or none."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        for name in ARRAYS:
            np.save(staging / f"{name}.npy", np.ascontiguousarray(self.arrays[name]), allow_pickle=False)
        meta = {"classes": self.classes, "alias_pairs": self.alias_pairs, "depth": self.depth}
        (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        try:
            os.replace(staging, folder)
        except OSError:  # another process got there first: theirs is as good
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()


def default_cache_root() -> Path:
    if os.environ.get("NEWSCRAWL_CACHE_DIR"):
        return Path(os.environ["NEWSCRAWL_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newscrawl"


def _cache_name() -> str:
    model = MODEL_DIR / MODEL_FILE
    stat = model.stat()
    return f"langid-{version('py3langid')}-{stat.st_size}-{stat.st_mtime_ns}-f{FORMAT}"


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
