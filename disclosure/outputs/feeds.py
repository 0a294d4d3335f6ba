"""RSS 2.0 and Atom feeds (feedgen), written as files straight into the staging folder.

Feeds: all updates, each kind (from `KINDS`, so a new kind gets its feed), each 发布机构
and each top-level 主题分类. An entry announces one dated event of a record
(`disclosure.site.updates`); its GUID is a tag URI made of the 索引号 and the event, so it is
the same in every build. Not a Flask view: Frozen-Flask's MIME check trips on .xml.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from disclosure.core.code_digest import code_digest
from disclosure.core.markdown_html import sanitise
from disclosure.core.problems import ContentInvalid, Problem, error
from disclosure.core.records import Record
from disclosure.core.site_links import absolute_links
from disclosure.core.visible_text import lead as visible_lead
from disclosure.core.xml_text import illegal_character
from disclosure.kinds import KIND_BY_NAME, KINDS
from disclosure.kinds.base import Kind, KindFeed, day_cn
from disclosure.outputs.publish import link_file, make_parent, read_json_object
from disclosure.site.model import Facet, Site
from disclosure.site.updates import Update, at_midnight, newest_first, record_updates

FEEDS_PATH = "/feeds/"
FORMATS = {"rss": ".xml", "atom": ".atom"}
SUMMARY_CHARS = 200
MAX_BODY_CHARS = 300_000  # per entry; far above any real document (see _capped_body)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: where it lives, what it is called and which page it mirrors."""

    path: str  # under /feeds/, without extension: all, kind/decision, agency/a-…, category/c-…
    group: str  # 全部 | 类别 | 发布机构 | 主题分类
    name: str  # 全部更新, 重大行政决策, 国务院 …
    page: str  # site path of the matching HTML page
    about: str = ""  # its own description (a kind's feed: 红牌), instead of the usual one

    def url(self, fmt: str) -> str:
        """Return the feed's site path in `fmt` (rss or atom)."""
        return f"{FEEDS_PATH}{self.path}{FORMATS[fmt]}"

    def title(self, site: Site) -> str:
        return f"{site.config.name}：{self.name}" if self.group == "全部" else f"{site.config.name}：{self.group} · {self.name}"


def feed_specs(site: Site) -> list[FeedSpec]:
    """Return every feed of the site, in the order the /feeds/ page lists them.

    Agencies and top-level categories get a feed even before their first record, so a
    journalist can subscribe in advance.
    """
    specs = [FeedSpec("all", "全部", "全部更新", "/")]
    specs += [FeedSpec(f"kind/{k.name}", "类别", k.label, _page(site, "kind", k.name)) for k in KINDS]
    specs += [FeedSpec(feed.path, "类别", feed.name, feed.page, feed.about) for feed in kind_feeds(site)]
    for agency in site.agencies:
        key = site.agency_key(agency.name)
        specs.append(FeedSpec(f"agency/{key}", "发布机构", agency.name, _page(site, "agency", key)))
    for category in site.categories:
        if category.depth == 0:
            key = site.category_key(category.path)
            specs.append(FeedSpec(f"category/{key}", "主题分类", category.path, _page(site, "category", key)))
    return specs


def _page(site: Site, dimension: str, key: str) -> str:
    return f"/catalog/{dimension}/{key}/" if site.facet(dimension, key) else FEEDS_PATH


def record_feed_paths(site: Site, record: Record) -> list[str]:
    """Return the paths of the feeds that carry `record`'s updates: all, kind, agencies, category."""
    top = record.meta.category.split("/")[0]
    return [
        "all",
        f"kind/{record.kind}",
        *(f"agency/{site.agency_key(name)}" for name in record.meta.agency),
        f"category/{site.category_key(top)}",
    ]


def facet_feed_path(site: Site, facet: Facet) -> str | None:
    """Return the feed path of a catalogue facet (a sub-category maps to its top level), or None."""
    if facet.dimension in ("kind", "agency"):
        return f"{facet.dimension}/{facet.key}"
    if facet.dimension == "category":
        return f"category/{site.category_key(facet.label.split('/')[0])}"
    return None


def kind_feeds(site: Site) -> list[KindFeed]:
    """Return the feeds kinds add beyond their kind feed (红牌), from their indexes."""
    return [feed for k in KINDS for feed in k.feeds(site.indexes.get(k.name))]


def kind_feed_updates(site: Site, feed: KindFeed) -> list[Update]:
    """Return a kind feed's events up to the build day as updates, newest first."""
    updates = [
        Update(record, event.event, event.day, event.label, event.note, n)
        for n, (record, event) in enumerate(feed.events)
        if event.day <= site.built_on
    ]
    return newest_first(updates)[: site.config.feed_limit]


def select_updates(site: Site, specs: Iterable[FeedSpec]) -> dict[str, list[Update]]:
    """Return, per feed path, its newest `feed_limit` updates, newest first."""
    limit = site.config.feed_limit
    buckets: dict[str, list[Update]] = {spec.path: [] for spec in specs}
    for feed in kind_feeds(site):
        buckets[feed.path] = kind_feed_updates(site, feed)
    updates = newest_first([u for record in site.records for u in record_updates(record, site.built_on)])
    for update in updates:
        for path in record_feed_paths(site, update.record):
            bucket = buckets.get(path)
            if bucket is not None and len(bucket) < limit:
                bucket.append(update)
    return buckets


def write_feeds(site: Site, destination: Path, previous: Path | None = None) -> int:
    """Write every feed as RSS (.xml) and Atom (.atom) under destination/feeds/; return how many
    were rendered anew.

    With `previous` (the live site), a feed whose entries and settings are unchanged is
    hard-linked from it instead of rendered: a one-record edit touches a handful of feeds.
    """
    specs = feed_specs(site)
    buckets = select_updates(site, specs)
    check_characters(site, {u.record.slug: u.record for b in buckets.values() for u in b}.values())
    before = read_json_object(previous / FINGERPRINTS) if previous is not None else {}
    fingerprints: dict[str, str] = {}
    written = 0
    code = code_digest()
    for spec in specs:
        fingerprint = _feed_fingerprint(site, spec, buckets[spec.path], code)
        fingerprints[spec.path] = fingerprint
        files = [spec.url(fmt).lstrip("/") for fmt in ("rss", "atom")]
        if previous is not None and before.get(spec.path) == fingerprint and _link_all(previous, destination, files):
            continue
        rss, atom = render_feed(site, spec, buckets[spec.path])
        for data, name in zip((rss, atom), files, strict=True):
            write_new_file(destination / name, data)
        written += 1
    target = destination / FINGERPRINTS
    make_parent(target)
    target.write_text(json.dumps(fingerprints, sort_keys=True), encoding="utf-8")
    return written


FINGERPRINTS = Path(".build") / "feeds.json"


def _feed_fingerprint(site: Site, spec: FeedSpec, updates: list[Update], code: str) -> str:
    """Return what a feed's bytes depend on: the code, the site settings, the feed and its entries' records."""
    digest = hashlib.sha256()
    for part in (
        code,
        site.config.model_dump_json(),
        spec.path,
        spec.title(site),
        # extra: approval items read from a CSV beside the record, which its digest does not cover
        *(f"{u.record.digest}|{u.event}|{u.record.extra!r}|{u.record.attachments!r}" for u in updates),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _link_all(previous: Path, destination: Path, names: list[str]) -> bool:
    """Hard-link the named files of the live site into staging; False if one is missing."""
    return all(link_file(previous / name, destination / name) for name in names)


def write_new_file(target: Path, data: bytes) -> None:
    """Write `data` to a fresh file: never through a hard link into the live site (incremental builds)."""
    make_parent(target)
    target.unlink(missing_ok=True)
    target.write_bytes(data)


def text_field(text: str) -> str:
    """Return plain content text as escaped HTML, the one form every feed field carries.

    RSS readers treat <title>, <description> and often <category> and <dc:creator> as
    HTML, so text there must be escaped twice (once as HTML, once by the XML writer): a
    summary `<img onerror=…>` then arrives as the words, never as an element. Atom
    titles and summaries carry the same escaped HTML with type="html" (`_HtmlTitles`), so
    a reader that ignores `type` is safe too.
    """
    return html.escape(text, quote=False)


Element = Any  # the lxml element feedgen hands its extensions (feedgen has no types)


class _HtmlTitles(BaseExtension):
    """Mark the Atom feed's <title> and <subtitle> as type="html" (they carry `text_field`)."""

    def extend_atom(self, feed: Element) -> Element:
        return _mark_html(feed, ("title", "subtitle"))


class _HtmlEntryTitles(BaseEntryExtension):
    """Mark each Atom entry's <title> as type="html" (feedgen has no `type` for titles)."""

    def extend_atom(self, entry: Element) -> Element:
        return _mark_html(entry, ("title",))


_ATOM = "{http://www.w3.org/2005/Atom}"


def _mark_html(element: Element, names: tuple[str, ...]) -> Element:
    for child in element:
        if child.tag in {f"{_ATOM}{n}" for n in names} or child.tag in names:
            child.attrib["type"] = "html"
    return element


def render_feed(site: Site, spec: FeedSpec, updates: list[Update]) -> tuple[bytes, bytes]:
    """Return the feed as RSS 2.0 and Atom bytes."""
    root = site.config.root_url
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS <author> needs an e-mail; agencies have none
    fg.register_extension("html_titles", _HtmlTitles, _HtmlEntryTitles, atom=True, rss=False)
    fg.id(f"{root}{spec.url('atom')}")
    fg.title(text_field(spec.title(site)))
    fg.subtitle(text_field(_description(site, spec)))
    fg.language("zh-CN")
    fg.generator("阳光公开")
    fg.author({"name": text_field(site.config.organiser or site.config.name)})
    # The newest event, not the clock: an unchanged site gives byte-identical feeds.
    newest = updates[0].when if updates else at_midnight(site.built_on)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for update in updates:
        _add_entry(fg, site, update)
    alternate = {"href": f"{root}{spec.page}", "rel": "alternate", "type": "text/html"}
    # RSS <link> is the last link given, so the HTML page goes last.
    fg.link([{"href": f"{root}{spec.url('rss')}", "rel": "self"}, alternate], replace=True)
    rss: bytes = fg.rss_str(pretty=True)
    fg.link([{"href": f"{root}{spec.url('atom')}", "rel": "self"}, alternate], replace=True)
    atom: bytes = fg.atom_str(pretty=True)
    return rss, atom


def _description(site: Site, spec: FeedSpec) -> str:
    if spec.about:
        return f"{spec.about}最近 {site.config.feed_limit} 条。"
    scope = "本站" if spec.group == "全部" else f"{spec.group}“{spec.name}”"
    return (
        f"{scope}的政府信息公开动态：新发布的信息、重大行政决策的新阶段、更新记录和废止、失效，"
        f"最近 {site.config.feed_limit} 条，每条附全文。"
    )


def _add_entry(fg: FeedGenerator, site: Site, update: Update) -> None:
    record = update.record
    meta = record.meta
    link = record.url(site.config.root_url)
    entry = fg.add_entry(order="append")
    entry.id(guid(site, update))
    entry.guid(guid(site, update), permalink=False)
    entry.title(text_field(update.title))
    entry.link(href=link, rel="alternate", type="text/html")
    entry.published(update.when)
    entry.updated(update.when)
    agencies = [text_field(name) for name in meta.agency]
    entry.author([{"name": name} for name in agencies])
    entry.dc.dc_creator(["、".join(agencies)])  # one element: readers show only the first of several
    category = text_field(meta.category)
    entry.category([{"term": category, "label": category}, {"term": record.kind, "label": _kind_label(record.kind)}])
    entry.summary(text_field(summary(update)), type="html")
    entry.content(entry_html(site, update), type="html")


def guid(site: Site, update: Update) -> str:
    """Return the update's stable id: tag:<host>,<year published>:<索引号>/<event>."""
    host = urlsplit(site.config.root_url).hostname or "localhost"
    number = quote(update.record.meta.index_number, safe="/-._~")
    return f"tag:{host},{update.record.meta.published.year}:{number}/{update.event}"


def summary(update: Update) -> str:
    """Return a short plain-text summary: the event's note, else the record's 内容概述 or body."""
    meta = update.record.meta
    text = meta.summary or visible_lead(update.record.body_html, SUMMARY_CHARS + 1)  # never joins two cells
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rstrip() + "……"
    if update.event == "published":
        return text or meta.title
    note = update.note or f"本件{update.label}（{_cn_date(update)}起）"
    return f"{update.label}：{note}"


def entry_html(site: Site, update: Update) -> str:
    """Return the entry's full HTML: what happened, the record's key metadata, then its body."""
    record = update.record
    meta = record.meta
    e = html.escape
    parts: list[str] = []
    if update.event != "published":
        note = f"：{e(update.note)}" if update.note else ""
        parts.append(f"<p><strong>{e(update.label)}</strong>（{_cn_date(update)}）{note}</p>")
    rows = [
        ("索引号", meta.index_number),
        ("发布机构", "、".join(meta.agency)),
        ("发文字号", meta.doc_number or ""),
        ("发布日期", day_cn(meta.published)),
        ("有效性", meta.validity),
    ]
    kind = _kind(record)
    rows += kind.feed_rows(meta) if kind else ()
    parts.append("<p>" + "<br>".join(f"{e(k)}：{e(v)}" for k, v in rows if v) + "</p>")
    parts.append(_capped_body(site, record))
    parts += kind.feed_html(record) if kind else ()
    # a reader resolves a link against the feed: the body's own links ("附件.pdf", "/catalog/") made absolute
    return absolute_links("\n".join(parts), record.url(site.config.root_url), site.config.root_url)


def _kind(record: Record) -> Kind | None:
    """Return the record's kind, whose hooks add to an entry (None for a kind not registered)."""
    return KIND_BY_NAME.get(record.kind)


def _capped_body(site: Site, record: Record) -> str:
    """Return the body, cut at a tag boundary and re-balanced when it exceeds MAX_BODY_CHARS.

    Full text is the rule; the cap only keeps a pathological file (a 5 MB body) from
    making every feed it appears in unreadable.
    """
    body = record.body_html
    if len(body) <= MAX_BODY_CHARS:
        return body
    cut = body[: body.rfind(">", 0, MAX_BODY_CHARS) + 1]
    more = html.escape(record.url(site.config.root_url))
    return sanitise(cut) + f'<p>（全文较长，以上为前一部分。<a href="{more}">阅读全文</a>）</p>'


def _cn_date(update: Update) -> str:
    return day_cn(update.day)


def _kind_label(name: str) -> str:
    return next((k.label for k in KINDS if k.name == name), name)


def check_characters(site: Site, records: Iterable[Record]) -> None:
    """Raise ContentInvalid naming file and line if any text bound for a feed is not XML-safe.

    Validation already refuses these characters; this keeps feedgen's message (which
    names no file) from ever being the only one, e.g. for a kind added later.
    """
    problems: list[Problem] = []
    for record in records:
        meta = record.meta
        fields: dict[str, str] = {"title": meta.title, "summary": meta.summary or "", "body": record.body_html}
        fields |= {"agency": "".join(meta.agency), "category": meta.category}
        fields |= {f"changes[{i}].note": c.note for i, c in enumerate(meta.changes)}
        kind = _kind(record)
        fields |= kind.texts(record) if kind else {}
        for key, text in fields.items():
            bad = illegal_character(text)
            if bad:
                line = record.line(key) if key != "body" else 1
                problems.append(error(record.source, line, key, f"含有订阅源无法收录的字符 {bad}，请删除"))
    if problems:
        raise ContentInvalid(problems)
