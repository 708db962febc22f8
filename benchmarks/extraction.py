"""Generic extraction side by side: newscrawl's GenericParser next to trafilatura on AEB, trafilatura-eval and,
when it exists, the hand-checked metadata set (benchmarks/metadata/), in one run.

    python -m benchmarks.extraction            # prints a Markdown table, writes benchmarks/results/extraction.json

Both extractors are measured as a user calls them: newscrawl `GenericParser.from_html(html, url).parse()`,
trafilatura `bare_extraction(html, url=…, with_metadata=True)` with its defaults. The prediction scored on
trafilatura-eval is title + "\\n" + body (some of its snippets are headlines; a page with no article is a miss),
on AEB the body alone, both with the corpus's own evaluate.py, imported by path. Data: ../shared/bench/ (found in
the nearest ancestor folder that has it, so worktrees find it too).
"""

from __future__ import annotations

import importlib

import gzip
import importlib.util
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.aeb import load_pages, load_scorer  # noqa: E402
from newscrawl.parsers.generic import GenericParser  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "extraction.json"
DEVSET = ROOT / "benchmarks" / "metadata" / "devset.json"
logger = logging.getLogger(__name__)
Fields = dict[str, Any]  # title, authors, published (YYYY-MM-DD or None), text
Extractor = Callable[[str | bytes, str], Fields | None]
Pages = list[tuple[str, str, str | bytes]]  # (id, url, html)


def shared_bench() -> Path:
    for folder in (ROOT, *ROOT.parents):
        if (folder / "shared" / "bench").is_dir():
            return folder / "shared" / "bench"
    raise SystemExit("no shared/bench folder next to the repository or above it")


def newscrawl(html: str | bytes, url: str) -> Fields | None:
    article = GenericParser.from_html(html, url).parse()
    if article is None:
        return None
    return {"title": article.title, "body": article.body, "authors": article.authors,
            "published": (article.published_at or "")[:10] or None}


def trafilatura(html: str | bytes, url: str) -> Fields | None:
    from trafilatura import bare_extraction

    doc = bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
    return {"title": data.get("title") or "", "body": data.get("text") or "", "authors": authors,
            "published": (data.get("date") or "")[:10] or None}


def extractors() -> dict[str, Extractor]:
    found: dict[str, Extractor] = {"newscrawl": newscrawl}
    if importlib.util.find_spec("trafilatura") is not None:
        found["trafilatura"] = trafilatura
    else:
        logger.warning("trafilatura is not installed: its column is skipped (pip install -e '.[bench]')")
    return found


def trafilatura_eval_pages(folder: Path) -> Pages:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, record in sorted(truth.items()):
        sidecar = folder / "pages" / f"{page_id}.url"
        url = sidecar.read_text().strip() if sidecar.exists() else str(record.get("url") or "")
        if not url.startswith("http"):
            url = "https://example.invalid/page"
        # bytes, as a crawl hands them over: each extractor decodes them its own way (charset detection)
        pages.append((page_id, url, gzip.decompress((folder / "pages" / f"{page_id}.html.gz").read_bytes())))
    return pages


def run(extract: Extractor, pages: Pages) -> tuple[dict[str, Fields], float]:
    found: dict[str, Fields] = {}
    start = time.perf_counter()
    for page_id, url, html in pages:
        try:
            fields = extract(html, url)
        except Exception as error:  # noqa: BLE001 - one page's crash is that page's miss, named in the log
            logger.warning("%s failed on %s: %s", extract.__name__, page_id, error)
            fields = None
        if fields is not None:
            found[page_id] = fields
    return found, 1000 * (time.perf_counter() - start) / max(len(pages), 1)


def metadata_scores(scorer: ModuleType, devset: list[dict[str, Any]],
                    found: dict[str, dict[str, Fields]]) -> dict[str, Any]:
    predictions = {f"{source}/{page_id}": {k: fields.get(k) for k in ("title", "authors", "published")}
                   for source, pages in found.items() for page_id, fields in pages.items()}
    return dict(scorer.score(devset, predictions))


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    bench = shared_bench()
    corpora: dict[str, Pages] = {"aeb": list(load_pages(bench / "aeb")), "trafilatura-eval": trafilatura_eval_pages(bench / "trafilatura-eval")}
    aeb_scorer, te_scorer = load_scorer(bench / "aeb"), load_scorer(bench / "trafilatura-eval")
    aeb_truth = json.loads((bench / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    te_truth = json.loads((bench / "trafilatura-eval" / "truth.json").read_text(encoding="utf-8"))
    devset = json.loads(DEVSET.read_text(encoding="utf-8")) if DEVSET.exists() else None
    meta_scorer = importlib.import_module("benchmarks.metadata.score") if devset is not None else None
    results: dict[str, Any] = {}
    print("| extractor | corpus | F1 | P | R | pages with an article | ms/page |\n|---|---|---|---|---|---|---|")
    for name, extract in extractors().items():
        found = {corpus: run(extract, pages) for corpus, pages in corpora.items()}
        aeb_found, aeb_ms = found["aeb"]
        aeb_ids = [page_id for page_id, _, _ in corpora["aeb"]]
        rows = [aeb_scorer.page_counts(aeb_scorer.body_of(aeb_truth[i]), aeb_found.get(i, {}).get("body", ""))
                for i in aeb_ids]
        aeb_metrics = dict(aeb_scorer.aggregate(rows))
        te_found, te_ms = found["trafilatura-eval"]
        te_metrics = te_scorer.score(te_truth, {i: f["title"] + "\n" + f["body"] for i, f in te_found.items()})
        results[name] = {
            "aeb": {"f1": aeb_metrics["f1"], "precision": aeb_metrics["precision"], "recall": aeb_metrics["recall"],
                    "articles": len(aeb_found), "pages": len(aeb_ids), "ms_per_page": round(aeb_ms, 1)},
            "trafilatura-eval": {"f1": te_metrics["f1"], "precision": te_metrics["precision"],
                                 "recall": te_metrics["recall"], "articles": len(te_found),
                                 "pages": len(te_truth), "ms_per_page": round(te_ms, 1)},
        }
        if devset is not None and meta_scorer is not None:
            results[name]["metadata"] = metadata_scores(
                meta_scorer, devset, {corpus: pages for corpus, (pages, _) in found.items()})
        for corpus in ("aeb", "trafilatura-eval"):
            r = results[name][corpus]
            print(f"| {name} | {corpus} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} | "
                  f"{r['articles']}/{r['pages']} | {r['ms_per_page']} |")
    for name, result in results.items():
        print(f"{name} metadata: {result.get('metadata', 'skipped: benchmarks/metadata/devset.json not present')}")
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
