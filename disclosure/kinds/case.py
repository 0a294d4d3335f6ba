"""权力运行记录 (`content/cases/`, DESIGN §3.6): the cases (办件) one power item handled.

A case list is a record about one power item (`power`: its 权力编码, a `Link` by `code`)
with its cases in a sibling CSV (`cases_csv`; headers 办件编号, 申请人类型, 申请人, 受理日期,
办结日期, 办理结果, 决定文书号, then one optional column per step of the power, headed with
the step's name, holding the day that step was completed).

The founding document asks to "如实记载权力在各个环节的运行情况" and to evaluate it
(评议考核): this module counts each case in working days (the calendar of the
20-working-day check), against each step's `limit_days`, the `promised_limit_days` (黄牌
when over, or when a step ran over) and the `legal_limit_days` (红牌), and builds
/monitor/ (every power, the current 黄牌/红牌), /monitor/agencies/ (per agency, with the
评议考核 results of `content/evaluations/<year>.yaml`), the 运行情况 section of each power
item's page, a 红牌 feed and the open data.

A natural person's name (申请人类型 自然人) is masked as it is read (张*, 欧阳**): the full
name is never held in the site model, so no page, feed, data file or index can carry it.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from disclosure.core.csv_files import Rows, read_sibling_csv
from disclosure.core.fields import Text
from disclosure.core.labels import kind_labels
from disclosure.core.problems import Problem, display_path, error, warning
from disclosure.core.records import NonEmpty, Record, RecordMeta, Strict, titled
from disclosure.core.validation import is_unfilled
from disclosure.core.yaml_files import read_yaml_file, validate_list
from disclosure.kinds.base import (
    Event,
    Kind,
    KindFeed,
    KindPage,
    Link,
    Row,
    SiteView,
    Table,
    day_text,
    marker,
)
from disclosure.kinds.power import PowerMeta

# the keys only this kind has, labelled before the shared ones (core/labels.py)
LABELS = kind_labels("case", {
    "power": "权力事项",
    "cases_csv": "办件表（CSV）",
    "cases": "办件",
    "cases.number": "办件编号",
    "cases.applicant_type": "申请人类型",
    "cases.applicant": "申请人",
    "cases.received": "受理日期",
    "cases.finished": "办结日期",
    "cases.result": "办理结果",
    "cases.decision": "决定文书号",
    "cases.steps": "环节完成日期",
    "evaluations": "评议考核",
    "evaluations.agency": "被考核机构",
    "evaluations.item": "考核项目",
    "evaluations.score": "得分",
    "evaluations.max": "满分",
    "evaluations.note": "说明",
})
_f = titled("case")

# CSV header → field, in the order of the contract; step columns follow
COLUMNS = {
    "办件编号": "number",
    "申请人类型": "applicant_type",
    "申请人": "applicant",
    "受理日期": "received",
    "办结日期": "finished",
    "办理结果": "result",
    "决定文书号": "decision",
}
APPLICANT_TYPES = ("自然人", "法人", "其他组织")
PUBLIC_WITHIN = 7  # working days: 双公示 of 行政许可 and 行政处罚 decisions
DOUBLE_PUBLICITY = ("行政许可", "行政处罚")
# Two-character surnames (复姓) kept whole when a name is masked: 欧阳娜娜 → 欧阳**
COMPOUND_SURNAMES = frozenset(
    ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "司空", "夏侯", "令狐", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "轩辕", "钟离", "闾丘", "东郭", "南宫", "西门", "百里", "呼延", "万俟", "独孤", "端木", "拓跋", "完颜", "第五"]
)
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
LATEST = 10  # cases on a power item's page
RECENT_CARDS = 30  # 黄牌/红牌 on /monitor/ (each power's page and the open data have them all)
CHART_MONTHS = 12


class CaseListMeta(RecordMeta):
    """A list of the cases one power item handled (`content/cases/`)."""

    power: NonEmpty = _f("power", description="content/powers/ 中权力事项的权力编码（code）")
    cases_csv: NonEmpty = _f(
        "cases_csv", description="与本文件同目录的 CSV 文件名；表头：" + ",".join(COLUMNS) + "，其后每个环节一列（环节名称）"
    )

    @property
    def last_update(self) -> date:
        """Return the day of the list's latest publication: `published` or a later 更新记录."""
        return max([self.published, *(c.date for c in self.changes)])

    def public_on(self, day: date) -> date:
        """Return the day a case decided on `day` was made public: the first publication of the
        list (`published` or an update) on or after it."""
        days = sorted({self.published, *(c.date for c in self.changes)})
        return next((d for d in days if d >= day), days[-1])


@dataclass(frozen=True, slots=True)
class Case:
    """One case (办件) as published: a natural person's name already masked."""

    number: str
    applicant_type: str
    applicant: str
    received: date
    finished: date | None  # None: 在办
    result: str
    decision: str
    steps: tuple[tuple[str, date | None], ...]  # (step name, day completed) in the CSV's column order
    line: int  # its line in the CSV

    @property
    def anchor(self) -> str:
        return "case-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.number)

    @property
    def status(self) -> str:
        return "办结" if self.finished else "在办"


def mask_name(name: str) -> str:
    """Return a natural person's name masked, keeping the surname: 张三 → 张*, 欧阳娜娜 → 欧阳**."""
    name = "".join(name.split())
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * max(1, len(name) - keep)


def parse_day(text: str) -> date | None:
    """Return the day written as 2025-03-05 (or 2025/3/5, as Excel writes it), or None."""
    match = _DAY.match(text.strip())
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def _meta(record: Record | RecordMeta) -> CaseListMeta:
    meta = record.meta if isinstance(record, Record) else record
    assert isinstance(meta, CaseListMeta)
    return meta


def cases_of(record: Record) -> tuple[Case, ...]:
    cases: tuple[Case, ...] = record.extra.get("cases", ())
    return cases


def csv_file(record: Record) -> Path:
    return record.source.parent / _meta(record).cases_csv


# ---- reading the CSV (the kind's `prepare` hook) ----


def prepare_case_list(meta: RecordMeta, lines: dict[str, int], path: Path) -> tuple[Mapping[str, Any], list[Problem]]:
    """Return `{"cases": (Case, …), "steps": (step column, …)}` read from the CSV, and every problem."""
    meta = _meta(meta)
    if is_unfilled(meta.cases_csv):  # `build.py new` left it to fill: reported as such
        return {}, []
    line = lines.get("cases_csv", 1)
    file, rows, problems = read_sibling_csv(meta.cases_csv, path, line, "cases_csv")
    if file is None or any(p.is_error for p in problems):
        return {}, problems
    cases, steps, found = parse_cases(rows, file, meta)
    return {"cases": tuple(cases), "steps": steps}, problems + found


def parse_cases(rows: Rows, file: Path, meta: CaseListMeta) -> tuple[list[Case], tuple[str, ...], list[Problem]]:
    """Return the cases of the CSV rows, the step columns, and the problems at the CSV's lines."""
    if not rows:
        return [], (), [error(file, 1, "cases_csv", "CSV 文件是空的：第一行应为表头 " + ",".join(COLUMNS))]
    header_line, header = rows[0][0], [h.strip() for h in rows[0][1]]
    missing = [h for h in COLUMNS if h not in header]
    repeated = [h for h, n in Counter(header).items() if n > 1 and h]
    if missing or repeated or "" in header:
        parts = []
        if missing:
            parts.append("缺少列：" + "、".join(missing))
        if repeated:
            parts.append("重复的列：" + "、".join(repeated))
        if "" in header:
            parts.append(f"第 {header.index('') + 1} 列没有表头")
        return [], (), [error(file, header_line, "cases_csv", f"CSV 表头不对（{'；'.join(parts)}）；第一行应为 {','.join(COLUMNS)}，其后每个环节一列")]
    steps = tuple(h for h in header if h not in COLUMNS)
    problems: list[Problem] = []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    last = meta.last_update
    for i, (line, row) in enumerate(rows[1:]):
        key = f"cases[{i}]"
        if len(row) > len(header):
            problems.append(error(file, line, key, f"这一行有 {len(row)} 格，多于表头的 {len(header)} 列（单元格中的逗号要用英文双引号括起来）"))
            continue
        cells = {h: cell.strip() for h, cell in zip(header, row, strict=False)}
        case, found = _case(cells, steps, file, line, key, last)
        problems += found
        if case is None:
            continue
        if case.number in seen:
            problems.append(error(file, line, f"{key}.number", f"办件编号“{case.number}”重复：第 {seen[case.number]} 行已有"))
            continue
        seen[case.number] = line
        cases.append(case)
    return cases, steps, problems


def _case(
    cells: dict[str, str], steps: tuple[str, ...], file: Path, line: int, key: str, last: date
) -> tuple[Case | None, list[Problem]]:
    """Return one row as a Case (name masked), or None and its problems."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(error(file, line, f"{key}.{field}", message))

    values = {field: cells.get(header, "") for header, field in COLUMNS.items()}
    for field in ("number", "applicant_type", "applicant", "received"):
        if not values[field]:
            bad(field, f"{LABELS['cases.' + field]}不能为空")
    kind = values["applicant_type"]
    if kind and kind not in APPLICANT_TYPES:
        bad("applicant_type", f"申请人类型“{kind}”应为 {'、'.join(APPLICANT_TYPES)} 之一")
    days: dict[str, date | None] = {}
    for field in ("received", "finished"):
        text = values[field]
        days[field] = parse_day(text) if text else None
        if text and days[field] is None:
            bad(field, f"日期“{text}”无效：应为 YYYY-MM-DD 形式的真实日期，如 2025-03-05")
    step_days: list[tuple[str, date | None]] = []
    for name in steps:
        text = cells.get(name, "")
        day = parse_day(text) if text else None
        if text and day is None:
            problems.append(error(file, line, f"{key}.steps", f"环节“{name}”的日期“{text}”无效：应为 YYYY-MM-DD 形式的真实日期"))
        step_days.append((name, day))
    received, finished = days["received"], days["finished"]
    if received and finished and finished < received:
        bad("finished", f"办结日期 {finished} 早于受理日期 {received}")
    for name, day in step_days:
        if day and received and day < received:
            problems.append(error(file, line, f"{key}.steps", f"环节“{name}”的完成日期 {day} 早于受理日期 {received}"))
        if day and finished and day > finished:
            problems.append(error(file, line, f"{key}.steps", f"环节“{name}”的完成日期 {day} 晚于办结日期 {finished}"))
    for field, day in (("received", received), ("finished", finished), *(("steps", d) for _, d in step_days)):
        if day and day > last:
            bad(field, f"日期 {day} 晚于本表的发布（或最后更新）日期 {last}：尚未发生的办理情况不能公开，请核对日期或在 changes 中写明更新日期")
    if finished and not values["result"]:
        bad("result", "已办结的办件必须写办理结果（如 准予许可、不予许可、处罚决定）")
    if problems or received is None:
        return None, problems
    applicant = mask_name(values["applicant"]) if kind == "自然人" else values["applicant"]
    case = Case(
        values["number"], kind, applicant, received, finished, values["result"], values["decision"],
        tuple(step_days), line,
    )
    return case, problems


# ---- across kinds: the power's steps, unique numbers, 双公示 (the `site_rules` hook) ----


def power_of(record: Record, view: SiteView) -> Record:
    """Return the power item a case list is about (its link was checked to exist)."""
    return view.targets[record.slug]["power"]


def _power(record: Record) -> PowerMeta:
    assert isinstance(record.meta, PowerMeta)
    return record.meta


def case_rules(records: tuple[Record, ...], view: SiteView) -> list[Problem]:
    """Return the problems only the power item shows (step columns, step order), duplicate
    办件编号 across lists, and the 双公示 warnings (许可、处罚 public after 7 working days)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for record in sorted(records, key=lambda r: str(r.source)):
        meta = _meta(record)
        power = _power(power_of(record, view))
        file = csv_file(record)
        names = [s.name for s in power.steps]
        unknown = [s for s in record.extra.get("steps", ()) if s not in names]
        if unknown:
            problems.append(error(file, 1, "cases_csv", f"列“{'”“'.join(unknown)}”不是权力事项“{power.title}”的环节；"
                                  f"环节列的表头应为环节名称之一：{'、'.join(names)}"))
            continue
        for case in cases_of(record):
            where = f"{display_path(file)}:{case.line}"
            if case.number in seen:
                problems.append(error(file, case.line, "cases.number", f"办件编号“{case.number}”与 {seen[case.number]} 重复"))
            seen.setdefault(case.number, where)
            for (before, early), (name, day) in pairwise(dated_steps(case, power)):
                if day < early:
                    problems.append(error(file, case.line, "cases.steps", f"环节“{name}”的完成日期 {day} 早于前一环节“{before}”的 {early}"))
            if power.power_type in DOUBLE_PUBLICITY and case.finished:
                problems += _double_publicity(record, meta, case, power.power_type, view)
    return problems


def dated_steps(case: Case, power: PowerMeta) -> list[tuple[str, date]]:
    """Return the steps a case completed, with their days, in the power's step order."""
    order = {step.name: n for n, step in enumerate(power.steps)}
    ranked = sorted(case.steps, key=lambda s: order.get(s[0], len(order)))
    return [(name, day) for name, day in ranked if day is not None]


def _double_publicity(record: Record, meta: CaseListMeta, case: Case, power_type: str, view: SiteView) -> list[Problem]:
    """Return a warning when a 许可/处罚 decision was made public more than 7 working days after it."""
    assert case.finished is not None
    public = meta.public_on(case.finished)
    taken = view.calendar.workdays_between(case.finished, public)
    if taken is None or taken <= PUBLIC_WITHIN:
        return []
    return [warning(csv_file(record), case.line, "cases.finished",
                    f"双公示：{power_type}办件“{case.number}”于 {case.finished} 办结，{public} 才公开，"
                    f"晚了 {taken} 个工作日（应在 {PUBLIC_WITHIN} 个工作日内公开）")]


def case_resolve(record: Record, targets: Mapping[str, Record]) -> Mapping[str, Any]:
    """Return what a case list shows of its power item: name, type (searched and listed with it)."""
    power = targets.get("power")
    if power is None:
        return {}
    return {"power_title": power.meta.title, "power_type": _power(power).power_type}


# ---- figures: per case, per power, per agency (the kind's `index` hook) ----


@dataclass(frozen=True, slots=True)
class StepTime:
    name: str
    days: int | None  # working days since the previous step (or 受理)
    limit: int | None

    @property
    def over(self) -> bool:
        return self.days is not None and self.limit is not None and self.days > self.limit


@dataclass(frozen=True, slots=True)
class CaseTime:
    """One case measured: working days taken (so far, for 在办 as of the list's last update), flag."""

    case: Case
    record: Record  # the case list
    power: Record
    days: int | None  # None: a year of the calendar is unknown
    steps: tuple[StepTime, ...]
    card: str | None  # 黄牌 | 红牌 | None
    reasons: tuple[str, ...]  # what ran over, in words
    as_of: date  # 办结日期, else the list's last update

    @property
    def on_time(self) -> bool:
        return self.card is None


@dataclass(frozen=True, slots=True)
class Figures:
    """The 运行情况 of a set of cases (one power, one agency, all)."""

    cases: tuple[CaseTime, ...]

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def finished(self) -> tuple[CaseTime, ...]:
        return tuple(c for c in self.cases if c.case.finished)

    @property
    def in_progress(self) -> int:
        return self.count - len(self.finished)

    @property
    def by_result(self) -> list[tuple[str, int]]:
        """Return (办理结果, count), most frequent first; 在办 last."""
        found = Counter(c.case.result or "在办" if c.case.finished else "在办" for c in self.cases)
        return sorted(found.items(), key=lambda item: (item[0] == "在办", -item[1], item[0]))

    def _measured(self) -> list[int]:
        return [c.days for c in self.finished if c.days is not None]

    @property
    def average_days(self) -> float | None:
        days = self._measured()
        return round(sum(days) / len(days), 1) if days else None

    @property
    def longest_days(self) -> int | None:
        days = self._measured()
        return max(days) if days else None

    @property
    def yellow(self) -> int:
        return sum(c.card == "黄牌" for c in self.cases)

    @property
    def red(self) -> int:
        return sum(c.card == "红牌" for c in self.cases)

    @property
    def on_time_rate(self) -> float | None:
        """Return the share of measured cases with no card (within every limit), in per cent."""
        measured = [c for c in self.cases if c.days is not None]
        return round(100 * sum(c.on_time for c in measured) / len(measured), 1) if measured else None

    @property
    def within_legal_rate(self) -> float | None:
        """Return the share of measured cases within the legal limit (no 红牌), in per cent."""
        measured = [c for c in self.cases if c.days is not None]
        return round(100 * sum(c.card != "红牌" for c in measured) / len(measured), 1) if measured else None

    @property
    def cards(self) -> tuple[CaseTime, ...]:
        """Return the 黄牌 and 红牌 cases, newest first."""
        return newest(c for c in self.cases if c.card)

    @property
    def latest(self) -> tuple[CaseTime, ...]:
        return newest(self.cases)[:LATEST]

    def months(self, count: int = CHART_MONTHS) -> list[tuple[str, int, int, int]]:
        """Return (YYYY-MM, on time, 黄牌, 红牌) of the cases received per month: the last
        `count` months of the data, or fewer when the data start later."""
        if not self.cases:
            return []
        first = min(c.case.received for c in self.cases)
        last = max(c.case.received for c in self.cases)
        span = min(count, (last.year - first.year) * 12 + last.month - first.month + 1)
        keys = [f"{(last.year * 12 + last.month - 1 - n) // 12:04d}-{(last.month - 1 - n) % 12 + 1:02d}" for n in range(span)]
        counts: dict[str, list[int]] = {k: [0, 0, 0] for k in reversed(keys)}
        for c in self.cases:
            slot = counts.get(c.case.received.strftime("%Y-%m"))
            if slot is not None:
                slot[{"黄牌": 1, "红牌": 2}.get(c.card or "", 0)] += 1
        return [(k, ok, yellow, red) for k, (ok, yellow, red) in counts.items()]


def newest(cases: Iterable[CaseTime]) -> tuple[CaseTime, ...]:
    return tuple(sorted(cases, key=lambda c: (c.as_of, c.case.received, c.case.number), reverse=True))


def measure(case: Case, record: Record, power: Record, view: SiteView) -> CaseTime:
    """Return one case in working days against its power's limits, with its card."""
    meta = _power(power)
    as_of = case.finished or _meta(record).last_update
    days = view.calendar.workdays_between(case.received, as_of)
    limits = {s.name: s.limit_days for s in meta.steps}
    steps: list[StepTime] = []
    previous = case.received
    for name, day in dated_steps(case, meta):
        steps.append(StepTime(name, view.calendar.workdays_between(previous, day), limits.get(name)))
        previous = day
    reasons: list[str] = []
    card = None
    pending = "" if case.finished else "（在办，截至 " + as_of.isoformat() + "）"
    if days is not None and meta.legal_limit_days is not None and days > meta.legal_limit_days:
        card = "红牌"
        reasons.append(f"用时 {days} 个工作日{pending}，超过法定时限 {meta.legal_limit_days} 个工作日")
    if days is not None and meta.promised_limit_days is not None and days > meta.promised_limit_days:
        card = card or "黄牌"
        if not reasons:
            reasons.append(f"用时 {days} 个工作日{pending}，超过承诺时限 {meta.promised_limit_days} 个工作日")
    for step in steps:
        if step.over:
            card = card or "黄牌"
            reasons.append(f"环节“{step.name}”用时 {step.days} 个工作日，超过环节时限 {step.limit} 个工作日")
    return CaseTime(case, record, power, days, tuple(steps), card, tuple(reasons), as_of)


@dataclass(frozen=True, slots=True)
class PowerRun:
    """One power item's cases across its case lists."""

    power: Record
    lists: tuple[Record, ...]  # newest first
    figures: Figures

    @property
    def agency(self) -> str:
        return self.power.meta.agency[0]


class Evaluation(Strict):
    """One 评议考核 result of `content/evaluations/<year>.yaml`."""

    agency: NonEmpty = _f("evaluations.agency")
    item: NonEmpty = _f("evaluations.item", description="如 民主评议、机关效能考核、党风廉政建设责任制考核")
    score: Annotated[float, Field(ge=0)] = _f("evaluations.score")
    max: Annotated[float, Field(gt=0)] = _f("evaluations.max")
    note: Text | None = _f("evaluations.note", default=None)


@dataclass(frozen=True)
class MonitorIndex:
    """Site.indexes["case"]: every case measured, by power and by agency, and the 评议考核."""

    runs: tuple[PowerRun, ...]  # in the order of /powers/ (by 权力编码)
    by_list: dict[str, tuple[CaseTime, ...]]  # case list slug → its cases measured, CSV order
    by_power: dict[str, PowerRun]  # power slug → its run
    agencies: tuple[tuple[str, Figures, tuple[PowerRun, ...]], ...]  # agencies.yaml order, with cases
    evaluations: tuple[tuple[int, tuple[tuple[Evaluation, str, int], ...]], ...]  # year → (result, path, line), newest first
    all: Figures

    def run(self, power: Record) -> PowerRun | None:
        """Return the power's cases, or None when none is published."""
        found = self.by_power.get(power.slug)
        return found if found is not None and found.lists else None


def case_index(records: tuple[Record, ...], view: SiteView) -> MonitorIndex:
    """Return every case measured (the kind's `index` hook)."""
    by_list: dict[str, tuple[CaseTime, ...]] = {}
    per_power: dict[str, list[Record]] = defaultdict(list)
    for record in records:  # newest first
        power = power_of(record, view)
        per_power[power.slug].append(record)
        by_list[record.slug] = tuple(measure(case, record, power, view) for case in cases_of(record))
    runs = tuple(  # every power item, with cases or not (its row says 尚无办件记录)
        PowerRun(power, tuple(per_power[power.slug]), Figures(tuple(c for r in per_power[power.slug] for c in by_list[r.slug])))
        for power in sorted(view.by_kind.get("power", ()), key=lambda p: _power(p).code)
    )
    agencies = []
    for name in view.agencies:
        own = tuple(run for run in runs if run.agency == name)
        if own:
            agencies.append((name, Figures(tuple(c for run in own for c in run.figures.cases)), own))
    evaluations = view.data or ()
    every = Figures(tuple(c for run in runs for c in run.figures.cases))
    return MonitorIndex(runs, by_list, {r.power.slug: r for r in runs}, tuple(agencies), evaluations, every)


# ---- content/evaluations/<year>.yaml (the kind's `data` hook) ----


def read_evaluations(
    root: Path, agencies: tuple[str, ...]
) -> tuple[tuple[tuple[int, tuple[tuple[Evaluation, str, int], ...]], ...], list[Problem]]:
    """Return the 评议考核 results per year, newest first, and their problems (the kind's
    `data` hook): each result of a known agency, 0 ≤ score ≤ max."""
    folder = root / "evaluations"
    problems: list[Problem] = []
    years: list[tuple[int, tuple[tuple[Evaluation, str, int], ...]]] = []
    if not folder.is_dir():
        return (), []
    known = set(agencies)
    for path in sorted(folder.glob("*.yaml"), reverse=True):
        if not re.fullmatch(r"\d{4}", path.stem):
            problems.append(error(path, 1, "file", "评议考核文件应按年份命名，如 evaluations/2025.yaml"))
            continue
        located, found = read_yaml_file(path)
        problems += found
        if located is None:
            continue
        listed, found = validate_list(Evaluation, located, path, "应为列表：每项写 agency、item、score、max")
        problems += [replace(p, key="evaluations" + p.key) if p.key.startswith("[") else p for p in found]
        rows = []
        for i, result in listed:
            if result.agency not in known:
                line = located.line_of((i, "agency"))
                problems.append(error(path, line, f"evaluations[{i}].agency", f"机构“{result.agency}”不在 agencies.yaml 中"))
            if result.score > result.max:
                line = located.line_of((i, "score"))
                problems.append(error(path, line, f"evaluations[{i}].score", f"得分 {result.score:g} 高于满分 {result.max:g}"))
            rows.append((result, display_path(path), located.line_of((i, "agency"))))
        years.append((int(path.stem), tuple(rows)))
    return tuple(years), problems


# ---- hooks: links, scaffold, feeds, search, data, JSON-LD ----


def case_links(meta: RecordMeta) -> Iterator[Link]:
    """Yield the power item the list is about, by its 权力编码."""
    yield Link("power", _meta(meta).power, by="code", what="权力编码")


def case_files(meta: RecordMeta) -> Iterator[str]:
    yield _meta(meta).cases_csv


def case_scaffold(day: date, agency: str) -> str:
    m = partial(marker, "case")
    return (
        f"power: {m('power')}   # content/powers/ 中权力事项的权力编码（code）\n"
        f"cases_csv: {m('cases_csv')}   # 同目录的办件表文件名，如 cases.csv；表头："
        + ",".join(COLUMNS) + "，其后每个环节一列（表头写环节名称，填完成日期）\n"
    )


def case_feed_rows(meta: RecordMeta) -> Iterator[tuple[str, str]]:
    yield ("权力编码", _meta(meta).power)


def case_feed_html(record: Record) -> Iterator[str]:
    """Yield a feed entry's table of the cases (masked names), after the body."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(c.number)}</td><td>{e(c.applicant)}</td><td>{c.received}</td>"
        f"<td>{c.finished or '在办'}</td><td>{e(c.result or '在办')}</td></tr>"
        for c in cases_of(record)
    )
    yield f"<table><tr><th>办件编号</th><th>申请人</th><th>受理日期</th><th>办结日期</th><th>办理结果</th></tr>{rows}</table>"


def case_texts(record: Record) -> Mapping[str, str]:
    """Return the cases as a feed shows them (bound for feeds: XML check)."""
    return {"cases_csv": "".join(case_feed_html(record))}


def case_search_text(record: Record) -> Iterator[str]:
    """Yield the power's name, type and code and the results, searched with the list."""
    yield from (str(record.extra.get(k, "")) for k in ("power_title", "power_type"))
    yield _meta(record).power
    yield from sorted({c.result for c in cases_of(record) if c.result})


def case_json_ld(record: Record) -> dict[str, Any]:
    return {"about": {"@type": "GovernmentService", "identifier": _meta(record).power, "name": record.extra.get("power_title")}}


def case_rows(records: tuple[Record, ...], index: MonitorIndex) -> list[Row]:
    """Return one row per case of every list (names masked), newest list first."""
    return [
        {
            "index_number": r.meta.index_number,
            "power_code": _meta(r).power,
            "number": t.case.number,
            "applicant_type": t.case.applicant_type,
            "applicant": t.case.applicant,
            "received": day_text(t.case.received),
            "finished": day_text(t.case.finished),
            "result": t.case.result,
            "decision": t.case.decision,
            "working_days": t.days,
            "card": t.card,
            "reasons": list(t.reasons),
        }
        for r in records
        for t in index.by_list.get(r.slug, ())
    ]


def monitor_rows(records: tuple[Record, ...], index: MonitorIndex) -> list[Row]:
    """Return one row per power item with cases: its figures (monitor.json)."""
    return [
        {
            "power_code": _power(run.power).code,
            "power_name": run.power.meta.title,
            "power_type": _power(run.power).power_type,
            "agency": run.agency,
            "promised_limit_days": _power(run.power).promised_limit_days,
            "legal_limit_days": _power(run.power).legal_limit_days,
            "cases": run.figures.count,
            "finished": len(run.figures.finished),
            "in_progress": run.figures.in_progress,
            "on_time_rate": run.figures.on_time_rate,
            "within_legal_rate": run.figures.within_legal_rate,
            "average_days": run.figures.average_days,
            "longest_days": run.figures.longest_days,
            "yellow_cards": run.figures.yellow,
            "red_cards": run.figures.red,
            "by_result": dict(run.figures.by_result),
        }
        for run in index.runs
        if run.lists
    ]


def evaluation_rows(records: tuple[Record, ...], index: MonitorIndex) -> list[Row]:
    """Return one row per 评议考核 result, newest year first."""
    return [
        {"year": year, "agency": e.agency, "item": e.item, "score": e.score, "max": e.max, "note": e.note}
        for year, rows in index.evaluations
        for e, _, _ in rows
    ]


TABLES = (
    Table(
        "cases",
        "权力运行记录（办件）",
        {"index_number": "办件表索引号", "power_code": "权力编码", "number": "办件编号", "applicant_type": "申请人类型",
         "applicant": "申请人（自然人已隐去名字）", "received": "受理日期", "finished": "办结日期", "result": "办理结果",
         "decision": "决定文书号", "working_days": "用时（工作日）", "card": "黄牌/红牌", "reasons": "超时情况"},
        case_rows,
    ),
    Table(
        "monitor",
        "权力运行监控（按事项）",
        {"power_code": "权力编码", "power_name": "事项名称", "power_type": "权力类别", "agency": "实施机关",
         "promised_limit_days": "承诺时限（工作日）", "legal_limit_days": "法定时限（工作日）", "cases": "办件数",
         "finished": "办结数", "in_progress": "在办数", "on_time_rate": "按时办结率（%）",
         "within_legal_rate": "法定时限内办结率（%）", "average_days": "平均用时（工作日）",
         "longest_days": "最长用时（工作日）", "yellow_cards": "黄牌数", "red_cards": "红牌数", "by_result": "按办理结果"},
        monitor_rows,
    ),
    Table(
        "evaluations",
        "评议考核结果",
        {"year": "年度", "agency": "被考核机构", "item": "考核项目", "score": "得分", "max": "满分", "note": "说明"},
        evaluation_rows,
    ),
)


def red_card_feed(index: MonitorIndex) -> Iterator[KindFeed]:
    """Yield the feed of 红牌 cases: each announced on the day its list made it public."""
    events = tuple(
        (c.record, Event(f"red-card-{c.case.anchor}", _meta(c.record).public_on(c.as_of), "红牌",
                         f"{c.power.meta.title}：办件 {c.case.number}，" + "；".join(c.reasons), "cases_csv"))
        for c in index.all.cards
        if c.card == "红牌"
    )
    about = "超过法定时限办结（或在办已超过法定时限）的办件：每件在其运行记录公开之日推送，附超时情况。"
    yield KindFeed("case/red-cards", "红牌（超过法定时限的办件）", "/monitor/", events, about)


# ---- pages: /monitor/ and /monitor/agencies/, the chart of a power's page ----


def monitor_page(index: MonitorIndex) -> dict[str, Any]:
    return {"index": index, "recent_cards": RECENT_CARDS}


def monitor_urls(index: MonitorIndex) -> Iterator[dict[str, Any]]:
    """Yield the page once there is a case list (no page, no link before)."""
    if index.by_list:
        yield {}


PAGES = (
    KindPage("monitor", ("/monitor/",), "monitor.html", monitor_page, monitor_urls, feed="case/red-cards", nav="权力运行监控"),
    KindPage("monitor_agencies", ("/monitor/agencies/",), "monitor_agencies.html", monitor_page, monitor_urls),
)


def chart_svg(figures: Figures, title: str) -> str:
    """Return a bar chart of the cases received per month (on time, 黄牌, 红牌 stacked), as SVG.

    Drawn at build time; the page shows the same numbers in a table beside it (the text
    alternative), so the SVG is marked as an image with a short title.
    """
    months = figures.months()
    if not months:
        return ""
    e = html.escape
    width, height, left, bottom, bar = 480, 160, 28, 24, 30
    top = max(sum(m[1:]) for m in months) or 1
    scale = (height - bottom - 12) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="case-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{e(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{height - bottom - top * scale + 4:.0f}" text-anchor="end" class="tick">{top}</text>',
    ]
    step = (width - left) / len(months)
    for n, (month, ok, yellow, red) in enumerate(months):
        x = left + n * step + (step - bar * step / 40) / 2
        y: float = height - bottom
        for value, css in ((ok, "ok"), (yellow, "yellow"), (red, "red")):
            if value:
                h = value * scale
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * step / 40:.1f}" height="{h:.1f}" class="bar-{css}"/>')
        parts.append(f'<text x="{left + n * step + step / 2:.1f}" y="{height - 8}" text-anchor="middle" class="tick">{int(month[5:])}月</text>')
    parts.append("</svg>")
    return "".join(parts)


def template_globals(index: MonitorIndex | None) -> Mapping[str, Any]:
    """Return the helpers the power and case-list pages use."""

    def power_run(record: Record) -> PowerRun | None:
        return index.run(record) if index else None

    def list_cases(record: Record) -> tuple[CaseTime, ...]:
        return index.by_list.get(record.slug, ()) if index else ()

    return {"power_run": power_run, "list_cases": list_cases, "case_chart": chart_svg}


KIND = Kind(
    "case",
    "cases",
    "权力运行记录",
    CaseListMeta,
    "record_case.html",
    prepare=prepare_case_list,
    files=case_files,
    scaffold=case_scaffold,
    links=case_links,
    resolve=case_resolve,
    listed_on_linked="权力运行记录",
    feed_rows=case_feed_rows,
    feed_html=case_feed_html,
    texts=case_texts,
    search_text=case_search_text,
    tables=TABLES,
    json_ld_type="Dataset",
    json_ld=case_json_ld,
    data=read_evaluations,
    data_folder="evaluations",
    site_rules=case_rules,
    index=case_index,
    feeds=red_card_feed,
    latest=False,
    report=("行政许可、行政处罚办结后超过 7 个工作日才公开的办件（双公示）", "双公示"),
    pages=PAGES,
    template_globals=template_globals,
)

