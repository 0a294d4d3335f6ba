"""The preview's pages, rendered on request from the site model `serve` holds in memory.

A saved record reaches the open tab without waiting for the build: `serve` reads the content
again (validation, the site model: about 1.5 s on the 3,482-record corpus, against some 20 s
for a whole build with its search indexes), hands the new model to `LivePages` and tells the tab
to reload; the build follows in the background, and the search service and the files that are
not pages (feeds, data, the static search) come from it. A page is the very response the build
freezes (`disclosure/web/freeze.py` writes what the same `create_app` answers), and a page
under /care/ or /a11y/ is that same page (the build's mode folders link to the standard
pages: `disclosure/web/modes.py`); so the preview never shows a page the build would write
otherwise.

Only pages are rendered here (a path ending in `/` or `.html`, outside /static/): every HTML
file of the output is a page of the app (tests/test_live_preview.py checks it), so a page the
model no longer has (a record deleted a moment ago) is answered 404 at once rather than from
the output folder the build has not replaced yet.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import quote

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from disclosure.core.reading_modes import MODES
from disclosure.site.model import Site
from disclosure.web.app import create_app


@dataclass(frozen=True)
class LivePage:
    """One answer of the live pages: its status and HTML."""

    status: int
    html: bytes


class CompiledTemplates(BytecodeCache):
    """The templates compiled once for every app of the preview: a new model's app would
    compile them again (some 70 ms before its first page). Jinja keys each by its source's
    checksum, so a saved template is compiled anew."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class LivePages:
    """The pages of the latest site model that validated (none before the first)."""

    def __init__(self) -> None:
        self._app: Flask | None = None
        self._lock = threading.Lock()
        self._compiled = CompiledTemplates()

    def update(self, site: Site) -> None:
        """Answer from `site` from now on (a new app: templates saved since are read again)."""
        app = create_app(site)
        app.jinja_env.bytecode_cache = self._compiled
        with self._lock:
            self._app = app

    def page(self, path: str) -> LivePage | None:
        """Return the page at `path` (the site's own path, its sub-path removed), 404 for a page
        the model does not have; None for what is not a page (a file the build writes) or
        before any model is in."""
        with self._lock:
            app = self._app
        if app is None or not is_page_path(path):
            return None
        mode = path.split("/")[1]
        standard = path[len(mode) + 1 :] if mode in MODES else path
        if not is_page_path(standard):  # /care/mode.css, or /care itself
            return None
        standard = standard.removesuffix("index.html")  # a folder's page by its file's name, as a web server serves it
        with app.test_client() as client:
            # the path as it came, decoded once: `?`, `#` and `%` in it are characters of the path
            answer = client.get(quote(standard, safe="/"))
            if answer.status_code == 404:  # the output's 404.html, as the web server answers
                return LivePage(404, client.get("/404.html").get_data())
            status, html = answer.status_code, answer.get_data()
        if status != 200 or answer.mimetype != "text/html":
            return None
        return LivePage(200, html)


def is_page_path(path: str) -> bool:
    """Return whether `path` names a page of the app rather than a file written beside the pages."""
    return path.startswith("/") and not path.startswith("/static/") and (path.endswith("/") or path.endswith(".html"))
