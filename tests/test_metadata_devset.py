"""The metadata dev set (benchmarks/metadata) is well formed, points at real benchmark pages, and its scorer
tells right from wrong."""

from __future__ import annotations

import copy
import datetime
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.metadata.score import DEVSET, key, load, score, title_exact, title_lenient

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"
FIELDS = {"source", "id", "url", "title", "authors", "published", "language", "kind"}
KINDS = {"news", "magazine", "blog", "government", "company", "other"}


def perfect(devset: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Predictions that repeat the dev set."""
    return {key(p): {"title": p["title"], "authors": list(p["authors"]), "published": p["published"]}
            for p in devset}


def test_devset_is_well_formed() -> None:
    devset = load()
    assert len(devset) >= 150
    assert len({key(p) for p in devset}) == len(devset), "duplicate source/id"
    for page in devset:
        where = key(page)
        assert FIELDS <= set(page) <= FIELDS | {"note"}, where
        assert page["source"] in {"aeb", "trafilatura-eval"}, where
        assert isinstance(page["title"], str) and page["title"].strip() == page["title"] != "", where
        assert isinstance(page["authors"], list), where
        for name in page["authors"]:
            assert isinstance(name, str) and name.strip() == name != "", where
            assert not re.match(r"(?i)(by|von|par|por)\s", name), f"{where}: byline word left in {name!r}"
        if page["published"] is not None:
            assert datetime.date.fromisoformat(page["published"]).isoformat() == page["published"], where
        assert re.fullmatch(r"[a-z]{2,3}", page["language"]), where
        assert page["kind"] in KINDS, where
        assert page["url"] is None or page["url"].startswith(("http://", "https://")), where


def test_devset_mixes_sources_languages_and_kinds() -> None:
    devset = load()
    sources = {p["source"] for p in devset}
    languages = {p["language"] for p in devset}
    kinds = {p["kind"] for p in devset}
    assert sources == {"aeb", "trafilatura-eval"}
    assert {"en", "de", "fr"} <= languages
    assert {"news", "magazine", "blog", "government", "company"} <= kinds
    assert any(not p["authors"] for p in devset) and any(p["published"] is None for p in devset)


@pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench is not beside the repository")
def test_devset_pages_exist_in_the_benchmarks() -> None:
    aeb_truth = json.loads((BENCH / "aeb/ground-truth.json").read_text(encoding="utf-8"))
    te_truth = json.loads((BENCH / "trafilatura-eval/truth.json").read_text(encoding="utf-8"))
    for page in load():
        if page["source"] == "aeb":
            path = BENCH / "aeb/html" / f"{page['id']}.html.gz"
            assert page["url"] == aeb_truth[page["id"]]["url"], key(page)
        else:
            path = BENCH / "trafilatura-eval/pages" / f"{page['id']}.html.gz"
            upstream = te_truth[page["id"]].get("url") or ""
            assert page["url"] in (upstream, None), key(page)
        assert path.is_file(), key(page)


@pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench is not beside the repository")
def test_recorded_titles_are_on_the_page() -> None:
    """Spot check against the raw bytes: every headline's first words occur in its page."""
    for page in load():
        folder = "aeb/html" if page["source"] == "aeb" else "trafilatura-eval/pages"
        html = gzip.open(BENCH / folder / f"{page['id']}.html.gz").read().decode("utf-8", "replace")
        words = re.findall(r"\w{4,}", page["title"])[:2]
        for word in words:
            assert word in html, f"{key(page)}: {word!r} of the title not in the page"


def test_the_devset_scores_perfectly_against_itself() -> None:
    devset = load()
    result = score(devset, perfect(devset))
    assert result["pages"] == result["predicted"] == len(devset)
    for name in ("title_exact", "title_lenient", "authors", "authors_byline", "authors_no_byline", "date",
                 "no_date"):
        assert result[name] == 1.0, name


def test_wrong_predictions_score_below_one() -> None:
    devset = load()
    dated = next(p for p in devset if p["published"])
    undated = next(p for p in devset if p["published"] is None)
    with_byline = next(p for p in devset if p["authors"])
    preds = perfect(devset)
    preds[key(dated)]["published"] = "1999-01-01"
    preds[key(undated)]["published"] = "2020-02-02T10:00:00+01:00"
    preds[key(with_byline)]["authors"] = ["Somebody Else"]
    preds[key(devset[0])]["title"] = "A different headline altogether"
    result = score(devset, preds)
    assert result["date"] < 1 and result["no_date"] < 1
    assert result["authors"] < 1 and result["authors_byline"] < 1
    assert result["title_exact"] < 1 and result["title_lenient"] < 1
    assert result["counts"]["date"][0] == result["counts"]["date"][1] - 1


def test_missing_predictions_count_as_empty() -> None:
    devset = load()
    result = score(devset, {})
    assert result["predicted"] == 0
    assert result["title_exact"] == 0.0 and result["date"] == 0.0
    assert result["no_date"] == 1.0 and result["authors_no_byline"] == 1.0 and result["authors_byline"] == 0.0


def test_normalisation_and_iso_forms() -> None:
    devset = copy.deepcopy(load())
    preds = perfect(devset)
    for page in devset:
        guess = preds[key(page)]
        guess["title"] = page["title"].upper().replace("’", "'")
        guess["authors"] = [f"By {name.lower()}" for name in reversed(page["authors"])]
        if page["published"]:
            guess["published"] = page["published"] + "T23:59:00-05:00"
    result = score(devset, preds)
    assert result["title_exact"] == result["authors"] == result["date"] == 1.0
    assert title_exact("Anthony Lynn: “We needed to win this game”", 'anthony lynn: "we needed to win this game"')
    assert title_exact("Merz – Kanzler", "Merz - Kanzler")


def test_lenient_title_strips_a_site_name_but_needs_real_overlap() -> None:
    headline = "Sazerac - alles über den Cocktail-Klassiker aus New Orleans"
    assert not title_exact(f"{headline} - watson", headline)
    assert title_lenient(f"{headline} - watson", headline)
    assert title_lenient("Tanz in der St. Galler Lokremise: Mit allen Wassern gewaschen", "Mit allen Wassern gewaschen")
    assert title_lenient("Axios Future | Axios", "Axios Future")
    assert not title_lenient("Watson", headline)
    assert not title_lenient(None, headline)


def test_cli_prints_figures_and_rejects_a_bad_file(tmp_path: Path) -> None:
    preds = tmp_path / "predictions.json"
    preds.write_text(json.dumps(perfect(load())), encoding="utf-8")
    run = [sys.executable, "-m", "benchmarks.metadata.score", str(DEVSET)]
    done = subprocess.run([*run, str(preds)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "title_exact" in done.stdout and "1.000" in done.stdout and "no_date" in done.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    failed = subprocess.run([*run, str(broken)], cwd=ROOT, capture_output=True, text=True)
    assert failed.returncode != 0
    assert "broken.json" in failed.stderr and "Traceback" not in failed.stderr
