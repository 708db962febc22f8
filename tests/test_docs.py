"""The docs check: every command shown in README.md and docs/ is run by a test or marked as needing what a test
cannot have (the network, a server, a scheduler).

Each fenced block of shell commands (```sh, ```bash, ```console, ```crontab, or a plain block whose lines start
with "$ ") carries one marker, an HTML comment on the line above it (invisible on GitHub):

- `<!-- docs-check: run -->`: run here, in order, in a scratch copy of the project's sample data (scrapy.cfg and
  samples/), offline; every command must exit 0 (`run exit=N` when the documented outcome is exit code N).
- `<!-- docs-check: tested-by tests/test_x.py::test_name -->`: a test runs this command against a loopback site or
  a fixture; the check makes sure that test exists. `tested-by FILE` alone (e.g. `.ci/run`): that file runs the
  block's commands word for word.
- `<!-- docs-check: needs WHAT -->`: needs something no test has (network, a Redis or scrapyd server, cron,
  systemd, a package index); stated, not run.

A block without a marker fails the check, so a command added to the docs without a way to know it works is caught.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGUAGES = {"sh", "bash", "shell", "console", "crontab"}
BLOCK = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```", re.S | re.M)
MARKER = re.compile(r"<!--\s*docs-check:\s*(?P<kind>run|tested-by|needs)\b(?P<rest>[^>]*?)\s*-->\s*$")


@dataclass
class Block:
    path: Path
    line: int
    lang: str
    body: str
    marker: re.Match[str] | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def commands(self) -> list[str]:
        """The block's commands: '$ ' lines of a console block, else every non-comment line; '\\' joins lines."""
        lines = self.body.splitlines()
        if self.lang == "console" or any(line.startswith("$ ") for line in lines):
            lines = [line[2:] for line in lines if line.startswith("$ ")]
        joined: list[str] = []
        for line in lines:
            if joined and joined[-1].endswith("\\"):
                joined[-1] = joined[-1][:-1] + " " + line.strip()
            elif line.strip() and not line.lstrip().startswith("#"):
                joined.append(line.strip())
        return joined


def command_blocks() -> list[Block]:
    blocks = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            lang, body = match.group("lang"), match.group("body")
            is_shell = lang in SHELL_LANGUAGES or (not lang and any(
                line.startswith("$ ") for line in body.splitlines()))
            if not is_shell:
                continue
            before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            blocks.append(Block(path, text[:match.start()].count("\n") + 1, lang or "console", body,
                                MARKER.search(before)))
    return blocks


def test_every_command_block_is_marked() -> None:
    unmarked = [block.where for block in command_blocks() if block.marker is None]
    assert not unmarked, ("command blocks with no docs-check marker (run, tested-by or needs; see "
                          f"tests/test_docs.py): {unmarked}")


def test_needs_markers_say_what() -> None:
    vague = [block.where for block in command_blocks()
             if block.marker and block.marker["kind"] == "needs" and not block.marker["rest"].strip()]
    assert not vague


@pytest.mark.parametrize("block", [b for b in command_blocks() if b.marker and b.marker["kind"] == "tested-by"],
                         ids=lambda block: block.where)
def test_tested_by_names_a_test_that_exists(block: Block) -> None:
    target = block.marker["rest"].strip() if block.marker else ""
    file_part, _, test_name = target.partition("::")
    test_file = ROOT / file_part
    assert test_file.is_file(), f"{block.where}: {file_part} does not exist"
    if not test_name:
        script = test_file.read_text(encoding="utf-8")
        missing = [command for command in block.commands() if command not in script]
        assert not missing, f"{block.where}: {file_part} does not run {missing}"
        return
    assert re.search(rf"^\s*(async\s+)?def {re.escape(test_name)}\(", test_file.read_text(encoding="utf-8"), re.M), \
        f"{block.where}: no test {test_name} in {file_part}"


def sandbox(tmp_path: Path) -> Path:
    """A scratch project folder: the sample archive and scrapy.cfg, no output yet."""
    shutil.copy(ROOT / "scrapy.cfg", tmp_path / "scrapy.cfg")
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    return tmp_path


def run_blocks() -> dict[Path, list[Block]]:
    by_file: dict[Path, list[Block]] = {}
    for block in command_blocks():
        if block.marker and block.marker["kind"] == "run":
            by_file.setdefault(block.path, []).append(block)
    return by_file


@pytest.mark.parametrize("path", sorted(run_blocks()), ids=lambda path: str(path.relative_to(ROOT)))
def test_run_blocks_work_offline(path: Path, tmp_path: Path) -> None:
    """Each page's runnable blocks, in page order, in one scratch folder (later blocks use earlier output)."""
    folder = sandbox(tmp_path)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("NEWSCRAWL_REDIS_URL", None)
    for block in run_blocks()[path]:
        assert block.marker is not None
        expected = int(m.group(1)) if (m := re.search(r"exit=(\d+)", block.marker["rest"])) else 0
        for command in block.commands():
            done = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True,
                                  timeout=300)
            assert done.returncode == expected, (
                f"{block.where}: `{command}` exited {done.returncode}, documented {expected}\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def test_readme_is_a_front_door() -> None:
    """One screen or two: what it is, the two commands, what comes out, where to read on; the manual is in docs/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links and all((ROOT / link).is_file() for link in links), [l for l in links if not (ROOT / l).is_file()]
    linked = {Path(link).name for link in links}
    unlinked = [page.name for page in (ROOT / "docs").glob("*.md") if page.name not in linked]
    assert not unlinked, f"docs pages the README does not link: {unlinked}"


@pytest.mark.parametrize("page", sorted((ROOT / "docs").glob("*.md")), ids=lambda page: page.name)
def test_each_docs_page_says_when_you_need_it(page: Path) -> None:
    if page.name == "schema.md":  # generated from items.py; its first paragraph says what it is
        return
    head = page.read_text(encoding="utf-8").split("\n\n")[1].lstrip("*")
    assert head.startswith("When you need this"), f"{page.name} should start with a 'When you need this' paragraph"
