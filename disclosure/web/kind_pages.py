"""The pages kinds add beyond their record pages (/approvals/, /powers/, a flowchart …) as routes.

A kind declares its pages as `KindPage`s and its templates' helpers as `template_globals`
(disclosure.kinds.base), both given the index it built once (`Site.indexes`). This module
turns every page of every kind into a route of the `lists` blueprint, renders it, yields
its URLs for the freezer and registers the globals. It names no kind: a new kind's pages
need no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template

from disclosure.kinds import KINDS
from disclosure.kinds.base import KindPage
from disclosure.site.model import Site
from disclosure.site.reads import reading

BLUEPRINT = "lists"  # endpoints are lists.<KindPage.endpoint>: lists.approvals, lists.flowchart … (pages show it: data-page)


def endpoint(page: KindPage) -> str:
    """Return the page's full endpoint name, as templates pass it to href_for."""
    return f"{BLUEPRINT}.{page.endpoint}"


def section_feeds() -> dict[str, str]:
    """Return endpoint → the feed path its page links to (kinds.approvals → kind/approval)."""
    return {endpoint(page): page.feed for kind in KINDS for page in kind.pages if page.feed}


def routed(page: KindPage, index: Any) -> bool:
    """Return whether `page` has a URL (and so a route): facets need approval lists, a flowchart a drawable flow."""
    return next(iter(page.urls(index)), None) is not None


def render_page(kind_page: KindPage, index: Callable[[], Any], /, **values: Any) -> Response | str:
    """Render the page for the URL `values` (`page` may be one): its template, or its context's
    `body` when it has none; 404 when its context is None. `index` hands out the kind's index
    (a read of it, for the incremental build)."""
    context = kind_page.context(index(), **values)
    if context is None:
        abort(404)
    if kind_page.template is None:
        return Response(context["body"], mimetype=kind_page.mimetype)
    html = render_template(kind_page.template, **context)
    return Response(html, mimetype=kind_page.mimetype) if kind_page.mimetype else html


def register(app: Flask, site: Site) -> None:
    """Add every kind page of `site` as a route and every kind's template globals to `app`.

    A page with no URL (facets without approval lists, flowcharts without a drawable flow)
    gets no route: Frozen-Flask warns about an endpoint that yields no URL, and warnings
    fail the tests.
    """
    blueprint = Blueprint(BLUEPRINT, __name__)
    seen: set[str] = set()
    for kind in KINDS:
        index = site.indexes[kind.name]
        for page in kind.pages:
            if page.endpoint in seen:
                raise ValueError(f"two kinds' pages share the endpoint {endpoint(page)}")
            seen.add(page.endpoint)
            if not routed(page, index):
                continue
            view = partial(render_page, page, reading(("=", "indexes", kind.name), lambda index=index: index))
            for rule in page.rules:
                blueprint.add_url_rule(rule, page.endpoint, view)
        for name, function in kind.template_globals(index).items():
            if name in app.jinja_env.globals:
                raise ValueError(f"template global {name} of kind {kind.name} is already defined")
            app.jinja_env.globals[name] = reading(("=", "indexes", kind.name), function)  # a read of the index
    app.register_blueprint(blueprint)
    app.jinja_env.globals["kind_nav"] = navigation(site)


def navigation(site: Site) -> tuple[tuple[str, dict[str, str], str], ...]:
    """Return (endpoint, values, label) of the kinds' links in the main navigation, in KINDS order:
    a kind's catalogue (`Kind.nav`), then its pages with a `nav` label that have a route."""
    links: list[tuple[str, dict[str, str], str]] = []
    for kind in KINDS:
        if kind.nav:
            links.append(("site.catalog_facet", {"dimension": "kind", "key": kind.name}, kind.label))
        index = site.indexes[kind.name]
        links += [(endpoint(p), {}, p.nav) for p in kind.pages if p.nav and routed(p, index)]
    return tuple(links)


def kind_pages(site: Site) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (endpoint, values) for every page of every kind, for the freezer."""
    for kind in KINDS:
        index = site.indexes[kind.name]
        for page in kind.pages:
            for values in page.urls(index):
                yield endpoint(page), dict(values)
