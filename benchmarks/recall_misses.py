"""Why the generic parser misses a `with` snippet of the trafilatura evaluation corpus: one line per missed snippet,
with the stage of extract/content.py that lost it, and a count per cause.

    python -m benchmarks.recall_misses            # every miss, then the counts
    python -m benchmarks.recall_misses --counts   # only the counts

A diagnostic for work on the body's recall (issue 18), not a benchmark: it follows one snippet through the stages
of the extractor (page text → pruned copy → blocks → chosen container → kept blocks → trimmed lead → the
boilerplate pipeline) and names the first stage that no longer holds it. Causes:
not_article (the page gave no item), not_in_page (the snippet is not in the page's visible text: scripts,
attributes, or text the corpus annotators typed differently), pruned (dropped with furniture by name/tag),
split (the snippet runs over blocks that the extractor joins differently), outside_root (the chosen container does
not hold it: wrong or too narrow box), dropped_keep (inside, but dropped as a caption/label/link line),
end_marker_or_lead (after an end marker, or outside the lead walk), trimmed_lead (trimmed as byline/standfirst), pipeline (removed as a boilerplate
note), title (a headline snippet, and the title differs).
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import shared_bench  # noqa: E402
from newscrawl.extract import container, content  # noqa: E402
from newscrawl.extract.furniture import prune  # noqa: E402
from newscrawl.extract.segment import segment  # noqa: E402
from newscrawl.parsers.base import Page  # noqa: E402
from newscrawl.parsers.generic import GenericParser  # noqa: E402
from newscrawl.pipelines.boilerplate import clean_article  # noqa: E402


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def cause(snippet: str, parser: GenericParser, article: object, title: str) -> str:
    root = parser.page.selector.root
    if article is None:
        return f"not_article:{getattr(parser, 'not_article_reason', '?')}"
    page_text = norm(" ".join(root.itertext()))
    if snippet not in page_text:
        return "not_in_page"
    if len(snippet) < len(title) + 20 and snippet in norm(" ".join(parser.page.selector.css("h1 ::text").getall())):
        return "title"
    hint = parser.ld.text(parser.node, "articleBody")
    extracted = content.extract_paragraphs(root, hint, title)
    if snippet in norm("\n".join(extracted)):
        paragraphs, _ = parser.paragraphs(title)
        return "pipeline" if snippet in norm("\n".join(paragraphs)) else "trimmed_lead"
    pruned = prune(copy.deepcopy(root))
    blocks = segment(pruned)
    if snippet not in norm(" ".join(b.text for b in blocks)):
        return "pruned"
    if not any(snippet in norm(b.text) for b in blocks):
        return "split"
    hint_words = set(content._WORD.findall(hint)) if hint and len(hint) >= 200 else None
    roots = set(container.choose_roots(blocks, hint_words))
    holding = [b for b in blocks if snippet in norm(b.text)]
    if not any(content._within(b.element, roots) or content._confirmed(b, hint_words) for b in holding):
        return "outside_root"
    if not any(content.keep(b) for b in holding):
        return "dropped_keep"
    return "end_marker_or_lead"


def main() -> int:
    folder = shared_bench() / "trafilatura-eval"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    lines = []
    for page_id, record in sorted(truth.items()):
        sidecar = folder / "pages" / f"{page_id}.url"
        url = sidecar.read_text().strip() if sidecar.exists() else "https://example.invalid/page"
        html = gzip.decompress((folder / "pages" / f"{page_id}.html.gz").read_bytes())
        parser = GenericParser(Page(html, url))
        article = parser.parse()
        if article is not None:
            article = clean_article(article)
        title = article.title if article is not None else ""
        text = norm(f"{title}\n{article.body}" if article is not None else "")
        for snippet in record["with"]:
            snippet = norm(snippet)
            if snippet in text:
                continue
            why = cause(snippet, parser, article, title or "")
            counts[why.split(":")[0]] += 1
            lines.append(f"{why}\t{page_id}\t{parser.page.language}\t{url}\t{snippet[:90]!r}")
    if "--counts" not in sys.argv:
        print("\n".join(sorted(lines)))
    print(json.dumps(counts.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
