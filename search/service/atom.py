"""`GET /api/search.atom?q=…` (DESIGN §6): an Atom 1.0 feed of a query's newest results.

Same query and filters as `/api/search`; the results by publication date, newest first,
`FEED_SIZE` of them. A journalist following "审批 + 保定市人民政府" subscribes to
`/api/search.atom?q=审批&agency=保定市人民政府` (linked from the result page).

Each entry is a record: its id is the tag URI the site's feeds use for the record's
索引号 (`disclosure/outputs/feeds.py:guid`, without the event: tag:<host>,<year
published>:<索引号>), so it is the same in every build; updated is its publication date
at 00:00 Beijing time; the summary is the result's snippet (escaped HTML with <mark>),
the author its 发布机构. The XML is written as text with every value escaped
(`xml.sax.saxutils`): no feed library is loaded in a worker (tests/test_layers.py times
the service's import).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit
from xml.sax.saxutils import escape, quoteattr

from search.service.searcher import FILTERS, Hit

FEED_SIZE = 20
MEDIA_TYPE = "application/atom+xml"
FILTER_LABELS = {"agency": "发布机构", "category": "主题分类", "year": "年份", "kind": "类别", "validity": "有效性"}
# characters XML 1.0 does not allow (a query may carry them; records are checked at build time)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedQuery:
    """What a feed answers: the query as typed, its filters and the names the site shows for them."""

    q: str
    filters: dict[str, str]
    kinds: dict[str, str]  # kind name → label, for the title


def feed_path(q: str, filters: dict[str, str]) -> str:
    """Return the root-relative address of the feed of a query and its filters."""
    return "/api/search.atom?" + urlencode({"q": q, **{k: filters[k] for k in FILTERS if filters.get(k)}})


def page_path(q: str, filters: dict[str, str], prefix: str = "") -> str:
    """Return the result page of the same query, newest first (the feed's alternate link)."""
    values = {"q": q, **{k: filters[k] for k in FILTERS if filters.get(k)}, "sort": "date"}
    return f"{prefix}/search/?" + urlencode(values)


def feed_title(site_name: str, query: FeedQuery) -> str:
    """Return the feed's title: 检测站：检索“审批” · 发布机构：保定市人民政府."""
    pieces = [f"{site_name}：检索“{query.q}”"]
    for name in FILTERS:
        value = query.filters.get(name)
        if not value:
            continue
        shown = {"year": f"{value}年", "kind": query.kinds.get(value, value)}.get(name, value)
        pieces.append(f"{FILTER_LABELS[name]}：{shown}")
    return " · ".join(pieces)


def entry_id(host: str, hit: Hit) -> str:
    """Return the record's stable id: tag:<host>,<year published>:<索引号> (as the site's feeds)."""
    return f"tag:{host},{hit.published[:4]}:{quote(hit.index_number, safe='/-._~')}"


def day_time(published: str) -> str:
    """Return a YYYY-MM-DD publication date as an Atom date-time: 00:00 Beijing time."""
    return f"{published}T00:00:00+08:00"


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_ILLEGAL.sub("", value))


def atom_feed(hits: Sequence[Hit], query: FeedQuery, site: dict[str, str], fallback_root: str, built: str) -> str:
    """Return the Atom document of `hits` (newest first) for `query`.

    `site` is what the build stored (name, root_url); `fallback_root` the address the request
    came to, used when an older index has no root_url; `built` the index's time, the feed's
    updated when no result has a date.
    """
    root = (site.get("root_url") or fallback_root).rstrip("/")
    name = site.get("name") or "检索"
    host = urlsplit(root).hostname or "localhost"
    self_url = root + feed_path(query.q, query.filters)
    title = feed_title(name, query)
    updated = day_time(hits[0].published) if hits else built
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"  <id>{_text(self_url)}</id>",
        f'  <title type="text">{_text(title)}</title>',
        f'  <subtitle type="text">{_text(f"{title}：最新的 {FEED_SIZE} 条结果，按发布日期从新到旧。")}</subtitle>',
        f"  <updated>{_text(updated)}</updated>",
        f'  <link rel="self" type="{MEDIA_TYPE}" href={_attr(self_url)}/>',
        f'  <link rel="alternate" type="text/html" href={_attr(root + page_path(query.q, query.filters))}/>',
        f"  <author><name>{_text(name)}</name></author>",
        "  <generator>阳光公开检索服务</generator>",
    ]
    for hit in hits:
        when = day_time(hit.published)
        lines += [
            "  <entry>",
            f"    <id>{_text(entry_id(host, hit))}</id>",
            f'    <title type="text">{_text(hit.title)}</title>',
            f'    <link rel="alternate" type="text/html" href={_attr(root + hit.url)}/>',
            f"    <published>{when}</published>",
            f"    <updated>{when}</updated>",
            *(f"    <author><name>{_text(agency)}</name></author>" for agency in hit.agency.split("、") if agency),
            f'    <summary type="html">{_text(hit.snippet)}</summary>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
