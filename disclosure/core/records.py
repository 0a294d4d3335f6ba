"""Typed, frozen records: the front-matter fields every kind has and the record built from them.

Each kind's own model extends `RecordMeta` in its module under `disclosure/kinds/`.

The models are the single field table: their Chinese titles come from `labels` (the
shared table, or the kind's own for a kind's keys, `titled`), and the JSON Schema editors use is generated from them (`python build.py schema`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from disclosure.core.fields import IsoDate, Text, check_index_number, one_or_many, split_words
from disclosure.core.labels import labels_of

VALIDITIES = ("有效", "失效", "废止")
Genre = Literal["行政法规", "规章", "行政规范性文件"]

NonEmpty = Annotated[Text, StringConstraints(min_length=1)]
IndexNumber = Annotated[NonEmpty, AfterValidator(check_index_number)]


def one_line(value: str) -> str:
    """Return a title written on one line; a line break inside it is refused (issue 10: `new --title`)."""
    if "\n" in value or "\r" in value:
        raise ValueError("标题应写在一行内：其中含有换行，请删除换行")
    return value


def titled(kind: str | None) -> Callable[..., Any]:
    """Return `_f(key, **field_options)` for the models of `kind`: a pydantic Field titled with
    the key's Chinese label from that kind's table (registered by its module, `labels.kind_labels`), so that the JSON
    Schema, the pages and the problems of a record of that kind say the same word."""
    table = labels_of(kind)

    def field_titled(key: str, **kwargs: Any) -> Any:
        return Field(title=table[key], **kwargs)

    return field_titled


_f = titled("document")  # the keys every record has


class Strict(BaseModel):
    """Base of every front-matter model: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Attachment(Strict):
    file: NonEmpty = _f("attachments.file", description="与本文件同目录的附件文件名")
    title: NonEmpty = _f("attachments.title")


class Change(Strict):
    date: IsoDate = _f("changes.date")
    note: NonEmpty = _f("changes.note")


class RecordMeta(Strict):
    """Fields every record has (DESIGN §3.1)."""

    title: Annotated[NonEmpty, StringConstraints(max_length=200), AfterValidator(one_line)] = _f("title")
    index_number: IndexNumber = _f(
        "index_number", description="<机构代码>/<年份>-<5位流水号>，如 000014349/2018-00204；发布后不得更改"
    )
    agency: Annotated[tuple[NonEmpty, ...], BeforeValidator(one_or_many)] = _f(
        "agency", description="agencies.yaml 中的机构全称；联合发文写列表，主办机关在前", min_length=1
    )
    doc_number: NonEmpty | None = _f("doc_number", default=None, description="如 保发〔2009〕9号")
    written: IsoDate = _f("written")
    published: IsoDate = _f("published")
    category: NonEmpty = _f("category", description="categories.yaml 中的分类路径，层级用 / 连接")
    keywords: Annotated[tuple[NonEmpty, ...], BeforeValidator(split_words)] = _f(
        "keywords", default=()
    )
    summary: Annotated[Text, StringConstraints(max_length=300)] | None = _f(
        "summary", default=None
    )
    validity: Literal["有效", "失效", "废止"] = _f("validity", default="有效")
    validity_date: IsoDate | None = _f("validity_date", default=None)
    repealed_by: NonEmpty | None = _f(
        "repealed_by", default=None, description="废止本件的记录的索引号或标题"
    )
    genre: Genre | None = _f(
        "genre", default=None, description="行政法规、规章或行政规范性文件：列入法定主动公开内容第二十条第（一）项，计入年度报告表二"
    )
    disclosure: Literal["主动公开"] = _f(
        "disclosure", default="主动公开", description="只有主动公开的信息才能发布到本站"
    )
    attachments: tuple[Attachment, ...] = _f("attachments", default=())
    changes: tuple[Change, ...] = _f("changes", default=())
    draft: bool = _f("draft", default=False, description="true：草稿，校验但不发布（不进入任何页面、目录、订阅、检索和开放数据）")


class PageMeta(Strict):
    """A fixed page (`content/pages/`): 关于本站, 依申请公开 how-to and the like."""

    title: NonEmpty = _f("title")
    updated: IsoDate | None = Field(default=None, title="更新日期")


@dataclass(frozen=True, slots=True)
class AttachmentFile:
    """An attachment as published: its declared title plus what is on disk."""

    title: str
    name: str
    source: Path
    size: int
    type_label: str  # PDF, Word, Excel …


@dataclass(frozen=True, slots=True)
class Record:
    """One validated record of any kind, with its body already rendered and sanitised."""

    kind: str
    meta: RecordMeta
    source: Path
    lines: dict[str, int]
    body_html: str
    body_text: str
    digest: str
    attachments: tuple[AttachmentFile, ...] = ()
    # what a kind's `prepare` hook derived at validation time (approval items from a CSV,
    # a power item's flowchart SVG …), so that views never read files
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """Return the URL segment: the 索引号 with `/` turned into `-`."""
        return self.meta.index_number.replace("/", "-")

    def url(self, root: str = "") -> str:
        """Return the record page's address, `root` + /records/<slug>/ (the web route's path): site
        links pass no root; feeds, open data and JSON-LD pass the site's root URL."""
        return f"{root}/records/{quote(self.slug)}/"

    @property
    def year(self) -> int:
        return self.meta.published.year

    @property
    def is_current(self) -> bool:
        return self.meta.validity == "有效"

    def line(self, key: str) -> int:
        """Return the source line of `key` (e.g. `basis[0].ref`), or 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0] if "." in key else key.rpartition("[")[0]
        return 1


@dataclass(frozen=True, slots=True)
class Page:
    """A fixed page: title and sanitised body."""

    slug: str
    meta: PageMeta
    source: Path
    body_html: str


@functools.lru_cache(maxsize=4096)
def facet_slug(prefix: str, name: str) -> str:
    """Return a stable ASCII URL segment for a Chinese name (agency, category)."""
    return f"{prefix}{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def agency_key(name: str) -> str:
    """Return the URL segment of an agency's facets (the catalogue's, /approvals/ by 实施机关)."""
    return facet_slug("a-", name)
