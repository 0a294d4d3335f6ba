"""Views of the two lists of the founding document: approval items (关停并转放) and powers.

/approvals/ (by action, 实施机关 and year: one static page per facet, no JavaScript),
/powers/ (权力清单 by type, then agency), /risks/ (廉政风险等级目录 by level, then agency)
and each power item's flowchart as an SVG file. Like every view, these only look things
up in the site model (through the indexes in disclosure.kinds.approval and disclosure.kinds.power).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template
from flask.blueprints import BlueprintSetupState

from disclosure.kinds.approval import ACTIONS, LETTERS, ApprovalFacet, ApprovalItem, Entry, approval_index
from disclosure.kinds.power import LEVEL_SLUGS, PowerMeta, Step, edges_of, power_index
from disclosure.site.model import Site

blueprint = Blueprint("lists", __name__)
PAGE_SIZE = 40  # keeps a page under 50 KB with its stylesheets
DIMENSIONS = {"action": "处理决定", "agency": "实施机关", "year": "年份"}


def the_site() -> Site:
    site: Site = current_app.config["SITE"]
    return site


@blueprint.route("/approvals/")
@blueprint.route("/approvals/page/<int:page>/")
def approvals(page: int = 1) -> str:
    return _approvals_page(approval_index(the_site()).all, page)


def approvals_facet(dimension: str, key: str, page: int = 1) -> str:
    facet = approval_index(the_site()).facet(dimension, key) or abort(404)
    return _approvals_page(facet, page)


def _pages(facet: ApprovalFacet) -> int:
    return max(1, -(-len(facet.entries) // PAGE_SIZE))


def _approvals_page(facet: ApprovalFacet, page: int) -> str:
    pages = _pages(facet)
    if not 1 <= page <= pages:
        abort(404)
    index = approval_index(the_site())
    letters = [(letter, [a for a in ACTIONS if ACTIONS[a][0] == letter]) for letter in LETTERS]
    return render_template(
        "approvals.html",
        index=index,
        facet=facet,
        page=page,
        pages=pages,
        rows=facet.entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        letters=letters,
        actions=ACTIONS,
        dimensions=DIMENSIONS,
    )


@blueprint.route("/powers/")
def powers() -> str:
    return render_template("powers.html", index=power_index(the_site()))


@blueprint.route("/risks/")
def risks() -> str:
    return render_template("risks.html", index=power_index(the_site()), level_slugs=LEVEL_SLUGS)


def flowchart(slug: str) -> Response:
    found = the_site().by_slug.get(slug) or abort(404)
    svg = found.extra.get("svg") or abort(404)
    return Response(svg, mimetype="image/svg+xml")


@blueprint.record
def _routes_with_content(state: BlueprintSetupState) -> None:
    """Add the facet and flowchart routes only when the site has such pages: Frozen-Flask
    warns about an endpoint that yields no URL, and warnings fail the tests."""
    site: Site = state.app.config["SITE"]
    if any(r.kind == "approval" for r in site.records):
        state.add_url_rule("/approvals/<dimension>/<key>/", "approvals_facet", approvals_facet)
        state.add_url_rule("/approvals/<dimension>/<key>/page/<int:page>/", "approvals_facet", approvals_facet)
    if any(r.extra.get("svg") for r in site.records):
        state.add_url_rule("/records/<slug>/flowchart.svg", "flowchart", flowchart)


@blueprint.app_template_global()
def approval_history(item: ApprovalItem) -> tuple[Entry, ...]:
    """Return the item's entries in every list, oldest first, when it appears in more than one."""
    return approval_index(the_site()).history(item)


@blueprint.app_template_global()
def approval_counts(items: tuple[ApprovalItem, ...]) -> list[tuple[str, int]]:
    """Return (action, count) for a list's items: 取消 71 项、下放 20 项."""
    found = Counter(item.action for item in items)
    return [(a, found[a]) for a in ACTIONS if found[a]]


@blueprint.app_template_global()
def action_slug(action: str) -> str:
    return ACTIONS[action][1]


@blueprint.app_template_global()
def level_slug(level: str) -> str:
    return LEVEL_SLUGS[level]


@blueprint.app_template_global()
def days(value: int | None) -> str:
    """Return a time limit in words: 20 个工作日, 即时办理, or — when none is set."""
    if value is None:
        return "—"
    return "即时办理" if value == 0 else f"{value} 个工作日"


@blueprint.app_template_global()
def flow_next(meta: PowerMeta) -> dict[str, list[tuple[Step, str | None]]]:
    """Return each step's next steps with their conditions."""
    steps = {s.id: s for s in meta.steps}
    found: dict[str, list[tuple[Step, str | None]]] = {}
    for a, b, when in edges_of(meta):
        found.setdefault(a, []).append((steps[b], when))
    return found


@blueprint.app_template_global()
def risk_summary(meta: PowerMeta) -> str:
    """Return the item's risk points by level: 高风险 1 个、中风险 2 个 (empty when none)."""
    found = Counter(r.level for s in meta.steps for r in s.risks)
    return "、".join(f"{level}风险 {found[level]} 个" for level in LEVEL_SLUGS if found[level])


def list_pages(site: Site) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield every URL of this blueprint, for the freezer."""
    index = approval_index(site)
    yield from _paginated("lists.approvals", {}, _pages(index.all))
    for dimension, facets in index.facets.items():
        for key, facet in facets.items():
            yield from _paginated("lists.approvals_facet", {"dimension": dimension, "key": key}, _pages(facet))
    yield "lists.powers", {}
    yield "lists.risks", {}
    for record in site.records:
        if record.extra.get("svg"):
            yield "lists.flowchart", {"slug": record.slug}


def _paginated(endpoint: str, values: dict[str, Any], pages: int) -> Iterator[tuple[str, dict[str, Any]]]:
    yield endpoint, values
    for number in range(2, pages + 1):
        yield endpoint, {**values, "page": number}
