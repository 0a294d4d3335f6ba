"""`create_app(site)`: the Flask application for one already-built site model."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app, request

from disclosure.core.reading_modes import shared_page
from disclosure.core.site_links import base_path, rebase
from disclosure.site.model import Site
from disclosure.web import filters, kind_pages, modes, openness_views, reuse, static_files, views

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def create_app(site: Site, settings: dict[str, object] | None = None) -> Flask:
    """Return a Flask app serving `site`; `settings` override Flask/Frozen-Flask config.

    Pages are rendered as if the site were at the root of its host; LINK_BASE (default: the
    path of `base_url`, "/gkml/") is put in front of their root-relative links as they
    leave (`disclosure.core.site_links`); `build --relative` renders with "/" and makes
    them relative afterwards. A page at a folder then leaves as the one file of every
    reading mode (`disclosure.core.reading_modes.shared_page`)."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(TEMPLATES / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SITE=site,
        FREEZER_REMOVE_EXTRA_FILES=False,
        FREEZER_IGNORE_404_NOT_FOUND=False,
        FREEZER_REDIRECT_POLICY="error",
        SERVER_NAME=None,
        LINK_BASE=base_path(site.config.root_url),
    )
    app.config.update(settings or {})
    app.jinja_env.autoescape = True  # also .xml and .txt templates: every field is escaped
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["mode_switch"] = modes.mode_switch
    app.jinja_env.globals["link_base"] = lambda: current_app.config["LINK_BASE"]  # for text outputs (robots.txt)
    app.register_blueprint(views.blueprint)
    kind_pages.register(app, site)
    app.register_blueprint(openness_views.blueprint)
    reuse.register(app, site)
    static_files.register(app)
    filters.register(app, site)  # last: its URL table needs every route
    app.after_request(_placed)
    return app


def _placed(response: Response) -> Response:
    """Move a rendered page's links under the path the site lives under and, for a page at a
    folder, make it the page of every reading mode (files sent as they are)."""
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    base = str(current_app.config["LINK_BASE"])
    html = rebase(response.get_data(as_text=True), base)
    if request.path.endswith("/") and response.status_code == 200:
        html = shared_page(html, request.path, base)
    response.set_data(html)
    return response
