"""Our spiders' generator callbacks never `return` a value (Scrapy would silently drop it).

Scrapy checks this per response (WARN_ON_GENERATOR_RETURN_VALUE), but re-reads the callback's source every time
because its cache is keyed by the bound method, new for each request; settings.py turns that off for speed, and
this test runs the same check once over every spider method instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Generator

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.project import get_project_settings

from newscrawl import settings as project_settings


def _returns_a_value() -> Generator[int, None, int]:
    yield 1
    return 2  # what the check must catch


def test_the_check_catches_a_generator_returning_a_value() -> None:
    assert is_generator_with_return_value(_returns_a_value)


def test_no_spider_generator_method_returns_a_value() -> None:
    assert project_settings.WARN_ON_GENERATOR_RETURN_VALUE is False  # the per-response check this test replaces
    loader = SpiderLoader.from_settings(get_project_settings())
    checked = []
    for name in loader.list():
        spider_class = loader.load(name)
        for attribute, function in inspect.getmembers(spider_class, inspect.isgeneratorfunction):
            checked.append(f"{name}.{attribute}")
            assert not is_generator_with_return_value(function), f"{name}.{attribute} returns a value"
    assert any(entry.endswith(".parse_article") for entry in checked)
