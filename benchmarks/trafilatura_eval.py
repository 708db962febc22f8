"""The trafilatura evaluation corpus replayed as a crawl: how many pages become items, and the snippet score.

    python benchmarks/trafilatura_eval.py            # or: python -m benchmarks.trafilatura_eval
    python benchmarks/trafilatura_eval.py --trafilatura   # also score trafilatura.extract() on the same pages

This is the crawl-level figure: `scrapy crawl news -a replay=…/pages` through every pipeline, as a user runs it,
so an item lost to validation or a page judged not an article counts as a page with no prediction. Items map back
to page ids by URL (the .url sidecar) or, for pages without one, by provenance.body_sha256 (the SHA-256 of the
page's bytes). The prediction is title + newline + body, as the corpus README asks; its evaluate.py scores it.
Data and scorer: ../shared/bench/trafilatura-eval (read there, never copied). Results: benchmarks/results/
trafilatura-eval.json.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The shared data sits next to the checkout (../shared) or, for a worktree, next to an ancestor: the nearest wins.
CORPUS = next((folder / "shared" / "bench" / "trafilatura-eval" for folder in ROOT.parents
               if (folder / "shared" / "bench" / "trafilatura-eval").is_dir()),
              ROOT.parent / "shared" / "bench" / "trafilatura-eval")
RESULTS = Path(__file__).resolve().parent / "results" / "trafilatura-eval.json"


def scorer() -> Any:
    spec = importlib.util.spec_from_file_location("trafilatura_eval_scorer", CORPUS / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_ids() -> tuple[dict[str, str], dict[str, str]]:
    """(URL → id, body SHA-256 → id) for every page of the corpus."""
    by_url, by_digest = {}, {}
    for path in sorted((CORPUS / "pages").glob("*.html.gz")):
        page_id = path.name.removesuffix(".html.gz")
        sidecar = path.with_name(f"{page_id}.url")
        if sidecar.exists():
            by_url[sidecar.read_text(encoding="utf-8").strip()] = page_id
        by_digest[hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()] = page_id
    return by_url, by_digest


def crawl(workdir: Path) -> tuple[list[dict[str, Any]], float, dict[str, Any]]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"replay={CORPUS / 'pages'}",
                    "-O", "items.jsonl", "-s", "LOG_LEVEL=WARNING", "-s", "LOG_FILE=crawl.log"],
                   cwd=workdir, env=env, check=True)
    elapsed = time.perf_counter() - started
    items = [json.loads(line) for line in (workdir / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    (report,) = (workdir / "output" / "news").glob("*.report.json")
    return items, elapsed, json.loads(report.read_text(encoding="utf-8"))


def predictions(items: list[dict[str, Any]]) -> dict[str, str]:
    by_url, by_digest = page_ids()
    found: dict[str, str] = {}
    for item in items:
        provenance = item.get("provenance") or {}
        page_id = by_url.get(provenance.get("response_url") or "") or by_digest.get(provenance.get("body_sha256") or "")
        if page_id:
            found[page_id] = f"{item.get('title') or ''}\n{item.get('body') or ''}"
    return found


def trafilatura_predictions() -> dict[str, str]:
    import trafilatura

    found = {}
    for path in sorted((CORPUS / "pages").glob("*.html.gz")):
        text = trafilatura.extract(gzip.decompress(path.read_bytes()), include_comments=False, include_tables=True)
        if text:
            found[path.name.removesuffix(".html.gz")] = text
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trafilatura", action="store_true", help="score trafilatura.extract() too")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} not found")
        return 0
    evaluate = scorer()
    truth = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        items, elapsed, report = crawl(Path(folder))
    ours = predictions(items)
    result: dict[str, Any] = {
        "pages": len(truth), "items": len(items), "pages_with_item": len(ours),
        "share_with_item": round(len(ours) / len(truth), 4), "seconds": round(elapsed, 1),
        "newscrawl": evaluate.score(truth, ours), "not_article_pages": report["counts"]["not_article_pages"],
        "dropped": report["counts"]["dropped"], "quality": report["counts"].get("quality", {}),
    }
    lines = [f"trafilatura-eval (crawl level): {len(ours)}/{len(truth)} pages with an item "
             f"({result['share_with_item']:.1%}), {elapsed:.1f} s",
             "| extractor | F1 | P | R |", "|---|---|---|---|",
             "| newscrawl `scrapy crawl news -a replay=` | {f1:.3f} | {precision:.3f} | {recall:.3f} |".format(
                 **result["newscrawl"])]
    if args.trafilatura:
        result["trafilatura"] = evaluate.score(truth, trafilatura_predictions())
        lines.append("| trafilatura `extract()` | {f1:.3f} | {precision:.3f} | {recall:.3f} |".format(
            **result["trafilatura"]))
    print("\n".join(lines))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
