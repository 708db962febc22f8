"""Every parser module is registered once, and no domain is claimed twice."""

from __future__ import annotations

import importlib
import pkgutil

import newscrawl.parsers as parsers_package
from newscrawl.parsers import PARSERS, ArticleParser, parser_by_name, parser_for_url

NOT_OUTLETS = {"base"}


def test_every_parser_module_is_registered() -> None:
    registered = {parser.__module__ for parser in PARSERS}
    for module_info in pkgutil.iter_modules(parsers_package.__path__):
        if module_info.name in NOT_OUTLETS:
            continue
        module = importlib.import_module(f"newscrawl.parsers.{module_info.name}")
        outlet_parsers = [obj for obj in vars(module).values()
                          if isinstance(obj, type) and issubclass(obj, ArticleParser) and obj is not ArticleParser
                          and obj.__module__ == module.__name__]
        assert outlet_parsers, f"newscrawl/parsers/{module_info.name}.py defines no ArticleParser"
        assert module.__name__ in registered, f"add {module_info.name} to PARSERS in newscrawl/parsers/__init__.py"


def test_names_and_domains_are_unique() -> None:
    names = [parser.name for parser in PARSERS]
    domains = [domain for parser in PARSERS for domain in parser.domains]
    assert len(names) == len(set(names))
    assert len(domains) == len(set(domains))


def test_lookup() -> None:
    assert parser_by_name("devdiscourse").name == "devdiscourse"
    assert parser_for_url("https://www.devdiscourse.com/article/x/1-a") is parser_by_name("devdiscourse")
    assert parser_for_url("https://notdevdiscourse.com/a") is None
