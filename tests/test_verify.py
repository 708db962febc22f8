"""`newscrawl verify` on what users give it: items replayed from revisit records, feeds in other formats or not
feeds at all, odd lines, a wrong --archive path. One bad line costs only itself; a wrong file is one usage line."""

from __future__ import annotations

import copy
import gzip
import io
import json
import logging
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl import cli
from tests.crawling import ROOT, run_crawl


def _page(title: str) -> bytes:
    paragraphs = "".join(f"<p>Paragraph {i} of the harbour story: the council met on Monday.</p>" for i in range(12))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>").encode()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, Any]]]:
    """(archive folder, feed, items) of a replay of a story and a revisit of it under another URL (a tracking
    parameter), as warcio writes one: WARC-Refers-To-Target-URI names the story, WARC-Refers-To its record."""
    root = tmp_path_factory.mktemp("verify")
    archive = root / "archive"
    archive.mkdir()
    with (archive / "revisit.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        story = writer.create_warc_record("https://rev.example.net/story", "response",
                                          payload=io.BytesIO(_page("The harbour plan is approved")),
                                          http_headers=http)
        writer.write_record(story)
        revisit = writer.create_revisit_record(
            "https://rev.example.net/story?utm=x", digest=story.rec_headers.get_header("WARC-Payload-Digest"),
            refers_to_uri="https://rev.example.net/story", refers_to_date=story.rec_headers.get_header("WARC-Date"),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                          protocol="HTTP/1.1"))
        revisit.rec_headers.add_header("WARC-Refers-To", story.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(revisit)
    done = run_crawl(root / "run", "news", "-a", f"replay={archive}", "-O", "out.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    return archive, root / "run" / "out.jsonl", done.feed_items("out.jsonl")


@pytest.fixture(autouse=True)
def _index_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_CACHE_DIR", str(tmp_path / "cache"))


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["verify", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, items: list[Any]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def test_an_item_replayed_from_a_revisit_of_another_url_verifies(
        replayed: tuple[Path, Path, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]) -> None:
    """Its record is the revisit's original, whose URI is the other URL: verify failed it ("record URI … differs
    from provenance.response_url"), though the archive's revisit says the two are the same capture."""
    archive, feed, items = replayed
    assert sorted(item["provenance"]["response_url"] for item in items) == [
        "https://rev.example.net/story", "https://rev.example.net/story?utm=x"]
    code, out, _ = _verify(capsys, str(feed), "--archive", str(archive))
    assert code == 0 and out.endswith("2 items checked: 2 verified, 0 problems\n"), out


def test_the_index_verify_caches_names_the_next_replays_input(
        replayed: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """To prove a revisit item verify builds the archive's index and caches it, as a replay does, but it built it
    without asking the files' SHA-256 first: the cached index kept none, so each later replay read every WARC again
    for its name (replay.input_sha256). Verify now asks them as a replay does (replay.warc_file_sha256): the replay
    after it reads no WARC byte for its name, and names the input by its `sha256sum`."""
    import hashlib

    from newscrawl.archive import filedigest

    archive, feed, _ = replayed
    filedigest.forget()  # verify is a process of its own
    asked: list[Path] = []
    hashed = filedigest.file_sha256

    def counted(path: Path) -> str:
        asked.append(path)
        return hashed(path)

    monkeypatch.setattr(filedigest, "file_sha256", counted)
    assert _verify(capsys, str(feed), "--archive", str(archive), "-q")[:2] == (
        0, "2 items checked: 2 verified, 0 problems\n")
    assert asked == [archive / "revisit.warc.gz"], "the one hasher, once per file"
    (cached,) = (tmp_path / "cache" / "archive-index").glob("*.sqlite")
    built = cached.stat().st_ino

    done = run_crawl(tmp_path / "replay", "news", "-a", f"replay={archive}", "-O", "out.jsonl",
                     settings={"LOG_LEVEL": "DEBUG"}, env={"NEWSCRAWL_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.log[-3000:]
    assert f"Input digest of {archive}: 0 of 1 WARC files read for it" in done.log
    (report,) = (tmp_path / "replay" / "output" / "news").glob("*.replay.report.json")
    assert json.loads(report.read_text(encoding="utf-8"))["input"] == {
        "path": str(archive), "sha256": hashlib.sha256((archive / "revisit.warc.gz").read_bytes()).hexdigest()}
    assert cached.stat().st_ino == built, "verify's index answered the replay: not rebuilt"


@pytest.mark.parametrize("tamper", ["another-url", "body"])
def test_a_revisit_item_changed_since_still_fails(replayed: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str], tamper: str) -> None:
    archive, _, items = replayed
    item = copy.deepcopy(next(item for item in items if item["provenance"]["response_url"].endswith("?utm=x")))
    if tamper == "another-url":  # no revisit of this URL is answered by that record
        item["provenance"]["response_url"] = "https://rev.example.net/other-story"
    else:
        item["provenance"]["body_sha256"] = "0" * 64
    code, out, _ = _verify(capsys, str(_write(tmp_path / "tampered.jsonl", [item])), "--archive", str(archive))
    assert code == 1 and "1 items checked: 0 verified, 1 problems" in out, out


def test_json_array_and_gzip_feeds_verify(replayed: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """An `-O items.json` feed was read as lines: "17 items checked: 1 verified, 16 problems"."""
    archive, feed, items = replayed
    array = tmp_path / "items.json"
    array.write_text("[\n" + ",\n".join(json.dumps(item) for item in items) + "\n]", encoding="utf-8")
    packed = tmp_path / "items.jsonl.gz"
    packed.write_bytes(gzip.compress(feed.read_bytes()))
    for given in (array, packed):
        code, out, err = _verify(capsys, str(given), "--archive", str(archive))
        assert code == 0 and out.endswith("2 items checked: 2 verified, 0 problems\n") and not err, (given, out, err)


@pytest.mark.parametrize("kind", ["warc", "parquet-like", "utf-16"])
def test_a_file_that_is_no_feed_is_one_usage_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   kind: str) -> None:
    """A WARC, a Parquet file or a feed in another encoding crashed verify with a UnicodeDecodeError traceback."""
    given = tmp_path / f"given.{kind}"
    if kind == "warc":
        shutil.copy(ROOT / "samples" / "devdiscourse.warc.gz", given)
    elif kind == "parquet-like":
        given.write_bytes(b"PAR1\x15\x04\x15\xa0\x01\x00\xff\xfe" + bytes(range(256)))
    else:
        given.write_bytes('{"url": "x"}\n'.encode("utf-16"))
    code, out, err = _verify(capsys, str(given))
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"newscrawl verify: {given} is not a JSON Lines feed") and "JSON Lines" in err


def test_lines_that_are_not_objects_cost_only_themselves(replayed: tuple[Path, Path, list[dict[str, Any]]],
                                                          tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`[1,2]` or `"str"` on a line stopped verify with an AttributeError; a bad offset with a ValueError."""
    archive, _, items = replayed
    feed = tmp_path / "odd.jsonl"
    bad_offset = {"url": "x", "provenance": {"archive": {"file": "revisit.warc.gz", "record_id": "x",
                                                         "offset": "abc"}}}
    lines = [json.dumps(items[0]).encode(), b"[1, 2]", b'"str"', b"\xff\xfe not utf-8", json.dumps(bad_offset).encode(),
             json.dumps(items[1]).encode()]
    feed.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = _verify(capsys, str(feed), "--archive", str(archive), "-q")
    assert code == 1 and not err, err
    assert out.splitlines() == [
        "FAIL line 2: not a JSON object but a list: [1, 2]",
        "FAIL line 3: not a JSON object but a str: 'str'",
        "FAIL line 4: not a line of UTF-8 JSON ('utf-8' codec can't decode byte 0xff in position 0: invalid start "
        "byte)",
        "FAIL line 5 x: provenance.archive.offset 'abc' is not a number",
        "6 items checked: 2 verified, 4 problems"], out


def test_a_missing_archive_path_is_one_usage_line(replayed: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """It was one FAIL per item ("archive file …/x.warc.gz is missing") and exit 1, as if the archive were bad."""
    _, feed, _ = replayed
    missing = tmp_path / "nonexist"
    code, out, err = _verify(capsys, str(feed), "--archive", f"{missing}/")
    assert code == 2 and out == "" and err == f"newscrawl verify: cannot read {missing}/: no such file or folder " \
                                              "(--archive)\n", err


def test_an_archive_found_nowhere_without_archive_is_one_usage_line(
        replayed: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Without --archive, verify looks for each item's WARC beside the feed, at its recorded path and under output/;
    found nowhere, it was one FAIL per item ("archive file revisit.warc.gz is missing") and exit 1, naming neither
    where it looked nor --archive."""
    archive, feed, items = replayed
    moved = tmp_path / "feeds" / "out.jsonl"
    moved.parent.mkdir()
    shutil.copy(feed, moved)
    monkeypatch.chdir(tmp_path)
    code, out, err = _verify(capsys, str(moved))
    assert (code, out) == (2, ""), out
    assert err == (f"newscrawl verify: no archive found for {moved}: looked for {moved.parent}/revisit.warc.gz, "
                   "revisit.warc.gz, output/*/revisit.warc.gz; name it with --archive PATH\n"), err
    shutil.copy(archive / "revisit.warc.gz", moved.parent)  # beside the feed: found, as before
    code, out, err = _verify(capsys, str(moved), "-q")
    assert code == 0 and out == "2 items checked: 2 verified, 0 problems\n" and not err, out + err
    other = copy.deepcopy(items[0])  # one archive found, another not: that item's FAIL, the rest verified
    other["provenance"]["archive"]["file"] = "gone.warc.gz"
    code, out, err = _verify(capsys, str(_write(tmp_path / "feeds" / "two.jsonl", [items[1], other])), "-q")
    assert code == 1 and not err and out.splitlines() == [
        f"FAIL line 2 {other['url']}: archive file {moved.parent}/gone.warc.gz is missing",
        "2 items checked: 1 verified, 1 problems"], out


def test_output_is_what_the_help_says(replayed: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The help promised "one line per problem", but verify prints an `ok` line for every verified item too."""
    archive, _, items = replayed
    feed = tmp_path / "mixed.jsonl"
    feed.write_text("\n".join([json.dumps(items[0]), "[1]", json.dumps(items[1])]) + "\n", encoding="utf-8")
    code, out, _ = _verify(capsys, str(feed), "--archive", str(archive))
    kinds = [line.split(" ", 1)[0] for line in out.splitlines()]
    assert code == 1 and kinds == ["ok", "ok", "FAIL", "3"], out
    with pytest.raises(SystemExit):
        cli.main(["verify", "--help"])
    described = " ".join(capsys.readouterr().out.split())
    assert "an `ok` line per verified item and a `FAIL` line per problem" in described


def test_several_feeds_are_each_verified_with_a_total_and_the_worst_exit_code(
        replayed: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`newscrawl verify output/devdiscourse/*.replay.jsonl` (the README's command) said "unrecognized arguments"
    and exit 2 as soon as the glob found a second feed."""
    archive, feed, items = replayed
    tampered = copy.deepcopy(items[0])
    tampered["provenance"]["body_sha256"] = "0" * 64
    bad = _write(tmp_path / "bad.jsonl", [items[1], tampered])
    code, out, err = _verify(capsys, str(feed), str(bad), "--archive", str(archive), "-q")
    assert (code, err) == (1, ""), err
    assert out.splitlines() == [
        f"{feed}: 2 items checked: 2 verified, 0 problems",
        f"{bad}: FAIL line 2 {tampered['url']}: body digest mismatch at {archive}/revisit.warc.gz:"
        f"{tampered['provenance']['archive']['offset']}: archive has {items[0]['provenance']['body_sha256']}, item "
        f"says {'0' * 64}",
        f"{bad}: 2 items checked: 1 verified, 1 problems",
        "total of 2 feeds: 4 items checked: 3 verified, 1 problems"], out
    # a file among them that is no feed (a run report the glob caught) costs its line; the others are verified
    report = tmp_path / "run.report.json"
    report.write_text('{\n  "status": "ok"\n}\n', encoding="utf-8")
    code, out, err = _verify(capsys, str(feed), str(report), "--archive", str(archive), "-q")
    assert code == 2 and err.startswith(f"newscrawl verify: {report} is not a JSON Lines feed") and \
        err.count("\n") == 1, err
    assert out.splitlines() == [f"{feed}: 2 items checked: 2 verified, 0 problems",
                                "total of 2 feeds: 2 items checked: 2 verified, 0 problems; 1 feed not verified "
                                "(above)"], out
    # a path that does not exist stops it before any feed is read
    code, out, err = _verify(capsys, str(feed), str(tmp_path / "typo.jsonl"), "--archive", str(archive))
    assert (code, out) == (2, "") and err == f"newscrawl verify: cannot read {tmp_path / 'typo.jsonl'}: No such " \
                                             "file or directory\n", err
    # one feed: as before, no path before its lines and no total
    code, out, _ = _verify(capsys, str(feed), "--archive", str(archive), "-q")
    assert code == 0 and out == "2 items checked: 2 verified, 0 problems\n", out


def test_a_damaged_warcinfo_is_one_warning_for_its_file_not_one_per_item(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    """A WARC whose first record (the warcinfo) is damaged: "No readable warcinfo in FILE" came once for every item
    verified from it (read_at read the first record again for each), 43 lines for the sample's 41 items. The items'
    verdicts do not depend on the warcinfo."""
    sample = ROOT / "samples" / "devdiscourse.warc.gz"
    done = run_crawl(tmp_path / "run", "devdiscourse", "-a", f"replay={sample}", "-O", "out.jsonl")
    assert done.returncode == 0, done.log[-3000:]
    feed = str(tmp_path / "run" / "out.jsonl")
    data = sample.read_bytes()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert b"WARC-Type: warcinfo" in inflater.decompress(data)
    first = len(data) - len(inflater.unused_data)
    damaged = tmp_path / "damaged" / sample.name
    damaged.parent.mkdir()
    damaged.write_bytes(b"\0" * first + data[first:])  # the warcinfo's gzip member: garbage of the same length
    intact = _verify(capsys, feed, "--archive", str(sample), "-q")
    assert intact == (0, "41 items checked: 41 verified, 0 problems\n", ""), intact
    with caplog.at_level(logging.WARNING):
        assert _verify(capsys, feed, "--archive", str(damaged.parent), "-q")[:2] == intact[:2]
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith(f"No readable warcinfo in {damaged}: "), warnings
