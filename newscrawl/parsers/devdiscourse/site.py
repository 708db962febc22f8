"""Devdiscourse site facts as data: source links, wire sources, placeholder images, blog kinds, text patterns.

Each table names the STRUCTURE.md section (shared/devdiscourse/STRUCTURE.md) it comes from; the parser's field
functions read them, so a change on the site is a change here.
"""

from __future__ import annotations

import re

from newscrawl.extract.agencies import AGENCY_ALTERNATION

SITE_ROOT = "https://www.devdiscourse.com/"

# Byline link target → Source (§2.4); the link text is what we report as byline, this confirms what it means.
SOURCE_LINKS: dict[str, str] = {
    "/pti-stories": "PTI",
    "/reuters-stories": "Reuters",
    "/ians-stories": "IANS",
    "/ani-stories": "ANI",
    "/un-news": "UN News",
    "/devdiscourse-stories": "Devdiscourse News Desk",
    "/pr-newswire": "PR Newswire",
}
# The template adds the "auto-generated from a syndicated feed" note exactly for these sources (§2.8), so they
# are syndicated even when a bot-UA page omits the note.
SYNDICATED_SOURCES = frozenset({"Reuters", "PTI", "IANS", "ANI"})
PRESS_RELEASE_SOURCES = frozenset({"PR Newswire"})  # §3.4
PLACEHOLDER_IMAGES = ("/images/newstheme.jpg", "/images/defaultImage.jpg", "/images/sector/all_sectors.jpg")  # §2.4

BLOG_SUBTYPES = frozenset({"blog", "column", "connect", "opinion", "exclusive", "editorial", "interview"})
"""SubType values of Type "Blog" (§3.3); the desktop breadcrumb's second item shows them."""

# The visible dates of the byline block (§2.4, §2.6): "Updated: dd-MM-yyyy HH:mm IST | Created: dd-MM-yyyy HH:mm IST"
CREATED = re.compile(r"Created:\s*(\d{1,2}-\d{1,2}-\d{4}\s+\d{1,2}:\d{2})")
UPDATED = re.compile(r"Updated:\s*(\d{1,2}-\d{1,2}-\d{4}\s+\d{1,2}:\d{2})")
# NewsId fallbacks (§2.4): the leading digits of a URL segment, and the inline script's `var newsId = '…'`
NEWS_ID_IN_SCRIPT = re.compile(r"var\s+newsId\s*=\s*'(\d+)'")
LEADING_DIGITS = re.compile(r"^(\d+)")
NEWS_COUNTRY_IN_SCRIPT = re.compile(r"var\s+news_country\s*=\s*'([^']*)'")  # countries fallback (§2.4)
SECTOR_IN_SCRIPT = re.compile(r"var\s+_sector\s*=\s*['\"]([\d,\s]*)['\"]")  # sector id list fallback (§2.4)
SECTOR_NAMES: dict[str, str] = {
    "1": "Economy & Business", "2": "Health", "3": "Transport", "4": "Education", "6": "Technology",
    "7": "Energy & Extractives", "9": "Social & Gender", "10": "Agro-Forestry", "11": "Law & Governance",
    "12": "WASH", "14": "Art & Culture", "15": "Science & Environment", "17": "Urban Development", "18": "Sports",
    "19": "Politics",
}
"""DevSectors id → name (§1.3; 8 and 16 are hidden on the site): the inline `_sector` list names ids only."""
# "{ImageCaption} {ImageCopyright}" with the credit written without its "Image Credit:" prefix (§2.4): a trailing
# agency, stock-photo site or © notice, the credits the site uses.
TRAILING_CREDIT = re.compile(
    rf"(?<=\S)\s+(?:©\s*[^©]{{1,80}}|(?:{AGENCY_ALTERNATION}|Pixabay|Unsplash|Pexels|Wikimedia Commons|Wikipedia|"
    rf"Shutterstock|Getty Images|Flickr)(?:\s*(?:/|\|)\s*[^\s][^/|]{{0,40}})?)\s*$")
