"""The 政府信息公开 section: 指南 · 依申请公开 · 制度 · 法定主动公开内容 · 年报 (国办公开办函〔2019〕61号).

Views only look things up in `site.openness`, built once by disclosure.site.openness.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, current_app, render_template

from disclosure.core.labels import LABELS
from disclosure.outputs.application_form import (
    APPLICATION_FORM,
    FORM,
    FORM_NOTE,
    FORM_TITLE,
    SIGNATURE,
    boxes,
    form_heading,
    send_to,
)
from disclosure.rules.annual_report import APPLICANTS, GROUPS, REVIEW_COLUMNS
from disclosure.site.model import Site
from disclosure.site.openness import Openness
from disclosure.web.table_headers import cell_headers

blueprint = Blueprint("openness", __name__)
blueprint.add_app_template_filter(cell_headers, "cell_headers")  # the report's and the form's deep tables


def _openness() -> Openness:
    site: Site = current_app.config["SITE"]
    return site.openness


@blueprint.route("/disclosure/")
def index() -> str:
    return render_template("openness.html", openness=_openness())


@blueprint.route("/guide/")
def guide() -> str:
    return render_template("guide.html", openness=_openness())


@blueprint.route("/apply/")
def apply() -> str:
    site: Site = current_app.config["SITE"]
    return render_template(
        "apply.html", openness=_openness(), channels=site.config.channels, docx_url=f"/{APPLICATION_FORM}"
    )


@blueprint.route("/apply/form/")
def apply_form() -> str:
    site: Site = current_app.config["SITE"]
    return render_template(
        "apply_form.html",
        form=FORM,
        signature=SIGNATURE,
        boxes=boxes,
        title=FORM_TITLE,
        heading=form_heading(site.config),
        note=FORM_NOTE,
        send_to=send_to(site.config.channels),
        docx_url=f"/{APPLICATION_FORM}",
    )


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
    for endpoint in ("index", "guide", "apply", "apply_form", "rules", "statutory", "reports"):
        yield f"openness.{endpoint}", {}
    for item in site.openness.statutory:
        yield "openness.statutory_item", {"key": item.key}
    for found in site.openness.reports:
        yield "openness.report", {"year": found.year}
