"""parse: Devdiscourse parser (+ cleaning) pages/s vs the lxml floor and trafilatura, on the same rendered pages.

    python -m benchmarks parse [--pages 300] [--rounds 3] [--profile]

Pages come from tests/sitegen: `corpus(n)` rendered as the mirror serves them (desktop template, both template
revisions, the mobile view for live blogs), each with its own sidebar. Contenders run interleaved, one pass each
per round; the fastest round counts. Target: newscrawl ≤ 2× the floor's time per page.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
from typing import Any

from benchmarks import extractors
from benchmarks.common import Options, best, interleaved, note, table, verdict, write_result
from benchmarks.extractors import HtmlPage
from benchmarks.mirror import fast_mirror_context
from tests.sitegen.corpus import corpus
from tests.sitegen.devdiscourse import canonical_url, render_desktop, render_mobile

TARGET_VS_FLOOR = 2.0


def rendered_pages(n: int, seed: int = 1) -> list[HtmlPage]:
    """`n` varied article pages: every 4th uses the older template revision (a3af7e3), live blogs the mobile view."""
    specs = corpus(n, seed=seed)
    pages = []
    with fast_mirror_context(specs) as context:
        for index, spec in enumerate(specs):
            if spec.type == "LiveBlog":
                html = render_mobile(spec)
            else:
                html = render_desktop(spec, revision="a3af7e3" if index % 4 == 3 else "head",
                                      context=context(specs, spec))
            pages.append(HtmlPage(canonical_url(spec), html.encode("utf-8")))
    return pages


def profile(pages: list[HtmlPage], top: int = 30) -> str:
    """cProfile of the newscrawl contender: where a page's time goes."""
    profiler = cProfile.Profile()
    profiler.runcall(extractors.newscrawl, pages)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def run(options: Options, n_pages: int = 300, rounds: int = 3, with_profile: bool = False) -> dict[str, Any]:
    if options.quick:
        n_pages, rounds = min(n_pages, 12), 1
    note(f"parse: rendering {n_pages} pages")
    pages = rendered_pages(n_pages)
    contenders = {"floor": lambda: extractors.floor(pages), "newscrawl": lambda: extractors.newscrawl(pages)}
    if extractors.trafilatura_available():
        contenders["trafilatura"] = lambda: extractors.trafilatura(pages)
    else:
        note("parse: trafilatura is not installed (pip install trafilatura); its column is skipped")
    articles = extractors.newscrawl(pages)  # warm-up (imports, selector caches) and a sanity check
    if articles != len(pages):
        raise AssertionError(f"newscrawl parsed {articles} of {len(pages)} article pages")
    note(f"parse: {rounds} interleaved rounds of {', '.join(contenders)}")
    timings = {name: best(runs) for name, runs in interleaved(contenders, rounds).items()}
    per_page = {name: {"wall_ms": t.wall / len(pages) * 1000, "cpu_ms": t.cpu / len(pages) * 1000,
                       "pages_per_s": len(pages) / t.wall} for name, t in timings.items()}
    floor_ms = per_page["floor"]["cpu_ms"]
    ratio = per_page["newscrawl"]["cpu_ms"] / floor_ms
    rows = []
    for name, values in per_page.items():
        rows.append([name, values["pages_per_s"], values["wall_ms"], values["cpu_ms"],
                     f"{values['cpu_ms'] / floor_ms:.2f}×"])
    result: dict[str, Any] = {
        "pages": len(pages), "rounds": rounds, "per_page": per_page,
        "newscrawl_vs_floor": round(ratio, 3), "target_vs_floor": TARGET_VS_FLOOR,
        "verdict": verdict(ratio, TARGET_VS_FLOOR),
    }
    if "trafilatura" in per_page:
        result["trafilatura_vs_newscrawl"] = round(per_page["trafilatura"]["cpu_ms"] / per_page["newscrawl"]["cpu_ms"], 3)
    rendered = table(f"parse — {len(pages)} rendered Devdiscourse pages, best of {rounds} interleaved rounds",
                     ["extractor", "pages/s", "wall ms/page", "CPU ms/page", "× floor (CPU)"], rows)
    rendered += (f"\n\nnewscrawl / floor = {ratio:.2f}× (target ≤ {TARGET_VS_FLOOR}×): {result['verdict']}")
    if "trafilatura_vs_newscrawl" in result:
        rendered += f"\ntrafilatura / newscrawl = {result['trafilatura_vs_newscrawl']:.2f}× (newscrawl faster by that)"
    if with_profile:
        rendered += "\n\n```\n" + profile(pages) + "```"
    write_result(options, "parse", result, rendered)
    return result


def main(argv: list[str] | None = None, options: Options | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks parse", description=__doc__.splitlines()[0])
    cli.add_argument("--pages", type=int, default=300)
    cli.add_argument("--rounds", type=int, default=3)
    cli.add_argument("--profile", action="store_true", help="append a cProfile of the newscrawl contender")
    args = cli.parse_args(argv)
    run(options or Options(), args.pages, args.rounds, args.profile)
    return 0
