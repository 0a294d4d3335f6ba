"""What a kind of record declares about itself: the one place the rest of the build asks.

A kind is one module in `disclosure/kinds/` (plus its templates) that builds a `Kind`:
its model and rules, its labels, the records it links to, its dated events, its feed,
search and JSON-LD contributions, its open-data tables, its scaffold, its site-wide
index and the pages that show it. Feeds, open data, search, incremental freezing,
scaffold and schema loop over `KINDS` and call these hooks; none of them names a kind.

Hooks only see core types (records, metadata, problems): a kind never imports the
rules, the site model, the outputs, the web layer or search.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from disclosure.core.labels import labels_of
from disclosure.core.problems import Problem
from disclosure.core.records import Record, RecordMeta
from disclosure.core.validation import to_fill
from disclosure.core.workdays import WorkCalendar

# Problems in one record's front matter beyond the model's (dates in order …).
Rules = Callable[[RecordMeta, dict[str, int], Path], list[Problem]]
# Derives what a record needs beyond its front matter (items from a sibling CSV, a flowchart
# SVG …); returns it for `Record.extra`, with the problems found on the way.
Prepare = Callable[[RecordMeta, dict[str, int], Path], tuple[Mapping[str, Any], list[Problem]]]
# The front-matter lines `build.py new` writes for a kind after the common ones, given the
# publication day and the agency's full name.
Scaffold = Callable[[date, str], str]
Row = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Event:
    """A dated event of a record beyond its publication, 更新记录 and repeal: a decision's stage."""

    event: str  # stable ASCII id part: stage-2019-10-17-hearing
    day: date
    label: str  # 听证
    note: str  # what happened, in the content's words
    key: str  # the front-matter key it was written at: stages[2].date


@dataclass(frozen=True, slots=True)
class SearchPart:
    """A place on a record's page that search can link to: an approval item, a power's step.

    `anchor` is the element's id on the page (item-3, step-shencha), `label` says what it is
    in a result's snippet (事项, 环节), `text` is what the snippet shows (户外广告设置审批（取消）)
    and `detail` the rest of what the page shows there (实施机关, 风险点 …), searched too.
    """

    anchor: str
    label: str
    text: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A record of this site that a record's page shows, named at a front-matter key."""

    key: str  # basis[0].ref: where a missing record is reported
    ref: str  # its 索引号, or the value of the target's field `by`
    by: str = "index_number"  # the target's front-matter field `ref` names: a case list names its power by `code`
    what: str = "索引号"  # that field's name in a message: 本站没有权力编码为“…”的记录
    kinds: tuple[str, ...] = ()  # the kinds it may name (an interpretation: document, decision); () any


@dataclass(frozen=True)
class SiteView:
    """What a kind's site-wide hooks (`index`, `site_rules`, `feeds`) see of the whole site.

    `by_kind` holds every published record of every kind (newest first), `targets` each
    record's links resolved (slug → link key → the record it names), `data` what the
    kind's `data` hook read from its own files (evaluations/ …), `calendar` the working
    days of holidays.yaml over the calendar package, `today` the build day.
    """

    agencies: tuple[str, ...]  # full names, in the order of agencies.yaml
    by_kind: Mapping[str, tuple[Record, ...]]
    targets: Mapping[str, Mapping[str, Record]]
    calendar: WorkCalendar
    today: date
    data: Any = None


@dataclass(frozen=True, slots=True)
class Table:
    """One open-data table: file name, title, field → Chinese header in column order, its rows.

    `rows` is given every record of the kind (newest first) and the site-wide index the
    kind built (`Kind.index`), or None when it builds none.
    """

    name: str  # decisions → decisions.csv / decisions.json
    title: str
    fields: dict[str, str]  # stable English names: a public contract (README 开放数据)
    rows: Callable[[tuple[Record, ...], Any], list[Row]]


@dataclass(frozen=True, slots=True)
class KindPage:
    """A page a kind adds beyond its record pages (/approvals/, /powers/ …), as data.

    The web layer turns each into a Flask route: `rules` are URL rules, `endpoint` its
    name under the `lists` blueprint, `context(index, **values)` the template's variables
    (it returns None for values that name nothing: a 404), `urls(index)` every set of
    values to freeze, and `mimetype` anything but HTML (an SVG). A page with no template
    is the context's `body` itself. A page whose `urls` yield nothing gets no route.
    """

    endpoint: str
    rules: tuple[str, ...]
    template: str | None
    context: Callable[..., Mapping[str, Any] | None]
    urls: Callable[[Any], Iterable[Mapping[str, Any]]]
    mimetype: str | None = None
    feed: str | None = None  # the feed path the page links to (kind/approval)
    nav: str | None = None  # its link text in the main navigation (权力清单), when it has one


def nothing(*_args: Any) -> tuple[()]:
    """Return nothing: the default of every optional hook."""
    return ()


def no_extra_fields(day: date, agency: str) -> str:
    """Return nothing: a kind with only the fields every record has."""
    return ""


def marker(kind: str, key: str) -> str:
    """Return the 待填写 marker for `key` of `kind`, YAML-quoted: "【待填写：设定依据】"."""
    return json.dumps(to_fill(labels_of(kind)[key]), ensure_ascii=False)


def day_text(value: date | None) -> str | None:
    """Return a day as ISO text for open data, or None."""
    return value.isoformat() if value else None


def day_cn(day: date) -> str:
    """Return a day as Chinese text: 2019年10月17日."""
    return f"{day.year}年{day.month}月{day.day}日"


def no_texts(record: Record) -> Mapping[str, str]:
    """Return no text beyond the common fields."""
    return {}


def no_json_ld(record: Record) -> dict[str, Any]:
    """Return no kind-specific schema.org properties."""
    return {}


def no_index(records: tuple[Record, ...], view: SiteView) -> None:
    """Build no site-wide index."""
    return None


def no_site_rules(records: tuple[Record, ...], view: SiteView) -> list[Problem]:
    """Find nothing across kinds."""
    return []


def no_data(root: Path, agencies: tuple[str, ...]) -> tuple[None, list[Problem]]:
    """Read no files beyond the kind's records."""
    return None, []


@dataclass(frozen=True, slots=True)
class KindFeed:
    """A feed a kind adds beyond its kind feed (红牌), with the dated events it announces."""

    path: str  # under /feeds/, without extension: case/red-cards
    name: str  # its title: 红牌（超过法定时限的办件）
    page: str  # the site path of the HTML page it mirrors: /monitor/
    events: tuple[tuple[Record, Event], ...]  # each event with the record it belongs to
    about: str = ""  # the feed's description


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of record: where it lives and everything the build asks of it."""

    name: str  # used in URLs and the search API: document, decision …
    folder: str  # folder under content/
    label: str  # 政府文件 …
    model: type[RecordMeta]
    template: str  # the record page
    nav: bool = False  # the catalogue of this kind is linked from the main navigation
    policy: bool = False  # its records are policy documents: a 栏目 of them with none for 6 months is reported
    rules: Rules | None = None
    prepare: Prepare | None = None
    scaffold: Scaffold = no_extra_fields
    # Links: the records of this site (by 索引号) this record's page shows, each checked to
    # exist; and whether its page also shows other records of its own kind (an item's
    # history across lists, a power's neighbours).
    links: Callable[[RecordMeta], Iterable[Link]] = nothing
    shows_own_kind: bool = False
    # What a record takes from the records its links resolved to (link key → record), merged
    # into `Record.extra` and its digest: a case list's power name, searched with it.
    resolve: Callable[[Record, Mapping[str, Record]], Mapping[str, Any]] | None = None
    # The files beside the record its front matter names beyond attachments (items_csv …).
    files: Callable[[RecordMeta], Iterable[str]] = nothing
    # The heading under which the pages of the records it links to list its records (政策解读
    # on the document an interpretation explains: Site.linked_from); None lists nothing there.
    listed_on_linked: str | None = None
    # Dated events announced in feeds and change history, with the key they were written at.
    events: Callable[[RecordMeta], Iterable[Event]] = nothing
    # Feeds: (label, value) rows after the common metadata, and HTML after the body.
    feed_rows: Callable[[RecordMeta], Iterable[tuple[str, str]]] = nothing
    feed_html: Callable[[Record], Iterable[str]] = nothing
    # Text bound for feeds and pages beyond the common fields, by front-matter key (XML check).
    texts: Callable[[Record], Mapping[str, str]] = no_texts
    # Search: text searched with the record (beyond title, numbers, keywords and summary).
    search_text: Callable[[Record], Iterable[str]] = nothing
    # Search: the parts of its page a result can point to (#item-3), each with its own text
    # (also yielded by `search_text`: the parts only say where a match lies).
    search_parts: Callable[[Record], Iterable[SearchPart]] = nothing
    # The names a record gives whole (a power's name, an approval list's item names): words of
    # their own for pinyin and corrections, beside the words of every title.
    names: Callable[[Record], Iterable[str]] = nothing
    # Open data: the kind's tables.
    tables: tuple[Table, ...] = ()
    # schema.org: the type of its pages and the properties it adds.
    json_ld_type: str = "CreativeWork"
    json_ld: Callable[[Record], dict[str, Any]] = no_json_ld
    # Files of its own beyond records, read with the content (content/evaluations/<year>.yaml):
    # given the content folder and the agencies' names, what `SiteView.data` holds, and problems.
    data: Callable[[Path, tuple[str, ...]], tuple[Any, list[Problem]]] = no_data
    data_folder: str | None = None  # the folder under content/ its `data` hook reads (evaluations)
    # Checks across kinds once every link resolved (a case's steps against its power's), and
    # warnings that need the calendar (双公示): given the kind's records and the site.
    site_rules: Callable[[tuple[Record, ...], SiteView], list[Problem]] = no_site_rules
    # Site-wide index built once from all records of the kind and the site (Site.indexes[name]),
    # and the pages that show it.
    index: Callable[[tuple[Record, ...], SiteView], Any] = no_index
    # A section of `build.py report`: its heading, and the prefix of the kind's warnings it lists.
    report: tuple[str, str] | None = None
    # Feeds beyond its kind feed, built from its index (/feeds/case/red-cards.xml).
    feeds: Callable[[Any], Iterable[KindFeed]] = nothing
    pages: tuple[KindPage, ...] = ()
    # Jinja globals its templates use (approval_counts, flow_next …), given the kind's index.
    template_globals: Callable[[Any], Mapping[str, Callable[..., Any]]] = lambda index: {}
    # The home page shows its `home` latest records in a block of their own (工作动态), linked to
    # its first page with a `nav` label; 0 shows none.
    home: int = 0
    # Its records are listed in the home page's 最新公开 (a kind with a block of its own is not,
    # nor the 权力运行记录: monthly data lists would push every document off the home page).
    latest: bool = True
    # Its records may have a 发文字号; a kind without (工作动态) refuses `doc_number` in its rules,
    # and `build.py new` writes no doc_number line for it.
    doc_number: bool = True


def page_count(items: Sequence[Any], size: int) -> int:
    """Return how many pages of `size` rows `items` fill (at least one: an empty list has its page)."""
    return max(1, -(-len(items) // size))


def page_rows(items: Sequence[T], number: int, size: int) -> Sequence[T]:
    """Return the rows of page `number` (from 1) of `items`, `size` a page."""
    return items[(number - 1) * size : number * size]


def paginated(values: Mapping[str, Any], pages: int) -> Iterator[dict[str, Any]]:
    """Yield `values` for page 1 and `values` plus `page` for pages 2 … `pages`."""
    yield dict(values)
    for number in range(2, pages + 1):
        yield {**values, "page": number}


# ---- a kind's records as one list page, newest first (/interpretations/, /news/) ----

LIST_SIZE = 50  # rows of a record list page, as the catalogue


@dataclass(frozen=True)
class RecordList:
    """Every record of a kind, newest first (Site.indexes[kind]): the index of its list page."""

    records: tuple[Record, ...]

    @property
    def pages(self) -> int:
        """Return how many pages of LIST_SIZE rows the list fills (at least one)."""
        return page_count(self.records, LIST_SIZE)


def record_list(records: tuple[Record, ...], view: SiteView) -> RecordList:
    """Return the kind's records in the site's order (newest first): an `index` hook."""
    return RecordList(records)


def record_list_context(index: RecordList, page: int = 1) -> dict[str, Any] | None:
    """Return the list template's variables for page `page`, or None past the last page."""
    if not 1 <= page <= index.pages:
        return None
    return {"index": index, "rows": page_rows(index.records, page, LIST_SIZE), "page": page, "pages": index.pages}


def record_list_urls(index: RecordList) -> Iterator[dict[str, Any]]:
    """Yield every page of the list; none while the kind has no record (no page, no link)."""
    if index.records:
        yield from paginated({}, index.pages)


def record_list_page(endpoint: str, kind: str, nav: str) -> KindPage:
    """Return the paginated list page /<endpoint>/ of `kind` (template <endpoint>.html), in the navigation as `nav`."""
    return KindPage(
        endpoint, (f"/{endpoint}/", f"/{endpoint}/page/<int:page>/"), f"{endpoint}.html",
        record_list_context, record_list_urls, feed=f"kind/{kind}", nav=nav,
    )
