"""The 政府信息公开 section (国办公开办函〔2019〕61号): 指南 · 制度 · 法定主动公开内容 · 年报.

Built once, by `build_site_model` for `Site.openness`, from the site's records plus the
section's own content files (guide.md, statutory.yaml, holidays.yaml, reports/<year>.yaml);
views only look things up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from disclosure.core.config import Category, Guide, SiteConfig
from disclosure.core.problems import Problem, warning
from disclosure.core.records import Page, Record
from disclosure.core.workdays import WorkCalendar
from disclosure.rules.annual_report import AnnualReport, missing_report, read_reports
from disclosure.rules.guide import read_guide_page
from disclosure.rules.statutory import StatutoryItem, read_statutory
from disclosure.rules.timeliness import check_timeliness

RULES_KEYWORD = "政府信息公开制度"  # 主题词含此词的记录列入“政府信息公开制度”栏目
STALE_MONTHS = 6


@dataclass(frozen=True)
class Openness:
    """Everything the 政府信息公开 section shows, computed once."""

    guide: Guide | None
    guide_page: Page | None
    rules: tuple[Record, ...]
    statutory: tuple[StatutoryItem, ...]
    reports: tuple[AnnualReport, ...]
    calendar: WorkCalendar
    late: tuple[Problem, ...]  # timeliness warnings, also listed by `build.py report`

    @property
    def guide_updated(self) -> date | None:
        """Return the later of site.yaml's guide.updated and guide.md's updated."""
        days = [d for d in (self.guide.updated if self.guide else None, self.guide_page.meta.updated if self.guide_page else None) if d]
        return max(days) if days else None

    def statutory_item(self, key: str) -> StatutoryItem | None:
        return next((item for item in self.statutory if item.key == key), None)

    def report(self, year: int) -> AnnualReport | None:
        return next((r for r in self.reports if r.year == year), None)


def build_openness(
    root: Path,
    config: SiteConfig,
    categories: tuple[Category, ...],
    records: tuple[Record, ...],
    repealed_by: Mapping[str, Record],
    calendar: WorkCalendar,
) -> tuple[Openness, list[Problem]]:
    """Return the 政府信息公开 section of the site being built (for `Site.openness`), and its problems.

    `records` are the site's, newest first; `repealed_by` maps a slug to the record repealing it;
    `calendar` is holidays.yaml over the calendar package (read once for the whole site).
    """
    problems: list[Problem] = []
    guide_page, found = read_guide_page(root)
    problems += found
    statutory, found = read_statutory(root, config.level, categories, records)
    problems += found
    reports, found = read_reports(root, records, config.level)
    problems += found
    late = check_timeliness(records, calendar, lambda r: repealed_by.get(r.slug))
    problems += late
    rules = tuple(r for r in records if RULES_KEYWORD in r.meta.keywords)
    return Openness(config.guide, guide_page, rules, statutory, reports, calendar, tuple(late)), problems


def staleness_report(
    openness: Openness, policy_columns: list[tuple[str, tuple[Record, ...]]], level: str, root: Path, today: date
) -> list[Problem]:
    """Return what `build.py report` lists besides late records: stale columns, a missing annual report.

    `policy_columns` are (栏目, records) of the kinds whose records are policy documents
    (`Kind.policy`: 政府文件), checked first; `level` is the site's 层级 (site.yaml).
    """
    problems: list[Problem] = []
    limit = _months_before(today, STALE_MONTHS)
    columns = [(name, records) for name, records in policy_columns if records]
    columns += [(item.heading, item.records) for item in openness.statutory if item.records]
    for name, records in columns:
        latest = max(r.meta.published for r in records)
        if latest < limit:
            newest = max(records, key=lambda r: r.meta.published)
            problems.append(
                warning(newest.source, newest.line("published"), "published",
                        f"栏目“{name}”最近一次发布是 {latest}，已超过 {STALE_MONTHS} 个月没有新的政策文件（截至 {today}）")
            )
    missing = missing_report(openness.reports, root, level, today)
    if missing:
        problems.append(missing)
    return problems


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
