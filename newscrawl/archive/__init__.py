"""Archive layer: what was fetched, kept byte-faithful so a crawl can be replayed and checked offline.

Scrapy-free modules (plain URLs, headers and bytes in and out, testable alone; import from warc.py):
  writer.py     WarcWriter: rotating WARC 1.1 files, one response + request pair per fetch, ArchiveRef back.
  warc.py       the API to import: iter_archive, read_at, read_warcinfo, ArchiveIndex (+ re-exports below).
  exchanges.py  one file's records as HTTP exchanges, each response paired with its request (under warc.py).
  indexparts.py an index build split across processes (the parallel replay's), pairing exactly as a serial one.
  indexdb.py    the index's captures in a SQLite file (not in memory), also what indexcache.py keeps between runs.
  filedigest.py each file's SHA-256, remembered in the process: what a replay names its input by (and its index keeps).
  reader.py     the damage-tolerant record reader under them (gzip member resync, digest checks).
  savedhtml.py  iter_saved_html: folders of saved pages (HTML, MHTML, Safari web archives, sniffed names).
  savednames.py which files of such a folder are pages (by name, then first bytes), and their .url sidecars.
  mirrorpaths.py  a saved page's URL and capture time from a mirror's folder names (HOST/PATH, YYYYMMDDhhmmss).
  wgetnames.py  wget's renames of a page's file (-E's .html, Windows mode's @), undone where the page names its URL.
  savedplaces.py  where a folder's saved pages are, for a replay: rows of a scratch database, not objects.
  browsersaves.py  what browsers and mirroring tools write when saving a page, read for savedhtml.py.
  unpack.py     replay_root: what a replay reads of its path, a WACZ, HAR, ZIP or tar unpacked once into a folder.
  wacz.py       a WACZ's WARCs, extracted for unpack.py.
  shown.py      those extracted files named as the user knows them (X.wacz/archive/…), for every message.
  bundles.py    a ZIP or tar file of saved pages or WARCs, extracted once (for unpack.py), safely.
  budget.py     what an archive may unpack to (the NEWSCRAWL_UNPACK_* settings): a decompression bomb is refused.
  members.py    a ZIP's members written whole or not at all: the one writer of bundles.py and wacz.py.
  nested.py     archives inside a ZIP or tar file, unpacked in their turn, NEWSCRAWL_UNPACK_MAX_DEPTH levels deep.
  har.py        a browser's HAR file, converted once into a WARC (for unpack.py), deterministically.
  findings.py   what unpacking found (damaged input the replay reports) and the errors that refuse an archive.
Scrapy-side, built on them: capture.py (middleware writing WARCs), replay.py (answers requests from an
archive), verify.py (`newscrawl verify`).
"""
