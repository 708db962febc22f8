"""`newscrawl history URL`: an article's revisions, and a readable diff of title and body between two of them."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from newscrawl.extract.urls import clean_url, is_http_url
from newscrawl.state.store import Revision, StateStore


def find_revisions(store: StateStore, given: str, article_key: Callable[[str], str] | None = None
                   ) -> list[Revision]:
    """The revisions of the article `given` names, looked up as the crawl stored it: as given (a key, or a URL
    exactly as stored), then under the spider's article key of it (`article_key`: the key the crawl recorded it
    under), then as the crawler's canonical form of a URL (clean_url: scheme and host in lower case, no default
    port, no tracking parameters; a trailing slash is kept, since the crawler tells those addresses apart)."""
    forms = [given]
    if is_http_url(given):
        forms += [article_key(given)] if article_key is not None else []
        forms.append(clean_url(given))
    for form in dict.fromkeys(forms):
        revisions = store.revisions(form)
        if revisions:
            return revisions
    return []


def revision_table(revisions: list[Revision]) -> list[str]:
    lines = [f"{'rev':>3}  {'fetched at (UTC)':<32}  {'crawl id':<24}  changed"]
    for revision in revisions:
        changed = ", ".join(revision.item.get("changed_fields") or []) or ("first seen" if revision.revision == 1
                                                                         else "-")
        lines.append(f"{revision.revision:>3}  {revision.fetched_at:<32}  {revision.crawl_id:<24}  {changed}")
    return lines


def revision_diff(old: Revision, new: Revision) -> list[str]:
    """Unified diff of title and body paragraphs, labelled with revision numbers and fetch times."""
    def text(revision: Revision) -> list[str]:
        item = revision.item
        return [f"# {item.get('title', '')}", ""] + str(item.get("body", "")).split("\n\n")

    return list(difflib.unified_diff(text(old), text(new), lineterm="",
                                     fromfile=f"revision {old.revision} ({old.fetched_at})",
                                     tofile=f"revision {new.revision} ({new.fetched_at})"))
