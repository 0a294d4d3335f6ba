"""Views: each looks its data up in the site model and renders one template."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import cast

from flask import Blueprint, Response, abort, current_app, render_template, send_file

from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME, KINDS
from disclosure.site.model import Facet, Site
from disclosure.web.kind_pages import endpoint, navigation, routed
from disclosure.web.urls import all_pages
from search.index.stage import facet_choices

blueprint = Blueprint("site", __name__)
LATEST = 12
DIMENSIONS = {"agency": "发布机构", "category": "主题分类", "year": "年份", "kind": "类别"}


def the_site() -> Site:
    site: Site = current_app.config["SITE"]
    return site


@blueprint.route("/")
def home() -> str:
    site = the_site()
    sections = [(KIND_BY_NAME[k], facet) for k, facet in site.facets.get("kind", {}).items()]
    shown = {k.name for k in KINDS if k.latest and not k.home}
    latest = list(islice((r for r in site.records if r.kind in shown), LATEST))  # newest first
    return render_template("home.html", latest=latest, sections=sections, blocks=home_blocks(site))


def home_blocks(site: Site) -> list[tuple[str, tuple[Record, ...], str]]:
    """Return (label, latest records, list endpoint) of the kinds with a home-page block (`Kind.home`:
    工作动态) that have records, in KINDS order; the link goes to the kind's list page."""
    blocks = []
    for kind in KINDS:
        facet = site.facet("kind", kind.name)
        lists = [endpoint(p) for p in kind.pages if p.nav and routed(p, site.indexes[kind.name])]
        if kind.home and facet and lists:
            blocks.append((kind.label, facet.records[: kind.home], lists[0]))
    return blocks


@blueprint.route("/records/<slug>/")
def record(slug: str) -> str:
    found = the_site().by_slug.get(slug) or abort(404)
    return render_template(KIND_BY_NAME[found.kind].template, record=found)


@blueprint.route("/records/<slug>/<path:name>")
def attachment(slug: str, name: str) -> Response:
    found: Record = the_site().by_slug.get(slug) or abort(404)
    for item in found.attachments:
        if item.name == name:
            return send_file(item.source, as_attachment=False, download_name=item.name)
    abort(404)


@blueprint.route("/catalog/")
@blueprint.route("/catalog/page/<int:page>/")
def catalog(page: int = 1) -> str:
    site = the_site()
    return _catalog_page(site.all_records, page)


@blueprint.route("/catalog/<dimension>/<key>/")
@blueprint.route("/catalog/<dimension>/<key>/page/<int:page>/")
def catalog_facet(dimension: str, key: str, page: int = 1) -> str:
    facet = the_site().facet(dimension, key) or abort(404)
    return _catalog_page(facet, page)


def _catalog_page(facet: Facet, page: int) -> str:
    if not 1 <= page <= facet.pages:
        abort(404)
    return render_template(
        "catalog.html",
        facet=facet,
        page=page,
        rows=facet.page(page),
        children=the_site().child_categories(facet.label) if facet.dimension == "category" else [],
        dimensions=DIMENSIONS,
    )


@blueprint.route("/pages/<slug>/")
def page(slug: str) -> str:
    found = the_site().pages.get(slug) or abort(404)
    return render_template("page.html", page=found)


@blueprint.route("/search/")
def search() -> str:
    # The static page: results come from search/static/search.js, or from the service
    # (search.service.app), which answers this same URL when it runs.
    return render_template("search.html", choices=facet_choices(the_site()))


@blueprint.route("/sitemap.xml")
def sitemap() -> Response:
    body = render_template("sitemap.xml", pages=html_pages(the_site()))
    return Response(body, mimetype="application/xml")


@blueprint.route("/sitemap/")
def sitemap_page() -> str:
    """网站地图: every section of the site and the pages in it, for readers (sitemap.xml is for robots)."""
    return render_template("sitemap.html", sections=sitemap_sections(html_pages(the_site())))


@blueprint.route("/opensearch.xml")
def opensearch() -> Response:
    """The OpenSearch description every page names (rel=search): browsers offer to search the site."""
    body = render_template("opensearch.xml")  # application/xml: the type a static host gives .xml
    return Response(body, mimetype="application/xml")


def html_pages(site: Site) -> list[tuple[str, Record | None]]:
    """Return (path, record or None) of every HTML page of the site, once each, in the order
    the freezer writes them (web.urls.all_pages: the one list of the site's URLs); a page's
    path ends in "/", which no attachment, feed or data file does."""
    href = _href_for()
    seen: dict[str, Record | None] = {}
    for name, values in all_pages(site):
        path = href(name, **values)
        if path.endswith("/") and path not in seen:
            seen[path] = site.by_slug.get(values["slug"]) if name == "site.record" else None
    return list(seen.items())


# the sections of the 网站地图 by their first folder, in its order; the kinds' sections go between
SECTION_NAMES = {
    "": "首页",
    "disclosure": "政府信息公开",
    "guide": "政府信息公开指南",
    "apply": "依申请公开",
    "rules": "政府信息公开制度",
    "statutory": "法定主动公开内容",
    "reports": "政府信息公开年报",
    "catalog": "政府信息公开目录",
    "records": "政府信息",
    "search": "检索",
    "feeds": "订阅（RSS）",
    "data": "开放数据",
    "pages": "其他页面",
    "sitemap": "网站地图",
}
LAST_SECTIONS = ("search", "feeds", "data", "pages", "sitemap")


def sitemap_sections(pages: list[tuple[str, Record | None]]) -> list[tuple[str, str, list[str]]]:
    """Return (folder, label, paths of its pages) of every section of the site: the
    first folder of the pages' paths, in the order the site lists them. A kind's own section
    (/approvals/, /powers/ …) is named by its navigation label, else by the heading above."""
    labels = {href.strip("/").split("/")[0]: label for href, label in _nav_labels()}
    sections: dict[str, list[str]] = {}
    for path, _ in pages:
        sections.setdefault(path.strip("/").split("/")[0], []).append(path)
    order = {first: rank for rank, first in enumerate(SECTION_NAMES)}
    kinds = len(order) - len(LAST_SECTIONS)  # the kinds' own sections come before search, feeds …
    ranked = sorted(sections.items(), key=lambda item: order.get(item[0], kinds - 0.5))  # stable: as listed
    return [(first, SECTION_NAMES.get(first) or labels.get(first) or first, paths) for first, paths in ranked]


def _href_for() -> Callable[..., str]:
    """The templates' href_for (filters.href_for over the app's table of page URLs)."""
    return cast("Callable[..., str]", current_app.jinja_env.globals["href_for"])


def _nav_labels() -> list[tuple[str, str]]:
    return [(_href_for()(name, **values), label) for name, values, label in navigation(the_site())]


@blueprint.route("/robots.txt")
def robots() -> Response:
    return Response(render_template("robots.txt"), mimetype="text/plain")


@blueprint.route("/404.html")
def not_found_page() -> str:
    return render_template("404.html")


@blueprint.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    return render_template("404.html"), 404
