"""`newscrawl pack`: a crawl folder (WARC + feed) becomes a WACZ that py-wacz validates, holding the WARC unchanged
and one page per article of the feed; bad input is one line and exit 2, nothing written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from newscrawl.archive.budget import UnpackLimits
from tests.crawling import ROOT, run_crawl
from tests.test_archive_replay import newscrawl_cli

SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"


@pytest.fixture(scope="module")
def crawl_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder a crawl leaves: its WARC and, beside it, the feed whose items point into it."""
    workdir = tmp_path_factory.mktemp("pack")
    replay = run_crawl(workdir, "devdiscourse", "-a", f"replay={SAMPLE}", settings={"NEWSCRAWL_STATE_ENABLED": "False"})
    assert replay.returncode == 0, replay.log[-3000:]
    folder = workdir / "output" / "devdiscourse"
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    return folder


def test_pack_writes_a_valid_wacz_with_the_warc_and_the_articles(crawl_folder: Path, tmp_path: Path) -> None:
    wacz = tmp_path / "crawl.wacz"
    done = newscrawl_cli("pack", str(crawl_folder), "-o", str(wacz), "--title", "Devdiscourse sample")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == f"packed 1 WARC file and 41 pages into {wacz} (valid WACZ)"
    check = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(wacz)], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0 and "is valid" in check.stdout, check.stdout + check.stderr
    with zipfile.ZipFile(wacz) as archive:
        assert archive.read("archive/devdiscourse.warc.gz") == SAMPLE.read_bytes()
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").decode().splitlines()]
        assert json.loads(archive.read("datapackage.json"))["title"] == "Devdiscourse sample"
    [feed] = crawl_folder.glob("*.jsonl")
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert pages[0]["format"] == "json-pages-1.0"
    assert sorted(page["url"] for page in pages[1:]) == sorted(item["provenance"]["response_url"] for item in items)
    assert {page["title"] for page in pages[1:]} == {item["title"] for item in items}


@pytest.mark.parametrize("args", [("{folder}/no-such-folder",), ("{folder}", "--run", "19990101T000000Z")],
                         ids=["missing", "no-warc-of-that-run"])
def test_nothing_to_pack_is_one_line_and_exit_2(crawl_folder: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    wacz = tmp_path / "crawl.wacz"
    done = newscrawl_cli("pack", *(a.format(folder=crawl_folder) for a in args), "-o", str(wacz))
    assert done.returncode == 2
    assert done.stderr.startswith("newscrawl pack: ") and len(done.stderr.strip().splitlines()) == 1
    assert not wacz.exists()


def test_a_packed_wacz_replays_into_the_same_feed_and_verifies(crawl_folder: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A WACZ is what Browsertrix Crawler and ArchiveWeb.page write, and what `pack` writes for them: replayed, it
    gives the feed its WARCs give, byte for byte, and `verify --archive X.wacz` proves each item against it."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "extracted"))
    wacz = tmp_path / "crawl.wacz"
    assert newscrawl_cli("pack", str(crawl_folder), "-o", str(wacz)).returncode == 0
    feeds = []
    for source in (SAMPLE, wacz):
        done = run_crawl(tmp_path / f"replay-of-{source.name}", "devdiscourse", "-a", f"replay={source}", "-O",
                         "out.jsonl", settings={"NEWSCRAWL_STATE_ENABLED": "False"})
        assert done.returncode == 0 and "Traceback" not in done.log, done.log[-3000:]
        feeds.append((done.workdir / "out.jsonl").read_bytes())
    assert feeds[0] == feeds[1] and feeds[1].count(b"\n") == 41
    check = newscrawl_cli("verify", str(tmp_path / f"replay-of-{wacz.name}" / "out.jsonl"), "--archive", str(wacz),
                          "-q")
    assert check.returncode == 0 and "41 items checked: 41 verified, 0 problems" in check.stdout, check.stdout
    reparsed = []
    for number, source in enumerate((SAMPLE, wacz)):
        again = newscrawl_cli("reparse", str(source), "-o", str(tmp_path / f"reparsed-{number}.jsonl"),
                              cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        reparsed.append((tmp_path / f"reparsed-{number}.jsonl").read_bytes())
    assert reparsed[0] == reparsed[1]


@pytest.mark.parametrize("content", [b"not a zip at all", b"zip without warcs"], ids=["not-a-zip", "no-warc"])
def test_an_unreadable_wacz_is_one_line_and_exit_2(tmp_path: Path, content: bytes) -> None:
    wacz = tmp_path / "broken.wacz"
    if content == b"zip without warcs":
        with zipfile.ZipFile(wacz, "w") as archive:
            archive.writestr("datapackage.json", "{}")
    else:
        wacz.write_bytes(content)
    done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={wacz}")
    assert done.returncode == 2 and "Traceback" not in done.log, done.log[-3000:]
    assert f"{wacz}: " in done.log and ("not a readable WACZ" in done.log or "a ZIP without WARC files" in done.log)
    check = newscrawl_cli("verify", str(tmp_path / "none.jsonl"), "--archive", str(wacz))
    assert check.returncode == 2


def test_a_folder_of_wacz_and_warc_files_replays_all_of_them(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A WACZ beside WARCs in a replayed folder was ignored, silently; now every one is read, and a broken WACZ
    costs only itself: damaged input the replay reports (findings_of), one line."""
    from newscrawl.archive.replay import warc_files
    from newscrawl.archive.findings import UnreadableBundle
    from newscrawl.archive.unpack import findings_of, replay_root

    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "extracted"))
    folder = tmp_path / "downloads"
    (folder / "old").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "old" / SAMPLE.name)
    with zipfile.ZipFile(folder / "new.wacz", "w") as wacz:  # WACZ stores its WARCs uncompressed
        wacz.write(SAMPLE, "archive/other.warc.gz")
        wacz.writestr("datapackage.json", "{}")
    (folder / "broken.wacz").write_bytes(b"a download cut short")
    root = replay_root(folder, UnpackLimits())
    assert [path.relative_to(root).as_posix() for path in warc_files(root)] == [
        "new.wacz/archive/other.warc.gz", f"old/{SAMPLE.name}"]
    assert [(problem.file, problem.kind, problem.message) for problem in findings_of(root).problems] == [
        (str(folder / "broken.wacz"), "unpack", "not a readable WACZ (ZIP) file: File is not a zip file")]
    assert replay_root(folder, UnpackLimits()) == root  # made once
    os.utime(folder / "new.wacz", ns=(0, 0))
    assert replay_root(folder, UnpackLimits()) != root  # made again when a file changes
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(folder / "broken.wacz", alone)
    with pytest.raises(UnreadableBundle, match="none of its 1 WACZ files could be read"):
        replay_root(alone, UnpackLimits())


def test_a_wacz_whose_warcs_the_cache_folder_refuses_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Scrapy's traceback and exit 1 before; in a folder of WACZ files it would have cost each of them an error
    line and replayed what was left, as if they were damaged."""
    from tests.test_faults import tiny_disk

    folder = tmp_path / "downloads"
    folder.mkdir()
    with zipfile.ZipFile(folder / "crawl.wacz", "w") as wacz:  # ~430 kB of WARC for a 200 kB disk
        wacz.write(SAMPLE, "archive/crawl.warc.gz")
        wacz.writestr("datapackage.json", "{}")
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    cache = tmp_path / "extracted"
    cache.mkdir()
    with tiny_disk(cache, "200k"):
        for replayed in (folder / "crawl.wacz", folder):
            done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={replayed}",
                             env={"NEWSCRAWL_PLAIN_CACHE": str(cache)})
            assert done.returncode == 2 and "Traceback" not in done.log, done.log[-3000:]
            line = (f"bad value for -a replay: {folder / 'crawl.wacz'}: cannot extract its WARCs into {cache}: "
                    "No space left on device; free space there or point NEWSCRAWL_PLAIN_CACHE")
            assert line in done.log, done.log[-3000:]
            assert list(cache.iterdir()) == [], "the half-made extraction is removed"


def test_a_wacz_whose_extraction_folder_cannot_be_made_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """NEWSCRAWL_PLAIN_CACHE naming a file (or a folder that cannot be created): a FileExistsError traceback from
    mkdtemp and exit 1, where a full one was already the usage line."""
    wacz = tmp_path / "crawl.wacz"
    with zipfile.ZipFile(wacz, "w") as archive:
        archive.write(SAMPLE, "archive/crawl.warc.gz")
        archive.writestr("datapackage.json", "{}")
    cache = tmp_path / "a-file"
    cache.write_text("")
    done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={wacz}", env={"NEWSCRAWL_PLAIN_CACHE": str(cache)})
    assert done.returncode == 2 and "Traceback" not in done.log, done.log[-3000:]
    assert f"bad value for -a replay: {wacz}: cannot extract its WARCs into {cache}: Not a directory; " in done.log


def test_damaged_input_inside_a_wacz_is_named_by_the_wacz_and_its_member(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """It named the extraction folder (/tmp/newscrawl-plain/wacz-…/archive/cut.warc.gz), a cache path the user
    never saw; a folder of WACZ files names the WACZ in the folder."""
    from newscrawl.archive.replay import ReplaySource
    from newscrawl.archive.unpack import replay_root

    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "extracted"))
    folder = tmp_path / "downloads"
    folder.mkdir()
    wacz = folder / "crawl.wacz"
    data = SAMPLE.read_bytes()
    with zipfile.ZipFile(wacz, "w") as archive:
        archive.writestr("archive/cut.warc.gz", data[: len(data) - 200])
        archive.writestr("datapackage.json", "{}")
    for replayed in (wacz, folder):
        problems = ReplaySource(replay_root(replayed, UnpackLimits())).problems
        assert [(problem.file, problem.kind) for problem in problems] == [
            (f"{wacz}/archive/cut.warc.gz", "truncated")], problems


@pytest.mark.parametrize("damage", ["truncated", "gzip"])
def test_verify_names_a_damaged_record_inside_a_wacz_by_the_wacz_and_its_member(
        crawl_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """The FAIL line began with X.wacz/archive/NAME, then quoted the reader's error, which named the extraction
    folder (/tmp/newscrawl-plain/wacz-…/archive/NAME), a cache path the user never saw."""
    extracted = tmp_path / "extracted"
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(extracted))
    (feed,) = crawl_folder.glob("*.jsonl")
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    # the last record any item names (a live blog's update pages are archived after its page): only its item fails
    offset = max(ref["offset"] for item in items for ref in (
        item["provenance"]["archive"], *(page["archive"] for page in item["provenance"]["live_update_pages"])))
    data = SAMPLE.read_bytes()
    if damage == "truncated":
        data = data[: offset + 300]
    else:
        data = data[: offset + 40] + b"\0" * 100 + data[offset + 140:]
    wacz = tmp_path / "crawl.wacz"
    with zipfile.ZipFile(wacz, "w") as archive:
        archive.writestr(f"archive/{SAMPLE.name}", data)
        archive.writestr("datapackage.json", "{}")
    done = newscrawl_cli("verify", str(feed), "--archive", str(wacz), "-q")
    assert done.returncode == 1, done.stdout + done.stderr
    (fail,) = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    member = f"{wacz}/archive/{SAMPLE.name}"
    assert f": cannot read a response record at {member}:{offset}: {member} @ {offset}: {damage}: " in fail, fail
    assert str(extracted) not in done.stdout + done.stderr


def test_a_damaged_warc_is_left_out_named_and_the_others_are_packed(tmp_path: Path) -> None:
    """One WARC cut short failed the whole pack ("does not validate: EOFError: Compressed file ended …", naming no
    file) and left the invalid .wacz on disk."""
    folder = tmp_path / "crawl"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    data = SAMPLE.read_bytes()
    cut = folder / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 200])
    wacz = tmp_path / "crawl.wacz"
    done = newscrawl_cli("pack", str(folder), "-o", str(wacz))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines() == [f"newscrawl pack: left out damaged {cut}: EOFError: Compressed file ended "
                                        "before the end-of-stream marker was reached (a WACZ holding it would not "
                                        "validate)"]
    assert done.stdout.strip() == f"packed 1 WARC file and 0 pages into {wacz} (valid WACZ)"
    with zipfile.ZipFile(wacz) as archive:
        assert [name for name in archive.namelist() if name.startswith("archive/")] == [f"archive/{SAMPLE.name}"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crawl", "crawl.wacz"]


def test_a_wacz_that_does_not_validate_is_not_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newscrawl.archive import pack

    real = pack._wacz

    def failing_validation(*args: str) -> subprocess.CompletedProcess[str]:
        if args[0] == "validate":
            return subprocess.CompletedProcess(args, 1, "", "invalid for a reason py-wacz gives\n")
        return real(*args)

    monkeypatch.setattr(pack, "_wacz", failing_validation)
    wacz = tmp_path / "out" / "crawl.wacz"
    with pytest.raises(pack.PackError, match=f"{wacz} does not validate: invalid for a reason py-wacz gives"):
        pack.pack([SAMPLE], wacz)
    assert list(wacz.parent.iterdir()) == []
