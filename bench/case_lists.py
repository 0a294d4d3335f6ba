"""Generate power-exercise case lists (DESIGN §3.6) for the power items of a content folder.

    python bench/case_lists.py --content DIR [--cases-per-power N] [--start 2025-01-01]
                               [--end 2026-10-31] [--seed 2025] [--monthly]

For every power item under ``DIR/powers/`` it writes ``DIR/cases/<year>/<slug>.md`` plus
the sibling ``<slug>.csv``: ``N`` invented cases (办件) accepted on working days between
``--start`` and ``--end``. About 85 % finish every step within its ``limit_days`` and the
whole case within ``promised_limit_days``; about 10 % run over a step or the promised limit
(黄牌); about 4 % run over ``legal_limit_days`` (红牌, only where the power has one); cases
still running on ``--end`` are 在办. 行政许可 and 行政处罚 powers get one list per month of
办结日期, updated every week a few working days after the cases finished (``changes``), so
every case is public well within the 7 working days of 双公示; other powers get one list
per year (``--monthly``: one per month for every power, as the benchmark does).

Everything is invented and marked 示例; no ID or mobile number is ever written. The same
folder, arguments and seed always give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from disclosure.core.workdays import WorkCalendar, read_holidays  # noqa: E402

BASE_HEADERS = ("办件编号", "申请人类型", "申请人", "受理日期", "办结日期", "办理结果", "决定文书号")
DOUBLE_PUBLICITY = ("行政许可", "行政处罚")  # 双公示: public within 7 working days of the decision
DOUBLE_PUBLICITY_DAYS = 7
SAMPLE = "（示例）"

# 办理结果 by power type: (result, weight); the first is the usual one
RESULTS: dict[str, tuple[tuple[str, int], ...]] = {
    "行政许可": (("准予许可", 90), ("不予许可", 10)),
    "行政处罚": (("处罚决定", 85), ("不予处罚", 15)),
    "行政检查": (("检查合格", 75), ("责令整改", 25)),
    "行政强制": (("查封", 55), ("解除查封", 45)),
    "行政确认": (("予以确认", 92), ("不予确认", 8)),
}
OTHER_RESULT = (("办结", 1),)
# 申请人类型 by power type: (自然人, 法人, 其他组织) weights
APPLICANT_WEIGHTS: dict[str, tuple[int, int, int]] = {
    "行政许可": (15, 75, 10),
    "行政处罚": (40, 50, 10),
    "行政检查": (25, 65, 10),
    "行政强制": (5, 85, 10),
    "行政确认": (70, 25, 5),
}
# the character of a 决定文书号 for each power type (保市监罚〔2025〕12号)
DOC_CHARACTER = {"行政许可": "许", "行政处罚": "罚", "行政检查": "查", "行政强制": "强", "行政确认": "确"}
# 发文机关代字 of the sample agencies; others are made from their short name
AGENCY_ABBREVIATIONS = {
    "保定市市场监督管理局": "保市监",
    "保定市自然资源和规划局": "保自然资",
    "保定市生态环境局": "保环",
}
# company words by power type (a few for any)
TRADES: dict[str, tuple[str, ...]] = {
    "行政许可": ("建设", "置业", "房地产开发", "建筑工程", "城市建设投资"),
    "行政处罚": ("食品", "餐饮管理", "商贸", "超市", "副食品"),
    "行政检查": ("食品", "餐饮管理", "商贸", "连锁超市", "粮油"),
    "行政强制": ("化工", "机械制造", "铸造", "印染", "建材"),
    "行政确认": ("置业", "房地产开发", "实业", "物业管理"),
}
OTHER_TRADES = ("商贸", "实业", "科技")

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"
    "戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "公孙", "夏侯")
GIVEN_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文海波鹏飞宇浩然子涵欣怡晨阳思远雨婷佳琪"
    "俊凯瑞雪梓萱一鸣博文嘉怡浩宇诗琪德福永庆春燕秋月冬梅立新振华卫东向阳"
)
FIRM_WORDS = (
    "恒信",
    "华茂",
    "金源",
    "瑞丰",
    "众诚",
    "宏达",
    "鑫盛",
    "万通",
    "德润",
    "嘉禾",
    "永泰",
    "聚福",
    "天禾",
    "博远",
    "润泽",
    "祥和",
    "兴隆",
    "同创",
    "盛世",
    "锦程",
    "汇通",
    "安康",
    "和泰",
    "长城",
    "古城",
    "莲池",
    "竞秀",
    "满城",
)
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
ORGANISATION_FORMS = ("分公司", "合伙企业（普通合伙）", "个人独资企业", "农民专业合作社")

ON_TIME, YELLOW, RED = "on_time", "yellow", "red"


@dataclass(frozen=True)
class Step:
    """One step of a power's 流程图 (DESIGN §3.4)."""

    id: str
    name: str
    limit_days: int | None


@dataclass(frozen=True)
class Power:
    """The parts of a power item a case list needs."""

    path: Path
    title: str
    code: str
    power_type: str
    agency: str
    category: str
    steps: tuple[Step, ...]
    edges: tuple[tuple[str, str, str], ...]  # flow (from, to, when); without `flow` the steps in order
    promised_limit_days: int | None
    legal_limit_days: int | None

    @property
    def slug(self) -> str:
        return self.path.stem

    @property
    def plain_title(self) -> str:
        """Return the title without its 示例 marker."""
        return self.title.replace(SAMPLE, "").replace("示例", "").strip()

    @property
    def code_letters(self) -> str:
        """Return the ASCII part of the code (130600014-XK-001) that names the power."""
        return "".join(re.findall(r"[A-Za-z0-9-]", self.code)).strip("-")


@dataclass
class Case:
    """One invented case (办件): dates of the steps it went through, result, decision number."""

    number: str
    applicant_type: str
    applicant: str
    accepted: date
    finished: date | None
    result: str
    decision_number: str
    step_dates: dict[str, date] = field(default_factory=dict)  # step name → date
    flag: str = ON_TIME


@dataclass
class CaseList:
    """One case list: its period (2025-03 or 2025), cases and the dates it was updated."""

    power: Power
    period: str
    label: str  # 2025年3月, 2025年, 2026年1—10月
    cases: list[Case]
    updates: list[tuple[date, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def read_front_matter(path: Path) -> dict:
    """Return the YAML front matter of a Markdown record."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"{path}: no front matter")
    head = text[4:].split("\n---", 1)[0]
    data = yaml.safe_load(head)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: front matter is not a mapping")
    return data


def optional_int(value: object) -> int | None:
    """Return a limit written in a power item as an int (None when absent)."""
    return None if value in (None, "") else int(str(value))


def read_powers(content: Path) -> list[Power]:
    """Return every power item under ``content/powers/``, in path order."""
    powers = []
    for path in sorted((content / "powers").rglob("*.md")):
        meta = read_front_matter(path)
        steps = tuple(
            Step(str(s["id"]), str(s["name"]), optional_int(s.get("limit_days")))
            for s in meta.get("steps") or ()
        )
        flow = meta.get("flow") or ()
        edges = tuple((str(e["from"]), str(e["to"]), str(e.get("when") or "")) for e in flow) or tuple(
            (a.id, b.id, "") for a, b in pairwise(steps)
        )
        agency = meta["agency"][0] if isinstance(meta["agency"], list) else meta["agency"]
        powers.append(
            Power(
                path=path,
                title=str(meta["title"]),
                code=str(meta["code"]),
                power_type=str(meta["power_type"]),
                agency=str(agency),
                category=str(meta["category"]),
                steps=steps,
                edges=edges,
                promised_limit_days=optional_int(meta.get("promised_limit_days")),
                legal_limit_days=optional_int(meta.get("legal_limit_days")),
            )
        )
    return powers


def read_agencies(content: Path) -> dict[str, dict]:
    """Return the entries of ``content/agencies.yaml`` by full name."""
    entries = yaml.safe_load((content / "agencies.yaml").read_text(encoding="utf-8")) or []
    return {str(entry["name"]): entry for entry in entries}


INDEX_LINE = re.compile(r"^index_number:\s*[\"']?([^\"'\s#]+)", re.M)


def used_index_numbers(content: Path) -> set[str]:
    """Return every 索引号 written in a Markdown record of the content folder."""
    used: set[str] = set()
    for path in content.rglob("*.md"):
        used.update(INDEX_LINE.findall(path.read_text(encoding="utf-8")))
    return used


# --------------------------------------------------------------------------- one case


def working_days(calendar: WorkCalendar, start: date, end: date) -> list[date]:
    """Return the working days from ``start`` to ``end``, both included."""
    days, day = [], start
    while day <= end:
        if calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


REFUSAL = re.compile("不予|不符合|不受理|退回|驳回")  # a flow edge taken only when the request fails


def reachable(power: Power, start: str) -> set[str]:
    """Return the steps reachable from ``start`` along the flow (``start`` excluded)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for source, target, _ in power.edges:
            if source == todo[-1] and target not in seen:
                seen.add(target)
                todo.append(target)
                break
        else:
            todo.pop()
    return seen


def fork_weight(power: Power, target: str, when: str, others: list[str]) -> float:
    """Return how often a case takes one edge of a fork, relative to the others.

    An edge whose condition is a refusal (不予受理) is rare; the edge to the step where the
    other branches join again (决定 after 集体会审) is the usual way, a detour the exception.
    """
    if REFUSAL.search(when):
        return 0.1
    return 2.0 if all(target in reachable(power, other) for other in others) else 1.0


def step_path(power: Power, rng: random.Random) -> tuple[list[Step], bool]:
    """Return the steps one case goes through, following the flow from the first step, and
    whether it took a refusal edge (the request then fails: 不予许可 …)."""
    if not power.steps:
        return [], False
    by_id = {step.id: step for step in power.steps}
    targets = {target for _, target, _ in power.edges}
    current = next((s for s in power.steps if s.id not in targets), power.steps[0])
    path, refused = [current], False
    while len(path) <= len(power.steps):
        choices = [(t, when) for s, t, when in power.edges if s == current.id and t in by_id]
        if not choices:
            break
        names = [t for t, _ in choices]
        weights = [fork_weight(power, t, when, [o for o in names if o != t]) for t, when in choices]
        target, when = choices[0] if len(choices) == 1 else rng.choices(choices, weights=weights)[0]
        refused = refused or (len(choices) > 1 and bool(REFUSAL.search(when)))
        current = by_id[target]
        path.append(current)
    return path, refused


def step_durations(path: list[Step], power: Power, flag: str, rng: random.Random) -> list[int]:
    """Return working days per step for a case of the given flag (on time, 黄牌, 红牌)."""
    days = []
    for step in path:
        if step.limit_days is None:  # e.g. 执行: as long as it takes, a fortnight at most
            days.append(rng.randint(1, 15))
        else:
            days.append(min(step.limit_days, round(step.limit_days * rng.uniform(0.25, 1.0))))
    limited = [i for i, step in enumerate(path) if step.limit_days is not None]
    promised, legal = power.promised_limit_days, power.legal_limit_days

    def shrink_to(total: int) -> None:
        while sum(days) > total and any(days[i] > 0 for i in limited):
            i = max(limited, key=days.__getitem__)
            days[i] -= 1

    if flag == ON_TIME and promised is not None:
        shrink_to(promised)
    elif flag == YELLOW:
        if promised is not None:
            shrink_to(promised)
        over = [i for i in limited if (path[i].limit_days or 0) > 0] or limited
        if promised is not None and rng.random() < 0.4:  # over the promised limit, steps within theirs
            days[max(over, key=lambda i: path[i].limit_days or 0)] += promised - sum(days) + rng.randint(1, 3)
        elif over:  # one step over its own limit
            i = rng.choice(over)
            days[i] = (path[i].limit_days or 0) + rng.randint(1, max(2, (path[i].limit_days or 0) // 2))
        if legal is not None and sum(days) > legal:
            shrink_to(legal)
    elif flag == RED and legal is not None:
        longest = max(limited, key=lambda i: path[i].limit_days or 0)
        days[longest] += legal - sum(days) + rng.randint(1, 6)
    return days


def person_name(rng: random.Random) -> str:
    """Return an invented Chinese name: a common or compound surname, a one- or two-character given name."""
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.06 else rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN_CHARACTERS) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


def firm_name(power_type: str, organisation: bool, rng: random.Random) -> str:
    """Return an invented company (法人) or other organisation (其他组织) name, marked 示例."""
    trade = rng.choice(TRADES.get(power_type, OTHER_TRADES))
    place = rng.choice(("保定", "保定市", "河北"))
    words = "".join(rng.sample(FIRM_WORDS, rng.choice((1, 1, 2))))
    if not organisation:
        return f"{place}{words}{trade}{rng.choice(COMPANY_FORMS)}{SAMPLE}"
    form = rng.choice(ORGANISATION_FORMS)
    if form == "分公司":
        district = rng.choice(("竞秀", "莲池", "满城", "清苑", "徐水"))
        return f"{place}{words}{trade}有限公司{district}分公司{SAMPLE}"
    if form == "农民专业合作社":
        return f"保定市{rng.choice(('清苑区', '满城区', '徐水区', '定兴县'))}{words}{form}{SAMPLE}"
    return f"{place}{words}{trade}{form}{SAMPLE}"


def applicant(power_type: str, rng: random.Random) -> tuple[str, str]:
    """Return (申请人类型, 申请人) for a case of a power of this type."""
    weights = APPLICANT_WEIGHTS.get(power_type, (30, 60, 10))
    kind = rng.choices(("自然人", "法人", "其他组织"), weights=weights)[0]
    if kind == "自然人":
        return kind, person_name(rng)
    return kind, firm_name(power_type, kind == "其他组织", rng)


def doc_prefix(power: Power, agencies: dict[str, dict]) -> str:
    """Return the 代字 of a power's decision documents: 保市监罚, 保自然资许 …"""
    abbreviation = AGENCY_ABBREVIATIONS.get(power.agency)
    if abbreviation is None:
        short = str(agencies.get(power.agency, {}).get("short_name") or power.agency)
        abbreviation = "保" + short.removeprefix("保定").removeprefix("市").removesuffix("局")[:3]
    return abbreviation + DOC_CHARACTER.get(power.power_type, "决")


def pick_flag(power: Power, rng: random.Random) -> str:
    """Return on time (≈85 %), 黄牌 (≈10 %) or 红牌 (≈4 %, only with a legal limit; else on time)."""
    roll = rng.random()
    if roll < 0.04:
        return RED if power.legal_limit_days is not None else ON_TIME
    if roll < 0.15:
        return YELLOW
    return ON_TIME


def make_cases(
    power: Power,
    agencies: dict[str, dict],
    calendar: WorkCalendar,
    count: int,
    start: date,
    end: date,
    rng: random.Random,
) -> list[Case]:
    """Return ``count`` cases of one power accepted on working days from ``start`` to ``end``.

    A case whose steps would run past ``end`` is 在办: the steps after ``end`` stay empty.
    """
    days = working_days(calendar, start, end)
    accepted_days = sorted(rng.choice(days) for _ in range(count))
    serials: Counter[int] = Counter()
    decisions: Counter[int] = Counter()
    prefix = doc_prefix(power, agencies)
    results = RESULTS.get(power.power_type, OTHER_RESULT)
    cases = []
    for accepted in accepted_days:
        serials[accepted.year] += 1
        number = f"{power.code_letters}-{accepted.year}-{serials[accepted.year]:05d}"
        kind, name = applicant(power.power_type, rng)
        flag = pick_flag(power, rng)
        path, refused = step_path(power, rng)
        step_dates: dict[str, date] = {}
        day: date | None = accepted
        for step, length in zip(path, step_durations(path, power, flag, rng), strict=True):
            day = calendar.add_workdays(day, length) if day is not None else None
            if day is None or day > end:
                day = None
                break
            step_dates[step.name] = day
        finished = day if path else calendar.add_workdays(accepted, rng.randint(1, 10))
        if finished is not None and finished > end:
            finished = None
        result, decision_number = "", ""
        if finished is not None:
            result = rng.choices([r for r, _ in results], weights=[w for _, w in results])[0]
            if refused:  # 不予受理 and the like: the other result (不予许可)
                result = results[-1][0]
            decisions[finished.year] += 1
            decision_number = f"{prefix}〔{finished.year}〕{decisions[finished.year]}号"
        cases.append(Case(number, kind, name, accepted, finished, result, decision_number, step_dates, flag))
    return cases


# --------------------------------------------------------------------------- grouping into lists


def monthly(power: Power, every_month: bool) -> bool:
    """Return whether a power's cases are listed per month (双公示 powers, or all when asked)."""
    return every_month or power.power_type in DOUBLE_PUBLICITY


def group_cases(power: Power, cases: list[Case], end: date, every_month: bool) -> list[CaseList]:
    """Return the case lists of one power: by month (or year) of 办结日期; 在办 in the last period."""
    by_month = monthly(power, every_month)

    def period(day: date) -> str:
        return f"{day.year}-{day.month:02d}" if by_month else str(day.year)

    def label(key: str) -> str:
        if by_month:
            return f"{key[:4]}年{int(key[5:])}月"
        if int(key) == end.year and end.month < 12:
            return f"{key}年1—{end.month}月"
        return f"{key}年"

    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        groups[period(case.finished or end)].append(case)
    return [CaseList(power, key, label(key), groups[key]) for key in sorted(groups)]


def week_of(day: date) -> date:
    """Return the Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def schedule_updates(case_list: CaseList, calendar: WorkCalendar, end: date, rng: random.Random) -> None:
    """Fill ``case_list.updates``: when the list was published and updated, and with what note.

    Monthly lists: one update per week of 办结日期, 1–3 working days after that week's last
    case finished (sooner when a week of 调休 would leave its first case waiting over 6). Yearly lists: published 2–5 working days after the year (or ``end``).
    A list holding 在办 cases is brought up to date once more after the last step reached.
    """
    finished = sorted((c for c in case_list.cases if c.finished), key=lambda c: c.finished or end)
    open_cases = [c for c in case_list.cases if c.finished is None]
    updates: list[tuple[date, str]] = []
    if "-" in case_list.period:
        weeks: dict[date, list[Case]] = defaultdict(list)
        for case in finished:
            weeks[week_of(case.finished or end)].append(case)
        for week in sorted(weeks):
            first = min(c.finished or end for c in weeks[week])
            last = max(c.finished or end for c in weeks[week])
            soon = calendar.add_workdays(last, rng.randint(1, 3)) or last
            day = max(last, min(soon, calendar.add_workdays(first, DOUBLE_PUBLICITY_DAYS - 1) or soon))
            if updates and day <= updates[-1][0]:
                day = calendar.add_workdays(updates[-1][0], 1) or day
            updates.append((day, f"新增本周办结 {len(weeks[week])} 件{SAMPLE}"))
    elif finished:
        year_end = min(date(int(case_list.period), 12, 31), end)
        day = calendar.add_workdays(year_end, rng.randint(2, 5)) or year_end
        updates.append((day, f"发布{case_list.label}办结的 {len(finished)} 件{SAMPLE}"))
    if open_cases:
        reached = max(max(c.step_dates.values(), default=c.accepted) for c in open_cases)
        if not updates or updates[-1][0] < reached:
            day = calendar.add_workdays(max(reached, end), rng.randint(1, 2)) or reached
            updates.append((day, f"更新在办 {len(open_cases)} 件的办理进度{SAMPLE}"))
    case_list.updates = updates


def public_delay(case: Case, case_list: CaseList, calendar: WorkCalendar) -> int | None:
    """Return the working days from a case's 办结日期 to the first version of its list that shows it."""
    if case.finished is None:
        return None
    shown = min(day for day, _ in case_list.updates if day >= case.finished)
    return len(working_days(calendar, case.finished + timedelta(days=1), shown))


# --------------------------------------------------------------------------- writing


def yaml_str(value: str) -> str:
    """Return a YAML double-quoted scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def csv_text(power: Power, cases: Iterable[Case]) -> str:
    """Return a case list's CSV: the fixed headers, then one column per step of the power."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BASE_HEADERS + tuple(step.name for step in power.steps))
    for case in cases:
        writer.writerow(
            [
                case.number,
                case.applicant_type,
                case.applicant,
                case.accepted.isoformat(),
                case.finished.isoformat() if case.finished else "",
                case.result,
                case.decision_number,
            ]
            + [case.step_dates[s.name].isoformat() if s.name in case.step_dates else "" for s in power.steps]
        )
    return out.getvalue()


def record_text(case_list: CaseList, index_number: str, csv_name: str) -> str:
    """Return a case list's Markdown record (DESIGN §3.1 fields plus power and cases_csv)."""
    power = case_list.power
    published = case_list.updates[0][0]
    when = case_list.label
    done = sum(1 for c in case_list.cases if c.finished)
    open_count = len(case_list.cases) - done
    counts = f"办结 {done} 件" + (f"、在办 {open_count} 件" if open_count else "")
    lines = [
        "---",
        f"title: {yaml_str(f'{SAMPLE}{power.plain_title} 办件记录（{when}）')}",
        f"index_number: {yaml_str(index_number)}",
        f"agency: {yaml_str(power.agency)}",
        f"written: {published.isoformat()}",
        f"published: {published.isoformat()}",
        f"category: {yaml_str(power.category)}",
        f'keywords: ["权力运行记录", {yaml_str(power.power_type)}, "示例"]',
        f"summary: {yaml_str(f'示例记录，内容系虚构：{power.plain_title}{when}的办件情况，{counts}。')}",
        f"power: {yaml_str(power.code)}",
        f"cases_csv: {yaml_str(csv_name)}",
        "changes:",
    ]
    for day, note in case_list.updates:
        lines += [f"  - date: {day.isoformat()}", f"    note: {yaml_str(note)}"]
    lines += [
        "---",
        "**本记录为示例，内容系虚构，非官方发布。**",
        "",
        f"（示例）本表按权力运行记录制度记载{power.plain_title}{when}各件的受理、各环节完成和办结日期。"
        "办件编号、申请人和决定文书号均系虚构；自然人申请人的姓名在网站上只显示姓氏。",
        "",
    ]
    return "\n".join(lines)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with LF line endings, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


class IndexNumbers:
    """Hands out 索引号 ``<org code>/<year>-<serial>`` after the highest one already used."""

    def __init__(self, used: set[str]) -> None:
        self.used = set(used)
        self.next: dict[tuple[str, int], int] = {}
        for number in used:
            match = re.fullmatch(r"(.+)/(\d{4})-(\d{5})", number)
            if match:
                key = (match[1], int(match[2]))
                self.next[key] = max(self.next.get(key, 1), int(match[3]) + 1)

    def take(self, code: str, year: int) -> str:
        serial = self.next.get((code, year), 1)
        while f"{code}/{year}-{serial:05d}" in self.used:
            serial += 1
        number = f"{code}/{year}-{serial:05d}"
        self.used.add(number)
        self.next[(code, year)] = serial + 1
        return number


# --------------------------------------------------------------------------- the generator


def write_case_lists(
    content: Path,
    cases_per_power: int,
    start: date,
    end: date,
    seed: int = 2025,
    every_month: bool = False,
) -> dict[str, int]:
    """Write case lists for every power item of ``content``; return counts of what was written.

    ``content/cases/`` is replaced. Raises ValueError when a power's agency is not in
    agencies.yaml or when a generated case would be public later than 双公示 allows.
    """
    rng = random.Random(seed)
    calendar, _ = read_holidays(content)
    agencies = read_agencies(content)
    powers = read_powers(content)
    cases_dir = content / "cases"
    for old in sorted(cases_dir.rglob("*"), reverse=True) if cases_dir.is_dir() else ():
        old.unlink() if old.is_file() else old.rmdir()
    numbers = IndexNumbers(used_index_numbers(content))
    counts: Counter[str] = Counter()
    for power in powers:
        if power.agency not in agencies:
            raise ValueError(f"{power.path}: agency {power.agency} is not in agencies.yaml")
        cases = make_cases(power, agencies, calendar, cases_per_power, start, end, rng)
        for case_list in group_cases(power, cases, end, every_month):
            schedule_updates(case_list, calendar, end, rng)
            if power.power_type in DOUBLE_PUBLICITY:
                late = [
                    c.number
                    for c in case_list.cases
                    if (public_delay(c, case_list, calendar) or 0) > DOUBLE_PUBLICITY_DAYS
                ]
                if late:
                    raise ValueError(f"{power.slug} {case_list.period}: public too late: {late[:5]}")
            published = case_list.updates[0][0]
            slug = f"{power.slug}-{case_list.period}"
            folder = cases_dir / case_list.period[:4]
            index_number = numbers.take(str(agencies[power.agency]["code"]), published.year)
            write_text(folder / f"{slug}.csv", csv_text(power, case_list.cases))
            write_text(folder / f"{slug}.md", record_text(case_list, index_number, f"{slug}.csv"))
            counts["lists"] += 1
            for case in case_list.cases:
                counts["cases"] += 1
                counts["open" if case.finished is None else case.flag] += 1
    return {
        "lists": counts["lists"],
        "cases": counts["cases"],
        "on_time": counts[ON_TIME],
        "yellow": counts[YELLOW],
        "red": counts[RED],
        "open": counts["open"],
    }


def add_sample_powers(content: Path, sample: Path) -> list[str]:
    """Copy the power items of the ``sample`` content folder into ``content`` with what they need.

    The agencies they name are appended to ``content/agencies.yaml`` (from the sample's) and
    their categories added to ``content/categories.yaml``; returns the copied files' names.
    """
    copied = []
    for path in sorted((sample / "powers").rglob("*.md")):
        target = content / path.relative_to(sample)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        copied.append(path.name)
    powers = read_powers(content)
    known = read_agencies(content)
    entries = read_agencies(sample)
    lines = []
    for name in dict.fromkeys(p.agency for p in powers if p.agency not in known):
        entry = entries[name]
        lines += [f"- name: {yaml_str(name)}", f"  code: {yaml_str(str(entry['code']))}", "  sample: true"]
        if entry.get("short_name"):
            lines.insert(-2, f"  short_name: {yaml_str(str(entry['short_name']))}")
    if lines:
        with (content / "agencies.yaml").open("a", encoding="utf-8", newline="\n") as f:
            f.write("\n" + "\n".join(lines) + "\n")
    add_categories(content / "categories.yaml", [p.category for p in powers])
    return copied


def add_categories(path: Path, categories: Iterable[str]) -> None:
    """Add category paths (``a/b``) missing from a categories.yaml tree, rewriting it in block style."""
    tree = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else []
    tree = tree or []

    def node(value: object) -> dict:
        if isinstance(value, dict):
            return {"name": str(value["name"]), "children": [node(c) for c in value.get("children") or ()]}
        return {"name": str(value), "children": []}

    nodes = [node(n) for n in tree]
    changed = False
    for category in categories:
        level = nodes
        for name in category.split("/"):
            found = next((n for n in level if n["name"] == name), None)
            if found is None:
                found = {"name": name, "children": []}
                level.append(found)
                changed = True
            level = found["children"]
    if changed:
        write_text(path, yaml.safe_dump(nodes, allow_unicode=True, sort_keys=False))


def main(argv: list[str] | None = None) -> int:
    """Run the generator from the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--content", required=True, type=Path)
    parser.add_argument("--cases-per-power", type=int, default=80)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 10, 31))
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--monthly", action="store_true", help="one list per month for every power")
    args = parser.parse_args(argv)
    counts = write_case_lists(
        args.content, args.cases_per_power, args.start, args.end, args.seed, args.monthly
    )
    print(counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
