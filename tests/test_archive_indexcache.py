"""An archive's index is built once and kept (archive/indexcache.py): the next replay of the same, unchanged files
reads it instead of every record, answers exactly as a fresh build, and any change to the files builds it again."""

from __future__ import annotations

import gzip
import io
import logging
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from w3lib.url import canonicalize_url
from warcio.warcwriter import WARCWriter

from newscrawl.archive import indexcache, warc
from newscrawl.archive.warc import ArchiveIndex, ArchiveReadError
from tests.crawling import run_crawl
from tests.test_archive_warc import PAGE, _arc, counting_builds

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "devdiscourse.warc.gz"


@pytest.fixture(autouse=True)
def plain_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "plain"))  # whole-file gzip copies stay in the test


def archive_with_damage_and_revisits(folder: Path) -> Path:
    """The bundled sample, a second file of revisits (one resolvable, one naming a record nobody has) and a page
    that redirects by meta refresh written by warcio, a third file cut short, a fourth gzipped as one stream (read from an inflated copy) and an ARC file:
    everything an index carries besides positions."""
    archive = folder / "archive"
    archive.mkdir()
    shutil.copy(SAMPLE, archive / "a-sample.warc.gz")
    first = ArchiveIndex.build_now(archive)
    original = next(entry for entry in first.entries if entry.status == 200 and "/article/" in entry.url)
    with (archive / "b-revisits.warc.gz").open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        for url, refers_to in ((original.url + "?b=2&a=%7e1#again", original.record_id),  # canonical form differs
                               ("http://127.0.0.1/gone", "<urn:uuid:00000000-0000-0000-0000-000000000000>")):
            writer.write_record(writer.create_warc_record(url, "revisit", http_headers=http, warc_headers_dict={
                "WARC-Date": "2030-01-01T00:00:00Z", "WARC-Refers-To": refers_to,
                "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"}))
        moved = b'<html><head><meta http-equiv="refresh" content="0; url=' + original.url.encode() + b'"></head></html>'
        writer.write_record(writer.create_warc_record("http://127.0.0.1/moved", "response", http_headers=http,
                                                      payload=io.BytesIO(moved)))
        unlabelled = StatusAndHeaders("200 OK", [("Content-Type", "application/octet-stream")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://127.0.0.1/unlabelled", "response", http_headers=unlabelled,
                                                      payload=io.BytesIO(b"<!DOCTYPE html><p>a page</p>")))
    data = SAMPLE.read_bytes()
    (archive / "c-cut.warc.gz").write_bytes(data[: len(data) // 3])
    (archive / "e-whole.warc.gz").write_bytes(gzip.compress(gzip.decompress(data), mtime=0))
    (archive / "f-old.arc.gz").write_bytes(_arc([("http://old.example.org/a", PAGE), ("http://old.example.org/b", PAGE)]))
    return archive


def same_index(one: ArchiveIndex, other: ArchiveIndex) -> None:
    assert one.entries == other.entries
    assert one.problems == other.problems and one.skipped == other.skipped
    assert one._warcinfo == other._warcinfo
    assert one.refreshing == other.refreshing and one.unlabelled_pages == other.unlabelled_pages
    assert (one.revisits_resolved, one.revisits_answered_later) == (other.revisits_resolved,
                                                                    other.revisits_answered_later)
    assert one.urls() == other.urls()
    for url in {entry.url for entry in one.entries} | {"http://127.0.0.1/ANY", "http://old.example.org/b?"}:
        assert one.placed_captures(url) == other.placed_captures(url)  # every lookup, exact and canonical
        assert one.placed_captures(canonicalize_url(url)) == other.placed_captures(canonicalize_url(url))
    assert [one.read(entry) for entry in one.entries] == [other.read(entry) for entry in other.entries]


def test_the_second_build_reads_the_cache_and_answers_exactly_like_a_fresh_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = archive_with_damage_and_revisits(tmp_path)
    cache = tmp_path / "cache"
    fresh = ArchiveIndex.build_now(archive)
    assert fresh.problems and fresh.skipped["revisit-unresolved"] == 1 and fresh.revisits_resolved == 1
    assert [entry.url for entry in fresh.entries if (entry.file, entry.offset) in fresh.refreshing] == [
        "http://127.0.0.1/moved"]
    assert [entry.url for entry in fresh.entries if (entry.file, entry.offset) in fresh.unlabelled_pages] == [
        "http://127.0.0.1/unlabelled"]
    assert {Path(entry.file).name for entry in fresh.entries} >= {"e-whole.warc.gz", "f-old.arc.gz"}
    built = counting_builds(monkeypatch)

    first = ArchiveIndex.build(archive, cache)
    canonicalised: list[str] = []
    real_canonical = warc._canonical

    def canonical(url: str) -> str:
        canonicalised.append(url)
        return real_canonical(url)

    monkeypatch.setattr(warc, "_canonical", canonical)
    second = ArchiveIndex.build(archive, cache)
    assert built == [archive], "the second build is read from the cache"
    assert canonicalised == [], "and the captures' canonical URLs with it (58 µs each to work out again)"
    assert second.store.canonical_forms() > 0
    assert first.cached_in is None and second.cached_in is not None
    same_index(second, fresh)
    ArchiveIndex.build(archive)
    assert built == [archive, archive], "no cache folder, no cache"


@pytest.mark.parametrize("change", ["rewritten", "grown", "added", "removed", "touched"])
def test_any_change_to_the_archive_files_builds_the_index_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                change: str) -> None:
    archive = archive_with_damage_and_revisits(tmp_path)
    cache = tmp_path / "cache"
    ArchiveIndex.build(archive, cache)
    built = counting_builds(monkeypatch)
    sample = archive / "a-sample.warc.gz"
    if change == "rewritten":  # same size, same mtime: only the change time and inode tell
        stat = sample.stat()
        data = bytearray(sample.read_bytes())
        sample.unlink()
        sample.write_bytes(bytes(data))
        os.utime(sample, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif change == "grown":
        with (archive / "c-cut.warc.gz").open("ab") as fh:
            fh.write(b"\x00")
    elif change == "added":
        shutil.copy(SAMPLE, archive / "d-more.warc.gz")
    elif change == "removed":
        (archive / "b-revisits.warc.gz").unlink()
    else:
        os.utime(sample, ns=(sample.stat().st_atime_ns, sample.stat().st_mtime_ns + 10**9))
    rebuilt = ArchiveIndex.build(archive, cache)
    assert built == [archive] and rebuilt.cached_in is None
    same_index(rebuilt, ArchiveIndex.build_now(archive))
    assert ArchiveIndex.build(archive, cache).cached_in is not None, "and the rebuilt index replaced the cached one"


def test_an_archive_still_being_written_is_never_cached(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "crawl.warc.gz.open")
    cache = tmp_path / "cache"
    ArchiveIndex.build(tmp_path / "crawl.warc.gz.open", cache)
    assert not (cache / indexcache.FOLDER).exists()


def test_a_damaged_or_foreign_cache_file_is_rebuilt_and_replaced(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(SAMPLE, tmp_path / "sample.warc.gz")
    archive, cache = tmp_path / "sample.warc.gz", tmp_path / "cache"
    ArchiveIndex.build(archive, cache)
    (stored,) = (cache / indexcache.FOLDER).glob("*.sqlite")
    good = stored.read_bytes()
    built = counting_builds(monkeypatch)
    for damage in (b"not a database at all, but a text file", good[: len(good) // 2], b""):
        stored.write_bytes(damage)
        assert ArchiveIndex.build(archive, cache).cached_in is None
    for change in ("UPDATE meta SET value = '0' WHERE key = 'format'", "DELETE FROM meta WHERE key = 'problems'",
                   "UPDATE meta SET value = '[1, 2]' WHERE key = 'skipped'", "DROP TABLE captures"):
        stored.write_bytes(good)
        with sqlite3.connect(stored) as db:
            db.execute(change)
        assert ArchiveIndex.build(archive, cache).cached_in is None, change
    assert len(built) == 7 and ArchiveIndex.build(archive, cache).cached_in is not None


def test_an_index_cached_by_other_code_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An upgrade that reads archives better (a record the old code could not read) must not be answered with the
    # old reading: a user who upgraded to read a damaged-looking archive would otherwise get the same failure back.
    shutil.copy(SAMPLE, tmp_path / "sample.warc.gz")
    archive, cache = tmp_path / "sample.warc.gz", tmp_path / "cache"
    ArchiveIndex.build(archive, cache)
    assert ArchiveIndex.build(archive, cache).cached_in is not None
    built = counting_builds(monkeypatch)
    monkeypatch.setattr(indexcache, "builder", lambda: "other-code")
    assert ArchiveIndex.build(archive, cache).cached_in is None and built == [archive]
    assert ArchiveIndex.build(archive, cache).cached_in is not None, "stored again for the code now running"


def test_a_record_that_is_not_the_one_the_cache_names_is_refused(tmp_path: Path) -> None:
    """The last guard, for a change the file identity cannot show: each read checks the record's id."""
    shutil.copy(SAMPLE, tmp_path / "sample.warc.gz")
    archive, cache = tmp_path / "sample.warc.gz", tmp_path / "cache"
    ArchiveIndex.build(archive, cache)
    (stored,) = (cache / indexcache.FOLDER).glob("*.sqlite")
    with sqlite3.connect(stored) as db:
        (first, one), (second, other) = db.execute("SELECT n, record_id FROM captures ORDER BY n LIMIT 2")
        db.execute("UPDATE captures SET record_id = ? WHERE n = ?", (other, first))
        db.execute("UPDATE captures SET record_id = ? WHERE n = ?", (one, second))
    index = ArchiveIndex.build(archive, cache)
    assert index.cached_in is not None
    with pytest.raises(ArchiveReadError, match="not the record its cached index names"):
        index.read(index.entries[0])
    index.read(index.entries[2])
    assert not stored.exists(), "the mismatching cache is dropped"
    assert ArchiveIndex.build(archive, cache).cached_in is None, "and the next replay builds the index again"


def test_an_unwritable_cache_costs_one_warning_and_the_index_still_works(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copy(SAMPLE, tmp_path / "sample.warc.gz")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="newscrawl.archive.indexcache"):
        index = ArchiveIndex.build(tmp_path / "sample.warc.gz", blocked)
    assert len(index) and len(caplog.records) == 1 and "cannot be cached" in caplog.records[0].getMessage()


def test_the_cache_keeps_the_most_recently_used_indexes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexcache, "KEEP", 2)
    cache = tmp_path / "cache"
    archives = []
    for name in ("one", "two", "three"):
        archives.append(tmp_path / f"{name}.warc.gz")
        shutil.copy(SAMPLE, archives[-1])
    ArchiveIndex.build(archives[0], cache)
    ArchiveIndex.build(archives[1], cache)
    (cache / indexcache.FOLDER / indexcache.cache_file(cache, archives[1]).name).touch()
    os.utime(indexcache.cache_file(cache, archives[0]), ns=(0, 0))
    ArchiveIndex.build(archives[2], cache)
    kept = {path.name for path in (cache / indexcache.FOLDER).glob("*.sqlite")}
    assert kept == {indexcache.cache_file(cache, archives[i]).name for i in (1, 2)}
    # and no more bytes than KEEP_BYTES together: the newest is kept whatever its size
    monkeypatch.setattr(indexcache, "KEEP_BYTES", indexcache.cache_file(cache, archives[2]).stat().st_size + 1)
    ArchiveIndex.build(archives[0], cache)
    kept = {path.name for path in (cache / indexcache.FOLDER).glob("*.sqlite")}
    assert kept == {indexcache.cache_file(cache, archives[0]).name}


def test_a_second_replay_reads_the_cached_index_and_writes_the_same_feed(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(SAMPLE, tmp_path / "sample.warc.gz")
    feeds, logs = [], []
    for run in ("first", "second"):
        result = run_crawl(tmp_path / run, "devdiscourse", "-a", f"replay={tmp_path / 'sample.warc.gz'}",
                           "-O", "items.jsonl", settings={"LOG_LEVEL": "INFO"})
        assert result.returncode == 0, result.log[-3000:]
        feeds.append((tmp_path / run / "items.jsonl").read_bytes())
        logs.append(result.log)
    assert feeds[0] == feeds[1] and feeds[0].count(b"\n") == 41
    assert "read from its cache" not in logs[0] and "read from its cache" in logs[1]
    off = run_crawl(tmp_path / "off", "devdiscourse", "-a", f"replay={tmp_path / 'sample.warc.gz'}", "-O",
                    "items.jsonl", settings={"LOG_LEVEL": "INFO", "NEWSCRAWL_ARCHIVE_INDEX_CACHE": "False"})
    assert "read from its cache" not in off.log and (tmp_path / "off" / "items.jsonl").read_bytes() == feeds[0]

