"""The fast language detector against py3langid's own: `python -m benchmarks.language_exact [--limit N] [DIR ...]`.

For every page (default: the trafilatura-eval and AEB pages), the texts LanguagePipeline would read (the generic
parser's title + body, cut to MAX_CHARS) plus harder variants of the same page (its first 200 characters, the raw
HTML's first MAX_CHARS characters: markup, scripts, mixed scripts) are classified by py3langid's
`LanguageIdentifier.classify` and by newscrawl's FastIdentifier. Prints how many (language, confidence) pairs differ
in any bit (must be 0), and each one's time per page.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from benchmarks.common import shared_bench
from newscrawl.extract.langid_fast import FastIdentifier
from newscrawl.extract.language import MAX_CHARS
from newscrawl.parsers.generic import GenericParser
from newscrawl.pipelines.langid_cache import load_tables

BENCH = shared_bench()
DIRS = [BENCH / "trafilatura-eval" / "pages", BENCH / "aeb" / "html"]


def page_texts(path: Path) -> tuple[str | None, list[str]]:
    """(what LanguagePipeline reads or None for a non-article, harder variants of the same page)."""
    html = gzip.decompress(path.read_bytes())
    article = GenericParser.from_html(html, "https://example.org/article").parse()
    raw = html.decode("utf-8", errors="replace")[:MAX_CHARS]
    if article is None:
        return None, [raw]
    text = f"{article.title}\n\n{article.body}"[:MAX_CHARS]
    return text, [text[:200], raw]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.language_exact", description=__doc__.split("\n")[0])
    parser.add_argument("dirs", type=Path, nargs="*", default=DIRS)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    files = [path for folder in args.dirs for path in sorted(folder.glob("*.html.gz"))[: args.limit or None]]
    started = time.perf_counter()
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    loaded = time.perf_counter()
    fast = FastIdentifier(load_tables())  # what LanguagePipeline uses: the cached, memory-mapped tables
    print(f"py3langid model load {loaded - started:.2f} s, fast tables load {time.perf_counter() - loaded:.2f} s")
    main_texts: list[str] = []
    compared = differ = 0
    for path in files:
        text, variants = page_texts(path)
        main_texts += [text] if text is not None else []
        for sample in ([text] if text is not None else []) + variants:
            compared += 1
            old, new = reference.classify(sample), fast.classify(sample)
            if old != new:
                differ += 1
                print(f"DIFFER {path.name}: py3langid {old} fast {new} :: {sample[:80]!r}")
    print(f"{len(files)} pages, {compared} texts compared, {differ} differ")
    for name, classify in (("py3langid", reference.classify), ("fast", fast.classify)):
        started = time.perf_counter()
        for text in main_texts:
            classify(text)
        print(f"{name}: {1000 * (time.perf_counter() - started) / max(len(main_texts), 1):.3f} ms per article "
              f"({len(main_texts)} articles)")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
