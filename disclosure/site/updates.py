"""The dated events of a record that a subscriber should hear about, with stable ids.

A feed entry announces an *event* — a publication, a dated event of its kind (`Kind.events`:
a decision's new stage), a new 更新记录 (`changes`) entry, a repeal — never a file edit. Each event's id is made of the
record's 索引号 and what the event is, so it stays the same across builds and a typo
fix (which changes the file, not its dated events) announces nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME

CHINA = timezone(timedelta(hours=8), "CST")
VALIDITY_EVENTS = {"失效": "expired", "废止": "repealed"}


@dataclass(frozen=True, slots=True)
class Update:
    """One announced event of one record."""

    record: Record
    event: str  # stable ASCII: published, stage-2019-10-17-hearing, change-2020-01-02, repealed-…
    day: date
    label: str  # 发布, 听证, 更新, 废止 …
    note: str  # what happened, in the words of the content (may be empty)
    order: int  # position among the record's events, to keep same-day events in order

    @property
    def when(self) -> datetime:
        """Return the event's day at 00:00 in China time (YAML dates carry no time or zone)."""
        return at_midnight(self.day)

    @property
    def title(self) -> str:
        title = self.record.meta.title
        return title if self.event == "published" else f"【{self.label}】{title}"


def at_midnight(day: date) -> datetime:
    """Return 00:00+08:00 of `day`, so a date-only value never shifts to the previous day."""
    return datetime.combine(day, time(0, 0), CHINA)


def record_updates(record: Record, today: date | None = None) -> list[Update]:
    """Return the record's announced events up to `today` (all without it), oldest first.

    A kind's events (a decision's stages) and 更新记录 entries dated on or before the
    publication date are part of what was published and are announced with it; each later
    one is its own event. A planned
    repeal (`validity_date` after `today`) is announced on its day, not before.
    """
    meta = record.meta
    updates = [Update(record, "published", meta.published, "发布", meta.summary or "", 0)]
    kind = KIND_BY_NAME.get(record.kind)
    for dated in kind.events(meta) if kind else ():
        if dated.day > meta.published:
            updates.append(Update(record, dated.event, dated.day, dated.label, dated.note, len(updates)))
    seen: Counter[date] = Counter()
    for change in meta.changes:  # in the order written; a second note on one day gets -2
        seen[change.date] += 1
        suffix = "" if seen[change.date] == 1 else f"-{seen[change.date]}"
        if change.date <= meta.published:  # e.g. “首次发布”: that is the publication itself
            continue
        event = f"change-{change.date.isoformat()}{suffix}"
        updates.append(Update(record, event, change.date, "更新", change.note, len(updates)))
    if meta.validity in VALIDITY_EVENTS and meta.validity_date and (today is None or meta.validity_date <= today):
        code = VALIDITY_EVENTS[meta.validity]
        event = f"{code}-{meta.validity_date.isoformat()}"
        updates.append(Update(record, event, meta.validity_date, f"已{meta.validity}", "", len(updates)))
    return sorted(updates, key=lambda u: (u.day, u.order))


def newest_first(updates: list[Update]) -> list[Update]:
    """Return `updates` newest first; ties broken by record and event so the order is stable."""
    return sorted(
        updates,
        key=lambda u: (u.day, u.record.meta.published, u.record.meta.index_number, u.order),
        reverse=True,
    )

