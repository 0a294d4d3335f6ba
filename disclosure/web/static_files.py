"""Stylesheets as they leave the app: comments and layout whitespace dropped, strings as written.

templates/static/*.css stay commented for the people who edit them; a reader's phone gets
them without the comments (a page's HTML + CSS + JS is kept under 50 KB, and a 36 KB
document record left its stylesheet 14 KB). The rule is small and exact for CSS: quoted
strings (content labels, data: URLs) are copied untouched; a comment is dropped; a run of
whitespace becomes one space, or nothing next to `{ } ; , >` and after `:`, where it never
means anything (a space before `:` or `(` may be a descendant combinator or `and (…)`: kept).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, Response, abort
from werkzeug.security import safe_join

_PARTS = re.compile(
    r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|/\*.*?\*/|\s+|[{};,>]|[^"'/\s{};,>]+|/""", re.S
)
_TIGHT = frozenset("{};,>")


def minify_css(text: str) -> str:
    """Return the stylesheet `text` without comments and without whitespace that means nothing."""
    out: list[str] = []
    space = False
    for part in _PARTS.findall(text):
        if part.startswith("/*"):
            continue
        if part.isspace():
            space = True
            continue
        if space and out and part not in _TIGHT and out[-1] not in _TIGHT and not out[-1].endswith(":"):
            out.append(" ")
        space = False
        out.append(part)
    return "".join(out)


def register(app: Flask) -> None:
    """Serve (and so freeze) every stylesheet of the static folder minified; other files as they are."""
    folder = Path(str(app.static_folder))

    def static(filename: str) -> Response:
        if not filename.endswith(".css"):
            return app.send_static_file(filename)
        path = safe_join(str(folder), filename)
        if path is None or not Path(path).is_file():
            abort(404)
        return Response(minify_css(Path(path).read_text(encoding="utf-8")), mimetype="text/css")

    app.view_functions["static"] = static
