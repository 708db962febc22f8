"""The lead image's URL and caption on Devdiscourse: the resizer's original, placeholders, the credit (§2.4)."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

from newscrawl.extract.text import clean_or_none
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
