"""A ZIP or tar file of saved pages or WARCs replays as the folder it was made from (archive/bundles.py)."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest

from newscrawl import cli
from newscrawl.archive import bundles
from newscrawl.archive.budget import Budget, UnpackLimits
from newscrawl.archive.bundles import zip_member_time
from newscrawl.archive.findings import Findings, UnreadableBundle
from tests.crawling import CrawlResult, run_crawl

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
TRAFILATURA_PAGES = ROOT.parent / "shared" / "bench" / "trafilatura-eval" / "pages"
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
SAVED_AT = 1765000000  # 2025-12-06, the pages' own modification time in every form below


def budget(bundle: Path, limits: UnpackLimits = UnpackLimits()) -> Budget:
    """What `bundle` may unpack to, given alone or in a folder."""
    return Budget(limits, bundle.stat().st_size)


def damage(found: Findings) -> list[str]:
    """What unpacking found damaged, one line each, as the replay's `Damaged input` line names file and why."""
    return [f"{problem.file}: {problem.message}" for problem in found.problems]


def saved_pages(folder: Path, count: int = 3) -> Path:
    """`count` real pages with their .url sidecars, as a user's folder of saved pages (each saved at SAVED_AT)."""
    folder.mkdir(parents=True)
    for page in sorted(TRAFILATURA_PAGES.glob("*.html.gz"))[:count]:
        stem = page.name.removesuffix(".html.gz")
        (folder / f"{stem}.html").write_bytes(gzip.decompress(page.read_bytes()))
        (folder / f"{stem}.url").write_text((TRAFILATURA_PAGES / f"{stem}.url").read_text())
    for file in folder.iterdir():
        os.utime(file, (SAVED_AT, SAVED_AT))
    return folder


def replay(tmp_path: Path, source: Path, name: str, *args: str) -> CrawlResult:
    result = run_crawl(tmp_path / f"run-{name}", "news", "-a", f"replay={source}", *args, "-O", "out.jsonl",
                       env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert "Traceback" not in result.log, result.log[-3000:]
    return result


def articles(result: CrawlResult) -> list[tuple[str, str, str, str]]:
    return sorted((item["url"], item["title"], item["body"], item["provenance"]["fetched_at"])
                  for item in result.feed_items("out.jsonl"))


def test_zip_and_tar_of_saved_pages_replay_and_verify_as_their_folder(tmp_path: Path) -> None:
    """Whatever the packing tool (Info-ZIP's extended times, a tar's UTC times), each page keeps the time it was saved
    at, so the bundle gives the folder's articles, fetched at the same times, and verify proves them against it."""
    folder = saved_pages(tmp_path / "pages")
    zipped = shutil.make_archive(str(tmp_path / "pages"), "zip", tmp_path, "pages")
    tarred = shutil.make_archive(str(tmp_path / "pages"), "gztar", tmp_path, "pages")
    expected = articles(replay(tmp_path, folder, "folder"))
    assert len(expected) == 3
    for bundle in (zipped, tarred):
        result = replay(tmp_path, Path(bundle), Path(bundle).name)
        assert result.returncode == 0 and articles(result) == expected, result.log[-3000:]
        assert all(item["provenance"]["archive"]["file"].startswith("pages/")  # the path inside the bundle
                   for item in result.feed_items("out.jsonl"))
        assert cli.main(["verify", str(result.workdir / "out.jsonl"), "--archive", bundle]) == 0


def test_a_zip_of_warcs_replays_to_the_same_feed_as_the_warcs(tmp_path: Path) -> None:
    folder = tmp_path / "warcs"
    folder.mkdir()
    shutil.copy(SAMPLE, folder)
    bundle = tmp_path / "warcs.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(SAMPLE, "devdiscourse.warc.gz")
    feeds = [run_crawl(tmp_path / f"run-{source.name}", "devdiscourse", "-a", f"replay={source}", "-O", "out.jsonl",
                       env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")}) for source in (folder, bundle)]
    for result in feeds:
        assert result.returncode == 0, result.log[-3000:]
    assert len(feeds[1].feed_items("out.jsonl")) == 41
    assert [hashlib.sha256((result.workdir / "out.jsonl").read_bytes()).hexdigest() for result in feeds] == [
        hashlib.sha256((feeds[0].workdir / "out.jsonl").read_bytes()).hexdigest()] * 2


def test_one_bad_member_costs_only_itself_and_nothing_lands_outside(tmp_path: Path) -> None:
    page = b"<!DOCTYPE html><html><head><title>A</title></head><body><p>text</p></body></html>"
    bundle = tmp_path / "mixed.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("good.html", page)
        archive.writestr("bad.html", page.replace(b"text", b"TEXT"))
        archive.writestr("../outside.html", page)
        archive.writestr("__MACOSX/._good.html", APPLE_DOUBLE)
    raw = bytearray(bundle.read_bytes())
    at = raw.index(b"TEXT")  # stored, not deflated: the bytes are there to damage, and the CRC no longer fits
    raw[at:at + 4] = b"XXXX"
    bundle.write_bytes(bytes(raw))
    into = tmp_path / "into"
    found = Findings()
    assert bundles.extract(bundle, into, found, budget(bundle)) == 2
    assert sorted(p.relative_to(into).as_posix() for p in into.rglob("*")) == ["good.html", "outside.html"]
    assert not (tmp_path / "outside.html").exists()
    assert [line.split(":")[0] for line in damage(found)] == [f"{bundle}/bad.html"]


def test_a_tar_refuses_members_that_lead_outside_and_keeps_what_came_before_a_cut(tmp_path: Path) -> None:
    page = b"<!DOCTYPE html><html><body><p>text</p></body></html>" * 200
    bundle = tmp_path / "pages.tar"
    with tarfile.open(bundle, "w") as archive:
        for name in ("first.html", "/etc/absolute.html", "../up.html", "second.html", "third.html"):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(page), SAVED_AT
            archive.addfile(info, io.BytesIO(page))
        link = tarfile.TarInfo("passwd.html")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    into = tmp_path / "into"
    found = Findings()
    assert bundles.extract(bundle, into, found, budget(bundle)) == 4
    # an absolute name loses its leading slash, as zipfile's do
    assert sorted(p.relative_to(into).as_posix() for p in into.rglob("*.html")) == [
        "etc/absolute.html", "first.html", "second.html", "third.html"]
    assert (into / "first.html").stat().st_mtime == SAVED_AT
    assert [line.split(":")[0] for line in damage(found)] == [f"{bundle}/../up.html", f"{bundle}/passwd.html"]

    cut = tmp_path / "cut.tar"
    cut.write_bytes(bundle.read_bytes()[:4 * 512 + 2 * len(page)])  # inside the third header
    found = Findings()
    assert bundles.extract(cut, tmp_path / "cut", found, budget(cut)) == 2
    assert (tmp_path / "cut" / "first.html").read_bytes() == page
    assert damage(found) == [
        f"{cut}: cut short after 2 files: no end-of-archive block follows them"]

    compressed = tmp_path / "cut.tar.gz"  # a compressed stream cut short says so itself
    whole = gzip.compress(bundle.read_bytes())
    compressed.write_bytes(whole[:len(whole) // 2])
    found = Findings()
    kept = bundles.extract(compressed, tmp_path / "cut-gz", found, budget(compressed))
    assert 1 <= kept < 4 and (tmp_path / "cut-gz" / "first.html").read_bytes() == page
    # the member the cut fell in is not left half written, to be read as a whole page
    assert all(p.read_bytes() == page for p in (tmp_path / "cut-gz").rglob("*.html"))
    assert len(list((tmp_path / "cut-gz").rglob("*.html"))) == kept
    assert damage(found)[-1].startswith(f"{compressed}: cut short or damaged after {kept} files: ")


def test_a_zip_members_time_is_its_utc_time_in_every_form_tools_write() -> None:
    member = zipfile.ZipInfo("a.html", date_time=(2025, 12, 6, 5, 46, 40))
    assert zip_member_time(member) == SAVED_AT  # MS-DOS time, no zone: read as UTC on every machine
    member.extra = struct.pack("<HHBl", 0x5455, 5, 1, SAVED_AT - 3600)  # Info-ZIP, macOS
    assert zip_member_time(member) == SAVED_AT - 3600
    filetime = (SAVED_AT - 7200) * 10_000_000 + 116444736000000000  # 7-Zip, Windows tools
    member.extra = struct.pack("<HHIHHQQQ", 0x000A, 32, 0, 1, 24, filetime, filetime, filetime)
    assert zip_member_time(member) == SAVED_AT - 7200


@pytest.mark.parametrize("name, content, message", [
    ("junk.zip", b"not a zip at all", "not a readable ZIP file"),
    ("junk.tar.gz", b"\x1f\x8bnot gzip", "not a readable tar file"),
    ("empty.zip", b"PK\x05\x06" + b"\0" * 18, "without a file that could be extracted"),
])
def test_a_bundle_that_cannot_be_read_is_one_line_naming_it(tmp_path: Path, name: str, content: bytes,
                                                            message: str) -> None:
    bundle = tmp_path / name
    bundle.write_bytes(content)
    with pytest.raises(UnreadableBundle, match=message):
        bundles.extract(bundle, tmp_path / "into", Findings(), budget(bundle))
    result = run_crawl(tmp_path / "run", "news", "-a", f"replay={bundle}",
                       env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 2 and "Traceback" not in result.log
    assert f"bad value for -a replay: {bundle}: " in result.log and message in result.log


def test_a_folder_of_bundles_replays_each_bundle_with_the_folders_own_pages(tmp_path: Path) -> None:
    """Deliveries kept side by side (``2026-11.zip``, ``2026-12.tar.gz``) and a page saved by hand beside them: a
    ZIP in a folder was skipped without a word, its pages lost."""
    saved_pages(tmp_path / "pages", count=5)
    folder = tmp_path / "deliveries"
    folder.mkdir()
    names = sorted(p.name for p in (tmp_path / "pages").glob("*.html"))
    for archive, chosen in (("2026-11.zip", names[:2]), ("2026-12.tar.gz", names[2:4])):
        if archive.endswith(".zip"):
            with zipfile.ZipFile(folder / archive, "w") as bundle:
                for name in chosen:
                    for file in (name, name.replace(".html", ".url")):
                        bundle.write(tmp_path / "pages" / file, f"pages/{file}")
        else:
            with tarfile.open(folder / archive, "w:gz") as bundle:
                for name in chosen:
                    for file in (name, name.replace(".html", ".url")):
                        bundle.add(tmp_path / "pages" / file, f"pages/{file}")
    for file in (names[4], names[4].replace(".html", ".url")):
        shutil.copy2(tmp_path / "pages" / file, folder)
    (folder / "broken.zip").write_bytes(b"not a zip")
    expected = articles(replay(tmp_path, tmp_path / "pages", "loose"))
    result = replay(tmp_path, folder, "deliveries")
    assert result.returncode == 0 and articles(result) == expected, result.log[-3000:]
    # the broken one is damaged input, counted and named as any damaged record is, in this run and the next
    for run in (result, replay(tmp_path, folder, "again")):
        assert f"Damaged input {folder / 'broken.zip'} at offset 0 (unpack): not a readable ZIP file" in run.log
        # where the copies went, in the crawl's log (the unpacking itself ran before that log began)
        assert (f"Replaying what was unpacked once: {folder}: 2 WACZ, HAR, ZIP and tar files unpacked, 0 WARC files "
                f"linked and 2 saved pages and sidecars copied to {tmp_path / 'cache'}/unpacked-") in run.log
        assert run.stat("newscrawl/replay/archive_problems/unpack") == 1
        assert run.stat("newscrawl/run_status") == "damaged-input"
    assert {item["provenance"]["archive"]["file"].split("/")[0] for item in result.feed_items("out.jsonl")} == {
        "2026-11.zip", "2026-12.tar.gz", names[4]}
    assert cli.main(["verify", str(result.workdir / "out.jsonl"), "--archive", str(folder)]) == 0


def test_a_decompression_bomb_is_not_unpacked(tmp_path: Path) -> None:
    """Zeros compress a thousand times: a bundle may unpack to NEWSCRAWL_UNPACK_MAX_RATIO times its size (at least
    NEWSCRAWL_UNPACK_MIN_BYTES)."""
    limits = UnpackLimits(min_bytes=1 << 20)
    page = b"<!DOCTYPE html><html><body><p>text</p></body></html>"
    for name in ("bomb.zip", "bomb.tar.gz"):
        bundle = tmp_path / name
        if name.endswith(".zip"):
            with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("page.html", page)
                archive.writestr("zeros.html", b"\0" * (8 << 20))
        else:
            with tarfile.open(bundle, "w:gz") as archive:
                for member, data in (("page.html", page), ("zeros.html", b"\0" * (8 << 20))):
                    info = tarfile.TarInfo(member)
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
        found = Findings()
        assert bundles.extract(bundle, tmp_path / name.split(".")[0] / name, found, budget(bundle, limits)) == 1
        assert [line.split(":")[0] for line in damage(found)] == [f"{bundle}/zeros.html"]
        assert "a decompression bomb" in damage(found)[0]


def _tar_member(archive: tarfile.TarFile, name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE,
                link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.type, info.linkname = len(data), SAVED_AT, kind, link
    archive.addfile(info, io.BytesIO(data) if data else None)


def test_a_tar_member_is_written_by_the_member_writer_whole_or_not_at_all_within_the_budget(tmp_path: Path) -> None:
    """tarfile's extract() wrote a member over an earlier one of its name and removed both at a cut, and made a hard
    link to a member the budget refused by extracting that member again, past the budget."""
    page, later = b"<html><body><p>first</p></body></html>", b"<html><body><p>second</p></body></html>" * 300
    bundle = tmp_path / "delivery.tar.gz"
    with tarfile.open(bundle, "w:gz") as archive:
        _tar_member(archive, "page.html", page)
        _tar_member(archive, "zeros.html", b"\0" * (8 << 20))
        _tar_member(archive, "copy-of-zeros.html", kind=tarfile.LNKTYPE, link="zeros.html")
        _tar_member(archive, "copy-of-page.html", kind=tarfile.LNKTYPE, link="page.html")
        _tar_member(archive, "alias.html", kind=tarfile.SYMTYPE, link="page.html")
        _tar_member(archive, "page.html", later)  # a later copy of the same file, as tar keeps it: the later wins
    found, into = Findings(), tmp_path / "into"
    assert bundles.extract(bundle, into, found, budget(bundle, UnpackLimits(min_bytes=1 << 20))) == 4
    assert {path.name: path.read_bytes() for path in into.iterdir()} == {
        "page.html": later, "copy-of-page.html": page, "alias.html": later}
    assert (into / "alias.html").is_symlink() and (into / "copy-of-page.html").stat().st_mtime == SAVED_AT
    assert [line.split(": ")[0:2] for line in damage(found)] == [
        [f"{bundle}/zeros.html", "not extracted"],
        [f"{bundle}/copy-of-zeros.html", "not extracted"]]
    assert damage(found)[1].endswith("a hard link to zeros.html, which is no file extracted before it")

    raw = gzip.decompress(bundle.read_bytes())
    with tarfile.open(bundle) as archive:
        data_at = archive.getmembers()[-1].offset_data
    for cut_at in (data_at + 100, data_at + len(later) - 1):  # inside the later page.html's data
        cut = tmp_path / f"cut-{cut_at}.tar.gz"
        cut.write_bytes(gzip.compress(raw[:cut_at]))
        found, into = Findings(), tmp_path / f"cut-{cut_at}"
        assert bundles.extract(cut, into, found, budget(cut, UnpackLimits(min_bytes=1 << 20))) == 3
        assert {path.name: path.read_bytes() for path in into.iterdir()} == {  # the earlier page.html is whole
            "page.html": page, "copy-of-page.html": page, "alias.html": page}
        assert damage(found)[-1] == f"{cut}: cut short or damaged after 3 files: unexpected end of data"
