"""Unpacking a replay's archives (archive/unpack.py, nested.py, members.py, budget.py): a WACZ's WARCs are written as
a bundle's members are, whole or not at all and within the NEWSCRAWL_UNPACK_* budget; archives inside a ZIP or tar
are unpacked the same whether it was given alone or found in a folder."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from scrapy.settings import Settings

import newscrawl.settings
from newscrawl import cli
from newscrawl.archive import wacz
from newscrawl.archive.budget import Budget, UnpackLimits
from newscrawl.archive.findings import Findings
from newscrawl.archive.replay import warc_files
from newscrawl.archive.unpack import findings_of, replay_root
from newscrawl.archive.warc import files_under
from tests.crawling import ROOT, CrawlResult, run_crawl
from tests.test_archive_har import devtools_entries, write_har

SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
WARC = f"archive/{SAMPLE.name}"
ZIP_TIME = (2026, 12, 7, 8, 30, 0)
TINY = {"NEWSCRAWL_UNPACK_MAX_RATIO": "2", "NEWSCRAWL_UNPACK_MIN_BYTES": "0"}
"""Limits a bomb of a few MB passes, and a WACZ of the sample's WARC (stored, as WACZ files keep them) does not."""


def zipped(path: Path, members: dict[str, bytes], deflated: tuple[str, ...] = ()) -> Path:
    """A ZIP of `members` (stored, as a WACZ keeps its WARCs, unless named in `deflated`), each of one fixed time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if name in deflated else zipfile.ZIP_STORED
            archive.writestr(info, data)
    return path


def tarred(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1796632200
            archive.addfile(info, io.BytesIO(data))
    return path


def claim_crc(archive: Path, member: str, crc: int) -> None:
    """Make both of `member`'s entries (its local header and the central directory) name `crc`."""
    raw = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as opened:
        header, at = opened.getinfo(member).header_offset, opened.start_dir
    raw[header + 14:header + 18] = struct.pack("<I", crc)
    while raw[at:at + 4] == b"PK\x01\x02":
        name, extra, comment = struct.unpack("<HHH", raw[at + 28:at + 34])
        if raw[at + 46:at + 46 + name].decode() == member:
            raw[at + 16:at + 20] = struct.pack("<I", crc)
        at += 46 + name + extra + comment
    archive.write_bytes(bytes(raw))


def cut_wacz(path: Path) -> Path:
    """A WACZ of two WARCs whose second one's bytes stop halfway: its entries name the CRC of the whole WARC."""
    whole = SAMPLE.read_bytes()
    zipped(path, {WARC: whole, "archive/cut.warc.gz": whole[:len(whole) // 2], "datapackage.json": b"{}"})
    claim_crc(path, "archive/cut.warc.gz", zlib.crc32(whole))
    return path


def relative(root: Path) -> list[str]:
    return sorted(Path(os.path.relpath(file, root)).as_posix() for file in files_under(root))


def damage(root: Path) -> list[str]:
    return [f"{problem.file}: {problem.message}" for problem in findings_of(root).problems]


def replay(tmp_path: Path, source: Path, name: str, *args: str, settings: dict[str, str] | None = None
           ) -> CrawlResult:
    result = run_crawl(tmp_path / f"run-{name}", "devdiscourse", "-a", f"replay={source}", *args, "-O", "out.jsonl",
                       settings=settings, env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert "Traceback" not in result.log, result.log[-3000:]
    return result


def damaged_input(result: CrawlResult) -> bool:
    """The replay ran to its end and reported damaged input (`newscrawl run` exits 7 for it)."""
    return result.returncode == 0 and result.stat("newscrawl/run_status") == "damaged-input"


def test_a_wacz_member_cut_short_costs_only_itself_and_is_never_replayed(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """zipfile's extract() left what it had written of a member whose read failed: in a folder, that half WARC was
    replayed beside the line calling the whole WACZ unreadable; given alone, the WACZ's whole WARC was lost with it."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    source = cut_wacz(tmp_path / "downloads" / "crawl.wacz")
    found = Findings()
    into = tmp_path / "into"
    assert wacz.extract_warcs(source, into, found, Budget(UnpackLimits(), source.stat().st_size)) == 1
    assert relative(into) == [WARC]  # no half WARC, no .partial
    assert (into / WARC).stat().st_mtime_ns == source.stat().st_mtime_ns  # a WARC takes its WACZ's time
    assert [(problem.file, problem.message) for problem in found.problems] == [
        (f"{source}/archive/cut.warc.gz", "not extracted: Bad CRC-32 for file 'archive/cut.warc.gz'")]
    root = replay_root(source.parent, UnpackLimits())
    assert [os.path.relpath(file, root) for file in warc_files(root)] == [f"crawl.wacz/{WARC}"]
    assert damage(root) == [f"{source}/archive/cut.warc.gz: not extracted: Bad CRC-32 for file "
                            "'archive/cut.warc.gz'"]

    result = replay(tmp_path, source, "alone")
    assert damaged_input(result) and len(result.feed_items("out.jsonl")) == 41, result.log[-3000:]
    assert (f"Damaged input {source}/archive/cut.warc.gz at offset 0 (unpack): not extracted: Bad CRC-32 for file "
            "'archive/cut.warc.gz'") in result.log


def test_a_wacz_bomb_is_refused_within_the_limits_the_settings_give(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A WACZ's WARCs were extracted with no budget at all: a WARC member of zeros filled the disk."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    bomb = b"\0" * (8 << 20)
    source = zipped(tmp_path / "bomb.wacz", {"archive/zeros.warc.gz": bomb, WARC: SAMPLE.read_bytes()},
                    deflated=("archive/zeros.warc.gz",))
    refusal = (f"{source}/archive/zeros.warc.gz at offset 0 (unpack): not extracted: {len(bomb)} bytes, more than the "
               "archive may unpack to (2 times its size (NEWSCRAWL_UNPACK_MAX_RATIO), at least 0 bytes "
               "(NEWSCRAWL_UNPACK_MIN_BYTES))")
    result = replay(tmp_path, source, "tiny", settings=TINY)
    assert damaged_input(result) and len(result.feed_items("out.jsonl")) == 41, result.log[-3000:]
    assert f"Damaged input {refusal}" in result.log
    assert not list((tmp_path / "cache").rglob("zeros.warc.gz"))
    # the limits are part of the cache key: raised, they unpack what they refused before
    tiny, default = (replay_root(source, limits) for limits in (UnpackLimits(2, 0), UnpackLimits()))
    assert relative(tiny) == [WARC] and relative(default) == [WARC, "archive/zeros.warc.gz"]


def test_archives_in_a_bundle_are_unpacked_alike_alone_or_in_a_folder_three_levels_deep(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A WACZ, HAR or ZIP in a ZIP was unpacked only when that ZIP was given alone (one level), never when the ZIP
    was found in a folder: its WARCs were not replayed."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    session = write_har(tmp_path / "session.har", devtools_entries(1))
    deepest = zipped(tmp_path / "too-deep.wacz", {WARC: SAMPLE.read_bytes()})
    level3 = tarred(tmp_path / "l3.tar", {"too-deep.wacz": deepest.read_bytes(), "README.txt": b"notes"})
    older = zipped(tmp_path / "older.zip", {"l3.tar": level3.read_bytes(), "session.har": session.read_bytes(),
                                            "broken.wacz": b"cut short"})
    crawl = zipped(tmp_path / "crawl.wacz", {WARC: SAMPLE.read_bytes()})
    delivery = zipped(tmp_path / "folder" / "delivery.zip", {"crawl.wacz": crawl.read_bytes(),
                                                             "older.zip": older.read_bytes()})
    alone, folder = replay_root(delivery, UnpackLimits()), replay_root(delivery.parent, UnpackLimits())
    expected = [f"crawl.wacz/{WARC}", "older.zip/l3.tar/README.txt", "older.zip/session.har/session.har.warc.gz"]
    assert relative(alone) == expected
    assert relative(folder) == [f"delivery.zip/{name}" for name in expected]
    for root, name in ((alone, str(delivery)), (folder, str(delivery))):
        assert damage(root) == [
            f"{name}/older.zip/broken.wacz: not a readable WACZ (ZIP) file: File is not a zip file",
            f"{name}/older.zip/l3.tar/too-deep.wacz: not unpacked: a WACZ file at level 4 of archives in archives, "
            "past the 3 levels unpacked (raise NEWSCRAWL_UNPACK_MAX_DEPTH, or unpack the archive it is in by hand)"]
    assert replay_root(folder, UnpackLimits()) == folder  # nothing left in it to unpack

    # every level draws on the budget of the archive given: a bomb two levels down is refused by it
    bombed = zipped(tmp_path / "bombed.zip", {"inner.zip": zipped(tmp_path / "inner.zip", {
        "zeros.html": b"\0" * (8 << 20), "page.html": b"<p>text</p>"}, deflated=("zeros.html",)).read_bytes()})
    root = replay_root(bombed, UnpackLimits(2, 0))
    assert relative(root) == ["inner.zip/page.html"]
    assert [line.split(":")[0] for line in damage(root)] == [f"{bombed}/inner.zip/zeros.html"]


def test_a_nested_wacz_replays_to_the_same_feed_on_any_machine_and_in_parallel(tmp_path: Path) -> None:
    crawl = zipped(tmp_path / "crawl.wacz", {WARC: SAMPLE.read_bytes()})
    deepest = zipped(tmp_path / "l4.wacz", {WARC: SAMPLE.read_bytes()})
    level3 = zipped(tmp_path / "l3.zip", {"l4.wacz": deepest.read_bytes(), "README.txt": b"notes"})
    level2 = zipped(tmp_path / "l2.zip", {"l3.zip": level3.read_bytes()})
    delivery = zipped(tmp_path / "folder" / "delivery.zip", {"crawl.wacz": crawl.read_bytes(),
                                                             "l2.zip": level2.read_bytes()})
    too_deep = "l2.zip/l3.zip/l4.wacz at offset 0 (unpack): not unpacked: a WACZ file at level 4 of archives"
    alone = replay(tmp_path, delivery, "alone")
    runs = [replay(tmp_path, delivery.parent, name, *args, settings=settings) for name, args, settings in (
        ("folder", (), None), ("jobs", ("-a", "jobs=2"), None),
        ("elsewhere", (), {"NEWSCRAWL_UNPACK_MIN_BYTES": str(1 << 29)}))]  # another cache folder, the same bytes
    for result in (alone, *runs):
        assert damaged_input(result) and f"Damaged input {delivery}/{too_deep}" in result.log, result.log[-3000:]
    assert [(item["url"], item["body"], item["provenance"]["archive"]) for item in alone.feed_items("out.jsonl")] == [
        (item["url"], item["body"], item["provenance"]["archive"]) for item in runs[0].feed_items("out.jsonl")]
    assert {item["provenance"]["archive"]["file"] for item in alone.feed_items("out.jsonl")} == {SAMPLE.name}
    assert len({hashlib.sha256((run.workdir / "out.jsonl").read_bytes()).hexdigest() for run in runs}) == 1
    for result, source in ((alone, delivery), (runs[0], delivery.parent)):
        assert cli.main(["verify", str(result.workdir / "out.jsonl"), "--archive", str(source), "-q"]) == 0


def test_archives_are_unpacked_as_many_levels_deep_as_the_setting_says(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The depth was 3, hard-coded: a delivery nested one level deeper could not be replayed whole by any setting."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    deepest = zipped(tmp_path / "l4.wacz", {WARC: SAMPLE.read_bytes()})
    level3 = zipped(tmp_path / "l3.zip", {"l4.wacz": deepest.read_bytes(), "README.txt": b"notes"})
    level2 = zipped(tmp_path / "l2.zip", {"l3.zip": level3.read_bytes(), "page.html": b"<p>text</p>"})
    delivery = zipped(tmp_path / "delivery.zip", {"l2.zip": level2.read_bytes(), "notes.txt": b"level 1"})
    roots = {depth: replay_root(delivery, UnpackLimits(max_depth=depth)) for depth in (1, 3, 4)}
    assert relative(roots[4]) == ["l2.zip/l3.zip/README.txt", f"l2.zip/l3.zip/l4.wacz/{WARC}", "l2.zip/page.html",
                                  "notes.txt"]
    assert damage(roots[4]) == []
    assert relative(roots[3]) == ["l2.zip/l3.zip/README.txt", "l2.zip/page.html", "notes.txt"]
    assert damage(roots[3]) == [f"{delivery}/l2.zip/l3.zip/l4.wacz: not unpacked: a WACZ file at level 4 of archives "
                                "in archives, past the 3 levels unpacked (raise NEWSCRAWL_UNPACK_MAX_DEPTH, or unpack "
                                "the archive it is in by hand)"]
    assert relative(roots[1]) == ["notes.txt"]
    assert damage(roots[1]) == [f"{delivery}/l2.zip: not unpacked: a ZIP or tar file at level 2 of archives in "
                                "archives, past the 1 level unpacked (raise NEWSCRAWL_UNPACK_MAX_DEPTH, or unpack the "
                                "archive it is in by hand)"]
    assert len(set(roots.values())) == 3  # the depth is part of the cache key, as the other limits are

    # a crawl's -s gives it, as it gives the other limits
    result = replay(tmp_path, delivery, "deeper", settings={"NEWSCRAWL_UNPACK_MAX_DEPTH": "4"})
    assert result.returncode == 0 and result.stat("newscrawl/run_status") != "damaged-input", result.log[-3000:]
    assert len(result.feed_items("out.jsonl")) == 41


def test_verify_and_reparse_unpack_by_the_settings_the_crawl_was_given(tmp_path: Path) -> None:
    """verify and reparse read the project's NEWSCRAWL_UNPACK_* settings only: a replay given a raised limit with
    -s unpacked an archive they then unpacked less of, and every item of it was a FAIL. Their -s is the crawl's."""
    deepest = zipped(tmp_path / "l4.wacz", {WARC: SAMPLE.read_bytes()})
    level3 = zipped(tmp_path / "l3.zip", {"l4.wacz": deepest.read_bytes()})
    level2 = zipped(tmp_path / "l2.zip", {"l3.zip": level3.read_bytes()})
    delivery = zipped(tmp_path / "delivery.zip", {"l2.zip": level2.read_bytes(), "notes.txt": b"level 1"})
    deeper = {"NEWSCRAWL_UNPACK_MAX_DEPTH": "4"}
    crawl = replay(tmp_path, delivery, "deeper", settings=deeper)
    feed = crawl.workdir / "out.jsonl"
    assert crawl.returncode == 0 and len(crawl.feed_items("out.jsonl")) == 41, crawl.log[-3000:]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")}
    env.pop("SCRAPY_SETTINGS_MODULE", None)

    def newscrawl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "newscrawl.cli", *args], capture_output=True, text=True,
                              cwd=crawl.workdir, env=env, timeout=300)

    verify = ["verify", str(feed), "--archive", str(delivery), "-q"]
    done = newscrawl(*verify)  # the project's depth, 3: the WARC the items came from is not unpacked
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.endswith("41 items checked: 0 verified, 41 problems\n"), done.stdout
    done = newscrawl(*verify, "-s", "NEWSCRAWL_UNPACK_MAX_DEPTH=4")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("41 items checked: 41 verified, 0 problems\n"), done.stdout
    done = newscrawl(*verify, "--set", "NEWSCRAWL_UNPACK_MAX_DEPHT=4")  # a typo is no limit raised
    assert done.returncode == 2 and done.stderr == (
        "newscrawl verify: error: argument -s/--set: NEWSCRAWL_UNPACK_MAX_DEPHT is not a setting verify reads (only "
        "NEWSCRAWL_UNPACK_MAX_RATIO, NEWSCRAWL_UNPACK_MIN_BYTES, NEWSCRAWL_UNPACK_MAX_DEPTH); see newscrawl verify "
        "--help\n"), done.stderr

    reparse = ["reparse", str(delivery), "-o", "new.jsonl", "--against", str(feed)]
    done = newscrawl(*reparse, "-s", "NEWSCRAWL_UNPACK_MAX_DEPTH=4")  # the spider from the level-4 WARC's warcinfo
    assert done.returncode == 0, done.stdout + done.stderr
    assert "41 items compared: 0 changed, 0 appeared, 0 disappeared" in done.stdout, done.stdout
    done = newscrawl(*reparse)  # the project's depth: the one WARC is not unpacked, so there is nothing to replay
    assert done.returncode == 2 and done.stderr.startswith(
        f"newscrawl reparse: {delivery}: no .warc/.warc.gz/.warc.zst/.arc/.arc.gz files and no saved pages (.html/"
        ".htm/.html.gz, or files whose first bytes are HTML) found in what it unpacks to: 1 file (notes.txt); "
        f"unpacking it found 3 problems, the first: {delivery}/l2.zip/l3.zip/l4.wacz: not unpacked: a WACZ file at "
        "level 4") and done.stderr.count("\n") == 1, done.stdout + done.stderr
    done = newscrawl(*reparse, "-s", "NEWSCRAWL_UNPACK_MAX_DEPTH=none")
    assert done.returncode == 2 and done.stderr.startswith(
        "newscrawl reparse: bad setting NEWSCRAWL_UNPACK_MAX_DEPTH='none': expected a whole number, 1 or more"
    ) and done.stderr.count("\n") == 1, done.stderr
    done = newscrawl(*reparse, "-s", "NEWSCRAWL_UNPACK_MAX_DEPTH")
    assert done.returncode == 2 and done.stderr == (
        "newscrawl reparse: error: argument -s/--set: expected NAME=VALUE, got 'NEWSCRAWL_UNPACK_MAX_DEPTH'; see "
        "newscrawl reparse --help\n"), done.stderr


def test_an_archive_that_unpacks_to_nothing_to_replay_is_one_line_naming_it_and_what_it_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The line named the cache folder the archive was unpacked into (`…/unpacked-<hash>: no .warc… files …
    found`), a path the user never gave nor saw; now the archive (or folder) they gave, and what it holds."""
    monkeypatch.setenv("NEWSCRAWL_PLAIN_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    bundle = zipped(tmp_path / "pictures.zip", {"notes.txt": b"no page here", "img/a.png": b"\x89PNG\r\n\x1a\n"})
    many = zipped(tmp_path / "many.zip", {f"img/{n}.png": b"\x89PNG\r\n\x1a\n" for n in range(5)})
    folder = tmp_path / "delivery"
    folder.mkdir()
    (folder / "pictures.zip").write_bytes(bundle.read_bytes())
    nothing = ("no .warc/.warc.gz/.warc.zst/.arc/.arc.gz files and no saved pages (.html/.htm/.html.gz, or files "
               "whose first bytes are HTML) found in what it unpacks to")
    for given, held in ((bundle, "2 files (img/a.png, notes.txt)"),
                        (many, "5 files (img/0.png, img/1.png, img/2.png, …)"),
                        (folder, "2 files (pictures.zip/img/a.png, pictures.zip/notes.txt)")):
        assert cli.main(["reparse", str(given)]) == 2
        assert capsys.readouterr().err == f"newscrawl reparse: {given}: {nothing}: {held}\n"
    assert not (tmp_path / "reparse.jsonl").exists()  # refused before any replay


def test_the_unpack_limits_are_settings() -> None:
    assert UnpackLimits.from_settings(Settings()) == UnpackLimits(100, 1 << 30, 3)
    assert UnpackLimits.from_settings(Settings({**TINY, "NEWSCRAWL_UNPACK_MAX_RATIO": "2.5"})) == UnpackLimits(2.5, 0)
    assert UnpackLimits.from_settings(Settings({"NEWSCRAWL_UNPACK_MAX_DEPTH": "5"})) == UnpackLimits(max_depth=5)
    assert UnpackLimits.from_settings(Settings({"NEWSCRAWL_UNPACK_MAX_DEPTH": 1})) == UnpackLimits(max_depth=1)
    project = Settings()
    project.setmodule(newscrawl.settings)
    assert UnpackLimits.from_settings(project) == UnpackLimits()  # settings.py names the defaults


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("NEWSCRAWL_UNPACK_MAX_RATIO", "lots", "a number above 0"),
    ("NEWSCRAWL_UNPACK_MAX_RATIO", "0", "a number above 0"),
    ("NEWSCRAWL_UNPACK_MIN_BYTES", "-1", "a whole number of bytes, 0 or more"),
    ("NEWSCRAWL_UNPACK_MIN_BYTES", "1.5", "a whole number of bytes, 0 or more"),
    ("NEWSCRAWL_UNPACK_MAX_DEPTH", "0", "a whole number, 1 or more"),
    ("NEWSCRAWL_UNPACK_MAX_DEPTH", "deep", "a whole number, 1 or more"),
])
def test_a_bad_unpack_setting_stops_the_crawl_and_verify_in_one_line_naming_it(tmp_path: Path, name: str, value: str,
                                                                                expected: str) -> None:
    wacz_file = zipped(tmp_path / "crawl.wacz", {WARC: SAMPLE.read_bytes()})
    result = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={wacz_file}", settings={name: value},
                       env={"NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 2, result.log[-2000:]
    assert result.log.startswith(f"scrapy crawl devdiscourse: error: bad setting {name}={value!r}: expected "
                                 f"{expected}"), result.log
    assert result.log.count("\n") == 1 and not (tmp_path / "cache").exists(), result.log
    # verify and reparse unpack by the project's settings (here a settings module of the user's)
    (tmp_path / "project_settings.py").write_text(f"from newscrawl.settings import *\n{name} = {value!r}\n")
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "project_settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]), "NEWSCRAWL_PLAIN_CACHE": str(tmp_path / "cache")}
    for command in (["verify", "feed.jsonl", "--archive", str(wacz_file)], ["reparse", str(wacz_file)]):
        done = subprocess.run([sys.executable, "-m", "newscrawl.cli", *command], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=120)
        assert done.returncode == 2 and done.stderr == (
            f"newscrawl {command[0]}: bad setting {name}={value!r}: expected {expected}"
            f"{done.stderr.split(expected, 1)[-1]}"), done.stderr
        assert done.stderr.count("\n") == 1 and not (tmp_path / "cache").exists(), done.stderr
