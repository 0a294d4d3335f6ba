"""Jinja filters and globals: Chinese dates, sizes, and lookups into the site model."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask, current_app, url_for
from markupsafe import Markup

from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME
from disclosure.site.model import Site


def cn_date(value: date | None) -> str:
    """Return 2009年4月3日 for 2009-04-03 (no leading zeros), or an empty string."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def file_size(size: int) -> str:
    """Return a human size: 812 字节, 12.3 KB, 4.5 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def cached_url(endpoint: str, **values: Any) -> str:
    """Return url_for(endpoint, **values), memoised per app: a catalogue page links
    hundreds of facets, and the same few thousand URLs are built on every page."""
    memo: dict[tuple[Any, ...], str] = current_app.extensions.setdefault("url_memo", {})
    key = (endpoint, *sorted(values.items()))
    url = memo.get(key)
    if url is None:
        url = memo[key] = url_for(endpoint, **values)
    return url


def record_url(record: Record, external: bool = False) -> str:
    """Return the record page's path, or its full address when `external` (Record.url)."""
    return record.url(site_root() if external else "")


def facet_url(dimension: str, key: str) -> str:
    return cached_url("site.catalog_facet", dimension=dimension, key=key)


def site_root() -> str:
    site: Site = current_app.config["SITE"]
    return site.config.root_url


def kind_label(name: str) -> str:
    return KIND_BY_NAME[name].label if name in KIND_BY_NAME else name


def body(record_html: str) -> Markup:
    """Mark a body as safe: only ever called on HTML that went through the sanitiser."""
    return Markup(record_html)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(cn_date=cn_date, file_size=file_size, kind_label=kind_label)
    app.jinja_env.globals.update(
        record_url=record_url, facet_url=facet_url, href_for=cached_url, sanitised=body, site_root=site_root
    )

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        return {"site": current_app.config["SITE"]}
