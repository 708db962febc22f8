"""The layers of newscrawl and the one direction its imports may point (README, "Layout").

A small AST walk rather than import-linter: the contract is a dozen lines of data below, it needs no extra
dependency, and the failure message names the file and line of the offending import. Each package sits in one
layer; a module may import its own package, any package of a lower layer, and the few same-layer neighbours listed
in LATERAL. `test_an_upward_import_is_caught` shows the check failing on an added upward import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newscrawl"

# Lowest first. "newscrawl" is the package's own __init__ (the version string).
LAYERS: list[tuple[str, set[str]]] = [
    ("bottom: shared keys, ids, the item schema and process plumbing",
     {"newscrawl", "newscrawl.items", "newscrawl.meta", "newscrawl.processes", "newscrawl.scratchdb",
      "newscrawl.files", "newscrawl.components"}),
    ("pure extraction helpers", {"newscrawl.extract"}),
    ("pure parsers: HTML + URL in, article out", {"newscrawl.parsers"}),
    ("services: archive, state, distributed state, fetch middlewares",
     {"newscrawl.archive", "newscrawl.state", "newscrawl.distributed", "newscrawl.fetch", "newscrawl.politeness",
      "newscrawl.fatal"}),
    ("item pipelines and crawl monitoring", {"newscrawl.pipelines", "newscrawl.monitoring"}),
    ("spiders: wire parsers and services", {"newscrawl.spiders"}),
    ("parallel replay: the processes of one replay and the merge of their output", {"newscrawl.parallel"}),
    ("operations: runner, reports, scrapy commands, settings, feed exporters",
     {"newscrawl.runner", "newscrawl.commands", "newscrawl.ops", "newscrawl.settings", "newscrawl.schema",
      "newscrawl.exporters", "newscrawl.parquet", "newscrawl.parquetfeed"}),
    ("the newscrawl command line", {"newscrawl.cli"}),
]

# Same-layer imports that are part of the design, each with its reason.
LATERAL: dict[tuple[str, str], str] = {
    ("newscrawl.distributed", "newscrawl.state"): "the Redis state is a backend of the state service's policy",
    ("newscrawl.politeness", "newscrawl.fetch"): "politeness runs beside the fetch-time middleware",
    ("newscrawl.archive", "newscrawl.fatal"): "the WARC capture and the replay stop a crawl as every part does",
    ("newscrawl.monitoring", "newscrawl.pipelines"): "drift and coverage read what pipelines counted; the "
                                                     "disk-full guard knows their drop for a full disk",
    ("newscrawl.runner", "newscrawl.ops"): "the runner prints the run's summary the way reports show it",
    ("newscrawl.parquet", "newscrawl.exporters"): "the Parquet feed shares the other feeds' value conversions",
    ("newscrawl.parquet", "newscrawl.schema"): "its Arrow schema is generated from the item definitions",
    ("newscrawl.schema", "newscrawl.ops"): "the status document's docs and JSON Schema are generated as the item's",
    ("newscrawl.parquetfeed", "newscrawl.parquet"): "the registered stand-in loads the Parquet exporter on first use",
}

# Modules imported inside a function on purpose: they need an optional dependency (redis, scrapy-redis) that a
# single-machine install does not have, or a heavy one most crawls never use (pyarrow). No other function-level import of newscrawl is allowed.
LAZY_OPTIONAL = {"newscrawl.distributed.frontier", "newscrawl.distributed.enqueue", "newscrawl.distributed.merge",
                 "newscrawl.distributed.connection", "newscrawl.distributed", "newscrawl.distributed.gone",
                 "newscrawl.parquet"}  # pyarrow: ~45 MiB a crawl without a Parquet feed should not carry


def package_of(module: str) -> str:
    for _, packages in LAYERS:
        for package in sorted(packages, key=len, reverse=True):
            if package != "newscrawl" and (module == package or module.startswith(package + ".")):
                return package
    return "newscrawl"


def layer_of(package: str) -> int:
    return next(rank for rank, (_, packages) in enumerate(LAYERS) if package in packages)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str) -> list[tuple[int, str, bool]]:
    """(line, imported module, inside a function) for every import of a newscrawl module."""
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module.split(".")[0] == "newscrawl":
                    found.append((child.lineno, child.module, in_function))
            elif isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name, in_function) for alias in child.names
                             if alias.name.split(".")[0] == "newscrawl")
            visit(child, nested)

    visit(ast.parse(source), False)
    return found


def violations(module: str, source: str) -> list[str]:
    here = package_of(module)
    problems = []
    for line, target, in_function in imports_of(source):
        there = package_of(target)
        where = f"{module} line {line} imports {target}"
        if in_function and target not in LAZY_OPTIONAL:
            problems.append(f"{where} inside a function (import at the top; a circle means a layer is wrong)")
        if there == here:
            continue
        if layer_of(there) > layer_of(here):
            problems.append(f"{where}: upward, from '{LAYERS[layer_of(here)][0]}' to '{LAYERS[layer_of(there)][0]}'")
        elif layer_of(there) == layer_of(here) and (here, there) not in LATERAL:
            problems.append(f"{where}: sideways between {here} and {there} (not in LATERAL)")
    return problems


def all_modules() -> list[tuple[str, Path]]:
    return sorted((module_name(path), path) for path in PACKAGE.rglob("*.py"))


def test_every_package_has_a_layer() -> None:
    unplaced = {package_of(name) for name, _ in all_modules()} - set().union(*(p for _, p in LAYERS))
    top_level = {name for name, _ in all_modules() if name.count(".") == 1 and package_of(name) == "newscrawl"}
    assert not unplaced and not top_level, f"modules with no layer: {sorted(unplaced | top_level)}"


def test_imports_point_down() -> None:
    problems = [problem for name, path in all_modules()
                for problem in violations(name, path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_an_upward_import_is_caught() -> None:
    upward = "from newscrawl.spiders.base import NewsSpiderBase\n"
    assert violations("newscrawl.archive.replay", upward) == [
        "newscrawl.archive.replay line 1 imports newscrawl.spiders.base: upward, from "
        "'services: archive, state, distributed state, fetch middlewares' to 'spiders: wire parsers and services'"]
    assert violations("newscrawl.parsers.generic", "def f():\n    from newscrawl.extract import text\n") == [
        "newscrawl.parsers.generic line 2 imports newscrawl.extract inside a function (import at the top; a circle "
        "means a layer is wrong)"]
    assert violations("newscrawl.archive.warc", "import newscrawl.state.store\n")[0].endswith(
        "sideways between newscrawl.archive and newscrawl.state (not in LATERAL)")


@pytest.mark.parametrize("name,path", all_modules(), ids=lambda value: str(value))
def test_no_module_imports_scrapy_below_the_services(name: str, path: Path) -> None:
    """Parsers and extraction helpers are pure: they run without Scrapy (benchmarks, reparse, other tools)."""
    if layer_of(package_of(name)) > 2:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    scrapy_imports = [node.lineno for node in ast.walk(tree)
                      if (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("scrapy", "twisted"))
                      or (isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("scrapy", "twisted")
                                                               for a in node.names))]
    assert not scrapy_imports, f"{name} imports Scrapy/Twisted at lines {scrapy_imports}"


SIZE_LIMIT = 300  # lines: past this a module should be split by job, or say why it is one idea


def test_no_module_over_the_size_limit_without_a_stated_reason() -> None:
    """Rooms that do one thing (issue 16): a large module either splits, or its docstring says "One idea"."""
    unexplained = []
    for name, path in all_modules():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") <= SIZE_LIMIT:
            continue
        docstring = ast.get_docstring(ast.parse(source)) or ""
        if "One idea" not in docstring:
            unexplained.append(f"{name} ({source.count(chr(10))} lines)")
    assert not unexplained, f"split these by job or state why each is one idea: {unexplained}"
