"""Dates as readers see them, in the languages news is written in: the day, month and year a reader would read, or
nothing; never another day."""

from __future__ import annotations

import pytest

from newscrawl.extract.textdates import find_dates


def days(text: str, language: str | None = None) -> list[str]:
    return [found.date.iso() for found in find_dates(text, language)]


@pytest.mark.parametrize(("text", "expected"), [
    ("2 мая 2024, 10:15", "2024-05-02T10:15:00"),             # Russian, genitive
    ("12 березня 2023", "2023-03-12"),                         # Ukrainian
    ("3 października 2022 r.", "2022-10-03"),                  # Polish
    ("2. května 2024", "2024-05-02"),                          # Czech
    ("15 Ağustos 2021", "2021-08-15"),                         # Turkish
    ("4 augusti 2020", "2020-08-04"),                          # Swedish
    ("17 Desember 2019", "2019-12-17"),                        # Indonesian, Norwegian
    ("9 noiembrie 2018", "2018-11-09"),                        # Romanian
    ("2 d'abril de 2024", "2024-04-02"),                       # Catalan
    ("5. toukokuuta 2024", "2024-05-05"),                      # Finnish
    ("2024. május 2.", "2024-05-02"),                          # Hungarian: year first
    ("2024. 5. 2. 10:15", "2024-05-02T10:15:00"),              # Korean numeric
    ("입력 2024.05.02. 오후 3:15", "2024-05-02"),                # Korean: a time past 오후 is not read as morning
    ("2024 May 2", "2024-05-02"),
])
def test_dates_in_more_languages(text: str, expected: str) -> None:
    assert days(text) == [expected]


@pytest.mark.parametrize("text", [
    "2024. 5. 2. 10:15",   # read as 5 Feb 2010 before: a dotted date inside a longer one, a clock hour as its year
    "Stand 5.2. 10:15",
])
def test_a_clock_hour_is_never_a_year(text: str) -> None:
    assert all(not day.startswith("2010") for day in days(text))


def test_a_month_name_of_one_language_is_never_another_month() -> None:
    # Polish "listopada" is November (Croatian's October is left out for this reason)
    assert days("12 listopada 2021") == ["2021-11-12"]


@pytest.mark.parametrize(("text", "expected"), [
    ("٢ مايو ٢٠٢٤", "2024-05-02"),                            # Arabic-Indic digits
    ("3 تشرين الأول، 2023", "2023-10-03"),                     # Levantine month name of two words, Arabic comma
    ("الجمعة 8 فيفري 2019", "2019-02-08"),                     # the Maghreb's names, from French
    ("१५ फ़रवरी २०२४", "2024-02-15"),                            # Devanagari digits, Hindi
    ("15 ΑΥΓΟΥΣΤΟΥ 2021", "2021-08-15"),                      # Greek, a heading without accents
    ("２０２４年５月２日 １０：１５", "2024-05-02T10:15:00"),     # fullwidth digits and colon
])
def test_dates_in_other_scripts_and_digits(text: str, expected: str) -> None:
    assert days(text) == [expected]


def test_a_date_keeps_its_place_when_digits_are_read_as_ascii() -> None:
    text = "نشر في ٢ مايو ٢٠٢٤"
    (found,) = find_dates(text)
    assert text[found.start:found.end] == "٢ مايو ٢٠٢٤"
