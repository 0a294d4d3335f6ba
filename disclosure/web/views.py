"""Views: each looks its data up in the site model and renders one template."""

from __future__ import annotations

from itertools import islice

from flask import Blueprint, Response, abort, current_app, render_template, send_file

from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME, KINDS
from disclosure.site.model import Facet, Site
from disclosure.web.kind_pages import endpoint, routed
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
    body = render_template("sitemap.xml")
    return Response(body, mimetype="application/xml")


@blueprint.route("/robots.txt")
def robots() -> Response:
    return Response(render_template("robots.txt"), mimetype="text/plain")


@blueprint.route("/404.html")
def not_found_page() -> str:
    return render_template("404.html")


@blueprint.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    return render_template("404.html"), 404
