"""Unpacking a replay's archives (archive/unpack.py, budget.py): within the limits the NEWSCRAWL_UNPACK_* settings
give."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from scrapy.settings import Settings

import newscrawl.settings
from newscrawl.archive.budget import UnpackLimits
from tests.crawling import ROOT, run_crawl

SAMPLE = ROOT / "samples" / "devdiscourse.warc.gz"
WARC = f"archive/{SAMPLE.name}"
ZIP_TIME = (2026, 12, 7, 8, 30, 0)
TINY = {"NEWSCRAWL_UNPACK_MAX_RATIO": "2", "NEWSCRAWL_UNPACK_MIN_BYTES": "0"}
"""Limits a bomb of a few MB passes, and an archive of the sample's WARC (stored, as WACZ files keep them) does not."""


def zipped(path: Path, members: dict[str, bytes], deflated: tuple[str, ...] = ()) -> Path:
    """A ZIP of `members` (stored, as a WACZ keeps its WARCs, unless named in `deflated`), each of one fixed time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if name in deflated else zipfile.ZIP_STORED
            archive.writestr(info, data)
    return path


def test_the_unpack_limits_are_settings() -> None:
    assert UnpackLimits.from_settings(Settings()) == UnpackLimits(100, 1 << 30)
    assert UnpackLimits.from_settings(Settings({**TINY, "NEWSCRAWL_UNPACK_MAX_RATIO": "2.5"})) == UnpackLimits(2.5, 0)
    project = Settings()
    project.setmodule(newscrawl.settings)
    assert UnpackLimits.from_settings(project) == UnpackLimits()  # settings.py names the defaults


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("NEWSCRAWL_UNPACK_MAX_RATIO", "lots", "a number above 0"),
    ("NEWSCRAWL_UNPACK_MAX_RATIO", "0", "a number above 0"),
    ("NEWSCRAWL_UNPACK_MIN_BYTES", "-1", "a whole number of bytes, 0 or more"),
    ("NEWSCRAWL_UNPACK_MIN_BYTES", "1.5", "a whole number of bytes, 0 or more"),
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
