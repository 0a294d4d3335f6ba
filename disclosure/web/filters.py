"""Jinja filters and globals: Chinese dates, sizes, and lookups into the site model."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any

from flask import Flask, current_app, url_for
from markupsafe import Markup, escape

from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME
from disclosure.kinds.base import day_cn
from disclosure.site.model import Site
from disclosure.site.reads import by_routes
from disclosure.web.urls import all_pages

UrlKey = tuple[Any, ...]


def cn_date(value: date | None) -> str:
    """Return 2009年4月3日 for 2009-04-03 (no leading zeros), or an empty string."""
    return day_cn(value) if value else ""


def file_size(size: int) -> str:
    """Return a human size: 812 字节, 12.3 KB, 4.5 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def url_key(endpoint: str, values: dict[str, Any]) -> UrlKey:
    """Return the key of an endpoint and its values in the table of page URLs."""
    return (endpoint, *sorted(values.items()))


def page_urls(app: Flask, site: Site) -> dict[UrlKey, str]:
    """Return the path of every page of `site` (web.urls.all_pages), built once with the app:
    a catalogue page links hundreds of facets, and the same few thousand URLs are on every page."""
    adapter = app.url_map.bind("localhost")
    return {url_key(endpoint, values): adapter.build(endpoint, values) for endpoint, values in all_pages(site)}


def href_for(urls: dict[UrlKey, str], endpoint: str, /, **values: Any) -> str:
    """Return url_for(endpoint, **values): a page's from `urls`, anything else (static files) built."""
    url = urls.get(url_key(endpoint, values))
    return url if url is not None else url_for(endpoint, **values)


def record_url(record: Record, external: bool = False) -> str:
    """Return the record page's path, or its full address when `external` (Record.url)."""
    return record.url(site_root() if external else "")


def facet_url(urls: dict[UrlKey, str], dimension: str, key: str) -> str:
    return href_for(urls, "site.catalog_facet", dimension=dimension, key=key)


def site_root() -> str:
    site: Site = current_app.config["SITE"]
    return site.config.root_url


def kind_label(name: str) -> str:
    return KIND_BY_NAME[name].label if name in KIND_BY_NAME else name


_PHONE = re.compile(r"\+?\d[\d\- ]{5,}\d")


def tel_link(phone: str) -> Markup:
    """Return a phone number as written, linked as tel: (the first run of digits and hyphens,
    spaces dropped), so a phone dials it; text without such a run is only escaped."""
    found = _PHONE.search(phone)
    if found is None:
        return escape(phone)
    number = found.group().replace(" ", "")
    return Markup('<a href="tel:{}">{}</a>').format(number, phone)


def body(record_html: str) -> Markup:
    """Mark a body as safe: only ever called on HTML that went through the sanitiser."""
    return Markup(record_html)


def register(app: Flask, site: Site) -> None:
    """Add the filters and globals to `app`; call it last: the URL table needs every route."""
    urls = page_urls(app, site)
    app.jinja_env.filters.update(cn_date=cn_date, file_size=file_size, kind_label=kind_label, tel=tel_link)
    app.jinja_env.globals.update(
        record_url=record_url,
        facet_url=by_routes(partial(facet_url, urls)),  # the URL table: the routes', not a page's read
        href_for=by_routes(partial(href_for, urls)),
        sanitised=body,
        site_root=site_root,
    )

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        return {"site": current_app.config["SITE"]}
