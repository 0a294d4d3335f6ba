"""政策解读 (`content/interpretations/`): an interpretation of a document or decision of this site.

It names the record it explains by 索引号 (`interprets`, checked to exist like a
decision's basis, through the `links` hook, and to be a document or decision: `EXPLAINS`)
and its form (文字解读, 图文解读, 问答 …). Its page links to the record it explains; that
record's page lists its interpretations under 政策解读 (`listed_on_linked`), each with its
form and date. `/interpretations/` lists them all, newest first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator

from disclosure.core.labels import kind_labels
from disclosure.core.problems import Problem, error
from disclosure.core.records import NonEmpty, Record, RecordMeta, titled
from disclosure.kinds.base import Kind, Link, Row, Table, marker, record_list, record_list_page

# the keys only this kind has, labelled before the shared ones (core/labels.py)
LABELS = kind_labels("interpretation", {
    "interprets": "解读对象",
    "form": "解读形式",
})
_f = titled("interpretation")  # field titles from LABELS, then the shared labels

Form = Literal["文字解读", "图文解读", "问答", "新闻发布会", "视频"]
FORMS: tuple[str, ...] = get_args(Form)
_FORM_ALIASES = {"图解": "图文解读"}  # the word gov.cn's 政策文件库 uses for 图文解读
EXPLAINS = ("document", "decision")  # the kinds an interpretation may explain (DESIGN §3.5)


def _form(value: Any) -> Any:
    """Return the form as written, 图解 read as 图文解读."""
    return _FORM_ALIASES.get(value, value) if isinstance(value, str) else value


class InterpretationMeta(RecordMeta):
    """A 政策解读 of a document or decision of this site (`content/interpretations/`)."""

    interprets: NonEmpty = _f("interprets", description="所解读的本站文件或决策的索引号，如 000014349/2018-00204")
    form: Annotated[Form, BeforeValidator(_form)] = _f(
        "form", default="文字解读", description="、".join(FORMS) + " 之一",
        json_schema_extra={"enum": [*FORMS, *_FORM_ALIASES]},  # the schema accepts 图解 as the model does
    )


def _meta(meta: RecordMeta) -> InterpretationMeta:
    assert isinstance(meta, InterpretationMeta)
    return meta


def interpretation_rules(meta: RecordMeta, lines: dict[str, int], path: Path) -> list[Problem]:
    """Return a problem when an interpretation names itself as the record it explains."""
    meta = _meta(meta)
    if meta.interprets == meta.index_number:
        return [error(path, lines.get("interprets", 1), "interprets", "政策解读不能解读自身：请写所解读文件或决策的索引号")]
    return []


def interpretation_links(meta: RecordMeta) -> Iterator[Link]:
    """Yield the record it explains: checked to exist, linked from its page and back."""
    yield Link("interprets", _meta(meta).interprets, kinds=EXPLAINS)


def interpretation_scaffold(day: date, agency: str) -> str:
    """Return an interpretation's own fields: the record it explains (to fill) and its form."""
    m = partial(marker, "interpretation")
    return (
        f"interprets: {m('interprets')}   # 所解读文件或决策的索引号，如 000014349/2018-00204\n"
        f"form: 文字解读   # {'、'.join(FORMS)}；视频、图片作为附件\n"
    )


def interpretation_feed_rows(meta: RecordMeta) -> Iterator[tuple[str, str]]:
    """Yield the 解读形式 and 解读对象 rows of a feed entry's metadata."""
    meta = _meta(meta)
    yield ("解读形式", meta.form)
    yield ("解读对象", meta.interprets)


def interpretation_search_text(record: Record) -> Iterator[str]:
    """Yield the form, searched with the record (问答, 新闻发布会 …)."""
    yield _meta(record.meta).form


def interpretation_json_ld(record: Record) -> dict[str, Any]:
    """Return the schema.org properties of an interpretation: the record it is based on."""
    return {"isBasedOn": {"@type": "CreativeWork", "identifier": _meta(record.meta).interprets}}


def interpretation_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per interpretation: its form and the 索引号 of the record it explains."""
    return [
        {"index_number": m.index_number, "title": m.title, "form": m.form, "interprets": m.interprets}
        for m in (_meta(r.meta) for r in records)
    ]


TABLES = (
    Table(
        "interpretations",
        "政策解读",
        {"index_number": "索引号", "title": "标题", "form": "解读形式", "interprets": "解读对象索引号"},
        interpretation_rows,
    ),
)


# /interpretations/: every interpretation, newest first, 50 a page (kinds.base.record_list_page)
PAGES = (record_list_page("interpretations", "interpretation", "政策解读"),)


KIND = Kind(
    "interpretation",
    "interpretations",
    "政策解读",
    InterpretationMeta,
    "record_interpretation.html",
    rules=interpretation_rules,
    scaffold=interpretation_scaffold,
    links=interpretation_links,
    listed_on_linked="政策解读",
    feed_rows=interpretation_feed_rows,
    search_text=interpretation_search_text,
    tables=TABLES,
    json_ld_type="Article",
    json_ld=interpretation_json_ld,
    index=record_list,
    pages=PAGES,
)
