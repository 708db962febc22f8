"""Scrapy components a crawl leaves out entirely: not only disabled, never imported.

Scrapy 2.19 imports every component a project's EXTENSIONS or DOWNLOADER_MIDDLEWARES names, None-valued ones too,
and every default of the *_BASE dicts, and only then lets it raise NotConfigured. Turning a component off in the
settings therefore still costs its import; taking it out of the *_BASE dict itself before the crawler builds its
components does not. Each entry names the setting that would turn the component back on: when that setting is on
(or the project's own dict names the component with an order), it stays.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

Unused = dict[str, tuple[str, str | None]]
"""Component path → (the components setting it sits in, the setting that enables it, or None: nothing does)."""

OFF_IN_EVERY_CRAWL: Unused = {
    # an HTTP server that runs any code sent to it, off in our settings; its import (aiohttp) cost ~0.1 s a process
    "scrapy.extensions.remote_control.RemoteControl": ("EXTENSIONS", "REMOTE_CONTROL_ENABLED"),
}


def leave_out(settings: Any, unused: Unused) -> None:
    """Remove the `unused` components from the *_BASE dicts of `settings` (Scrapy's BaseSettings, not yet frozen),
    unless enabled (see the module docstring). Typed Any: the bottom layer does not import Scrapy."""
    if settings.frozen:
        return
    for path, (setting, enabled_by) in unused.items():
        if enabled_by is not None and settings.getbool(enabled_by):
            continue
        base, project = settings[f"{setting}_BASE"], settings[setting]
        if isinstance(base, MutableMapping) and path in base and (
                not isinstance(project, Mapping) or project.get(path) is None):
            del base[path]
