"""Open data under /data/: every table as JSON and as CSV (UTF-8 with BOM, for Excel).

A table is a name, Chinese field labels and a function from the site model to rows.
Every record contributes to `records` and `record-changes`; a kind contributes its own
tables through `Kind.tables` (decisions: stages and basis; approval lists and power
items: their items, steps and risk points), given its records and its site-wide index. Field names are a public contract:
README.md, section “开放数据”, documents them; add fields, never rename them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from disclosure.core.labels import LABELS
from disclosure.kinds import KIND_BY_NAME, KINDS
from disclosure.kinds.base import Kind, day_text
from disclosure.kinds.base import Table as KindTable
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


def kind_rows(kind: Kind, table: KindTable, site: Site) -> list[Row]:
    """Return the rows of one of a kind's tables: from its records (newest first) and its index."""
    records = tuple(r for r in site.records if r.kind == kind.name)
    return table.rows(records, site.indexes.get(kind.name))


BASE_TABLES: tuple[Table, ...] = (
    Table("records", "全部记录的元数据", RECORD_FIELDS, record_rows),
    Table("record-changes", "更新记录", {"index_number": "索引号", "date": "更新日期", "note": "更新说明"}, change_rows),
)

def data_tables() -> list[Table]:
    """Return every table of the site: the common ones, then each kind's in KINDS order."""
    tables = list(BASE_TABLES)
    for kind in KINDS:
        tables += [Table(t.name, t.title, t.fields, partial(kind_rows, kind, t)) for t in kind.tables]
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
