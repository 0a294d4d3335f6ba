"""The 政府信息公开 section: 指南 · 制度 · 法定主动公开内容 · 年报 (国办公开办函〔2019〕61号).

Views only look things up in `site.openness`, built once by disclosure.site.openness.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, current_app, render_template

from disclosure.core.labels import LABELS
from disclosure.rules.annual_report import APPLICANTS, GROUPS, REVIEW_COLUMNS
from disclosure.site.model import Site
from disclosure.site.openness import Openness

blueprint = Blueprint("openness", __name__)


def _openness() -> Openness:
    site: Site = current_app.config["SITE"]
    return site.openness


@blueprint.route("/disclosure/")
def index() -> str:
    return render_template("openness.html", openness=_openness())


@blueprint.route("/guide/")
def guide() -> str:
    return render_template("guide.html", openness=_openness())


@blueprint.route("/rules/")
def rules() -> str:
    return render_template("rules.html", openness=_openness())


@blueprint.route("/statutory/")
def statutory() -> str:
    return render_template("statutory.html", openness=_openness())


@blueprint.route("/statutory/<key>/")
def statutory_item(key: str) -> str:
    item = _openness().statutory_item(key) or abort(404)
    return render_template("statutory_item.html", item=item)


@blueprint.route("/reports/")
def reports() -> str:
    return render_template("reports.html", openness=_openness())


@blueprint.route("/reports/<int:year>/")
def report(year: int) -> str:
    found = _openness().report(year) or abort(404)
    return render_template(
        "report.html",
        report=found,
        applicants=APPLICANTS,
        review_columns=REVIEW_COLUMNS,
        groups=GROUPS,
        labels=LABELS,
    )


def openness_pages(site: Site) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield every URL of the section for the freezer, from the site model only."""
    for endpoint in ("index", "guide", "rules", "statutory", "reports"):
        yield f"openness.{endpoint}", {}
    for item in site.openness.statutory:
        yield "openness.statutory_item", {"key": item.key}
    for found in site.openness.reports:
        yield "openness.report", {"year": found.year}
