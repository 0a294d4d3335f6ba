"""Approval-item lists (`content/approvals/`): 关停并转放 — the model, the CSV reader, the rules.

Items are written inline (`items:`) or in a sibling CSV file (`items_csv:`) with the
Chinese headers of DESIGN §3.3. Either way they end up as typed `ApprovalItem`s in
`record.extra["items"]`, each with the file and line it came from, so views never read
a file. The site-wide index (/approvals/ by action, agency and year, item histories)
is built once by `approval_index` (the kind's `index` hook, Site.indexes["approval"]);
`PAGES` and `template_globals` show it.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Literal

from disclosure.core import strict_yaml
from disclosure.core.csv_files import Rows, read_sibling_csv
from disclosure.core.fields import IsoDate, Text
from disclosure.core.labels import kind_labels
from disclosure.core.problems import Problem, error
from disclosure.core.records import NonEmpty, Record, RecordMeta, Strict, agency_key, titled
from disclosure.core.validation import validate_model
from disclosure.kinds.base import (
    Kind,
    KindPage,
    Row,
    SearchPart,
    SiteView,
    Table,
    day_cn,
    day_text,
    marker,
    page_count,
    page_rows,
    paginated,
)

# the keys only this kind has, labelled before the shared ones (core/labels.py)
LABELS = kind_labels("approval", {
    "effective": "生效日期",
    "items": "事项",
    "items.number": "序号",
    "items.name": "项目名称",
    "items.implementing_agency": "实施机关",
    "items.basis": "设定依据",
    "items.action": "处理决定",
    "items.to": "承接单位",
    "items.note": "备注",
    "items_csv": "事项表（CSV）",
})
_f = titled("approval")  # field titles from LABELS, then the shared labels

# action → (关停并转放 letter, ASCII URL segment, does it need `to`?)
ACTIONS: dict[str, tuple[str, str, bool]] = {
    "取消": ("关", "quxiao", False),
    "停止实施": ("停", "tingzhi", False),
    "并联审批": ("并", "binglian", True),
    "转变管理方式": ("转", "zhuanbian", True),
    "下放": ("放", "xiafang", True),
    "移交": ("放", "yijiao", True),
    "部分取消": ("关", "bufen-quxiao", False),
    "部分下放": ("放", "bufen-xiafang", True),
}
LETTERS = ("关", "停", "并", "转", "放")
TO_HINT = {
    "并联审批": "牵头机关或合并后的事项",
    "转变管理方式": "改为何种管理方式，如 备案监管制",
    "下放": "承接的下级机关",
    "移交": "承接的社会组织、行业协会或中介机构",
    "部分下放": "承接的下级机关",
}
CSV_HEADERS = {
    "序号": "number",
    "项目名称": "name",
    "实施机关": "implementing_agency",
    "设定依据": "basis",
    "处理决定": "action",
    "承接单位": "to",
    "备注": "note",
}
REQUIRED_HEADERS = ("序号", "项目名称", "实施机关", "处理决定")
_NUMBER = re.compile(r"^([1-9]\d*)(?:\.([1-9]\d*))?$")


class ApprovalItem(Strict):
    """One row of an approval-item list."""

    number: NonEmpty = _f("items.number", description="1、2、3……；子项写作 3.1、3.2")
    name: NonEmpty = _f("items.name")
    implementing_agency: NonEmpty = _f("items.implementing_agency")
    basis: Text | None = _f("items.basis", default=None)
    action: Literal[tuple(ACTIONS)] = _f("items.action")  # type: ignore[valid-type]  # the names are ACTIONS' keys, read at run time
    to: NonEmpty | None = _f("items.to", default=None, description="并联审批、转变管理方式、下放、移交时必填")
    note: Text | None = _f("items.note", default=None)

    @property
    def letter(self) -> str:
        return ACTIONS[self.action][0]

    @property
    def action_slug(self) -> str:
        return ACTIONS[self.action][1]

    @property
    def anchor(self) -> str:
        """Return the id of the item's row on its list's page."""
        return "item-" + self.number.replace(".", "-")


class ApprovalListMeta(RecordMeta):
    """A list of approval items cancelled, devolved … (`content/approvals/`)."""

    effective: IsoDate = _f("effective")
    items: tuple[ApprovalItem, ...] = _f("items", default=())
    items_csv: NonEmpty | None = _f(
        "items_csv", default=None, description="与本文件同目录的 CSV 文件名；表头：" + ",".join(CSV_HEADERS)
    )


@dataclass(frozen=True, slots=True)
class PlacedItem:
    """An item and where it was written: the Markdown file or the CSV, and its line."""

    item: ApprovalItem | None  # None: the row had errors (still counted for 序号 continuity)
    source: Path
    line: int
    key: str  # items[3]
    number: str


def prepare_approval_list(meta: RecordMeta, lines: dict[str, int], path: Path) -> tuple[Mapping[str, Any], list[Problem]]:
    """Return `{"items": (ApprovalItem, …)}` read inline or from the CSV, and every problem."""
    assert isinstance(meta, ApprovalListMeta)
    problems: list[Problem] = []
    placed: list[PlacedItem] = []
    if meta.items and meta.items_csv:
        problems.append(error(path, lines.get("items_csv", 1), "items_csv", "items 与 items_csv 只能写一个：事项要么写在本文件中，要么写在 CSV 文件中"))
    elif meta.items_csv:
        placed, found = read_items_csv(meta.items_csv, path, lines.get("items_csv", 1))
        problems += found
    elif meta.items:
        placed = [
            PlacedItem(item, path, lines.get(f"items[{i}]", 1), f"items[{i}]", item.number)
            for i, item in enumerate(meta.items)
        ]
    else:
        problems.append(error(path, lines.get("effective", 1), "items", "清单没有事项：请写 items（逐项列出）或 items_csv（同目录的 CSV 文件名）"))
    problems += check_items(placed, lines)
    return {"items": tuple(p.item for p in placed if p.item is not None)}, problems


def approval_files(meta: RecordMeta) -> Iterator[str]:
    """Yield the CSV of items the list names, if any (a file beside it the list reads)."""
    assert isinstance(meta, ApprovalListMeta)
    if meta.items_csv:
        yield meta.items_csv


def read_items_csv(name: str, path: Path, line: int) -> tuple[list[PlacedItem], list[Problem]]:
    """Return the items of the CSV file `name` beside `path`, each with its CSV line."""
    file, rows, problems = read_sibling_csv(name, path, line, "items_csv")
    if file is None or any(p.is_error for p in problems):
        return [], problems
    placed, found = parse_items_csv(rows, file)
    return placed, problems + found


def parse_items_csv(rows: Rows, file: Path) -> tuple[list[PlacedItem], list[Problem]]:
    """Return the rows of a CSV as items; problems carry the CSV line of the row."""
    if not rows:
        return [], [error(file, 1, "items_csv", "CSV 文件是空的：第一行应为表头 " + ",".join(CSV_HEADERS))]
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    problems: list[Problem] = []
    unknown = [h for h in header if h not in CSV_HEADERS]
    missing = [h for h in REQUIRED_HEADERS if h not in header]
    if unknown or missing:
        parts = []
        if missing:
            parts.append("缺少列：" + "、".join(missing))
        if unknown:
            parts.append("不认识的列：" + "、".join(f"“{h}”" for h in unknown))
        problems.append(error(file, header_line, "items_csv", f"CSV 表头不对（{'；'.join(parts)}）；第一行应为 {','.join(CSV_HEADERS)}"))
        return [], problems
    repeated = [h for h, n in Counter(header).items() if n > 1]
    if repeated:
        return [], [error(file, header_line, "items_csv", f"CSV 表头中“{repeated[0]}”列重复")]
    placed: list[PlacedItem] = []
    for i, (line, row) in enumerate(rows[1:]):
        key = f"items[{i}]"
        if len(row) > len(header):
            problems.append(error(file, line, key, f"这一行有 {len(row)} 格，多于表头的 {len(header)} 列（单元格中的逗号要用英文双引号括起来）"))
            continue
        value = {
            CSV_HEADERS[h]: cell.strip() for h, cell in zip(header, row, strict=False) if cell.strip()
        }
        located = strict_yaml.Located(value, {(): line, **{(k,): line for k in CSV_HEADERS.values()}})
        item, found = validate_model(ApprovalItem, located, file, f"第 {line} 行")
        problems += [Problem(p.path, p.line, f"{key}.{p.key}", p.message, p.severity) for p in found]
        placed.append(PlacedItem(item, file, line, key, value.get("number", "")))
    return placed, problems


def check_items(placed: list[PlacedItem], lines: dict[str, int]) -> list[Problem]:
    """Return problems of 序号 continuity and of `to` where the action needs it."""
    problems: list[Problem] = []
    expected_top = 1
    last_top: int | None = None
    expected_sub = 1
    def where(p: PlacedItem, key: str) -> int:
        return p.line if p.source.suffix.lower() == ".csv" else lines.get(f"{p.key}.{key}", p.line)

    for p in placed:
        number = p.number
        match = _NUMBER.match(number)
        if not match:
            if number:
                problems.append(error(p.source, where(p, "number"), f"{p.key}.number", f"序号“{number}”应为正整数，子项写作 3.1、3.2"))
            expected_top += 1
        else:
            top, sub = int(match.group(1)), match.group(2)
            if sub is None:
                if top != expected_top:
                    after = f"上一项为 {last_top}" if last_top else "清单从 1 开始"
                    problems.append(error(p.source, where(p, "number"), f"{p.key}.number", f"序号不连续：应为 {expected_top}（{after}），实为 {number}"))
                last_top, expected_top, expected_sub = top, top + 1, 1
            else:
                want = f"{last_top}.{expected_sub}" if last_top else "1"
                if last_top is None or top != last_top or int(sub) != expected_sub:
                    problems.append(error(p.source, where(p, "number"), f"{p.key}.number", f"子项序号不连续：应为 {want}，实为 {number}"))
                expected_sub = int(sub) + 1
        item = p.item
        if item is not None and ACTIONS[item.action][2] and not item.to:
            problems.append(error(p.source, where(p, "action"), f"{p.key}.to", f"处理决定为“{item.action}”时必须写承接单位（{TO_HINT[item.action]}）"))
    return problems


# ---- the site-wide index: /approvals/ by action, agency and year, and item histories ----


@dataclass(frozen=True, slots=True)
class Entry:
    """One item in one list: what /approvals/ shows per row."""

    item: ApprovalItem
    record: Record

    @property
    def effective(self) -> date:
        meta = self.record.meta
        assert isinstance(meta, ApprovalListMeta)
        return meta.effective


@dataclass(frozen=True)
class ApprovalFacet:
    dimension: str  # all | action | agency | year
    key: str
    label: str
    entries: tuple[Entry, ...]

    def counts(self) -> list[tuple[str, int]]:
        """Return (action, count) in the order of ACTIONS, for actions that occur."""
        found = Counter(e.item.action for e in self.entries)
        return [(a, found[a]) for a in ACTIONS if found[a]]


@dataclass(frozen=True)
class ApprovalIndex:
    lists: tuple[Record, ...]
    all: ApprovalFacet
    facets: dict[str, dict[str, ApprovalFacet]]
    histories: dict[str, tuple[Entry, ...]]  # normalised item name → entries, oldest first

    def facet(self, dimension: str, key: str) -> ApprovalFacet | None:
        return self.facets.get(dimension, {}).get(key)

    def history(self, item: ApprovalItem) -> tuple[Entry, ...]:
        """Return the item's entries in every list, oldest first, when it appears in more than one."""
        found = self.histories.get(item_key(item.name), ())
        return found if len(found) > 1 else ()


def item_key(name: str) -> str:
    """Return an item name normalised for matching across lists (spaces, bracket styles)."""
    return re.sub(r"\s+", "", name).replace("(", "（").replace(")", "）")


def items_of(record: Record) -> tuple[ApprovalItem, ...]:
    items: tuple[ApprovalItem, ...] = record.extra.get("items", ())
    return items


def approval_index(records: tuple[Record, ...], view: SiteView) -> ApprovalIndex:
    """Return the index of every approval list (the kind's `index` hook, Site.indexes["approval"])."""
    lists = tuple(sorted(records, key=lambda r: (_effective(r), r.meta.index_number)))
    entries = [Entry(item, record) for record in lists for item in items_of(record)]
    by: dict[str, dict[str, list[Entry]]] = {"action": defaultdict(list), "agency": defaultdict(list), "year": defaultdict(list)}
    labels: dict[tuple[str, str], str] = {}
    histories: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        item = entry.item
        by["action"][item.action_slug].append(entry)
        labels["action", item.action_slug] = item.action
        key = agency_key(item.implementing_agency)
        by["agency"][key].append(entry)
        labels["agency", key] = item.implementing_agency
        year = str(entry.effective.year)
        by["year"][year].append(entry)
        labels["year", year] = f"{year}年"
        histories[item_key(item.name)].append(entry)
    order = {
        "action": [ACTIONS[a][1] for a in ACTIONS],
        "agency": sorted(by["agency"], key=lambda k: labels["agency", k]),
        "year": sorted(by["year"], reverse=True),
    }
    facets = {
        dim: {k: ApprovalFacet(dim, k, labels[dim, k], tuple(by[dim][k])) for k in order[dim] if by[dim].get(k)}
        for dim in by
    }
    return ApprovalIndex(
        lists=lists,
        all=ApprovalFacet("all", "", "全部", tuple(entries)),
        facets=facets,
        histories={k: tuple(v) for k, v in histories.items()},
    )


def _effective(record: Record) -> date:
    meta = record.meta
    assert isinstance(meta, ApprovalListMeta)
    return meta.effective


# ---- the pages: /approvals/ and one static page per facet, PAGE_SIZE rows each ----

PAGE_SIZE = 20  # a page under 50 KB with its stylesheets, and about five screens on a phone (one card a row)
DIMENSIONS = {"action": "处理决定", "agency": "实施机关", "year": "年份"}
LETTER_ACTIONS = [(letter, [a for a in ACTIONS if ACTIONS[a][0] == letter]) for letter in LETTERS]


def facet_pages(facet: ApprovalFacet) -> int:
    """Return how many pages of PAGE_SIZE rows the facet fills (at least one)."""
    return page_count(facet.entries, PAGE_SIZE)


def facet_page(index: ApprovalIndex, facet: ApprovalFacet | None, page: int) -> dict[str, Any] | None:
    """Return approvals.html's variables for one page of `facet`, or None when there is no such page."""
    if facet is None or not 1 <= page <= facet_pages(facet):
        return None
    return {
        "index": index,
        "facet": facet,
        "page": page,
        "pages": facet_pages(facet),
        "rows": page_rows(facet.entries, page, PAGE_SIZE),
        "letters": LETTER_ACTIONS,
        "actions": ACTIONS,
        "dimensions": DIMENSIONS,
    }


def all_items_page(index: ApprovalIndex, page: int = 1) -> dict[str, Any] | None:
    """Return the variables of /approvals/ (every item of every list)."""
    return facet_page(index, index.all, page)


def one_facet_page(index: ApprovalIndex, dimension: str, key: str, page: int = 1) -> dict[str, Any] | None:
    """Return the variables of /approvals/<dimension>/<key>/ (the items of one action, agency or year)."""
    return facet_page(index, index.facet(dimension, key), page)


def all_items_urls(index: ApprovalIndex) -> Iterator[dict[str, Any]]:
    """Yield the values of every page of /approvals/."""
    yield from paginated({}, facet_pages(index.all))


def facet_urls(index: ApprovalIndex) -> Iterator[dict[str, Any]]:
    """Yield the values of every page of every facet (none without approval lists)."""
    for dimension, facets in index.facets.items():
        for key, facet in facets.items():
            yield from paginated({"dimension": dimension, "key": key}, facet_pages(facet))


PAGES = (
    KindPage("approvals", ("/approvals/", "/approvals/page/<int:page>/"), "approvals.html", all_items_page, all_items_urls, feed="kind/approval", nav="审批事项清理"),
    KindPage(
        "approvals_facet",
        ("/approvals/<dimension>/<key>/", "/approvals/<dimension>/<key>/page/<int:page>/"),
        "approvals.html",
        one_facet_page,
        facet_urls,
        feed="kind/approval",
    ),
)


def counts(items: tuple[ApprovalItem, ...]) -> list[tuple[str, int]]:
    """Return (action, count) for a list's items: 取消 71 项、下放 20 项."""
    found = Counter(item.action for item in items)
    return [(a, found[a]) for a in ACTIONS if found[a]]


def action_slug(action: str) -> str:
    """Return the ASCII URL segment of an action: 取消 → quxiao."""
    return ACTIONS[action][1]


def template_globals(index: ApprovalIndex) -> dict[str, Callable[..., Any]]:
    """Return the Jinja globals of this kind's templates: item histories, counts, action slugs."""
    return {"approval_history": index.history, "approval_counts": counts, "action_slug": action_slug}


# ---- what the rest of the build asks of an approval list ----


def approval_scaffold(day: date, agency: str) -> str:
    """Return an approval list's own fields: the effective day and one example item."""
    m = partial(marker, "approval")
    return (
        f"effective: {day.isoformat()}\n"
        "items:  # 事项多时可改用同目录的 CSV 文件（items_csv），两者只写一个\n"
        "  - number: \"1\"\n"
        f"    name: {m('items.name')}\n"
        f"    implementing_agency: {m('items.implementing_agency')}\n"
        f"    basis: {m('items.basis')}\n"
        f"    action: {m('items.action')}   # {'、'.join(ACTIONS)}\n"
        "    # to: 承接单位（并联审批、转变管理方式、下放、移交时必填）\n"
        "    # note: 备注\n"
    )


def approval_feed_html(record: Record) -> Iterator[str]:
    """Yield the items a feed entry shows after the body (nothing for a list without items)."""
    e = html.escape
    items = "".join(
        f"<li>{e(i.number)}. {e(i.name)}（{e(i.implementing_agency)}）：{e(i.action)}"
        + (f"，{e(i.to)}" if i.to else "") + "</li>"
        for i in items_of(record)
    )
    if items:
        yield f"<p>自{day_cn(_effective(record))}起执行的事项：</p><ol>{items}</ol>"


def approval_texts(record: Record) -> Mapping[str, str]:
    """Return the items as a feed shows them, under `items` (bound for feeds)."""
    return {"items": "".join(approval_feed_html(record))}


def approval_search_text(record: Record) -> Iterator[str]:
    """Yield what the page's 事项目录 shows of every item: name, agency, basis, action, 承接单位, note."""
    for item in items_of(record):
        yield from (t for t in (item.name, item.implementing_agency, item.basis, item.action, item.to, item.note) if t)


def approval_names(record: Record) -> Iterator[str]:
    """Yield the names of the list's items: whole words for pinyin and corrections."""
    yield from (item.name for item in items_of(record))


def approval_search_parts(record: Record) -> Iterator[SearchPart]:
    """Yield every item as a place a search result links to (its row, #item-3)."""
    for item in items_of(record):
        head = f"{item.name}（{item.action}" + (f"，{item.to}" if item.to else "") + "）"
        detail = [f"实施机关：{item.implementing_agency}"]
        detail += [f"设定依据：{item.basis}"] if item.basis else []
        detail += [f"备注：{item.note}"] if item.note else []
        yield SearchPart(item.anchor, "事项", head, "；".join(detail))


def approval_item_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return every item of every approval-item list (inline or from its CSV)."""
    rows = []
    for record in records:
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


TABLES = (
    Table(
        "approval-items",
        "审批事项清理：逐项",
        {"index_number": "清单索引号", "list_title": "清单名称", "effective": "生效日期", "number": "序号",
         "name": "项目名称", "implementing_agency": "实施机关", "basis": "设定依据", "action": "处理决定",
         "to": "承接单位或方式", "note": "备注"},
        approval_item_rows,
    ),
)

KIND = Kind(
    "approval",
    "approvals",
    "审批事项清理",
    ApprovalListMeta,
    "record_approval.html",
    prepare=prepare_approval_list,
    files=approval_files,
    scaffold=approval_scaffold,
    shows_own_kind=True,  # an item's history across lists
    feed_html=approval_feed_html,
    texts=approval_texts,
    search_text=approval_search_text,
    search_parts=approval_search_parts,
    names=approval_names,
    tables=TABLES,
    index=approval_index,
    pages=PAGES,
    template_globals=template_globals,
)
