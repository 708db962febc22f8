"""Language from the text (LanguagePipeline): the page's claim kept as declared_language, a discrepancy when the two
disagree, the claim used when the text is too short to tell."""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from scrapy.utils.project import get_project_settings

from newscrawl.extract.langid_fast import FastIdentifier
from newscrawl.extract.langid_tables import ARRAYS, Tables
from newscrawl.extract.language import MAX_CHARS, MIN_CONFIDENCE, detect
from newscrawl.items import Article, Provenance
from newscrawl.parsers import parser_by_name
from newscrawl.pipelines import language as language_pipeline
from newscrawl.pipelines import langid_cache
from newscrawl.pipelines.langid_cache import load_tables
from newscrawl.pipelines.language import LanguagePipeline
from tests.support import fixture_cases, fixture_paths


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, name: str, count: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + count


def parse(outlet: str, case: str, html_lang: str | None = None) -> Article:
    html_path, url_path, _ = fixture_paths(outlet, case)
    html = html_path.read_text(encoding="utf-8")
    if html_lang is not None:
        html = html.replace('<html lang="de">', f'<html lang="{html_lang}">', 1)
    article = parser_by_name(outlet).from_html(html, url_path.read_text(encoding="utf-8").strip()).parse()
    assert article is not None
    article.provenance = Provenance(request_url=article.url, response_url=article.url, status=200,
                                    fetched_at="2025-03-21T13:37:12Z", body_sha256="0" * 64, spider=outlet,
                                    crawl_id="c", parser=outlet, parser_version="1")
    return article


ARTICLE_CASES = [case for case in fixture_cases()
                 if json.loads(fixture_paths(*case)[2].read_text(encoding="utf-8")) is not None]


@pytest.mark.parametrize(("outlet", "case"), ARTICLE_CASES, ids=lambda v: str(v))
def test_fixture_articles_are_detected_as_they_declare(outlet: str, case: str) -> None:
    """Every fixture page declares its language correctly: detection agrees, the claim is kept verbatim."""
    article = parse(outlet, case)
    claim = article.language
    stats = Stats()
    LanguagePipeline(stats).process_item(article)
    assert article.declared_language == claim
    assert claim is not None and article.language == claim.split("-")[0].lower()
    assert article.provenance is not None and article.provenance.discrepancies == []
    assert stats.values == {"newscrawl/language/detected": 1}


def test_a_wrong_claim_is_a_discrepancy_and_the_text_wins() -> None:
    article = parse("generic", "non-english-german-dpa", html_lang="en-US")
    stats = Stats()
    pipeline = LanguagePipeline(stats)
    pipeline.process_item(article)
    pipeline.process_item(article)  # idempotent: a second pass neither loses the claim nor repeats the record
    assert (article.language, article.declared_language) == ("de", "en-US")
    assert article.provenance is not None
    [discrepancy] = article.provenance.discrepancies
    assert (discrepancy.field, discrepancy.via, discrepancy.claimed, discrepancy.found) == (
        "language", "declared", "en-US", "de")
    assert discrepancy.source_url == article.url
    assert stats.values["newscrawl/discrepancies/language"] == 2


def test_too_little_text_keeps_the_claim_without_a_discrepancy() -> None:
    article = Article(url="https://example.org/a/1", outlet="generic", title="Kim", body="Photo: PTI",
                      language="en-GB")
    stats: Any = Stats()
    LanguagePipeline(stats).process_item(article)
    assert (article.language, article.declared_language) == ("en", "en-GB")
    assert stats.values == {"newscrawl/language/undetermined": 1}


def test_no_claim_and_text_gives_the_detected_language() -> None:
    body = "Le gouvernement a annoncé lundi de nouvelles règles sur la protection des données personnelles."
    article = Article(url="https://example.org/a/2", outlet="generic", title="Nouvelles règles", body=body)
    LanguagePipeline().process_item(article)
    assert (article.language, article.declared_language) == ("fr", None)


def test_the_pipeline_runs_after_the_discrepancy_pipeline() -> None:
    pipelines = get_project_settings().getdict("ITEM_PIPELINES")
    order = pipelines["newscrawl.pipelines.language.LanguagePipeline"]
    assert pipelines["newscrawl.pipelines.discrepancies.DiscrepancyPipeline"] < order
    assert order < pipelines["newscrawl.pipelines.validation.ValidationPipeline"]


# Exactness of the vectorised detector (newscrawl/extract/langid_fast.py) against py3langid's own classify: news
# paragraphs in many languages and scripts, written for this test, plus the hard cases of its input handling.
NEWS = {
    "en": "The city council voted on Tuesday to extend the night bus service until March, after months of "
          "complaints from hospital staff who finish their shifts long after the last train has left.",
    "de": "Der Stadtrat hat am Dienstag beschlossen, den Nachtbusverkehr bis März zu verlängern, nachdem sich "
          "Beschäftigte der Kliniken monatelang über fehlende Verbindungen nach Schichtende beschwert hatten.",
    "fr": "Le conseil municipal a voté mardi la prolongation du service de bus de nuit jusqu'en mars, après des "
          "mois de plaintes du personnel hospitalier qui termine son service bien après le dernier train.",
    "es": "El ayuntamiento aprobó el martes ampliar el servicio de autobuses nocturnos hasta marzo, tras meses de "
          "quejas del personal sanitario que termina su turno mucho después de que salga el último tren.",
    "it": "Il consiglio comunale ha votato martedì per prolungare il servizio di autobus notturni fino a marzo, "
          "dopo mesi di proteste del personale ospedaliero che finisce il turno dopo l'ultimo treno.",
    "pt": "A câmara municipal votou na terça-feira a extensão do serviço de autocarros noturnos até março, depois "
          "de meses de queixas dos profissionais de saúde que saem do turno depois do último comboio.",
    "nl": "De gemeenteraad heeft dinsdag besloten de nachtbus tot maart te laten rijden, na maanden van klachten "
          "van ziekenhuispersoneel dat pas klaar is lang nadat de laatste trein is vertrokken.",
    "pl": "Rada miasta zagłosowała we wtorek za przedłużeniem kursowania nocnych autobusów do marca, po miesiącach "
          "skarg pracowników szpitali, którzy kończą zmianę długo po odjeździe ostatniego pociągu.",
    "tr": "Belediye meclisi salı günü gece otobüsü seferlerinin mart ayına kadar uzatılmasına karar verdi; hastane "
          "çalışanları aylardır son trenden sonra eve dönemediklerinden şikâyet ediyordu.",
    "ru": "Городской совет во вторник проголосовал за продление работы ночных автобусов до марта после "
          "многомесячных жалоб медиков, которые заканчивают смену уже после отправления последней электрички.",
    "el": "Το δημοτικό συμβούλιο ψήφισε την Τρίτη την παράταση των νυχτερινών λεωφορείων έως τον Μάρτιο, μετά "
          "από μήνες παραπόνων του νοσηλευτικού προσωπικού που σχολάει μετά το τελευταίο τρένο.",
    "ar": "صوّت مجلس المدينة يوم الثلاثاء على تمديد خدمة الحافلات الليلية حتى مارس، بعد أشهر من شكاوى العاملين "
          "في المستشفيات الذين ينهون نوباتهم بعد مغادرة آخر قطار.",
    "hi": "नगर परिषद ने मंगलवार को रात की बस सेवा मार्च तक बढ़ाने के पक्ष में मतदान किया, क्योंकि अस्पताल के "
          "कर्मचारी महीनों से शिकायत कर रहे थे कि उनकी पाली आखिरी ट्रेन के बाद खत्म होती है।",
    "zh": "市议会周二投票决定将夜间公交服务延长至三月，此前医院员工数月来一直抱怨，他们下班时最后一班列车早已开走。",
    "ja": "市議会は火曜日、夜間バスの運行を3月まで延長することを決めた。病院職員からは、勤務が終わる頃には終電が"
          "出てしまうとの苦情が数か月にわたり寄せられていた。",
    "ko": "시의회는 화요일 야간버스 운행을 3월까지 연장하기로 의결했다. 병원 직원들은 근무가 끝날 때면 막차가 이미 "
          "떠났다며 수개월 동안 불만을 제기해 왔다.",
}


def corpus() -> list[str]:
    """Each paragraph, its all-capitals and decomposed (NFD) forms, prefixes of several lengths, pairs of languages,
    markup around it, and the degenerate inputs: empty, blank, digits, a lone surrogate."""
    paragraphs = list(NEWS.values())
    texts = ["", " ", "\n\n", "2025-03-21 13:37", "\ud800 lone surrogate", "«»—…", "<p>&nbsp;</p>"]
    for text in paragraphs:
        texts += [text, text.upper(), unicodedata.normalize("NFD", text), f"<div class=\"body\"><p>{text}</p></div>"]
        texts += [text[:size] for size in (1, 2, 5, 17, 40, 80)]
    texts += [a + "\n\n" + b for a, b in zip(paragraphs, paragraphs[1:] + paragraphs[:1])]
    texts.append("\n\n".join(paragraphs)[:MAX_CHARS])
    for outlet, case in ARTICLE_CASES:
        html = fixture_paths(outlet, case)[0].read_text(encoding="utf-8")
        texts += [html[:MAX_CHARS], html[-MAX_CHARS:]]
    return texts


@cache
def py3langid_reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_the_fast_detector_matches_py3langid_bit_for_bit() -> None:
    reference = py3langid_reference()
    fast = FastIdentifier.from_py3langid(reference)
    texts = corpus()
    results = [(reference.classify(text), fast.classify(text)) for text in texts]
    assert [old for old, _ in results] == [new for _, new in results]
    assert {old[0] for old, _ in results} >= set(NEWS)  # every language was actually told apart


@pytest.mark.parametrize("language", sorted(NEWS))
def test_detect_gives_what_py3langid_gives(language: str) -> None:
    """Same language, same rounded confidence, same abstention (Arabic and Chinese fall under MIN_CONFIDENCE: the
    model's dialect classes take a share)."""
    reference = py3langid_reference()
    expected, confidence = reference.classify(NEWS[language])
    assert expected == language
    found = detect(NEWS[language])
    if round(confidence, 3) >= MIN_CONFIDENCE:
        assert found is not None and (found.language, found.confidence) == (expected, round(confidence, 3))
    else:
        assert found is None


def test_prepared_tables_are_cached_and_memory_mapped_with_the_same_results(tmp_path: Path) -> None:
    prepared = load_tables(tmp_path)  # nothing cached: prepared from py3langid's model, then written
    [folder] = tmp_path.iterdir()
    assert sorted(path.name for path in folder.iterdir()) == sorted([f"{name}.npy" for name in ARRAYS] + ["meta.json"])
    started = time.perf_counter()
    mapped = load_tables(tmp_path)
    loading = time.perf_counter() - started
    assert isinstance(mapped.arrays["ptc"].base, np.memmap)
    assert loading < 0.5  # ~3 ms when memory-mapped; preparing them again would take ~1 s
    texts = corpus()
    assert [FastIdentifier(mapped).classify(text) for text in texts] == [
        FastIdentifier(prepared).classify(text) for text in texts] == [
        py3langid_reference().classify(text) for text in texts]


def test_every_install_of_one_model_shares_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders were named by the model file's time, which each install renews: several virtual environments on one
    machine evicted each other's folder and prepared the tables again in every process (~1 s, 95 MB written)."""
    reinstalled = tmp_path / "site-packages" / "py3langid"
    (reinstalled / MODEL_FILE).parent.mkdir(parents=True)
    shutil.copyfile(MODEL_DIR / MODEL_FILE, reinstalled / MODEL_FILE)
    os.utime(reinstalled / MODEL_FILE, ns=(10**18, 10**18))  # installed at another time
    langid_cache._cache_name.cache_clear()
    here = langid_cache._cache_name()
    monkeypatch.setattr(langid_cache, "MODEL_DIR", reinstalled)
    langid_cache._cache_name.cache_clear()
    there = langid_cache._cache_name()
    (reinstalled / MODEL_FILE).write_bytes((MODEL_DIR / MODEL_FILE).read_bytes()[:-1] + b"\1")  # another model
    langid_cache._cache_name.cache_clear()
    other_model = langid_cache._cache_name()
    monkeypatch.undo()
    langid_cache._cache_name.cache_clear()
    assert here == there != other_model
    assert langid_cache._FOLDER_NAME.fullmatch(here) and langid_cache._FOLDER_NAME.fullmatch(other_model)


def test_the_tables_of_other_installs_are_removed_but_the_most_recently_used(tmp_path: Path) -> None:
    """Older releases named a prepared-tables folder (95 MB) per install of py3langid, and they piled up in the
    user's cache; the cache keeps the one in use and the two most recently used others, whichever way named."""
    load_tables(tmp_path)
    [current] = tmp_path.iterdir()
    others = [tmp_path / f"langid-0.4.0-4586720-17963{number:05d}-f1" for number in range(5)]
    for age, folder in enumerate(others):
        folder.mkdir()
        (folder / "ptc.npy").write_bytes(b"\0" * 1024)
        (folder / "meta.json").write_text("{}", encoding="utf-8")
        os.utime(folder / "meta.json", ns=(10**18 - age * 10**12, 10**18 - age * 10**12))  # others[0] newest
    staging = tmp_path / f"{others[4].name}.k2j3h1"  # another process still writing its tables: not ours to touch
    staging.mkdir()
    (tmp_path / "archive-index").mkdir()
    load_tables(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [current.name, others[0].name, others[1].name, staging.name, "archive-index"])


def test_an_unwritable_cache_costs_one_warning_line_and_still_detects(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="newscrawl"):
        tables = load_tables(blocker)
    [warning] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert "\n" not in warning.getMessage() and str(blocker) in warning.getMessage() and warning.exc_info is None
    assert FastIdentifier(tables).classify(NEWS["de"]) == py3langid_reference().classify(NEWS["de"])


def test_detecting_in_extract_writes_no_file(tmp_path: Path) -> None:
    """extract/ is pure: a fresh process detecting a language through it (as benchmarks and tools do) leaves
    every cache location untouched; only the language pipeline's cache (pipelines/langid_cache.py) writes."""
    homes = {name: tmp_path / name for name in ("NEWSCRAWL_CACHE_DIR", "XDG_CACHE_HOME", "HOME")}
    for folder in homes.values():
        folder.mkdir()
    env = {**os.environ, **{name: str(folder) for name, folder in homes.items()}}
    code = ("import sys; from newscrawl.extract.language import detect; "
            "print(detect(sys.stdin.read()).language)")
    done = subprocess.run([sys.executable, "-c", code], input=NEWS["de"], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    assert done.stdout.strip() == "de"
    assert [path for folder in homes.values() for path in folder.rglob("*")] == []


def test_no_extract_module_writes_files() -> None:
    """A static guard for the same rule: no file-writing call or temporary-file module anywhere in extract/."""
    writers = {"write_text", "write_bytes", "mkdir", "makedirs", "mkdtemp", "save", "savez", "unlink", "rmdir",
               "rename", "touch"}
    found = []
    for path in sorted((Path(language_pipeline.__file__).parent.parent / "extract").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in writers:
                found.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{path.name}:{node.lineno} import {name}" for name in names
                          if name.split(".")[0] in {"tempfile", "shutil"}]
    assert found == []


def test_the_same_text_is_classified_once(monkeypatch: pytest.MonkeyPatch) -> None:
    article = parse("generic", "non-english-german-dpa")
    calls: list[str] = []
    counting = CountingIdentifier(load_tables(), calls)
    monkeypatch.setattr(language_pipeline, "shared_identifier", lambda: counting)
    first, second = LanguagePipeline(), LanguagePipeline()
    first.process_item(article)
    second.process_item(article)  # a second pass over the same item: its text is not classified again
    assert article.language == "de" and len(calls) == 1


class CountingIdentifier(FastIdentifier):
    def __init__(self, tables: Tables, calls: list[str]) -> None:
        super().__init__(tables)
        self.calls = calls

    def classify(self, text: str) -> tuple[str, float]:
        self.calls.append(text)
        return super().classify(text)
