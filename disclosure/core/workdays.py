"""Working days on the Chinese calendar: statutory holidays off, 调休 weekend days on.

The `chinesecalendar` package knows the years whose holidays the State Council has
announced (2004–2026 in 1.11.0). `content/holidays.yaml` supplies other years; a year
neither knows gives None ("unchecked"), never an exception.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import chinese_calendar
from pydantic import BeforeValidator, Field

from disclosure.core.fields import IsoDate
from disclosure.core.labels import LABELS
from disclosure.core.problems import Problem, error
from disclosure.core.records import Strict
from disclosure.core.yaml_files import read_yaml_file, validate_list


def _year(value: object) -> object:
    """Return a year written as text (strict YAML keeps every scalar a string) as an int."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


class HolidayYear(Strict):
    """One entry of `content/holidays.yaml`."""

    year: Annotated[int, BeforeValidator(_year)] = Field(ge=1949, le=2200, title=LABELS["year"])
    holidays: tuple[IsoDate, ...] = Field(default=(), title=LABELS["holidays"])
    workdays: tuple[IsoDate, ...] = Field(default=(), title=LABELS["workdays"])


@dataclass(frozen=True, eq=False)  # identity hash: add_workdays is memoised per calendar
class WorkCalendar:
    """Working days: holidays.yaml for the years it lists, else the chinesecalendar package."""

    extra: dict[int, tuple[frozenset[date], frozenset[date]]] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool | None:
        """Return whether `day` is a working day, or None when its year is unknown."""
        if day.year in self.extra:
            holidays, workdays = self.extra[day.year]
            return day in workdays or (day.weekday() < 5 and day not in holidays)
        return _package_workday(day)

    @functools.lru_cache(maxsize=65536)  # noqa: B019 — a frozen value object; records share dates
    def add_workdays(self, start: date, count: int) -> date | None:
        """Return the `count`-th working day after `start` (start not counted), or None if unknown."""
        day = start
        found = 0
        while found < count:
            day += timedelta(days=1)
            workday = self.is_workday(day)
            if workday is None:
                return None
            found += workday
        return day

    def knows(self, year: int) -> bool:
        return year in self.extra or self.is_workday(date(year, 1, 1)) is not None

    def workdays_between(self, start: date, end: date) -> int | None:
        """Return the working days after `start` up to and including `end` (0 when end ≤ start),
        or None when a year between is unknown: a case received on Monday and decided on
        Wednesday took 2. Counted from per-year running totals, so 100,000 cases cost little."""
        if end <= start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            running = self._running(year)
            if running is None:
                return None
            upto = running[(end - date(year, 1, 1)).days] if year == end.year else running[-1]
            before = running[(start - date(year, 1, 1)).days] if year == start.year else 0
            total += upto - before
        return total

    @functools.lru_cache(maxsize=512)  # noqa: B019 — a frozen value object, as add_workdays
    def _running(self, year: int) -> tuple[int, ...] | None:
        """Return, for each day of `year`, the working days from 1 January up to it; None if unknown."""
        counts: list[int] = []
        found = 0
        day = date(year, 1, 1)
        while day.year == year:
            workday = self.is_workday(day)
            if workday is None:
                return None
            found += workday
            counts.append(found)
            day += timedelta(days=1)
        return tuple(counts)


@functools.lru_cache(maxsize=65536)
def _package_workday(day: date) -> bool | None:
    """Return chinesecalendar's answer for `day`, memoised: the package recomputes the
    range of years it knows on every call (4 s for the corpus' 66,000 look-ups)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def read_holidays(root: Path) -> tuple[WorkCalendar, list[Problem]]:
    """Return the calendar with `content/holidays.yaml` (optional) applied, and its problems."""
    path = root / "holidays.yaml"
    if not path.is_file():
        return WorkCalendar(), []
    located, problems = read_yaml_file(path)
    if located is None or located.value is None:
        return WorkCalendar(), problems
    entries, found = validate_list(HolidayYear, located, path, "应为列表：每个年份一项，以 - year: 开头")
    problems += found
    extra: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
    for i, entry in entries:
        if entry.year in extra:
            problems.append(error(path, located.line_of((i, "year")), f"[{i}].year", f"年份 {entry.year} 重复"))
        for name in ("holidays", "workdays"):
            for j, day in enumerate(getattr(entry, name)):
                if day.year != entry.year:
                    key = f"[{i}].{name}[{j}]"
                    problems.append(error(path, located.line_of((i, name, j)), key, f"日期 {day} 不在 {entry.year} 年内"))
        extra[entry.year] = (frozenset(entry.holidays), frozenset(entry.workdays))
    return WorkCalendar(extra), problems

