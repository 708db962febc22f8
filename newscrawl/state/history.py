"""`newscrawl history URL`: an article's revisions, and a readable diff of title and body between two of them."""

from __future__ import annotations

import difflib

from newscrawl.state.store import Revision


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
