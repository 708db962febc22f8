"""HeapTuning: the crawl process's collector is tuned while an engine runs and left as it was afterwards."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.monitoring.heap import DEFAULT_THRESHOLD, HeapTuning


def test_start_freezes_the_heap_and_raises_the_threshold_and_stop_restores_both() -> None:
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    first = HeapTuning.from_crawler(get_crawler(settings_dict={}))
    second = HeapTuning.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_GC_THRESHOLD": 20000}))
    first.engine_started()
    assert gc.get_freeze_count() > frozen_before
    assert gc.get_threshold() == (max(DEFAULT_THRESHOLD, before[0]), *before[1:])
    second.engine_started()  # a second crawl of the same process leaves the first one's tuning alone
    second.engine_stopped()
    assert gc.get_threshold()[0] == max(DEFAULT_THRESHOLD, before[0]) and gc.get_freeze_count() > 0
    first.engine_stopped()  # the last engine to stop restores the collector
    first.engine_stopped()  # a second stop changes nothing
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen_before


@pytest.mark.parametrize("settings", [{"NEWSCRAWL_GC_TUNING": False}, {"NEWSCRAWL_GC_THRESHOLD": 0}])
def test_switched_off_or_misconfigured_it_is_not_loaded(settings: dict[str, object]) -> None:
    with pytest.raises(NotConfigured):
        HeapTuning.from_crawler(get_crawler(settings_dict=settings))
