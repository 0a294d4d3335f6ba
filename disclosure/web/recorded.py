"""Freezing with each page's reads recorded (disclosure.site.reads), and the app's own fingerprint.

A page's read set opens when Flask starts its request and closes when Frozen-Flask has
written it. What the app computed once for every page before any request — its routes
and its template globals (the navigation, the feeds of the head …) — is not a read of any
page: `app_fingerprint` hashes it by value, and a change of it renders every page.
"""

from __future__ import annotations

from collections.abc import Iterator
from unicodedata import normalize
from urllib.parse import unquote

from flask import Config, Flask
from flask_frozen import Freezer
from werkzeug.local import LocalProxy

from disclosure.site.reads import Key, end_page, fingerprint, start_page


def record_reads(app: Flask) -> None:
    """Open a fresh read set at the start of every request of `app`."""
    app.before_request(start_page)


def freeze_recorded(freezer: Freezer) -> Iterator[tuple[str, set[Key]]]:
    """Freeze like `freeze_yield`; yield each written file (relative path, as `page_files`
    names it) with what its page read."""
    for page in freezer.freeze_yield():
        reads = end_page()
        yield normalize("NFC", str(freezer.urlpath_to_filepath(unquote(page.url)))), reads


def app_fingerprint(app: Flask) -> str:
    """Return a digest of what `app` holds for every page: its URL rules, its template globals
    by value (functions by name: their code is in the code digest) and its settings but the
    Site (read page by page) and the folder it writes to."""
    rules = sorted(
        (rule.rule, rule.endpoint, sorted(rule.methods or ())) for rule in app.url_map.iter_rules()
    )
    shown = {
        name: value
        for name, value in app.jinja_env.globals.items()
        if not isinstance(value, (LocalProxy, Config))  # request, session, g; config holds the Site
    }
    settings = {
        k: v for k, v in app.config.items() if k not in ("SITE", "FREEZER_DESTINATION")
    }  # LINK_BASE …
    return fingerprint((rules, sorted(shown.items()), sorted(settings.items())))
