"""A replay names its input by the SHA-256 of its WARC files (replay.input_sha256, spiders/replayname.py). The index
cache keeps each file's digest when the process that built the index knew it (filedigest.py: a replay hashes its
input before its index is built), so a later replay of an archive whose cached index is valid reads no WARC byte
for its name; the digest is the one `sha256sum` prints, for every kind of input, and a changed file gets its new
one."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from newscrawl.archive import filedigest, indexcache
from newscrawl.archive.budget import UnpackLimits
from newscrawl.archive.replay import input_sha256, replay_identity, warc_files
from newscrawl.archive.unpack import replay_root
from newscrawl.archive.warc import ArchiveIndex
from tests.crawling import run_crawl
from tests.test_archive_indexcache import SAMPLE, archive_with_damage_and_revisits
from tests.test_archive_warc import PAGE, _http, _record


@pytest.fixture(autouse=True)
def fresh_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts as a new process would: no digest remembered, inflated copies kept in the test."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "plain"))
    filedigest.forget()


def sha256sum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_input_sha256(path: Path) -> str:
    """input_sha256 as it was before the cache kept digests: every file read, one digest per line in replay order."""
    digests = [sha256sum(file) for file in warc_files(path)]
    return digests[0] if len(digests) == 1 else hashlib.sha256("".join(f"{d}\n" for d in digests).encode()).hexdigest()


def reads_for_digests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files read for their digest from now on (not those answered from memory)."""
    read: list[str] = []
    real = filedigest.file_sha256

    def counted(path: Path) -> str:
        if filedigest.known(path) is None:
            read.append(path.name)
        return real(path)

    monkeypatch.setattr(filedigest, "file_sha256", counted)
    return read


def no_reads_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any archive file read for its digest from now on fails the test."""
    def refused(path: Path) -> str:
        raise AssertionError(f"{path} was read for its digest")

    monkeypatch.setattr(filedigest, "file_sha256", refused)


def plain_warc_with_damage(path: Path) -> Path:
    """An uncompressed WARC with junk after its first record (the reader scans it all for a record)."""
    first, second = (_record(b"WARC/1.1", b"response", f"http://127.0.0.1/{name}", _http(PAGE),
                             b"application/http; msgtype=response") for name in "ab")
    path.write_bytes(first + b"\x00junk that is no record" * 200 + second)
    return path


def every_kind(tmp_path: Path) -> Path:
    """Gzip per record, revisits, a file cut short, one compressed whole, an ARC file and a plain WARC with junk."""
    archive = archive_with_damage_and_revisits(tmp_path)
    plain_warc_with_damage(archive / "g-plain.warc")
    filedigest.forget()  # the helper built an index of part of it
    return archive


def test_the_digest_is_sha256sum_for_every_kind_of_archive(tmp_path: Path) -> None:
    """A file compressed whole is named by its bytes on disk, not by its inflated copy."""
    archive = every_kind(tmp_path)
    files = sorted(archive.iterdir())
    assert len(files) == 6 and warc_files(archive) == files
    for file in files:
        assert input_sha256(file, replay_identity(file)) == sha256sum(file), file.name
    assert input_sha256(archive, replay_identity(archive)) == expected_input_sha256(archive)


def test_the_index_build_stores_the_digests_this_process_knows_and_reads_no_file_for_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After input_sha256 (a replay's order; verify asks the same, tests/test_verify.py) the build stores every
    file's digest; without it (a build no digest was asked before) it stores none, and reads nothing for them either
    way."""
    archive = every_kind(tmp_path)
    assert ArchiveIndex.build_now(archive).file_sha256 == {}
    input_sha256(archive, replay_identity(archive))
    no_reads_at_all(monkeypatch)
    index = ArchiveIndex.build_now(archive)
    assert index.problems and index.read_from_copies == {str(archive / "e-whole.warc.gz")}
    assert index.file_sha256 == {str(file): sha256sum(file) for file in sorted(archive.iterdir())}


def test_a_replay_of_a_cached_archive_reads_no_warc_byte_for_its_digest(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    archive = every_kind(tmp_path)
    alone = tmp_path / "alone.warc.gz"
    shutil.copy(SAMPLE, alone)
    cache = tmp_path / "cache"
    first = {path: input_sha256(path, replay_identity(path), cache) for path in (archive, alone)}  # the first replay
    for path in (archive, alone):
        assert ArchiveIndex.build(path, cache).cached_in is None
    assert first == {archive: expected_input_sha256(archive), alone: sha256sum(SAMPLE)}
    filedigest.forget()  # the next replay, in a new process
    no_reads_at_all(monkeypatch)
    for path in (archive, alone):
        assert input_sha256(path, replay_identity(path), cache) == first[path]


def test_a_changed_file_gets_its_new_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same size, same modification time, other bytes: the change time and inode tell the cached digest is stale."""
    archive = tmp_path / "sample.warc.gz"
    shutil.copy(SAMPLE, archive)
    cache = tmp_path / "cache"
    old = input_sha256(archive, replay_identity(archive), cache)
    ArchiveIndex.build(archive, cache)
    data = bytearray(archive.read_bytes())
    data[-100] ^= 0xFF  # inside the last record: a damaged record, a file of other bytes
    stat = archive.stat()
    archive.unlink()
    archive.write_bytes(bytes(data))
    os.utime(archive, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert filedigest.known(archive) is None, "a changed file is not answered from memory"
    filedigest.forget()
    read = reads_for_digests(monkeypatch)
    new = input_sha256(archive, replay_identity(archive), cache)
    assert new != old and new == sha256sum(archive) and read == ["sample.warc.gz"]
    index = ArchiveIndex.build(archive, cache)  # the replay's build: stores the digest just read, reads nothing
    assert index.cached_in is None and index.file_sha256 == {str(archive): new} and len(read) == 1
    filedigest.forget()
    no_reads_at_all(monkeypatch)
    assert input_sha256(archive, replay_identity(archive), cache) == new, "the rebuilt cache holds the new digest"


def test_an_index_cached_by_an_older_format_is_rebuilt_with_the_digest(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A format-6 entry (no digests) is not used: input_sha256 reads the file, as before; the replay's build is a
    new one, which stores the digest; and without a cache folder input_sha256 reads too (once a process)."""
    archive = tmp_path / "sample.warc.gz"
    shutil.copy(SAMPLE, archive)
    cache = tmp_path / "cache"
    input_sha256(archive, replay_identity(archive), cache)
    ArchiveIndex.build(archive, cache)
    (stored,) = (cache / indexcache.FOLDER).glob("*.sqlite")
    with sqlite3.connect(stored) as db:
        db.execute("UPDATE meta SET value = '6' WHERE key = 'format'")
    filedigest.forget()
    read = reads_for_digests(monkeypatch)
    assert input_sha256(archive, replay_identity(archive), cache) == sha256sum(archive) and len(read) == 1
    assert input_sha256(archive, replay_identity(archive)) == sha256sum(archive) and len(read) == 1, "remembered"
    rebuilt = ArchiveIndex.build(archive, cache)
    assert rebuilt.cached_in is None and rebuilt.file_sha256 == {str(archive): sha256sum(archive)}
    filedigest.forget()
    no_reads_at_all(monkeypatch)
    assert input_sha256(archive, replay_identity(archive), cache) == sha256sum(archive)


def test_an_index_cached_without_a_digest_costs_each_replay_a_read_until_it_is_rebuilt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index built (and cached) without asking for the input's digest (by an older newscrawl's verify): that
    entry stays valid and holds none, so each replay reads the file for its name, as before the cache kept digests;
    the name is the same either way."""
    archive = tmp_path / "sample.warc.gz"
    shutil.copy(SAMPLE, archive)
    cache = tmp_path / "cache"
    assert ArchiveIndex.build(archive, cache).file_sha256 == {}  # an older verify's build
    read = reads_for_digests(monkeypatch)
    for replay in range(2):
        filedigest.forget()
        assert input_sha256(archive, replay_identity(archive), cache) == sha256sum(archive)
        index = ArchiveIndex.build(archive, cache)
        assert index.cached_in is not None and index.file_sha256 == {}
        assert len(read) == replay + 1


def test_a_file_still_being_written_is_read_for_its_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writing = tmp_path / "crawl.warc.gz.open"
    shutil.copy(SAMPLE, writing)
    cache = tmp_path / "cache"
    input_sha256(writing, replay_identity(writing), cache)
    ArchiveIndex.build(writing, cache)  # never cached: it may grow
    filedigest.forget()
    read = reads_for_digests(monkeypatch)
    assert input_sha256(writing, replay_identity(writing), cache) == sha256sum(SAMPLE)
    assert read == ["crawl.warc.gz.open"]


def test_the_wacz_and_warcs_of_a_folder_are_named_from_the_cache_too(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A WACZ is replayed as the folder of its extracted WARCs (a folder of WACZs and WARCs: with links to those):
    their digests, one per line in replay order, as before, and from the cached index at the next replay."""
    folder = tmp_path / "downloads"
    (folder / "old").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "old" / "a.warc.gz")
    with zipfile.ZipFile(folder / "new.wacz", "w") as wacz:
        wacz.write(plain_warc_with_damage(tmp_path / "other.warc"), "archive/other.warc")
    root = replay_root(folder, UnpackLimits())
    cache = tmp_path / "cache"
    expected = expected_input_sha256(root)
    assert len(warc_files(root)) == 2
    assert input_sha256(root, replay_identity(root), cache) == expected
    ArchiveIndex.build(root, cache)
    filedigest.forget()
    no_reads_at_all(monkeypatch)
    assert input_sha256(root, replay_identity(root), cache) == expected


def test_a_second_replay_keeps_its_feed_name_and_reads_no_warc_byte_for_it(tmp_path: Path) -> None:
    """End to end: the first replay of a copy of the sample reads its bytes for its name, the second takes the
    digest from the index the first cached; both write `<crawl id>.replay.jsonl`, and both reports record the
    input's `sha256sum`."""
    archive = tmp_path / "sample.warc.gz"
    shutil.copy(SAMPLE, archive)
    work, env = tmp_path / "work", {"NEWSCRAWL_CACHE_DIR": str(tmp_path / "cache")}
    feeds = []
    for run, read in (("first", 1), ("second", 0)):
        result = run_crawl(work, "devdiscourse", "-a", f"replay={archive}", settings={"LOG_LEVEL": "DEBUG"}, env=env)
        assert result.returncode == 0, result.log[-3000:]
        assert f"Input digest of {archive}: {read} of 1 WARC files read for it" in result.log, run
        (feed,) = (work / "output" / "devdiscourse").glob("*.replay.jsonl")
        report = json.loads(feed.with_name(feed.name.replace(".jsonl", ".report.json")).read_text())
        assert report["input"] == {"path": str(archive), "sha256": sha256sum(SAMPLE)}
        feeds.append((feed.name, feed.read_bytes()))
    assert feeds[0] == feeds[1] and feeds[0][0].endswith(".replay.jsonl") and feeds[0][0].count(".") == 2


def test_a_parallel_replay_stores_the_digest_its_parent_read(tmp_path: Path) -> None:
    """`-a jobs=2`: the parent names the run before it builds the index ahead (in two processes), so the cache it
    leaves holds the digest and the next replay reads no WARC byte for its name."""
    archive = tmp_path / "sample.warc.gz"
    shutil.copy(SAMPLE, archive)
    work, env = tmp_path / "work", {"NEWSCRAWL_CACHE_DIR": str(tmp_path / "cache")}
    parallel = run_crawl(work, "devdiscourse", "-a", f"replay={archive}", "-a", "jobs=2", env=env)
    assert parallel.returncode == 0, parallel.log[-3000:]
    result = run_crawl(work, "devdiscourse", "-a", f"replay={archive}", settings={"LOG_LEVEL": "DEBUG"}, env=env)
    assert result.returncode == 0, result.log[-3000:]
    assert f"Input digest of {archive}: 0 of 1 WARC files read for it" in result.log
