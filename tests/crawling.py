"""Run real `scrapy crawl` processes in a scratch folder, the way a user does, and read what they wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CrawlResult:
    returncode: int
    log: str
    workdir: Path

    def feed_items(self, path: str | Path) -> list[dict[str, Any]]:
        with open(self.workdir / path, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def output_files(self, pattern: str) -> list[Path]:
        return sorted((self.workdir / "output").rglob(pattern))

    def stat(self, name: str) -> Any:
        """A value from the final 'Dumping Scrapy stats' block of the log (None when absent)."""
        block = self.log.rsplit("Dumping Scrapy stats:", 1)[-1]
        for line in block.splitlines():
            line = line.strip().rstrip(",")
            if line.startswith(f"'{name}':"):
                value = line.split(":", 1)[1].strip()
                try:
                    return json.loads(value.replace("'", '"'))
                except ValueError:
                    return value
        return None


def run_crawl(workdir: Path, spider: str, *args: str, settings: dict[str, str] | None = None,
              timeout: float = 120, env: dict[str, str] | None = None) -> CrawlResult:
    """`scrapy crawl SPIDER ARGS` with the project's settings, cwd=workdir (so output/ lands there); `env`: more
    environment variables."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **(env or {})}
    workdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
    return CrawlResult(done.returncode, done.stdout + done.stderr, workdir)


# Fast, deterministic crawling of a loopback mirror: no politeness delays against our own test server.
FAST = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "LOG_LEVEL": "INFO"}
