"""Open data under /data/: every table as JSON and as CSV (UTF-8 with BOM, for Excel).

A table is a name, Chinese field labels and a function from the site model to rows.
Every record contributes to `records` and `record-changes`; a kind contributes its own
tables through `KIND_TABLES` (decisions: stages and basis; approval lists and power
items: their items, steps and risk points). Field names are a public contract:
README.md, section “开放数据”, documents them; add fields, never rename them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from disclosure.core.labels import LABELS
from disclosure.core.records import DecisionMeta, Record
from disclosure.kinds import KIND_BY_NAME, KINDS
from disclosure.kinds.approval import ApprovalListMeta, items_of
from disclosure.kinds.power import PowerMeta
from disclosure.outputs.feeds import write_new_file
from disclosure.site.model import Site

DATA_PATH = "/data/"
LIST_SEPARATOR = "；"  # joins list cells in CSV
Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """One open-data table: /data/<name>.json and /data/<name>.csv."""

    name: str
    title: str
    fields: dict[str, str]  # stable English name → Chinese label, in column order
    rows: Callable[[Site], list[Row]]

    def url(self, fmt: str) -> str:
        return f"{DATA_PATH}{self.name}.{fmt}"


def day_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


# Column labels: the front-matter labels (labels.py) where a column is a front-matter key.
RECORD_FIELDS = {
    "index_number": LABELS["index_number"],
    "title": LABELS["title"],
    "kind": "类别代码",
    "kind_label": "类别",
    "agencies": LABELS["agency"],
    **{
        key: LABELS[key]
        for key in ("doc_number", "written", "published", "category", "keywords", "summary", "validity", "validity_date")
    },
    "repealed_by": "废止依据索引号",
    "disclosure": LABELS["disclosure"],
    "url": LABELS["url"],
    "attachments": "附件网址",
    "changes_count": "更新记录条数",
}


def record_rows(site: Site) -> list[Row]:
    """Return one row of metadata per record, newest first (the site's order)."""
    rows = []
    for record in site.records:
        meta = record.meta
        repealing = site.repealed_by.get(record.slug)
        page = record.url(site.config.root_url)
        rows.append({
            "index_number": meta.index_number,
            "title": meta.title,
            "kind": record.kind,
            "kind_label": KIND_BY_NAME[record.kind].label if record.kind in KIND_BY_NAME else record.kind,
            "agencies": list(meta.agency),
            "doc_number": meta.doc_number,
            "written": day_text(meta.written),
            "published": day_text(meta.published),
            "category": meta.category,
            "keywords": list(meta.keywords),
            "summary": meta.summary,
            "validity": meta.validity,
            "validity_date": day_text(meta.validity_date),
            "repealed_by": repealing.meta.index_number if repealing else None,
            "disclosure": meta.disclosure,
            "url": page,
            "attachments": [page + quote(a.name) for a in record.attachments],
            "changes_count": len(meta.changes),
        })
    return rows


def change_rows(site: Site) -> list[Row]:
    """Return every 更新记录 entry of every record."""
    return [
        {"index_number": r.meta.index_number, "date": day_text(c.date), "note": c.note}
        for r in site.records
        for c in r.meta.changes
    ]


def _of_kind(site: Site, kind: str) -> list[Record]:
    return [r for r in site.records if r.kind == kind]


def decision_rows(site: Site) -> list[Row]:
    rows = []
    for record in _of_kind(site, "decision"):
        meta = record.meta
        assert isinstance(meta, DecisionMeta)
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


def decision_stage_rows(site: Site) -> list[Row]:
    rows = []
    for record in _of_kind(site, "decision"):
        meta = record.meta
        assert isinstance(meta, DecisionMeta)
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


def decision_basis_rows(site: Site) -> list[Row]:
    rows = []
    for record in _of_kind(site, "decision"):
        meta = record.meta
        assert isinstance(meta, DecisionMeta)
        for basis in meta.basis:
            rows.append({
                "index_number": meta.index_number,
                "title": basis.title,
                "doc_number": basis.doc_number,
                "ref": basis.ref,
            })
    return rows


def approval_item_rows(site: Site) -> list[Row]:
    """Return every item of every approval-item list (inline or from its CSV)."""
    rows = []
    for record in _of_kind(site, "approval"):
        meta = record.meta
        assert isinstance(meta, ApprovalListMeta)
        for item in items_of(record):
            rows.append({
                "index_number": meta.index_number,
                "list_title": meta.title,
                "effective": day_text(meta.effective),
                "number": item.number,
                "name": item.name,
                "implementing_agency": item.implementing_agency,
                "basis": item.basis,
                "action": item.action,
                "to": item.to,
                "note": item.note,
            })
    return rows


def _powers(site: Site) -> list[PowerMeta]:
    metas = [r.meta for r in _of_kind(site, "power")]
    return [m for m in metas if isinstance(m, PowerMeta)]


def power_rows(site: Site) -> list[Row]:
    return [
        {
            "index_number": m.index_number,
            "code": m.code,
            "name": m.title,
            "power_type": m.power_type,
            "agencies": list(m.agency),
            "basis": [f"{b.law}{b.article}" for b in m.basis],
            "legal_limit_days": m.legal_limit_days,
            "promised_limit_days": m.promised_limit_days,
            "fee": m.fee,
            "supervision_phone": m.supervision.phone,
            "supervision_address": m.supervision.address,
            "steps_count": len(m.steps),
            "risks_count": sum(len(step.risks) for step in m.steps),
        }
        for m in _powers(site)
    ]


def power_step_rows(site: Site) -> list[Row]:
    return [
        {
            "index_number": m.index_number,
            "code": m.code,
            "sequence": n,
            "step_id": step.id,
            "name": step.name,
            "post": step.post,
            "limit_days": step.limit_days,
            "description": step.description,
            "risks_count": len(step.risks),
        }
        for m in _powers(site)
        for n, step in enumerate(m.steps, start=1)
    ]


def power_risk_rows(site: Site) -> list[Row]:
    return [
        {
            "index_number": m.index_number,
            "code": m.code,
            "power_name": m.title,
            "step_id": step.id,
            "step_name": step.name,
            "point": risk.point,
            "level": risk.level,
            "measures": list(risk.measures),
            "owner": risk.owner,
        }
        for m in _powers(site)
        for step in m.steps
        for risk in step.risks
    ]


BASE_TABLES: tuple[Table, ...] = (
    Table("records", "全部记录的元数据", RECORD_FIELDS, record_rows),
    Table("record-changes", "更新记录", {"index_number": "索引号", "date": "更新日期", "note": "更新说明"}, change_rows),
)

# A kind contributes its own tables here, keyed by Kind.name; a kind not in KINDS
# contributes nothing. A new kind: write its row functions and add an entry.
KIND_TABLES: dict[str, tuple[Table, ...]] = {
    "decision": (
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
    ),
    "approval": (
        Table(
            "approval-items",
            "审批事项清理：逐项",
            {"index_number": "清单索引号", "list_title": "清单名称", "effective": "生效日期", "number": "序号",
             "name": "项目名称", "implementing_agency": "实施机关", "basis": "设定依据", "action": "处理决定",
             "to": "承接单位或方式", "note": "备注"},
            approval_item_rows,
        ),
    ),
    "power": (
        Table(
            "power-items",
            "权力事项",
            {"index_number": "索引号", "code": "权力编码", "name": "事项名称", "power_type": "权力类别",
             "agencies": "实施机关", "basis": "设定依据", "legal_limit_days": "法定时限（工作日）",
             "promised_limit_days": "承诺时限（工作日）", "fee": "收费标准", "supervision_phone": "监督电话",
             "supervision_address": "监督地址", "steps_count": "流程步骤数", "risks_count": "廉政风险点数"},
            power_rows,
        ),
        Table(
            "power-steps",
            "权力运行流程步骤",
            {"index_number": "索引号", "code": "权力编码", "sequence": "序号", "step_id": "步骤代码",
             "name": "步骤名称", "post": "承办岗位", "limit_days": "办理时限（工作日）", "description": "环节说明",
             "risks_count": "廉政风险点数"},
            power_step_rows,
        ),
        Table(
            "power-risks",
            "廉政风险点",
            {"index_number": "索引号", "code": "权力编码", "power_name": "事项名称", "step_id": "步骤代码",
             "step_name": "步骤名称", "point": "风险点", "level": "风险等级", "measures": "防控措施",
             "owner": "责任人"},
            power_risk_rows,
        ),
    ),
}


def data_tables() -> list[Table]:
    """Return every table of the site: the common ones, then each kind's in KINDS order."""
    tables = list(BASE_TABLES)
    for kind in KINDS:
        tables += KIND_TABLES.get(kind.name, ())
    return tables


def to_json(site: Site, table: Table, rows: list[Row]) -> bytes:
    document = {
        "table": table.name,
        "title": table.title,
        "publisher": site.config.name,
        "count": len(rows),
        "fields": table.fields,
        "rows": rows,
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_csv(table: Table, rows: list[Row]) -> bytes:
    """Return the table as CSV: a header of field names, lists joined with “；”, BOM first."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.fields)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in table.fields])
    return out.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):  # typed numbers (limit_days …): a -5 stays a number
        return str(value)
    if isinstance(value, list):
        return neutralise_formula(LIST_SEPARATOR.join(str(v) for v in value))
    return neutralise_formula(str(value))


# OWASP "CSV Injection": a text cell a spreadsheet would read as a formula or DDE call.
# Also after leading spaces (LibreOffice trims them on import) and in full-width forms
# (＝＋－＠, which East Asian IMEs produce and Excel may fold to ASCII).
_FORMULA_START = re.compile(r"^[ \u3000]*[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")


def neutralise_formula(text: str) -> str:
    """Return `text` prefixed with an apostrophe when a spreadsheet would evaluate it.

    Applies to text cells only, never to JSON (which stays exact) nor to typed numbers.
    The apostrophe is what Excel itself shows for "text that looks like a formula".
    """
    return f"'{text}" if _FORMULA_START.match(text) else text


def write_open_data(site: Site, destination: Path) -> int:
    """Write every table as JSON and CSV, plus /data/index.json; return the number of files."""
    folder = destination / DATA_PATH.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = []
    root = site.config.root_url
    for table in data_tables():
        rows = table.rows(site)
        write_new_file(folder / f"{table.name}.json", to_json(site, table, rows))
        write_new_file(folder / f"{table.name}.csv", to_csv(table, rows))
        catalogue.append({
            "table": table.name,
            "title": table.title,
            "count": len(rows),
            "json": root + table.url("json"),
            "csv": root + table.url("csv"),
            "fields": table.fields,
        })
    index = {"publisher": site.config.name, "tables": catalogue}
    write_new_file(folder / "index.json", (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return 2 * len(catalogue) + 1
