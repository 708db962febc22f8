"""Audit trail: discovery provenance per route, claim/page discrepancies, re-parse with a per-field diff, and
drift pages that become failing fixtures."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import tests.promote as promote_module
from newscrawl import cli
from newscrawl.parsers import parser_by_name
from newscrawl.pipelines.attribution import attribute
from newscrawl.pipelines.boilerplate import clean_article
from tests.crawling import FAST, ROOT, CrawlResult, run_crawl
from tests.sitegen.corpus import corpus, seed_spec
from tests.sitegen.devdiscourse import NewsSpec, canonical_url
from tests.sitegen.server import MirrorServer, build_devdiscourse_mirror
from tests.support import article_record
from tests.test_runner import newscrawl, rewrite_pages, run_args


@pytest.fixture(scope="module")
def specs() -> list[NewsSpec]:
    return [seed_spec(), *corpus(10, seed=5)]


def items_of(result: CrawlResult, name: str = "out.jsonl") -> dict[str, dict[str, Any]]:
    return {item["outlet_id"]: item for item in result.feed_items(name)}


def test_every_route_leaves_its_trail_and_claims(specs: list[NewsSpec], tmp_path: Path) -> None:
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        result = run_crawl(tmp_path / "all", "devdiscourse", "-a", f"base_url={server.base_url}",
                           "-a", "since=2025-01-01", "-O", "out.jsonl", settings=FAST)
        single = run_crawl(tmp_path / "one", "devdiscourse", "-a",
                           "urls=" + server.base_url + canonical_url(specs[0]).split(".com", 1)[1],
                           "-O", "out.jsonl", settings=FAST)
        base_url = server.base_url
    seed = items_of(result)[str(specs[0].news_id)]
    trail = {d["via"]: d for d in seed["provenance"]["discovery"]}
    assert set(trail) == {"news-sitemap", "api", "listing"}
    for discovery in trail.values():
        assert discovery["source_url"].startswith(base_url) and discovery["seen_at"].endswith("+00:00")
        assert isinstance(discovery["position"], int)
    assert {"news:publication_date", "news:title", "lastmod"} <= trail["news-sitemap"]["claims"].keys()
    assert trail["news-sitemap"]["claims"]["news:title"] == seed["title"]
    assert {"createdOn", "label", "country"} <= trail["api"]["claims"].keys()
    assert trail["api"]["claims"]["createdOn"].startswith("2025-03-21T13:")  # ingest time, UTC, no offset
    assert trail["listing"]["claims"]["title"] == seed["title"] and trail["listing"]["claims"]["time_text"]
    assert not seed["provenance"]["discrepancies"], "the sitemap's wrong-offset dates are a quirk, not a discrepancy"
    [only] = single.feed_items("out.jsonl")
    assert [(d["via"], d["source_url"]) for d in only["provenance"]["discovery"]] == [("urls-arg", None)]


def test_a_retitled_sitemap_entry_is_a_discrepancy(specs: list[NewsSpec], tmp_path: Path) -> None:
    site = build_devdiscourse_mirror(specs)
    old_title = specs[1].title.encode()
    rewrite_pages(site, lambda body: body.replace(b"<![CDATA[" + old_title + b"]]>",
                                                  b"<![CDATA[An Earlier Headline Nobody Printed]]>"))
    with MirrorServer(site) as server:
        result = newscrawl(tmp_path, *run_args(server))
    assert result.returncode == 0, result.stdout + result.stderr
    feed = next((tmp_path / "output" / "devdiscourse").glob("*.jsonl"))
    items = {i["outlet_id"]: i for i in map(json.loads, feed.read_text().splitlines())}
    [discrepancy] = items[str(specs[1].news_id)]["provenance"]["discrepancies"]
    assert discrepancy == {"field": "title", "via": "news-sitemap", "source_url": discrepancy["source_url"],
                           "claimed": "An Earlier Headline Nobody Printed", "found": specs[1].title}
    assert all(not item["provenance"]["discrepancies"] for key, item in items.items() if key != str(specs[1].news_id))
    report = json.loads(next((tmp_path / "output" / "devdiscourse").glob("*.report.json")).read_text())
    assert report["counts"]["discrepancies"] == {"title": 1}


def reparse(workdir: Path, *args: str, code_root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(code_root), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    return subprocess.run([sys.executable, "-m", "newscrawl.cli", "reparse", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=180)


SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"


@pytest.mark.parametrize(("arguments", "message"), [
    (("--spider", "nosuch"), "newscrawl reparse: unknown spider 'nosuch' (known: devdiscourse, news)"),
    (("--against", "nonexist.jsonl"), "newscrawl reparse: cannot read nonexist.jsonl: [Errno 2] No such file or "
                                      "directory: 'nonexist.jsonl'"),
    (("--against", "old.jsonl", "--report", "old.jsonl/diff.json"), "newscrawl reparse: cannot write "
                                                                    "old.jsonl/diff.json in old.jsonl: Not a directory"),
    (("-o", "."), "newscrawl reparse: cannot write .: Is a directory"),
])
def test_reparse_checks_its_arguments_before_the_re_parse(tmp_path: Path, arguments: tuple[str, ...],
                                                         message: str) -> None:
    """Each was found only after the whole re-parse (a traceback of the replay for an unknown spider, a
    PermissionError traceback for the diff)."""
    (tmp_path / "old.jsonl").write_text('{"url": "https://www.devdiscourse.com/article/x/1-a"}\n')
    done = reparse(tmp_path, str(SAMPLE), "-o", "new.jsonl", *arguments) if arguments[0] != "-o" else \
        reparse(tmp_path, str(SAMPLE), *arguments)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n")
    assert not (tmp_path / "new.jsonl").exists() and not (tmp_path / "output").exists(), "nothing re-parsed"


def test_a_replay_that_fails_is_its_own_line_and_its_log_is_kept(tmp_path: Path) -> None:
    """The replay's failure was its last 2,000 characters of stderr pasted under a header; now it is the replay's
    own one line, said as `newscrawl reparse`, and the whole stderr is in a file the line names."""
    archive = tmp_path / "whole.warc.gz"  # gzipped whole: replayed from an inflated copy, which is refused here
    archive.write_bytes(gzip.compress(gzip.decompress(SAMPLE.read_bytes()), mtime=0))
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSCRAWL_PLAIN_CACHE": str(not_a_folder),
           "NEWSCRAWL_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "newscrawl.cli", "reparse", str(archive), "-o", "new.jsonl"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    assert done.stderr.splitlines() == [
        f"newscrawl reparse: replay of {archive} failed (exit 1): the crawl stopped early (replay_input_error): "
        f"cannot replay {archive}: cannot make the inflated copy of {archive} in {not_a_folder}: Not a directory; free "
        "space there or point NEWSCRAWL_PLAIN_CACHE at a folder with room for the file uncompressed; its log: "
        "new.replay.log"], done.stderr
    log = (tmp_path / "new.replay.log").read_text(encoding="utf-8")
    assert "CRITICAL: Cannot replay" in log and "scrapy crawl news: the crawl stopped early" in log


def test_a_replay_that_fails_without_its_own_line_shows_its_last_lines(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A replay that dies before it can say why ends in a traceback: its last lines name the cause, the whole of it
    is in the log file. (A replay cannot be made to crash alone from outside, so its outcome is given.)"""
    stderr = "".join(f"noise {n}\n" for n in range(200)) + ("Traceback (most recent call last):\n"
                                                          '  File "x.py", line 1, in <module>\n'
                                                          "ValueError: boom\n")

    def crashed(archive: Path, spider: str, feed: Path, jobs: int = 1,
                settings: Sequence[tuple[str, str]] = ()) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(["scrapy"], 1, "", stderr)

    monkeypatch.setattr(cli, "replay_to_feed", crashed)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["reparse", str(SAMPLE), "-o", "out/new.jsonl"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        f"newscrawl reparse: replay of {SAMPLE} failed (exit 1); its log: out/new.replay.log; its last lines:",
        "  Traceback (most recent call last):", '    File "x.py", line 1, in <module>', "  ValueError: boom"], err
    assert (tmp_path / "out" / "new.replay.log").read_text(encoding="utf-8") == stderr


def test_an_empty_archive_argument_is_refused(tmp_path: Path) -> None:
    """`newscrawl reparse "$ARCHIVE"` with the variable unset re-parsed the working folder."""
    done = reparse(tmp_path, "")
    assert done.returncode == 2, done.stderr
    assert done.stderr == "newscrawl reparse: error: argument archive: empty; see newscrawl reparse --help\n"
    assert list(tmp_path.iterdir()) == []


def test_reparse_reports_exactly_the_changed_field_on_exactly_the_affected_items(
        specs: list[NewsSpec], tmp_path: Path) -> None:
    with MirrorServer(build_devdiscourse_mirror(specs)) as server:
        live = run_crawl(tmp_path / "live", "devdiscourse", "-a", f"base_url={server.base_url}", settings=FAST)
    archive = next((tmp_path / "live" / "output" / "devdiscourse").glob("*.warc.gz"))
    first = reparse(tmp_path, str(archive), "-o", "old.jsonl")
    assert first.returncode == 0, first.stderr
    # Unchanged code: nothing changes and the new feed is byte-identical to the old one.
    same = reparse(tmp_path, str(archive), "-o", "new.jsonl", "--against", "old.jsonl")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "0 changed, 0 appeared, 0 disappeared" in same.stdout
    digest = [hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("old.jsonl", "new.jsonl")]
    assert digest[0] == digest[1]
    # A deliberate parser change: keep "(With inputs from …)" in the body.
    changed_code = tmp_path / "code"
    shutil.copytree(ROOT / "newscrawl", changed_code / "newscrawl")
    notes = changed_code / "newscrawl" / "extract" / "notes.py"
    source = notes.read_text()
    assert 'rule(r"\\(\\s*with (?:additional )?inputs? from' in source
    notes.write_text(source.replace('rule(r"\\(\\s*with (?:additional )?inputs? from',
                                    'rule(r"NEVER-MATCHES\\(\\s*with (?:additional )?inputs? from'))
    changed = reparse(tmp_path, str(archive), "-o", "changed.jsonl", "--against", "old.jsonl",
                      code_root=changed_code)
    assert changed.returncode == 1, changed.stdout + changed.stderr
    old = {i["url"]: i for i in map(json.loads, (tmp_path / "old.jsonl").read_text().splitlines())}
    affected = sorted(url for url, item in old.items() if "With inputs from" in (item["editorial_note"] or ""))
    assert affected
    diff = json.loads((tmp_path / "changed.diff.json").read_text())
    assert diff["changed_items"] == len(affected)
    # Exactly the note's consequences: it stays in the body, leaves editorial_note, unsets the flag (and drops
    # an agency the note alone named); nothing else changes, on no other item.
    assert {"body", "editorial_note", "with_inputs_from_agencies"} <= set(diff["fields"]) <= {
        "body", "editorial_note", "with_inputs_from_agencies", "agencies"}
    assert diff["fields"]["body"] == diff["fields"]["with_inputs_from_agencies"] == len(affected)
    assert all(example["url"] in affected for examples in diff["examples"].values() for example in examples)
    assert not diff["appeared"] and not diff["disappeared"]
    assert f"body: {len(affected)} item(s) changed" in changed.stdout


def test_drift_leaves_candidates_that_promote_to_a_failing_fixture(
        specs: list[NewsSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_devdiscourse_mirror(specs)
    rewrite_pages(site, lambda body: body.replace(b'<section class="article-cont">', b'<section class="story">'))
    with MirrorServer(site) as server:
        done = newscrawl(tmp_path, *run_args(server))
    assert done.returncode == 5
    folder = tmp_path / "output" / "devdiscourse" / "fixture-candidates"
    candidates = sorted(folder.glob("*.html"))
    assert len(candidates) == len(specs)
    seed_case = next(p for p in candidates if str(specs[0].news_id) in p.name)
    meta = json.loads(seed_case.with_suffix(".json").read_text())
    assert "no body text" in meta["why"] and meta["item"]["title"] == specs[0].title
    assert b'<section class="story">' in seed_case.read_bytes(), "the page as fetched"
    monkeypatch.setattr(promote_module, "FIXTURES", tmp_path / "fixtures")
    expected_path = promote_module.promote(seed_case, "drift-body")
    expected = json.loads(expected_path.read_text())
    assert expected["body"] == promote_module.TODO
    html = expected_path.with_suffix(".html").read_bytes()
    url = expected_path.with_suffix(".url").read_text().strip()
    article = parser_by_name("devdiscourse").from_html(html, url).parse()
    assert article is not None
    actual = article_record(attribute(clean_article(article)))
    failing = sorted(k for k in expected if expected[k] != actual.get(k))
    assert failing == ["body"], "the promoted fixture fails on the broken field, and only there"
    assert dataclasses.is_dataclass(article)
