"""工作动态 (`content/news/`, DESIGN §3.7): what the office did, with the fields every record has.

A news item has no 发文字号: it is not a document (one with a 发文字号 is published as a
政府文件), so `doc_number` is refused. The home page shows the latest items and
`/news/` lists them all, newest first; `build.py report` warns when the newest is older
than 14 days (the national inspection of government websites counts a home page not
updated for two weeks as a failure).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from disclosure.core.problems import Problem, error
from disclosure.core.records import Record, RecordMeta
from disclosure.kinds.base import Kind, Row, Table, day_text, record_list, record_list_page

NO_DOC_NUMBER = "工作动态不使用发文字号：请删除此行；有发文字号的文件请作为政府文件发布（content/documents/）"


class NewsMeta(RecordMeta):
    """A 工作动态 item (`content/news/`): the fields of every record, without a 发文字号."""


def news_rules(meta: RecordMeta, lines: dict[str, int], path: Path) -> list[Problem]:
    """Return an error when a news item has a 发文字号."""
    if meta.doc_number is not None:
        return [error(path, lines.get("doc_number", 1), "doc_number", NO_DOC_NUMBER)]
    return []


def news_json_ld(record: Record) -> dict[str, Any]:
    """Return the schema.org `NewsArticle` properties of a news item's page: its headline."""
    return {"headline": record.meta.title}


def news_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per news item, newest first: 索引号, title, day, agencies and summary."""
    return [
        {"index_number": m.index_number, "title": m.title, "published": day_text(m.published),
         "agencies": list(m.agency), "summary": m.summary}
        for m in (r.meta for r in records)
    ]


TABLES = (
    Table(
        "news",
        "工作动态",
        {"index_number": "索引号", "title": "标题", "published": "发布日期", "agencies": "发布机构", "summary": "内容概述"},
        news_rows,
    ),
)

# /news/: every item, newest first, 50 a page (kinds.base.record_list_page)
PAGES = (record_list_page("news", "news", "工作动态"),)


KIND = Kind(
    "news",
    "news",
    "工作动态",
    NewsMeta,
    "record_news.html",
    rules=news_rules,
    tables=TABLES,
    json_ld_type="NewsArticle",
    json_ld=news_json_ld,
    index=record_list,
    pages=PAGES,
    home=5,
    doc_number=False,
)
