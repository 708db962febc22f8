"""Files and folders the OS will not let a test's command read, whoever runs the tests.

A file or folder made mode 000 cannot be read by a user, but root reads it anyway (tests often run as root, in a
container), so a mode alone proves nothing there. Installed in every Python process of the command a test runs
(``run``: a sitecustomize module on its PYTHONPATH, so the replay `newscrawl reparse` starts gets it too), this
module makes the paths named in DENIED_PATHS (os.pathsep-separated, absolute) refuse what the OS refuses a user
without read permission: opening a file (through a symlink too), listing a folder, and anything under such a
folder. Their metadata stays readable, as it does for a user (stat needs no read permission on the file itself).
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tests import failing as failing_reads
from tests.crawling import ROOT, CrawlResult

DENIED = "DENIED_PATHS"


def _denied() -> tuple[str, ...]:
    return tuple(path for path in os.environ.get(DENIED, "").split(os.pathsep) if path)


def _refused(path: Any) -> bool:
    refused = _denied()
    if not refused or isinstance(path, int) or path is None:
        return False
    name = os.path.realpath(os.fsdecode(os.fspath(path)))
    return any(name == denied or name.startswith(denied.rstrip(os.sep) + os.sep) for denied in refused)


def _refusing(function: Callable[..., Any]) -> Callable[..., Any]:
    def refusing(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
        if _refused(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(os.fspath(path)))
        return function(path, *args, **kwargs)
    return refusing


def install() -> None:
    """Make the DENIED_PATHS unreadable in this process (and the processes it forks)."""
    builtins.open = io.open = _refusing(io.open)
    os.open = _refusing(os.open)
    os.scandir = _refusing(os.scandir)  # os.walk lists folders with it
    os.listdir = _refusing(os.listdir)


def run(command: str, args: Iterable[str], denied: Iterable[Path], cwd: Path,
        env: dict[str, str] | None = None, failing: dict[Path, int] | None = None) -> subprocess.CompletedProcess[str]:
    """`scrapy ARGS` (command "scrapy") or `newscrawl ARGS` (command "newscrawl") in `cwd`, with `denied` unreadable
    to it: made mode 000 too (a user other than root then meets the OS's own refusal), and made readable again
    after, so the test's folder can be removed. `failing`: files whose reads fail with EIO from the offset given on
    (tests/failing.py), in every Python process of the command too."""
    module = {"scrapy": "scrapy", "newscrawl": "newscrawl.cli"}[command]
    paths = [path.resolve() for path in denied]
    modes = {path: path.stat().st_mode for path in paths}
    cwd.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="denied-") as hook:
        Path(hook, "sitecustomize.py").write_text("import tests.denied, tests.failing\n"
                                                  "tests.denied.install()\ntests.failing.install()\n")
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings", **(env or {}),
               "PYTHONPATH": os.pathsep.join(filter(None, [hook, str(ROOT), os.environ.get("PYTHONPATH")])),
               DENIED: os.pathsep.join(map(str, paths)),
               failing_reads.FAILING: json.dumps({str(path.resolve()): at for path, at in (failing or {}).items()})}
        for path in paths:
            path.chmod(0)
        try:
            return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True,
                                  text=True, timeout=120)
        finally:
            for path, mode in modes.items():
                path.chmod(mode)


def crawl(workdir: Path, denied: Iterable[Path], *args: str, env: dict[str, str] | None = None,
          failing: dict[Path, int] | None = None) -> CrawlResult:
    """`scrapy crawl ARGS` in `workdir` with `denied` unreadable and `failing` failing partway (run), as
    tests.crawling.run_crawl runs one."""
    done = run("scrapy", ["crawl", *args], denied, workdir, env, failing)
    return CrawlResult(done.returncode, done.stdout + done.stderr, workdir)
