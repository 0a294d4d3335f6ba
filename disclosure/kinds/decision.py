"""重大行政决策 (`content/decisions/`): a decision with its basis, dated stages and outcome.

Its stages are dated events (announced in feeds and change history, with ASCII ids), its
basis may link to records of this site, and its matter and outcome are searched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Literal

from disclosure.core.fields import IsoDate, Text
from disclosure.core.labels import kind_labels
from disclosure.core.problems import Problem, error, warning
from disclosure.core.records import NonEmpty, Record, RecordMeta, Strict, titled
from disclosure.kinds.base import Event, Kind, Link, Row, SearchPart, Table, day_text, marker

StageName = Literal[
    "征求意见",
    "听证",
    "专家论证",
    "风险评估",
    "合法性审查",
    "集体讨论",
    "决策公布",
    "执行",
    "结果",
    "后评估",
]
# ASCII codes keep event ids (and so feed GUIDs) free of Chinese, which some readers mangle.
STAGE_CODES = {
    "征求意见": "consultation",
    "听证": "hearing",
    "专家论证": "expert-review",
    "风险评估": "risk-assessment",
    "合法性审查": "legality-review",
    "集体讨论": "collective-discussion",
    "决策公布": "announcement",
    "执行": "implementation",
    "结果": "result",
    "后评估": "evaluation",
}

# the keys only this kind has, labelled before the shared ones (core/labels.py)
LABELS = kind_labels("decision", {
    "matter": "决策事项",
    "basis": "决策依据",
    "basis.title": "依据名称",
    "basis.doc_number": "依据文号",
    "basis.ref": "依据链接",
    "stages": "决策阶段",
    "stages.stage": "阶段",
    "stages.date": "阶段日期",
    "stages.end": "截止日期",
    "stages.summary": "阶段说明",
    "outcome": "决策结果",
})
_f = titled("decision")  # field titles from LABELS, then the shared labels


class Basis(Strict):
    title: NonEmpty = _f("basis.title")
    doc_number: NonEmpty | None = _f("basis.doc_number", default=None)
    ref: NonEmpty | None = _f("basis.ref", default=None, description="本站记录的索引号，或 http(s) 网址")


class Stage(Strict):
    stage: StageName = _f("stages.stage")
    date: IsoDate = _f("stages.date")
    end: IsoDate | None = _f("stages.end", default=None)
    summary: NonEmpty = _f("stages.summary")

    @property
    def anchor(self) -> str:
        """Return the id of the stage on the decision's page: its event id, stage-2019-10-17-hearing."""
        return f"stage-{self.date.isoformat()}-{stage_code(self.stage)}"


class DecisionMeta(RecordMeta):
    """A 重大行政决策 with its basis, dated stages and outcome (`content/decisions/`)."""

    matter: NonEmpty = _f("matter")
    basis: tuple[Basis, ...] = _f("basis", default=())
    stages: tuple[Stage, ...] = _f("stages", default=())
    outcome: Text | None = _f("outcome", default=None)


def _meta(meta: RecordMeta) -> DecisionMeta:
    assert isinstance(meta, DecisionMeta)
    return meta


def decision_rules(meta: RecordMeta, lines: dict[str, int], path: Path) -> list[Problem]:
    """Return problems in a decision's stages: dates in order, comment periods long enough."""
    meta = _meta(meta)
    problems: list[Problem] = []
    for i, stage in enumerate(meta.stages):
        key = f"stages[{i}]"
        line = lines.get(f"{key}.end", lines.get(key, 1))
        if stage.end and stage.end < stage.date:
            problems.append(error(path, line, f"{key}.end", f"截止日期 {stage.end} 早于阶段日期 {stage.date}"))
        if stage.stage == "征求意见" and stage.end and stage.end - stage.date < timedelta(days=30):
            days = (stage.end - stage.date).days
            problems.append(
                warning(path, line, f"{key}.end", f"征求意见期只有 {days} 天，少于 30 日（重大行政决策程序暂行条例第十五条）；如有特殊原因请在阶段说明中写明")
            )
    for i, basis in enumerate(meta.basis):
        ref = basis.ref
        if ref and "://" in ref and not ref.lower().startswith(("http://", "https://")):
            key = f"basis[{i}].ref"
            problems.append(error(path, lines.get(key, 1), key, "依据链接只能是本站索引号或 http(s) 网址"))
    return problems


def decision_scaffold(day: date, agency: str) -> str:
    """Return a decision's own fields: one basis and the 征求意见 stage of at least 30 days."""
    m = partial(marker, "decision")
    return (
        f"matter: {m('matter')}\n"
        "basis:\n"
        f"  - title: {m('basis.title')}\n"
        "    # doc_number: \"代字〔年份〕序号号\"   # 依据文号，可不写\n"
        "stages:  # " + "、".join(s for s in ("征求意见", "听证", "专家论证", "合法性审查", "集体讨论", "决策公布")) + " ……\n"
        "  - stage: 征求意见\n"
        f"    date: {day.isoformat()}\n"
        f"    end: {(day + timedelta(days=30)).isoformat()}   # 征求意见期不少于 30 日\n"
        f"    summary: {m('stages.summary')}\n"
        "# outcome: 决策结果（作出决策后填写）\n"
    )


def stage_code(stage: str) -> str:
    """Return the ASCII code of a stage in event ids (a stage without one gets a number)."""
    return STAGE_CODES.get(stage, f"stage{sum(map(ord, stage))}")


def decision_events(meta: RecordMeta) -> Iterator[Event]:
    """Yield every stage as a dated event: stage-2019-10-17-hearing, 听证, its summary."""
    for i, stage in enumerate(_meta(meta).stages):
        event = f"stage-{stage.date.isoformat()}-{stage_code(stage.stage)}"
        yield Event(event, stage.date, stage.stage, stage.summary, f"stages[{i}].date")


def decision_links(meta: RecordMeta) -> Iterator[Link]:
    """Yield the basis entries that name a record of this site by its 索引号 (not a web address)."""
    for i, basis in enumerate(_meta(meta).basis):
        if basis.ref and "://" not in basis.ref:
            yield Link(f"basis[{i}].ref", basis.ref)


def decision_feed_rows(meta: RecordMeta) -> Iterator[tuple[str, str]]:
    """Yield the 决策事项 row of a feed entry's metadata."""
    yield ("决策事项", _meta(meta).matter)


def decision_texts(record: Record) -> Mapping[str, str]:
    """Return the stage summaries and the matter, by front-matter key (bound for feeds)."""
    meta = _meta(record.meta)
    texts = {f"stages[{i}].summary": s.summary for i, s in enumerate(meta.stages)}
    texts["matter"] = meta.matter
    return texts


def decision_search_text(record: Record) -> Iterator[str]:
    """Yield what the page shows beyond the common fields: matter, basis, stages and outcome."""
    meta = _meta(record.meta)
    yield meta.matter
    for basis in meta.basis:
        yield from (text for text in (basis.title, basis.doc_number) if text)
    for stage in meta.stages:
        yield from (stage.stage, stage.summary)
    if meta.outcome:
        yield meta.outcome


def decision_search_parts(record: Record) -> Iterator[SearchPart]:
    """Yield the places a search result links to: the basis (#decision-basis), every stage
    (#stage-2019-09-20-hearing) and the outcome (#decision-outcome)."""
    meta = _meta(record.meta)
    if meta.basis:
        titles = "；".join(b.title + (f"（{b.doc_number}）" if b.doc_number else "") for b in meta.basis)
        yield SearchPart("decision-basis", "决策依据", titles)
    for stage in meta.stages:
        yield SearchPart(stage.anchor, stage.stage, stage.summary)
    if meta.outcome:
        yield SearchPart("decision-outcome", "决策结果", meta.outcome)


def decision_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per decision: its matter, outcome and latest stage."""
    rows = []
    for record in records:
        meta = _meta(record.meta)
        latest = max(meta.stages, key=lambda s: s.date, default=None)
        rows.append({
            "index_number": meta.index_number,
            "title": meta.title,
            "matter": meta.matter,
            "outcome": meta.outcome,
            "current_stage": latest.stage if latest else None,
            "stages_count": len(meta.stages),
        })
    return rows


def decision_stage_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per stage of every decision, numbered from 1 in the order written."""
    rows = []
    for record in records:
        meta = _meta(record.meta)
        for n, stage in enumerate(meta.stages, start=1):
            rows.append({
                "index_number": meta.index_number,
                "sequence": n,
                "stage": stage.stage,
                "date": day_text(stage.date),
                "end": day_text(stage.end),
                "summary": stage.summary,
            })
    return rows


def decision_basis_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per basis entry of every decision."""
    rows = []
    for record in records:
        meta = _meta(record.meta)
        for basis in meta.basis:
            rows.append({
                "index_number": meta.index_number,
                "title": basis.title,
                "doc_number": basis.doc_number,
                "ref": basis.ref,
            })
    return rows


TABLES = (
    Table(
        "decisions",
        "重大行政决策",
        {"index_number": "索引号", "title": "标题", "matter": "决策事项", "outcome": "决策结果",
         "current_stage": "最新阶段", "stages_count": "阶段数"},
        decision_rows,
    ),
    Table(
        "decision-stages",
        "重大行政决策阶段",
        {"index_number": "索引号", "sequence": "序号", "stage": "阶段", "date": "阶段日期",
         "end": "截止日期", "summary": "阶段说明"},
        decision_stage_rows,
    ),
    Table(
        "decision-basis",
        "重大行政决策依据",
        {"index_number": "索引号", "title": "依据名称", "doc_number": "依据文号", "ref": "依据链接"},
        decision_basis_rows,
    ),
)

KIND = Kind(
    "decision",
    "decisions",
    "重大行政决策",
    DecisionMeta,
    "record_decision.html",
    nav=True,
    rules=decision_rules,
    scaffold=decision_scaffold,
    links=decision_links,
    events=decision_events,
    feed_rows=decision_feed_rows,
    texts=decision_texts,
    search_text=decision_search_text,
    search_parts=decision_search_parts,
    tables=TABLES,
)
