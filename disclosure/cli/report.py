"""`python build.py report`: what the disclosure office should act on now.

Lists records published late (条例第二十六条), policy-document columns with nothing new in
six months (国办秘函〔2019〕19号), last year's annual report when overdue (条例第四十九条),
a home-page block (工作动态, `Kind.home`) with nothing new in 14 days (the national
inspection of government websites counts a home page not updated for two weeks as a failure),
and what kinds report of their own (`Kind.report`: 许可、处罚 cases made public late, 双公示).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from disclosure.core.problems import ContentInvalid, Problem, sort_problems, summary_line, warning
from disclosure.kinds import KINDS
from disclosure.pipeline import Settings, check_site
from disclosure.site.model import Site
from disclosure.site.openness import staleness_report
from disclosure.web.filters import cn_date


def run_report(args: argparse.Namespace, today: date) -> int:
    """Print the report for `args.content` as of `today`; 1 if content is invalid."""
    settings = Settings(content_dir=Path(args.content), today=today, progress=False)
    try:
        outcome = check_site(settings)
    except ContentInvalid as invalid:
        for problem in sort_problems(invalid.problems):
            print(problem, file=sys.stderr)
        print(summary_line(invalid.problems), file=sys.stderr)
        print("内容有错误，无法生成自查报告；请先改正以上错误。", file=sys.stderr)
        return 1
    print(report_text(outcome.site, settings.content_dir, today, outcome.warnings))
    return 0


HOME_STALE_DAYS = 14  # 首页两周未更新: a failure in the national inspection of government websites


def stale_home_blocks(site: Site, root: Path, today: date) -> list[Problem]:
    """Return a warning for each kind shown on the home page (`Kind.home`: 工作动态) whose newest
    record is more than HOME_STALE_DAYS calendar days old on `today`, or that has none."""
    problems: list[Problem] = []
    for kind in KINDS:
        if not kind.home:
            continue
        facet = site.facet("kind", kind.name)
        if facet is None:
            problems.append(warning(root / kind.folder, 1, "file",
                                    f"还没有{kind.label}：首页的{kind.label}栏目为空（首页超过 {HOME_STALE_DAYS} 天未更新即不合格）"))
            continue
        newest = facet.records[0]  # newest first
        days = (today - newest.meta.published).days
        if days > HOME_STALE_DAYS:
            problems.append(warning(newest.source, newest.line("published"), "published",
                                    f"{kind.label}最近一次发布是 {newest.meta.published}，已 {days} 天没有更新"
                                    f"（超过 {HOME_STALE_DAYS} 天，截至 {today}）"))
    return problems


def report_text(site: Site, root: Path, today: date, warnings: list[Problem] | None = None) -> str:
    """Return the report as printed: four numbered sections, then one per kind that reports its
    own warnings (`Kind.report`: 双公示), one problem line each."""
    openness = site.openness
    late = [p for p in openness.late if not p.message.startswith("未核查")]
    unchecked = [p for p in openness.late if p.message.startswith("未核查")]
    policy = [(kind.label, facet.records) for kind in KINDS if kind.policy and (facet := site.facet("kind", kind.name))]
    others = staleness_report(openness, policy, site.config.level, root, today)
    stale = [p for p in others if p.message.startswith("栏目")]
    missing = [p for p in others if not p.message.startswith("栏目")]
    home = "、".join(kind.label for kind in KINDS if kind.home)
    lines = [f"政府信息公开自查报告（截至 {cn_date(today)}）", ""]
    sections: list[tuple[str, list[Problem], str]] = [
        ("一、未在 20 个工作日内公开的信息（条例第二十六条）", late, "无"),
        ("二、超过 6 个月没有新政策文件的栏目", stale, "无"),
        ("三、上一年度政府信息公开工作年度报告（条例第四十九条）", missing, "已按期提供或尚未到期"),
        (f"四、超过 {HOME_STALE_DAYS} 天没有更新的首页栏目（{home}）", stale_home_blocks(site, root, today), "无"),
    ]
    numbers = iter("五六七八九")
    for kind in KINDS:
        if kind.report is not None:
            heading, prefix = kind.report
            found = [p for p in warnings or () if p.kind == kind.name and p.message.startswith(prefix)]
            sections.append((f"{next(numbers)}、{heading}", found, "无"))
    for heading, items, none in sections:
        lines.append(f"{heading}：{len(items)} 项" if items else f"{heading}：{none}")
        lines += [f"  {p}" for p in sort_problems(items)]
        lines.append("")
    if unchecked:
        lines.append(f"另有 {len(unchecked)} 条记录因节假日数据未知，未核查公开时限（见 content/holidays.yaml）。")
    return "\n".join(lines).rstrip()
