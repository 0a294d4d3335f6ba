"""Pages for re-users: /feeds/ (subscribe) and /data/ (downloads), plus feed autodiscovery.

The feed and data files themselves are written by their own build stages
(`disclosure.outputs.feeds`, `disclosure.outputs.open_data`); these views only describe them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, Flask, render_template, request, url_for
from markupsafe import Markup, escape

from disclosure.core.records import Record
from disclosure.outputs.feeds import (
    FEEDS_PATH,
    FeedSpec,
    facet_feed_path,
    feed_specs,
    record_feed_paths,
    select_updates,
)
from disclosure.outputs.open_data import data_tables
from disclosure.outputs.structured_data import record_json_ld
from disclosure.site.model import Facet, Site
from disclosure.web.kind_pages import section_feeds
from disclosure.web.views import the_site

blueprint = Blueprint("reuse", __name__)
GROUPS = ("全部", "类别", "发布机构", "主题分类")
TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
# Section pages of one kind (endpoint → feed, KindPage.feed), beside the catalogue's facets.
SECTION_FEEDS = section_feeds()


def feed_url(spec: FeedSpec, fmt: str) -> str:
    """Return the feed's URL as the app writes it (root-relative, like url_for)."""
    return url_for("reuse.feeds") + spec.url(fmt).removeprefix(FEEDS_PATH)


@blueprint.route("/feeds/")
def feeds() -> str:
    site = the_site()
    specs = feed_specs(site)
    buckets = select_updates(site, specs)
    groups = [(group, [(s, buckets[s.path]) for s in specs if s.group == group]) for group in GROUPS]
    return render_template("feeds.html", groups=groups)


@blueprint.route("/data/")
def data() -> str:
    site = the_site()
    tables = [(table, len(table.rows(site))) for table in data_tables()]
    return render_template("data.html", tables=tables)


def feed_autodiscovery(
    by_path: dict[str, FeedSpec], record: Record | None = None, facet: Facet | None = None
) -> Markup:
    """Return <link rel="alternate"> tags: the site-wide feed, plus the record's or facet's feeds.

    `by_path` holds the site's feeds by path, built once by `register`: every page asks.
    """
    site = the_site()
    paths = ["all"]
    if record is not None:
        paths = record_feed_paths(site, record)
    elif isinstance(facet, Facet):  # other pages call their own slices `facet` too
        found = facet_feed_path(site, facet)
        paths += [found] if found else []
    section = SECTION_FEEDS.get(request.endpoint or "")
    paths += [section] if section else []
    tags = []
    for path in dict.fromkeys(paths):
        spec = by_path.get(path)
        if spec is None:
            continue
        for fmt, mime in TYPES.items():
            title = f"{spec.title(site)}（{'RSS' if fmt == 'rss' else 'Atom'}）"
            tags.append(
                f'<link rel="alternate" type="{mime}" title="{escape(title)}" href="{escape(feed_url(spec, fmt))}">'
            )
    return Markup("\n".join(tags))


def json_ld(record: Record) -> dict[str, Any]:
    """Return the record's schema.org data; the template serialises it with |tojson."""
    return record_json_ld(the_site(), record)


def register(app: Flask, site: Site) -> None:
    """Add the /feeds/ and /data/ pages and the feed and JSON-LD globals for `site` to `app`."""
    app.register_blueprint(blueprint)
    by_path = {s.path: s for s in feed_specs(site)}
    app.jinja_env.globals.update(
        feed_autodiscovery=partial(feed_autodiscovery, by_path), feed_url=feed_url, record_json_ld=json_ld
    )
