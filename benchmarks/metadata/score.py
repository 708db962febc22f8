"""Score title, author and published-date predictions against the hand-checked metadata dev set.

    python -m benchmarks.metadata.score benchmarks/metadata/devset.json predictions.json

`predictions.json` maps "source/id" (e.g. "aeb/042bb7…", "trafilatura-eval/te-008865dd1912") to
{"title": str | None, "authors": [str], "published": str | None}. A page without a prediction counts as
{"title": None, "authors": [], "published": None}. Stdlib only, so any benchmark can import it
(`from benchmarks.metadata.score import load, score`).

How values are compared (the same normalisation on both sides):

* Text (titles and names): Unicode NFKC; soft hyphens and zero-width characters removed; every quotation mark
  (straight, curly, low-9, guillemets, prime, backtick) becomes `"`; every dash or hyphen variant (‐ ‑ ‒ – — ― −)
  becomes `-`; `…` becomes `...`; whitespace runs become one space; case-folded; outer whitespace stripped.
* Title, exact: the normalised strings are equal.
* Title, lenient: exact, or one contains the other, where the prediction may first lose one site-name segment at
  either end (split at " | ", " - ", " :: ", " » ", " · ", " • ", " / ", ": " with the separator's dash already
  normalised), and is then equal to the headline or one contains the other with at least 3 words in the
  contained string (so "News" inside a headline does not count).
* Authors: each name normalised as text, with a leading "by"/"von"/"par"/"por"/"door"/"di" and outer
  punctuation removed; the two *sets* of names must be equal. A page whose byline shows no author is right
  only when the prediction has no author.
* Published: the day part, i.e. the first YYYY-MM-DD found at the start of the predicted string (any ISO form,
  with or without time and offset). The truth is the page's own local day, so a prediction converted to UTC can
  fall on the next or previous day and then counts as wrong: keep the page's offset. Pages showing a date
  ("date") and pages showing none ("no_date", where only None/"" is right) are reported separately.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

DEVSET = Path(__file__).resolve().parent / "devset.json"

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_QUOTES = dict.fromkeys(map(ord, "'\"`´‘’‚‛“”„‟«»‹›′″"), '"')
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_SEPARATORS = re.compile(r" (?:\||-|::|»|·|•|/) |: ")
_BYLINE_WORD = re.compile(r"^(?:by|von|par|por|door|di)\s+")
_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
MIN_CONTAINED_WORDS = 3


def load(path: Path | str = DEVSET) -> list[dict[str, Any]]:
    """The dev set: one dict per page (source, id, url, title, authors, published, language, kind, note)."""
    pages: list[dict[str, Any]] = json.loads(Path(path).read_text(encoding="utf-8"))
    return pages


def key(page: Mapping[str, Any]) -> str:
    """The predictions key of a dev-set page: "source/id"."""
    return f"{page['source']}/{page['id']}"


def normalise(text: str | None) -> str:
    """Text normalised for comparison (see the module docstring); "" for None or non-text."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_QUOTES).translate(_DASHES)
    return " ".join(text.replace("…", "...").split()).casefold()


def normalise_name(name: str | None) -> str:
    """One author name normalised: text normalisation, byline word and outer punctuation removed."""
    return _BYLINE_WORD.sub("", normalise(name)).strip(" ,;:.-|")


def title_exact(predicted: str | None, truth: str) -> bool:
    """Normalised titles are equal."""
    return bool(normalise(predicted)) and normalise(predicted) == normalise(truth)


def _trimmed(title: str) -> Iterable[str]:
    """The title, then the title without its first or last separator-delimited segment (a site name)."""
    yield title
    cuts = list(_SEPARATORS.finditer(title))
    if cuts:
        yield title[cuts[0].end():].strip()
        yield title[: cuts[-1].start()].strip()


def title_lenient(predicted: str | None, truth: str) -> bool:
    """Exact, or one contains the other after the prediction loses a site-name segment (≥ 3 words contained)."""
    want = normalise(truth)
    got = normalise(predicted)
    if not got or not want:
        return False
    if got == want:
        return True
    for candidate in _trimmed(got):
        if candidate == want:
            return True
        shorter, longer = sorted((candidate, want), key=len)
        if len(shorter.split()) >= MIN_CONTAINED_WORDS and shorter in longer:
            return True
    return False


def authors_equal(predicted: Any, truth: Iterable[str]) -> bool:
    """Sets of normalised names are equal (an empty truth needs an empty prediction)."""
    names = predicted if isinstance(predicted, (list, tuple)) else []
    got = {normalise_name(n) for n in names} - {""}
    return got == {normalise_name(n) for n in truth}


def day(value: Any) -> str | None:
    """The YYYY-MM-DD at the start of an ISO date or date-time string, else None."""
    match = _DAY.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def score(devset: list[dict[str, Any]], predictions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Accuracy of title, authors and published day over the dev set, with the counts behind each figure.

    Returns {"pages", "predicted", "title_exact", "title_lenient", "authors", "authors_byline",
    "authors_no_byline", "date", "no_date", and "counts": {name: [hits, total]}}; a figure over no pages is None.
    """
    counts: dict[str, list[int]] = {name: [0, 0] for name in (
        "title_exact", "title_lenient", "authors", "authors_byline", "authors_no_byline", "date", "no_date")}
    predicted = 0

    def tally(name: str, ok: bool) -> None:
        counts[name][0] += int(ok)
        counts[name][1] += 1

    for page in devset:
        guess = predictions.get(key(page))
        if isinstance(guess, Mapping):
            predicted += 1
        else:
            guess = {}
        tally("title_exact", title_exact(guess.get("title"), page["title"]))
        tally("title_lenient", title_lenient(guess.get("title"), page["title"]))
        authors_ok = authors_equal(guess.get("authors"), page["authors"])
        tally("authors", authors_ok)
        tally("authors_byline" if page["authors"] else "authors_no_byline", authors_ok)
        if page["published"] is None:
            tally("no_date", not guess.get("published"))
        else:
            tally("date", day(guess.get("published")) == page["published"])
    result: dict[str, Any] = {"pages": len(devset), "predicted": predicted}
    result.update({name: _ratio(*hits) for name, hits in counts.items()})
    result["counts"] = counts
    return result


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: cannot read {what} {path}: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    """CLI: print each figure with its counts."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.metadata.score DEVSET.json PREDICTIONS.json", file=sys.stderr)
        return 2
    devset = _read_json(args[0], "dev set")
    predictions = _read_json(args[1], "predictions")
    if not isinstance(devset, list) or not isinstance(predictions, dict):
        print("error: the dev set must be a JSON list and the predictions a JSON object", file=sys.stderr)
        return 2
    result = score(devset, predictions)
    print(f"pages {result['pages']}, with a prediction {result['predicted']}")
    for name, (hits, total) in result["counts"].items():
        figure = "n/a" if result[name] is None else f"{result[name]:.3f}"
        print(f"{name:18} {figure:>6}  ({hits}/{total})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
