"""Article-body quality of GenericParser on the Article Extraction Benchmark, next to trafilatura, in one run.

    python benchmarks/aeb.py                 # or: python -m benchmarks.aeb
    python benchmarks/aeb.py --worst 10      # also list the pages newscrawl does worst on
    python benchmarks/aeb.py --min-f1 0.97   # exit 1 when newscrawl's F1 falls below a floor (for CI)

Data and scorer: ../shared/bench/aeb (README.md there). The scorer, evaluate.py, is imported from that folder by
path, never copied, so the numbers are the ones its README compares with the published table. Every page is
parsed by GenericParser.parse() (all fields, not just the body) and, in the same run, by trafilatura.extract()
with its defaults; the trafilatura column is skipped, with a message, when trafilatura is not installed
(`pip install -e '.[bench]'`). Results go to benchmarks/results/aeb.json.

Pages whose id starts with 0–4 (50 of 181) were held out while the extractor was developed; the table shows the
score on them separately, as the honest estimate for unseen sites.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import logging
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
AEB = Path(__file__).resolve().parents[1].parent / "shared/bench/aeb"
RESULTS = Path(__file__).resolve().parent / "results" / "aeb.json"
HELD_OUT_PREFIXES = tuple("01234")
BOOTSTRAP = 1000  # resamples for the ± column, as the upstream table (about 1 s)

if str(ROOT) not in sys.path:  # `python benchmarks/aeb.py` puts benchmarks/, not the repo, on the path
    sys.path.insert(0, str(ROOT))

from newscrawl.parsers.generic import GenericParser  # noqa: E402

logger = logging.getLogger("benchmarks.aeb")


@dataclass
class Run:
    """One extractor's predictions over the benchmark, and how long they took."""

    name: str
    bodies: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def load_scorer(folder: Path) -> ModuleType:
    """evaluate.py from the benchmark folder, imported by path."""
    spec = importlib.util.spec_from_file_location("aeb_evaluate", folder / "evaluate.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {folder / 'evaluate.py'}; is the benchmark at {folder}?")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(folder: Path) -> list[tuple[str, str, str]]:
    """(id, url, html) for every page, in id order."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((folder / "html").glob("*.html.gz")):
        page_id = path.name.split(".")[0]
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            pages.append((page_id, str(truth.get(page_id, {}).get("url") or ""), handle.read()))
    return pages


def run_newscrawl(pages: list[tuple[str, str, str]]) -> Run:
    run = Run("newscrawl", counts={"article": 0, "title": 0, "authors": 0, "published_at": 0, "offset": 0})
    start = time.perf_counter()
    for page_id, url, html in pages:
        article = GenericParser.from_html(html, url or "https://example.invalid/").parse()
        run.bodies[page_id] = article.body if article else ""
        if article is None:
            continue
        run.counts["article"] += 1
        run.counts["title"] += bool(article.title)
        run.counts["authors"] += bool(article.authors)
        run.counts["published_at"] += bool(article.published_at)
        run.counts["offset"] += bool(article.published_at and len(article.published_at) > 19)
    run.seconds = time.perf_counter() - start
    return run


def run_trafilatura(pages: list[tuple[str, str, str]]) -> Run | None:
    try:
        import trafilatura
    except ImportError as error:
        logger.warning("trafilatura is not installed (%s): its column is skipped. pip install -e '.[bench]'", error)
        return None
    version = getattr(trafilatura, "__version__", "?")
    run = Run(f"trafilatura {version}")
    extract: Callable[..., Any] = trafilatura.extract
    start = time.perf_counter()
    for page_id, url, html in pages:
        run.bodies[page_id] = extract(html, url=url or None) or ""
    run.seconds = time.perf_counter() - start
    return run


def score(scorer: ModuleType, truth: dict[str, Any], bodies: dict[str, str], ids: list[str],
          resamples: int = 0) -> dict[str, float]:
    """The scorer's metrics; with `resamples`, also their bootstrap standard deviations (as upstream reports)."""
    rows = [scorer.page_counts(scorer.body_of(truth[i]), bodies.get(i, "")) for i in ids]
    metrics = dict(scorer.aggregate(rows))
    if resamples:
        metrics.update(scorer.bootstrap(rows, resamples, 0))
    return metrics


def worst(scorer: ModuleType, truth: dict[str, Any], bodies: dict[str, str], count: int) -> list[str]:
    lines = []
    for page_id in sorted(truth):
        tp, fp, fn, _ = scorer.page_counts(scorer.body_of(truth[page_id]), bodies.get(page_id, ""))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        lines.append((2 * p * r / (p + r) if p + r else 0.0, p, r, page_id))
    return [f"  F1 {f:.3f} P {p:.3f} R {r:.3f}  {i[:12]}  {truth[i].get('url', '')}"
            for f, p, r, i in sorted(lines)[:count]]


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks.aeb", description=__doc__.splitlines()[0])
    cli.add_argument("--data", type=Path, default=AEB, help=f"benchmark folder (default {AEB})")
    cli.add_argument("--worst", type=int, default=0, metavar="K", help="list newscrawl's K worst pages")
    cli.add_argument("--no-trafilatura", action="store_true", help="skip the trafilatura column")
    cli.add_argument("--min-f1", type=float, default=None, help="exit 1 when newscrawl's F1 is below this")
    cli.add_argument("--output", type=Path, default=RESULTS, help=f"results JSON (default {RESULTS})")
    args = cli.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("newscrawl").setLevel(logging.ERROR)  # broken JSON-LD on benchmark pages is expected
    if not (args.data / "ground-truth.json").exists():
        cli.error(f"no benchmark at {args.data} (expected ground-truth.json, html/, evaluate.py)")

    scorer = load_scorer(args.data)
    truth, _ = scorer.load(str(args.data / "ground-truth.json"))
    pages = load_pages(args.data)
    runs = [run_newscrawl(pages)]
    if not args.no_trafilatura:
        traf = run_trafilatura(pages)
        if traf is not None:
            runs.append(traf)

    ids = sorted(truth)
    held_out = [i for i in ids if i.startswith(HELD_OUT_PREFIXES)]
    development = [i for i in ids if not i.startswith(HELD_OUT_PREFIXES)]
    results: dict[str, Any] = {"pages": len(pages), "machine": machine(), "extractors": {}}
    print(f"AEB: {len(pages)} pages ({len(held_out)} held out during development)   {results['machine']}")
    print(f"{'extractor':<20} {'F1':>6} {'± std':>6} {'P':>6} {'R':>6} {'acc':>6} {'pages/s':>8}   "
          f"{'F1 dev':>6} {'F1 held-out':>11}")
    for run in runs:
        overall = score(scorer, truth, run.bodies, ids, resamples=BOOTSTRAP)
        split = {"development": score(scorer, truth, run.bodies, development)["f1"],
                 "held_out": score(scorer, truth, run.bodies, held_out)["f1"]}
        speed = len(pages) / run.seconds if run.seconds else 0.0
        print(f"{run.name:<20} {overall['f1']:6.3f} {overall['f1_std']:6.3f} {overall['precision']:6.3f} "
              f"{overall['recall']:6.3f} "
              f"{overall['accuracy']:6.3f} {speed:8.1f}   {split['development']:6.3f} {split['held_out']:11.3f}")
        results["extractors"][run.name] = {**overall, "pages_per_second": speed, "f1_by_split": split,
                                           "field_counts": run.counts}
    counts = runs[0].counts
    print(f"newscrawl fields: {counts['article']}/{len(pages)} pages parsed as articles; title {counts['title']}, "
          f"authors {counts['authors']}, published_at {counts['published_at']} "
          f"(with an offset {counts['offset']})")
    if args.worst:
        print(f"newscrawl's {args.worst} worst pages:")
        print("\n".join(worst(scorer, truth, runs[0].bodies, args.worst)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    f1 = results["extractors"]["newscrawl"]["f1"]
    if args.min_f1 is not None and f1 < args.min_f1:
        logger.error("newscrawl F1 %.3f is below the floor %.3f", f1, args.min_f1)
        return 1
    return 0


def machine() -> str:
    """CPU model, core count and Python version, for the README table."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    sys.exit(main())
