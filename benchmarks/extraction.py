"""Generic extraction side by side: newscrawl's GenericParser next to trafilatura and readability-lxml on AEB,
trafilatura-eval and, when it exists, the hand-checked metadata set (benchmarks/metadata/), in one run.

    python -m benchmarks.extraction            # prints a Markdown table, writes benchmarks/results/extraction.json

Each extractor is measured as a user calls it: newscrawl `GenericParser.from_html(html, url).parse()`,
trafilatura `bare_extraction(html, url=…, with_metadata=True)` with its defaults, readability-lxml
`Document(html)` with `short_title()` and `summary()` (it finds no authors or dates: "—" in the table).
The title, author and date columns are the metadata dev set's figures for that corpus's pages (title exact, authors
equal as sets, published day on pages that show one); the "metadata set" rows are all 212 pages. ms/page is
CPU time per page (process time, so other load on the machine does not count). The prediction scored on
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
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import shared_bench  # noqa: E402
from benchmarks.aeb import load_pages, load_scorer  # noqa: E402
from newscrawl.parsers.generic import GenericParser  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "extraction.json"
DEVSET = ROOT / "benchmarks" / "metadata" / "devset.json"
logger = logging.getLogger(__name__)
Fields = dict[str, Any]  # title, authors, published (YYYY-MM-DD or None), text
Extractor = Callable[[str | bytes, str], Fields | None]
Pages = list[tuple[str, str, str | bytes]]  # (id, url, html)


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


def readability(html: str | bytes, url: str) -> Fields | None:
    import lxml.html
    from readability import Document

    # readability-lxml 0.8 reads only text (its charset regexes are str patterns): decode as a user of it does,
    # by the page's declared charset, else UTF-8, bad bytes replaced.
    if isinstance(html, bytes):
        declared = re.search(rb"""charset=["']?([\w-]+)""", html[:4096])
        codec = declared.group(1).decode("ascii") if declared else "utf-8"
        try:
            text = html.decode(codec, errors="replace")
        except LookupError:
            text = html.decode("utf-8", errors="replace")
    else:
        text = html
    doc = Document(text, url=url)
    summary = doc.summary(html_partial=True)
    text = "\n".join(t.strip() for t in lxml.html.fromstring(summary).itertext() if t.strip()) if summary else ""
    if not text:
        return None
    return {"title": doc.short_title() or "", "body": text, "authors": None, "published": None}


# What each tool can find: readability-lxml has no author or date extraction.
FINDS = {"newscrawl": ("title", "authors", "published"), "trafilatura": ("title", "authors", "published"),
         "readability": ("title",)}


def extractors() -> dict[str, Extractor]:
    found: dict[str, Extractor] = {"newscrawl": newscrawl}
    for name, module, extract in (("trafilatura", "trafilatura", trafilatura),
                                  ("readability", "readability", readability)):
        if importlib.util.find_spec(module) is not None:
            found[name] = extract
        else:
            logger.warning("%s is not installed: its column is skipped (pip install -e '.[bench]')", name)
    return found


def trafilatura_eval_pages(folder: Path) -> Pages:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    pages: Pages = []
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
    # CPU time of this process: the figure does not depend on what else the machine runs at the same time.
    start = time.process_time()
    for page_id, url, html in pages:
        try:
            fields = extract(html, url)
        except Exception as error:  # noqa: BLE001 - one page's crash is that page's miss, named in the log
            logger.warning("%s failed on %s: %s", extract.__name__, page_id, error)
            fields = None
        if fields is not None:
            found[page_id] = fields
    return found, 1000 * (time.process_time() - start) / max(len(pages), 1)


def metadata_scores(scorer: ModuleType, devset: list[dict[str, Any]], found: dict[str, dict[str, Fields]],
                    finds: tuple[str, ...] = ("title", "authors", "published")) -> dict[str, Any]:
    """The dev set's figures for these pages; a field the tool cannot find is reported as None, not as a score."""
    predictions = {f"{source}/{page_id}": {k: fields.get(k) for k in ("title", "authors", "published")}
                   for source, pages in found.items() for page_id, fields in pages.items()}
    scores = dict(scorer.score(devset, predictions))
    missing = {"authors": ("authors", "authors_byline", "authors_no_byline"), "published": ("date", "no_date")}
    for field, keys in missing.items():
        if field not in finds:
            scores.update({key: None for key in keys})
            scores.get("counts", {}).update({key: None for key in keys})
    return scores


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    bench = shared_bench()
    corpora: dict[str, Pages] = {"aeb": list(load_pages(bench / "aeb")),
                                 "trafilatura-eval": trafilatura_eval_pages(bench / "trafilatura-eval")}
    aeb_scorer, te_scorer = load_scorer(bench / "aeb"), load_scorer(bench / "trafilatura-eval")
    aeb_truth = json.loads((bench / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    te_truth = json.loads((bench / "trafilatura-eval" / "truth.json").read_text(encoding="utf-8"))
    devset = json.loads(DEVSET.read_text(encoding="utf-8")) if DEVSET.exists() else None
    meta_scorer = importlib.import_module("benchmarks.metadata.score") if devset is not None else None
    results: dict[str, Any] = {}
    rows: list[str] = []
    for name, extract in extractors().items():
        found = {corpus: run(extract, pages) for corpus, pages in corpora.items()}
        aeb_found, aeb_ms = found["aeb"]
        aeb_ids = [page_id for page_id, _, _ in corpora["aeb"]]
        counts = [aeb_scorer.page_counts(aeb_scorer.body_of(aeb_truth[i]), aeb_found.get(i, {}).get("body", ""))
                  for i in aeb_ids]
        aeb_metrics = dict(aeb_scorer.aggregate(counts))
        te_found, te_ms = found["trafilatura-eval"]
        te_metrics = te_scorer.score(te_truth, {i: f["title"] + "\n" + f["body"] for i, f in te_found.items()})
        results[name] = {
            "aeb": {"f1": aeb_metrics["f1"], "precision": aeb_metrics["precision"], "recall": aeb_metrics["recall"],
                    "articles": len(aeb_found), "pages": len(aeb_ids), "ms_per_page": round(aeb_ms, 1)},
            "trafilatura-eval": {"f1": te_metrics["f1"], "precision": te_metrics["precision"],
                                 "recall": te_metrics["recall"], "articles": len(te_found),
                                 "pages": len(te_truth), "ms_per_page": round(te_ms, 1)},
        }
        pages = {corpus: found_pages for corpus, (found_pages, _) in found.items()}
        if devset is not None and meta_scorer is not None:
            for corpus in corpora:
                results[name][corpus]["metadata"] = metadata_scores(
                    meta_scorer, [p for p in devset if p["source"] == corpus], {corpus: pages[corpus]}, FINDS[name])
            results[name]["metadata"] = metadata_scores(meta_scorer, devset, pages, FINDS[name])
            n_meta = len(devset)
            ms_meta = sum(results[name][c]["ms_per_page"] * sum(p["source"] == c for p in devset)
                          for c in corpora) / max(n_meta, 1)
            results[name]["metadata"]["ms_per_page"] = round(ms_meta, 1)
        for corpus in corpora:
            r = results[name][corpus]
            m = r.get("metadata", {})
            rows.append(f"| {name} | {corpus} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} | "
                        f"{_cell(m.get('title_exact'))} | {_cell(m.get('authors'))} | {_cell(m.get('date'))} | "
                        f"{r['articles']}/{r['pages']} | {r['ms_per_page']} |")
        if "metadata" in results[name]:
            m = results[name]["metadata"]
            rows.append(f"| {name} | metadata set ({m['pages']}) | | | | {_cell(m.get('title_exact'))} | "
                        f"{_cell(m.get('authors'))} | {_cell(m.get('date'))} | | ~{m['ms_per_page']} |")
    print("| extractor | corpus | F1 | P | R | title | authors | date (day) | pages with an article | ms/page |\n"
          "|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(sorted(rows, key=lambda row: row.split(" | ")[1])))
    print("title = exact headline, authors = the set of names, date = published day on pages that show one "
          "(benchmarks/metadata/README.md); — = the tool does not extract it")
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
