"""`create_app(site)`: the Flask application for one already-built site model."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from disclosure.site.model import Site
from disclosure.web import filters, kind_pages, modes, openness_views, reuse, views

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def create_app(site: Site, settings: dict[str, object] | None = None) -> Flask:
    """Return a Flask app serving `site`; `settings` override Flask/Frozen-Flask config."""
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
    )
    app.config.update(settings or {})
    app.jinja_env.autoescape = True  # also .xml and .txt templates: every field is escaped
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["mode_switch"] = modes.mode_switch
    app.register_blueprint(views.blueprint)
    kind_pages.register(app, site)
    app.register_blueprint(openness_views.blueprint)
    reuse.register(app, site)
    filters.register(app, site)  # last: its URL table needs every route
    return app
