"""Timeliness (条例第二十六条): proactive information goes public within 20 working days
of being formed or changed. Counted on the real calendar (disclosure.core.workdays).

The limit holds from the day the 条例 took effect, 2008-05-01 (2007 version, 第十八条; kept
as 第二十六条 in 2019): information formed or changed before it had no day limit (国办发〔2008〕36号
asked agencies to sort it out and publish what should be public), so a 1996 document first put
online in 2018 is not late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from disclosure.core.problems import Problem, warning
from disclosure.core.records import Record
from disclosure.core.workdays import WorkCalendar

LIMIT = 20
IN_FORCE = date(2008, 5, 1)  # 《政府信息公开条例》施行之日


def check_timeliness(
    records: tuple[Record, ...], calendar: WorkCalendar, repealing: Callable[[Record], Record | None]
) -> list[Problem]:
    """Return a warning per record published (or whose change was published) too late, or unchecked."""
    problems: list[Problem] = []
    for record in records:
        meta = record.meta
        problem = _late(record, "published", meta.written, meta.published, "成文日期", calendar)
        if problem:
            problems.append(problem)
        if meta.validity != "有效" and meta.validity_date is not None:
            shown = _change_published(record, meta.validity_date, repealing(record))
            if shown is not None:
                problem = _late(record, "validity_date", meta.validity_date, shown, f"{meta.validity}日期", calendar)
                if problem:
                    problems.append(problem)
    return problems


def _change_published(record: Record, changed: date, repealing_record: Record | None) -> date | None:
    """Return the day a change of validity was made public: a 更新记录 entry, the repealing record, or the record."""
    if record.meta.published >= changed:
        return None  # first published after the change: its publication is already checked
    notes = sorted(c.date for c in record.meta.changes if c.date >= changed)
    if notes:
        return notes[0]
    if repealing_record is not None and repealing_record.meta.published >= changed:
        return repealing_record.meta.published
    return None


def _late(record: Record, key: str, start: date, shown: date, what: str, calendar: WorkCalendar) -> Problem | None:
    if start < IN_FORCE:
        return None  # formed before the 条例: no day limit to be late for
    due = calendar.add_workdays(start, LIMIT)
    line = record.line(key)
    if due is None:
        year = next(y for y in range(start.year, start.year + 2) if not calendar.knows(y))
        if shown <= start:  # published the same day: timely whatever the calendar
            return None
        return warning(
            record.source, line, key,
            f"未核查是否及时公开：{year}年的法定节假日未知（chinesecalendar 未收录，content/holidays.yaml 也没有），"
            f"无法计算{what} {start} 后的第 {LIMIT} 个工作日",
        )
    if shown <= due:
        return None
    if key == "published":
        text = f"发布日期 {shown} 晚于成文日期 {start} 后的第 {LIMIT} 个工作日 {due}（政府信息公开条例第二十六条）"
    else:
        text = f"{what} {start} 的变更于 {shown} 才公开，晚于变更后的第 {LIMIT} 个工作日 {due}（政府信息公开条例第二十六条）"
    return warning(record.source, line, key, text)
