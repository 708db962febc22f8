"""Which boilerplate the generic extractor lets through on trafilatura-eval, and where on the page it sits.

    python -m benchmarks.boilerplate_audit             # every `without` snippet found in title + body
    python -m benchmarks.boilerplate_audit te-0123abcd  # only these pages

For each false positive of the corpus's scorer (a `without` snippet — navigation, related links, comments, footers,
chrome dates — found in the prediction) it prints the page id, the page's language and URL, where the snippet stands
in the prediction (in the title, or at character N of M of the body), the chain of elements around it (tag#id.class
[role][itemprop], innermost first) and the link density of the innermost element holding it. That is what a rule
needs to be written from: the snippet's markup and its place, never the page's wording or host. The prediction is
GenericParser.parse()'s title + "\\n" + body, as benchmarks/extraction.py scores it; the data is
../shared/bench/trafilatura-eval (found as benchmarks/extraction.py finds it).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import shared_bench  # noqa: E402
from benchmarks.extraction import newscrawl, trafilatura_eval_pages  # noqa: E402

CHAIN = 8  # ancestors shown per snippet


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def describe(element: Any) -> str:
    """tag#id.class[role][itemprop] of one element, names cut to stay readable."""
    text = element.tag if isinstance(element.tag, str) else "?"
    if element.get("id"):
        text += "#" + element.get("id")[:30]
    if element.get("class"):
        text += "." + ".".join(element.get("class").split())[:60]
    for attribute in ("role", "itemprop"):
        if element.get(attribute):
            text += f"[{attribute}={element.get(attribute)}]"
    return text


def locate(root: Any, snippet: str) -> Any | None:
    """The innermost element whose text holds the whole snippet."""
    found = None
    for element in root.iter():
        if isinstance(element.tag, str) and snippet in norm(element.text_content()):
            found = element
    return found


def audit(only: set[str]) -> list[str]:
    folder = shared_bench() / "trafilatura-eval"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    report: list[str] = []
    for page_id, url, html in trafilatura_eval_pages(folder):
        if only and page_id not in only:
            continue
        fields = newscrawl(html, url)
        if fields is None:
            continue
        title, prediction = norm(fields["title"]), norm(fields["title"] + "\n" + fields["body"])
        found = [norm(s) for s in truth[page_id]["without"] if norm(s) and norm(s) in prediction]
        if not found:
            continue
        root = lxml.html.fromstring(html)
        for snippet in found:
            where = "in the title" if snippet in title else f"at {prediction.find(snippet)}/{len(prediction)}"
            report.append(f"{page_id} {root.get('lang')} {url}\n  {snippet[:120]!r} {where}")
            element = locate(root, snippet)
            if element is None:
                report.append("  (split across elements)")
                continue
            chain = [describe(element)] + [describe(a) for a in element.iterancestors()][:CHAIN]
            text = norm(element.text_content())
            links = sum(len(norm(a.text_content())) for a in element.iter("a"))
            report.append(f"  {' < '.join(chain)}\n  {len(text)} characters, link density "
                          f"{links / max(len(text), 1):.2f}")
    return report


def main(argv: list[str] | None = None) -> int:
    lines = audit(set(sys.argv[1:] if argv is None else argv))
    print("\n".join(lines))
    print(f"{sum(1 for line in lines if not line.startswith(' '))} `without` snippets found")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
