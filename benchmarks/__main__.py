"""python -m benchmarks [--quick] [--results-dir DIR] [--cache-dir DIR] {all,summary,parse,replay,live,memory,incremental,har} [ARGS]

Each benchmark prints a Markdown table and writes benchmarks/results/<name>.json; `all` runs every one (memory
reuses replay's run of the 10,000-page archive) and then benchmarks.aeb (the article-extraction benchmark) when
that module exists and has a main(). `summary` runs nothing: it rebuilds results/summary.json, one table of every
target, from the latest result of each benchmark (after running some of them by name). `python -m benchmarks NAME
--help` lists a benchmark's own options. `--quick` (tiny sizes, the smoke test) writes to
benchmarks/.cache/quick-results/ (untracked), never over the committed results.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import CACHE_DIR, QUICK_RESULTS_DIR, RESULTS_DIR, ROOT, Options, bookkeeping_verdict, machine, note, table, verdict

BENCHMARKS = ("parse", "replay", "live", "memory", "incremental", "har")
ALL_ORDER = ("live", "replay", "memory", "parse", "incremental", "har")


def _module_main(name: str) -> Callable[..., int]:
    module = importlib.import_module(f"benchmarks.{name}")
    main: Callable[..., int] = module.main
    return main


def run_aeb() -> str:
    """benchmarks.aeb is owned elsewhere: run it when it exists and exposes main(), else say why not."""
    if importlib.util.find_spec("benchmarks.aeb") is None:
        return "skipped: benchmarks/aeb.py does not exist"
    module = importlib.import_module("benchmarks.aeb")
    main = getattr(module, "main", None)
    if not callable(main):
        return "skipped: benchmarks.aeb has no main()"
    saved = sys.argv
    sys.argv = ["python -m benchmarks.aeb"]  # its own defaults, not our command line
    try:
        code = main()
    except SystemExit as stop:
        code = stop.code
    finally:
        sys.argv = saved
    return f"ran (exit {code or 0})"


def summary(options: Options, seconds: float | None, aeb: str | None) -> None:
    """One table of every target, from the results just written by `all` (seconds and aeb given), or from the latest
    result of each benchmark, each its own run (`summary`: both None). Written to <results dir>/summary.json.

    A rebuilt summary records no machine: it measured nothing, and the load average at the moment of rebuilding
    would change the file on every rebuild although no figure did (each <name>.json keeps its own run's machine).
    Rows from a --quick result say so in their verdict, so tiny-size figures never pass for measurements."""
    quick_runs: set[str] = set()

    def load(name: str) -> dict[str, Any]:
        path = options.results_dir / f"{name}.json"
        loaded: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        if loaded.get("quick"):
            quick_runs.add(name)
        return loaded

    rows: list[list[Any]] = []
    parse, replay, live, memory, incremental, har = (load(n) for n in ("parse", "replay", "live", "memory",
                                                                        "incremental", "har"))
    if parse:
        rows.append(["parse", "newscrawl parser CPU/page ÷ lxml floor", f"≤ {parse['target_vs_floor']}×",
                     f"{parse['newscrawl_vs_floor']:.2f}×", parse["verdict"]])
    if replay:
        if "speedup_vs_trafilatura" in replay:
            rows.append(["replay", "trafilatura CPU/page ÷ newscrawl replay's (net of start-up)", f"≥ {replay['target_vs_trafilatura']}×",
                         f"{replay['speedup_vs_trafilatura']:.2f}×", replay["verdict_vs_trafilatura"]])
        rows.append(["replay", "newscrawl replay CPU/page (net of start-up) ÷ lxml floor", f"≤ {replay['target_vs_floor']}×",
                     f"{replay['replay_vs_floor']:.2f}×", replay["verdict_vs_floor"]])
        if "speedup_n_jobs_vs_1_wall" in replay:
            rows.append(["replay", f"{replay['jobs']} jobs ÷ 1 job, wall-clock, same feed",
                         f"≥ {replay['target_jobs_speedup']}×", f"{replay['speedup_n_jobs_vs_1_wall']:.2f}×",
                         replay["verdict_jobs_speedup"]])
    for level, values in (live.get("levels") or {}).items():
        rows.append(["live", f"newscrawl CPU ÷ {values.get('baseline', 'bare Scrapy')}'s ({level})", f"≤ {live['target_overhead']}×",
                     f"{values['overhead']:.2f}×", values["verdict"]])
        if "bookkeeping_vs_fetch" in values:
            rows.append(["live", f"crawl bookkeeping CPU (newscrawl − parser, pipelines, feed) ÷ fetch's ({level})",
                         "≤ 1×", f"{values['bookkeeping_vs_fetch']:.2f}×",
                         bookkeeping_verdict(values["bookkeeping_vs_fetch"])])
    if memory:
        small, large = sorted(memory["points"], key=int)
        rows.append(["memory", f"peak RSS growth, {int(small):,} → {int(large):,} pages", f"< {memory['target_growth']:.0%}",
                     f"{memory['growth']:+.1%}", memory["verdict"]])
        if "media" in memory:
            media = memory["media"]
            rows.append(["memory", f"peak RSS growth, a {media['record_mib']} MiB record beside {int(small):,} pages",
                         f"< {memory['target_growth']:.0%}", f"{media['growth']:+.1%}", media["verdict"]])
        if "saved" in memory:
            rows.append(["memory", f"peak RSS growth, {int(small):,} → {int(large):,} saved pages",
                         f"< {memory['target_growth']:.0%}", f"{memory['saved']['growth']:+.1%}",
                         memory["saved"]["verdict"]])
    if har:
        small, large = sorted(har["points"], key=int)
        rows.append(["har", f"peak RSS converting a {large} MB HAR ÷ a {small} MB one", f"< {har['target_ratio']}×",
                     f"{har['ratio']:.2f}×", har["verdict"]])
    for r in incremental.get("runs", [])[1:]:
        rows.append(["incremental", f"article fetches, {r['run']}", str(r["expected_article_fetches"]),
                     str(r["article_fetches"]), "met" if r["met"] else "MISSED"])
    rows += extraction_rows(load("extraction"))
    for row in rows:
        if row[0] in quick_runs:
            row[4] = f"{row[4]}; quick run: tiny sizes, not a measurement"
    info: dict[str, Any] | None = None
    rendered = table("summary", ["benchmark", "measure", "target", "result", "verdict"], rows)
    if seconds is None:
        rendered += ("\n\nRebuilt by `python -m benchmarks summary` from the latest result of each benchmark in "
                     f"{options.results_dir.name}/ (each row is its own run; see each <name>.json for its machine)")
    else:
        info = machine()
        rendered += (f"\n\n{info['nproc']} × {info['cpu']}, Python {info['python']}, load average at the end "
                     f"{info['loadavg']}; `python -m benchmarks all` took {seconds / 60:.1f} min; aeb: {aeb}")
    if quick_runs:
        rendered += (f"\n\nFrom --quick runs (tiny sizes: they prove the benchmarks run, the figures mean nothing): "
                     f"{', '.join(sorted(quick_runs))}")
    print(rendered, flush=True)
    options.results_dir.mkdir(parents=True, exist_ok=True)
    (options.results_dir / "summary.json").write_text(json.dumps(
        {"benchmark": "summary", "machine": info, "seconds": None if seconds is None else round(seconds, 1), "aeb": aeb,
         "quick": options.quick, "quick_runs": sorted(quick_runs), "rebuilt_from_results": seconds is None,
         "table": rendered.splitlines()}, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


EXTRACTION_TARGETS = (  # (corpus, field, what it measures, at least this) from the generic-extraction issue
    ("trafilatura-eval", "f1", "body + title F1, trafilatura-eval (shared half)", 0.95),
    ("aeb", "f1", "body F1, AEB", 0.975),
    ("metadata", "title_exact", "title exact, metadata set", 0.90),
    ("metadata", "date", "published day where shown, metadata set", 0.90),
)
NOT_ARTICLE_TARGET = 0.01  # at most this share of trafilatura-eval's pages judged not-article


def extraction_rows(extraction: dict[str, Any]) -> list[list[Any]]:
    """Rows for benchmarks/extraction.py's targets, newscrawl's figure with trafilatura's beside it."""
    ours, theirs = extraction.get("newscrawl") or {}, extraction.get("trafilatura") or {}
    rows: list[list[Any]] = []
    for corpus, field, measure, target in EXTRACTION_TARGETS:
        value = (ours.get(corpus) or {}).get(field)
        if value is None:
            continue
        other = (theirs.get(corpus) or {}).get(field)
        rows.append(["extraction", measure, f"≥ {target}",
                     f"{value:.3f}" + (f" (trafilatura {other:.3f})" if other is not None else ""),
                     verdict(value, target, lower_is_better=False)])
    unseen = ours.get("trafilatura-eval") or {}
    if unseen.get("pages"):
        missing = unseen["pages"] - unseen["articles"]
        share = missing / unseen["pages"]
        rows.append(["extraction", "pages wrongly judged not-article, trafilatura-eval",
                     f"≤ {NOT_ARTICLE_TARGET:.0%}", f"{share:.1%} ({missing}/{unseen['pages']})",
                     verdict(share, NOT_ARTICLE_TARGET)])
    return rows

def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    cli.add_argument("--quick", action="store_true",
                     help="tiny sizes: checks the benchmarks run (smoke test); results go to "
                          "benchmarks/.cache/quick-results/ unless --results-dir names another folder")
    cli.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                     help="where results are written and `summary` reads them (default benchmarks/results/)")
    cli.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    cli.add_argument("benchmark", choices=("all", "summary", *BENCHMARKS))
    cli.add_argument("args", nargs=argparse.REMAINDER, help="options for that benchmark")
    args = cli.parse_args(argv)
    options = Options(results_dir=args.results_dir, cache_dir=args.cache_dir, quick=args.quick)
    if options.quick and options.results_dir == QUICK_RESULTS_DIR:
        note(f"--quick: results go to {QUICK_RESULTS_DIR.relative_to(ROOT)}/ (untracked), not "
             f"{RESULTS_DIR.relative_to(ROOT)}/: tiny sizes measure nothing worth committing")
    if args.benchmark == "summary":
        if args.args:
            cli.error("`summary` takes no options: it reads benchmarks/results/")
        summary(options, None, None)
        return 0
    if args.benchmark != "all":
        return _module_main(args.benchmark)(args.args, options)
    if args.args:
        cli.error("`all` takes no benchmark options; run a benchmark by name to pass some")
    start = time.perf_counter()
    for name in ALL_ORDER:
        note(f"=== {name} ({time.perf_counter() - start:.0f} s so far)")
        _module_main(name)([], options)
    aeb = "skipped in --quick mode" if options.quick else run_aeb()
    note(f"aeb: {aeb}")
    summary(options, time.perf_counter() - start, aeb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
