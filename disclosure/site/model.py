"""The site model: every record indexed by URL, agency, category, year and kind, cross-linked.

Built once after validation, then only read: views, feeds, search and data all look
things up here and never touch the disk.
"""

from __future__ import annotations

import difflib
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from disclosure.core.config import Agency, Category, SiteConfig
from disclosure.core.problems import Problem, display_path, error, warning
from disclosure.core.records import Page, Record, agency_key, facet_slug
from disclosure.core.sources import confined
from disclosure.core.validation import is_salvaged, is_unfilled
from disclosure.core.workdays import read_holidays
from disclosure.kinds import KIND_BY_NAME, KINDS
from disclosure.kinds.base import Link, SiteView, page_count, page_rows
from disclosure.site.content import Content
from disclosure.site.openness import Openness, build_openness

PAGE_SIZE = 50


@dataclass(frozen=True)
class Facet:
    """One way of slicing the catalogue: all records of an agency, a category, a year, a kind."""

    dimension: str  # agency | category | year | kind
    key: str  # URL segment
    label: str
    records: tuple[Record, ...]

    @property
    def current_count(self) -> int:
        """Return how many of the facet's records are 现行有效 (neither 失效 nor 废止)."""
        return sum(r.is_current for r in self.records)

    @property
    def pages(self) -> int:
        return page_count(self.records, PAGE_SIZE)

    def page(self, number: int) -> tuple[Record, ...]:
        return tuple(page_rows(self.records, number, PAGE_SIZE))


@dataclass(frozen=True)
class Site:
    """The validated site, indexed for lookup; every field computed once, by `build_site_model`."""

    config: SiteConfig
    agencies: tuple[Agency, ...]
    categories: tuple[Category, ...]
    records: tuple[Record, ...]  # newest first
    pages: dict[str, Page]
    built_on: date
    openness: Openness  # the 政府信息公开 section (disclosure.site.openness)
    by_slug: dict[str, Record] = field(default_factory=dict)
    by_index: dict[str, Record] = field(default_factory=dict)
    facets: dict[str, dict[str, Facet]] = field(default_factory=dict)
    repealed_by: dict[str, Record] = field(default_factory=dict)
    repeals: dict[str, tuple[Record, ...]] = field(default_factory=dict)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # synonyms.yaml, for search
    # kind name → the site-wide index its `index` hook built (/approvals/, /powers/ …)
    indexes: Mapping[str, Any] = field(default_factory=dict)
    # slug → (heading, the records linking to it, newest first) for the kinds whose records
    # are listed on the pages they link to (`Kind.listed_on_linked`: 政策解读), in KINDS order
    linked_from: Mapping[str, tuple[tuple[str, tuple[Record, ...]], ...]] = field(default_factory=dict)
    # slug → link key → the record a link of that record names (Kind.links, resolved once)
    targets: Mapping[str, Mapping[str, Record]] = field(default_factory=dict)

    @property
    def all_records(self) -> Facet:
        return Facet("all", "", "全部", self.records)

    def facet(self, dimension: str, key: str) -> Facet | None:
        return self.facets.get(dimension, {}).get(key)

    def agency(self, name: str) -> Agency | None:
        return next((a for a in self.agencies if a.name == name), None)

    def agency_key(self, name: str) -> str:
        return agency_key(name)

    def category_key(self, path: str) -> str:
        return facet_slug("c-", path)

    def child_categories(self, path: str) -> list[Facet]:
        """Return the facets of the direct sub-categories of `path` that hold records."""
        prefix = f"{path}/"
        children = [c for c in self.categories if c.path.startswith(prefix) and "/" not in c.path[len(prefix) :]]
        found = (self.facet("category", self.category_key(c.path)) for c in children)
        return [f for f in found if f is not None]

    def basis_record(self, ref: str | None) -> Record | None:
        """Return the record a decision's basis points at, when it is on this site."""
        return self.by_index.get(ref) if ref else None

    def current_count(self) -> int:
        """Return how many records are 现行有效 (neither 失效 nor 废止)."""
        return sum(r.is_current for r in self.records)


SCHEDULE_DAYS = 366  # a `published` further ahead than this is taken for a typo (2099 for 2019)


def build_site_model(content: Content, today: date) -> tuple[Site | None, list[Problem]]:
    """Return the indexed site, or None and the problems that span records.

    Drafts (`draft: true`) and records published after `today` (scheduled publishing) are
    held back (DESIGN §3.8, `unpublished`): they are in no page, feed, index or data file of
    this build, and a warning says so.
    The 政府信息公开 section reads its own files (guide.md, holidays.yaml, statutory.yaml,
    reports/), only inside the content folder; its problems follow the records'.
    """
    held, problems = unpublished(content.records, today)
    with confined(content.root):  # holidays.yaml: read only inside content/
        calendar, found = read_holidays(content.root)
    problems += found
    if held:
        content = replace(content, records=tuple(r for r in content.records if r.slug not in held))
    problems += check_cross_record(content)
    checked = content.records
    # the checks below see only the sound records, but for the counts of the 政府信息公开 section
    content = replace(content, records=sound_records(content, problems))
    targets = resolve_links(content.records)
    records = tuple(
        sorted(
            (with_resolved(r, targets.get(r.slug, {})) for r in content.records),
            key=_newest,
            reverse=True,
        )
    )
    by_slug = {r.slug: r for r in records}
    # the same links, to the records as the site holds them (with_resolved replaced some)
    targets = {slug: {key: by_slug[t.slug] for key, t in found.items()} for slug, found in targets.items()}
    by_index = {r.meta.index_number: r for r in records}
    by_title = {r.meta.title: r for r in records}

    repealed_by: dict[str, Record] = {}
    repeals: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        target = record.meta.repealed_by
        if target:
            repealing = by_index.get(target) or by_title[target]  # a sound record's target is sound
            repealed_by[record.slug] = repealing
            repeals[repealing.slug].append(record)

    facets: dict[str, dict[str, Facet]] = {}
    by_agency: dict[str, list[Record]] = defaultdict(list)
    by_category: dict[str, list[Record]] = defaultdict(list)
    by_year: dict[int, list[Record]] = defaultdict(list)
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        for name in record.meta.agency:
            by_agency[name].append(record)
        parts = record.meta.category.split("/")
        for depth in range(1, len(parts) + 1):
            by_category["/".join(parts[:depth])].append(record)
        by_year[record.year].append(record)
        by_kind[record.kind].append(record)
    facets["agency"] = {
        facet_slug("a-", a.name): Facet("agency", facet_slug("a-", a.name), a.name, tuple(by_agency[a.name]))
        for a in content.agencies
        if by_agency[a.name]
    }
    facets["category"] = {
        facet_slug("c-", c.path): Facet("category", facet_slug("c-", c.path), c.path, tuple(by_category[c.path]))
        for c in content.categories
        if by_category[c.path]
    }
    facets["year"] = {
        str(y): Facet("year", str(y), f"{y}年", tuple(by_year[y])) for y in sorted(by_year, reverse=True)
    }
    facets["kind"] = {
        k.name: Facet("kind", k.name, k.label, tuple(by_kind[k.name])) for k in KINDS if by_kind[k.name]
    }
    views = {
        k.name: SiteView(
            tuple(a.name for a in content.agencies),
            {name: tuple(rs) for name, rs in by_kind.items()},
            targets, calendar, today, content.kind_data.get(k.name),
        )
        for k in KINDS
    }
    found = [replace(p, kind=k.name) for k in KINDS for p in k.site_rules(tuple(by_kind[k.name]), views[k.name])]
    problems = problems + found
    if content.site is None:  # site.yaml refused: no 层级, no 政府信息公开 section to check
        return None, problems
    with confined(content.root):  # guide.md, reports/: read only inside content/
        # with a record left out, the statutory items and the annual report count every typed record
        # (not one whose refused fields are missing: `salvage`)
        kept = {s.source for s in records}  # once: a set per record made this quadratic (1.5 s at 3,482 records)
        left_out = [r for r in checked if r.source not in kept and not is_salvaged(r.meta)]
        counted = tuple(sorted((*records, *left_out), key=_newest, reverse=True)) if left_out else records
        openness, found = build_openness(content.root, content.site, content.categories, counted, repealed_by, calendar)
    problems = problems + found
    if any(p.is_error for p in problems):  # nothing is built: the indexes would only describe part of the site
        return None, problems
    indexes = {k.name: k.index(tuple(by_kind[k.name]), views[k.name]) for k in KINDS}
    linked_from = listed_on_linked(by_kind, targets)
    site = Site(
        config=content.site,
        agencies=content.agencies,
        categories=content.categories,
        records=records,
        pages={p.slug: p for p in content.pages},
        built_on=today,
        openness=openness,
        by_slug=by_slug,
        by_index=by_index,
        facets=facets,
        repealed_by=repealed_by,
        repeals={k: tuple(v) for k, v in repeals.items()},
        synonyms=content.synonyms,
        indexes=indexes,
        linked_from=linked_from,
        targets=targets,
    )
    return site, problems


def _newest(record: Record) -> tuple[date, str]:
    """Return the site's order of records (sorted reverse: newest first)."""
    return record.meta.published, record.meta.index_number


def sound_records(content: Content, problems: Iterable[Problem]) -> tuple[Record, ...]:
    """Return the records the checks after the cross-record ones can trust: no error of their own
    (`Content.faulty`) nor at their file across records, and every record they name sound too.

    A link to a refused record is not reported as dangling (it exists); the record linking to it
    is only left out of the checks that would read its target (a case list's power steps).
    """
    bad = {display_path(path) for path in content.faulty} | {p.path for p in problems if p.is_error}
    if not bad:
        return content.records
    sound = {r.source: r for r in content.records if display_path(r.source) not in bad}
    if len(sound) == len(content.records):
        return content.records
    lookup = link_lookup(content.records, (link for r in sound.values() for link in KIND_BY_NAME[r.kind].links(r.meta)))
    changed = True
    while changed:  # a record naming one left out is left out too, until nothing changes
        changed = False
        for record in list(sound.values()):
            targets = [lookup[link.by].get(link.ref) for link in KIND_BY_NAME[record.kind].links(record.meta)]
            repealing = record.meta.repealed_by
            if repealing:
                targets.append(next((r for r in content.records if repealing in (r.meta.index_number, r.meta.title)), None))
            if any(t is not None and t is not record and t.source not in sound for t in targets):
                del sound[record.source]
                changed = True
    return tuple(r for r in content.records if r.source in sound)


def link_lookup(records: Iterable[Record], links: Iterable[Link]) -> dict[str, dict[str, Record]]:
    """Return, for each field the links name their targets by, value → record (索引号 always)."""
    fields = {"index_number"} | {link.by for link in links}
    lookup: dict[str, dict[str, Record]] = {name: {} for name in fields}
    for record in records:
        for name in fields:
            value = getattr(record.meta, name, None)
            if isinstance(value, str):
                lookup[name].setdefault(value, record)
    return lookup


def with_resolved(record: Record, targets: Mapping[str, Record]) -> Record:
    """Return the record with what its kind takes from its links (`Kind.resolve`) in `extra`
    and in its digest (a power renamed reaches the pages and index of its case lists)."""
    kind = KIND_BY_NAME.get(record.kind)
    if kind is None or kind.resolve is None:
        return record
    found = kind.resolve(record, targets)
    digest = hashlib.sha256(f"{record.digest}\0{sorted(found.items())!r}".encode()).hexdigest()
    return replace(record, extra={**record.extra, **found}, digest=digest)


def resolve_links(records: tuple[Record, ...]) -> dict[str, dict[str, Record]]:
    """Return slug → link key → the record each link of a record names (links checked before)."""
    links = {r.slug: tuple(KIND_BY_NAME[r.kind].links(r.meta)) for r in records if r.kind in KIND_BY_NAME}
    lookup = link_lookup(records, (link for found in links.values() for link in found))
    return {
        slug: {link.key: target for link in found if (target := lookup[link.by].get(link.ref)) is not None}
        for slug, found in links.items()
    }


def listed_on_linked(
    by_kind: Mapping[str, list[Record]], targets: Mapping[str, Mapping[str, Record]]
) -> dict[str, tuple[tuple[str, tuple[Record, ...]], ...]]:
    """Return slug → (heading, records) of the records that link to it, for the kinds that set
    `Kind.listed_on_linked` (an interpretation on the document it explains), in KINDS order and
    newest first; a decision's basis lists nothing on the documents it names."""
    found: dict[str, dict[str, list[Record]]] = defaultdict(dict)
    for kind in KINDS:
        if kind.listed_on_linked is None:
            continue
        for record in by_kind[kind.name]:  # newest first
            for link in kind.links(record.meta):
                target = targets.get(record.slug, {}).get(link.key)
                if target is None or target is record:
                    continue
                listed = found[target.slug].setdefault(kind.listed_on_linked, [])
                if not listed or listed[-1] is not record:  # two links of one record to one page: listed once
                    listed.append(record)
    return {slug: tuple((heading, tuple(rs)) for heading, rs in groups.items()) for slug, groups in found.items()}


DRAFT_WARNING = "草稿：本条不发布（不进入任何页面、目录、订阅、检索和开放数据）；定稿后删除此行或改为 draft: false"


def unpublished(records: Iterable[Record], today: date) -> tuple[set[str], list[Problem]]:
    """Return the slugs of the records not published in this build, and the problems of their dates.

    A draft (`draft: true`) is never published; a record published after `today` waits for
    its day (scheduled publishing). Both are validated like any record, each gets a warning,
    and a record linking to one is refused as linking to a record the site does not have.
    """
    records = tuple(records)
    held, problems = check_dates(records, today)
    for record in records:
        if record.meta.draft:
            held.add(record.slug)
            problems.append(warning(record.source, record.line("draft"), "draft", DRAFT_WARNING))
    return held, problems


def check_dates(records: Iterable[Record], today: date) -> tuple[set[str], list[Problem]]:
    """Return the slugs of records held back until their `published` day, and the date problems.

    A change or a decision stage cannot lie after the build day (nor after a scheduled
    publication): it would pin the record to the top of the home page and every feed.
    `validity_date` may lie ahead (a planned repeal); `record_updates` announces it on the day.
    """
    held: set[str] = set()
    problems: list[Problem] = []
    latest = today + timedelta(days=SCHEDULE_DAYS)
    for record in records:
        meta = record.meta
        if meta.published > latest:
            problems.append(error(record.source, record.line("published"), "published",
                                  f"发布日期 {meta.published} 晚于构建日期 {today} 一年以上，请核对年份（定时发布最多提前 {SCHEDULE_DAYS} 天）"))
            continue
        if meta.published > today:
            held.add(record.slug)
        if meta.published > today and not meta.draft:  # a draft is not announced as scheduled
            problems.append(warning(record.source, record.line("published"), "published",
                                    f"发布日期 {meta.published} 晚于构建日期 {today}：本条暂不发布（定时发布），到期后重新构建即发布"))
        limit = max(today, meta.published)
        dated = [(f"changes[{i}].date", c.date) for i, c in enumerate(meta.changes)]
        if record.kind in KIND_BY_NAME:  # a kind's dated events: a decision's stages
            dated += [(event.key, event.day) for event in KIND_BY_NAME[record.kind].events(meta)]
        for key, day in dated:
            if day > limit:
                problems.append(error(record.source, record.line(key), key,
                                      f"日期 {day} 晚于构建日期 {today}：尚未发生的更新或阶段不能公开，请核对日期或到期后再写入"))
    return held, problems


def check_cross_record(content: Content) -> list[Problem]:
    """Return problems that only show when records are seen together."""
    problems: list[Problem] = []
    problems += _unique(content.records)
    # a name or path listed in a file with errors still counts as listed; an unreadable file checks nothing
    agency_names = sorted(content.agency_names) if content.agency_names is not None else None
    short_names = {a.short_name: a.name for a in content.agencies if a.short_name}
    category_paths = sorted(content.category_paths) if content.category_paths is not None else None
    by_index = {r.meta.index_number for r in content.records}
    titles = {r.meta.title for r in content.records}
    links = {r.slug: tuple(KIND_BY_NAME[r.kind].links(r.meta)) for r in content.records if r.kind in KIND_BY_NAME}
    lookup = link_lookup(content.records, (link for found in links.values() for link in found))
    for record in content.records:
        meta = record.meta
        for i, name in enumerate(meta.agency):
            if agency_names is not None and name not in agency_names and not is_unfilled(name):
                key = "agency" if len(meta.agency) == 1 else f"agency[{i}]"
                problems.append(error(record.source, record.line(key), key, _unknown(name, agency_names, short_names, "发布机构", "agencies.yaml")))
        if category_paths is not None and meta.category not in category_paths and not is_unfilled(meta.category):
            problems.append(error(record.source, record.line("category"), "category", _unknown(meta.category, category_paths, {}, "主题分类", "categories.yaml")))
        if meta.repealed_by and meta.repealed_by not in by_index and meta.repealed_by not in titles and not is_unfilled(meta.repealed_by):
            problems.append(error(record.source, record.line("repealed_by"), "repealed_by", f"找不到索引号或标题为“{meta.repealed_by}”的记录"))
        if meta.repealed_by in (meta.index_number, meta.title):
            problems.append(error(record.source, record.line("repealed_by"), "repealed_by", "记录不能废止自身"))
        for link in links.get(record.slug, ()):  # the records of this site its page shows: a decision's basis
            target = lookup[link.by].get(link.ref)
            if target is None and is_unfilled(link.ref):
                continue  # 尚未填写 says so already
            if target is None:
                problems.append(error(record.source, record.line(link.key), link.key, f"本站没有{link.what}为“{link.ref}”的记录"))
            elif link.kinds and target.kind not in link.kinds and target is not record:  # itself: the kind's rules say so
                problems.append(error(record.source, record.line(link.key), link.key, _wrong_kind(link, target)))
    return problems


def _wrong_kind(link: Link, target: Record) -> str:
    allowed = "或".join(KIND_BY_NAME[k].label for k in link.kinds)
    return f"{link.what}为“{link.ref}”的记录是{KIND_BY_NAME[target.kind].label}，这里只能写{allowed}的{link.what}"


def _unknown(name: str, known: list[str], aliases: dict[str, str], what: str, where: str) -> str:
    if name in aliases:
        return f"“{name}”是简称；{what}请写全称“{aliases[name]}”"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.4)
    hint = f"；最接近的是“{close[0]}”" if close else ""
    return f"“{name}”不在 {where} 中{hint}"


def _unique(records: Iterable[Record]) -> list[Problem]:
    """Return problems for a repeated 索引号, and for two 索引号 that map to one URL."""
    problems: list[Problem] = []
    by_index: dict[str, Record] = {}
    by_slug: dict[str, Record] = {}
    for record in records:
        first = by_index.setdefault(record.meta.index_number, record)
        if first is not record:
            where = f"{display_path(first.source)}:{first.line('index_number')}"
            problems.append(
                error(record.source, record.line("index_number"), "index_number",
                      f"索引号“{record.meta.index_number}”与 {where} 重复")
            )
            continue
        # 'a/b' and 'a-b', or 'A…' and 'a…' on a case-insensitive disk, share one URL
        first = by_slug.setdefault(record.slug.lower(), record)
        if first is not record:
            where = f"{display_path(first.source)}:{first.line('index_number')}"
            problems.append(
                error(record.source, record.line("index_number"), "index_number",
                      f"与 {where} 的记录会生成同一个网址 {record.url()}，请更正索引号")
            )
    return problems
