"""Language detection on the trafilatura-eval pages: `python -m benchmarks.language [--pages DIR] [--limit N]`.

Reference: the page's own <html lang> (or JSON-LD inLanguage), which the generic parser reads, kept only where it
names a language (not "x-default"); disagreements are listed so that a reader can check them by eye — a wrong
declaration is as common as a wrong detection. Text: the generic parser's title + body, what LanguagePipeline reads.
Prints agreement, how often the detector abstains (short or mixed text), and time per article.
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import shared_bench
from newscrawl.extract.language import detect, primary_language
from newscrawl.pipelines.langid_cache import shared_identifier
from newscrawl.parsers.generic import GenericParser

PAGES = shared_bench() / "trafilatura-eval" / "pages"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.language", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    files = sorted(args.pages.glob("*.html.gz"))[: args.limit or None]
    counts: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    seconds = 0.0
    for path in files:
        url_file = path.with_name(path.name.removesuffix(".html.gz") + ".url")
        url = url_file.read_text(encoding="utf-8").strip() if url_file.exists() else "https://example.org/"
        article = GenericParser.from_html(gzip.decompress(path.read_bytes()), url).parse()
        if article is None:
            counts["not an article"] += 1
            continue
        text = f"{article.title}\n\n{article.body}"
        started = time.perf_counter()
        found = detect(text, shared_identifier())  # the pipeline's cached tables
        seconds += time.perf_counter() - started
        counts["articles"] += 1
        declared = primary_language(article.language)
        if found is None:
            counts["abstained"] += 1
        elif declared is None:
            counts["no declaration"] += 1
        elif declared == found.language:
            counts["agree"] += 1
            languages[found.language] += 1
        else:
            counts["disagree"] += 1
            print(f"disagree {path.name}: declared {article.language} detected {found.language} "
                  f"({found.confidence}) :: {text[:100]!r}")
    judged = counts["agree"] + counts["disagree"]
    print(dict(counts))
    print(f"languages where both agree: {dict(languages.most_common())}")
    print(f"agreement with the declared language: {counts['agree']}/{judged} = {counts['agree'] / max(judged, 1):.1%}")
    print(f"detection time: {1000 * seconds / max(counts['articles'], 1):.2f} ms per article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
