"""The lead image's URL and caption on Devdiscourse: the resizer's original, placeholders, the credit (§2.4)."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

from newscrawl.extract.text import clean_or_none
from newscrawl.extract.urls import relative_to_folder
from newscrawl.parsers.devdiscourse.site import PLACEHOLDER_IMAGES, SITE_ROOT, TRAILING_CREDIT


def original_image_url(src: str) -> str | None:
    """The uploaded image behind an `img` src: the /img resizer's imageUrl parameter (§5 Images), made absolute;
    None for the template's placeholders (§2.4: a placeholder means "no image")."""
    if "imageUrl=" in src:
        original = parse_qs(urlsplit(src).query).get("imageUrl", [""])[0]
        src = original or src
    if any(src.endswith(placeholder) for placeholder in PLACEHOLDER_IMAGES):
        return None
    return urljoin(SITE_ROOT, src)


def saved_copy(src: str) -> bool:
    """Whether an image src is a saving tool's local copy, never the site's own value: a path relative to the page's
    folder ("./Title_files/pic.jpg", what a browser's "Web Page, complete" or wget -k writes) or a file:, data: or
    other non-web URL. The site writes an absolute blob URL or a site-relative one (§2.4, §5 Images)."""
    scheme = urlsplit(src.strip()).scheme.lower()
    return relative_to_folder(src) or (bool(scheme) and scheme not in ("http", "https"))


def site_image_src(sources: list[str | None], og_image: str | None) -> str | None:
    """The lead image's src as the site wrote it: the first of the img's `sources`; og:image when every one is a
    saving tool's copy (a saved page points its image at the tool's file, og:image still names the site's). Only
    then: without an image element, og:image names a placeholder or the bare site (a live blog's AMP view)."""
    shown = [src for src in sources if src]
    site = [src for src in shown if not saved_copy(src)]
    if site:
        return site[0]
    return og_image if shown and og_image and not saved_copy(og_image) else None


def split_caption(caption: str | None, view: str) -> tuple[str | None, str | None]:
    """(caption, credit): the credit is conventionally "Image Credit: X" (§2.4); AMP shows the credit only (§3.1)."""
    if not caption:
        return None, None
    head, sep, credit = caption.partition("Image Credit:")
    if sep:
        return clean_or_none(head), clean_or_none(credit)
    if view == "amp":
        return None, clean_or_none(caption)
    # "{ImageCaption} {ImageCopyright}" with a credit written without its "Image Credit:" prefix: split off a
    # trailing agency, stock-photo site or © notice, the credits the site uses.
    trailing = TRAILING_CREDIT.search(caption)
    if trailing and trailing.start() > 0:
        return clean_or_none(caption[:trailing.start()]), clean_or_none(trailing.group(0))
    return clean_or_none(caption), None
