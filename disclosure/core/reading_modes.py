"""The reading modes: 长者模式 and 无障碍模式, the site under the URL prefixes /care/ and /a11y/.

Every page is the same file in every mode. `shared_page` makes the page the app renders at
`/x/` readable under any prefix: each internal page link is made *document-relative*
(`../../catalog/` from `/records/a/`), so read at `/care/records/a/` it stays under `/care/`,
read at `/records/a/` in the standard site; the page loads the look of the folder it is read
in with a document-relative stylesheet (`../../mode.css`: `/mode.css`, `/care/mode.css` or
`/a11y/mode.css`, written from `templates/modes/`); the switch holds every way in and out
(退出…, 长者模式, 无障碍模式: absolute links under the site's base path, left as they are) and
each folder's stylesheet hides those that do not belong to it (display:none: also out of the
accessibility tree; site.css hides the two 退出 for a page read without its mode.css).
Other links (static files, attachments, feeds) stay root-relative: they are the same files
in every mode. The mode trees are therefore links to the standard tree
(`disclosure/web/modes.py`), and cost no page of their own. Search engines are kept out of
them by robots.txt; a record's page names its standard address as canonical.

The 404 page is served at any path: it keeps absolute links and the standard look.
The search stage writes the frame of the service's result pages from the same page
(`search/index/stage.py`); the last gate over the output (`disclosure/outputs/output_gate.py`)
reads each page once, under its standard name.
"""

from __future__ import annotations

import re

from markupsafe import escape

from disclosure.core.site_links import rebase

# URL prefix → the name readers see
MODES: dict[str, str] = {"care": "长者模式", "a11y": "无障碍模式"}

STANDARD = "std"
STYLESHEET = "mode.css"  # of each folder: /mode.css, /care/mode.css and /a11y/mode.css
_LINK = re.compile(r'(<(?:a|form|link)\b[^>]*?\s(?:href|action)=")(/[^"]*)"')


def mode_of(path: str) -> str:
    """Return the mode a URL path is in: "care", "a11y" or "std"."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in MODES else STANDARD


def in_mode(path: str, mode: str) -> str:
    """Return `path` (a standard path, maybe with ?query or #fragment) moved into `mode`."""
    return path if mode == STANDARD else f"/{mode}{path}"


def _folder(path: str) -> str:
    return path if path.endswith("/") else "/"  # 404.html is served anywhere: go home


def switch_html(path: str) -> str:
    """Return the mode switch of the page at standard `path`, the same in every mode: 退出 of
    each mode (class exit-<mode>) and the way into each (class to-<mode>); site.css hides the
    退出 links, a mode's stylesheet shows its own 退出 and hides the way into itself."""
    page = _folder(path)  # escaped where it is written, once
    exits = "".join(
        f'<li class="exit-{mode}"><a class="mode-exit" href="{escape(page)}">退出{name}</a></li>'
        for mode, name in MODES.items()
    )
    enter = "".join(
        f'<li class="to-{mode}"><a href="{escape(in_mode(page, mode))}">{name}</a></li>'
        for mode, name in MODES.items()
    )
    return f'<ul class="modes" aria-label="浏览模式">{exits}{enter}</ul>'


def relative_switch_html(path: str) -> str:
    """Return the switch of the page at standard `path` in a `build --relative` output, where a
    link cannot start at the root: read under /care/ a page is one folder deeper than read at
    its standard place, so 退出 goes one folder further up than the standard page's links, and
    the way from one mode into the other is its own item (class in-mode). The stylesheets show
    each item where it leads right: site.css the ways in, a mode's the 退出 and the in-mode way
    into the other mode (class relative on the switch)."""
    page = _folder(path)
    up, target = up_to_root(page), page[1:] + "index.html"
    exits = "".join(
        f'<li class="exit-{mode}"><a class="mode-exit" href="{escape("../" + up + target)}">退出{name}</a></li>'
        for mode, name in MODES.items()
    )
    enter = "".join(
        f'<li class="to-{mode}"><a href="{escape(up + mode + "/" + target)}">{name}</a></li>' for mode, name in MODES.items()
    )
    across = "".join(
        f'<li class="to-{mode} in-mode"><a href="{escape("../" + up + mode + "/" + target)}">{name}</a></li>'
        for mode, name in MODES.items()
    )
    return f'<ul class="modes relative" aria-label="浏览模式">{exits}{enter}{across}</ul>'


def is_page_link(target: str) -> bool:
    """Return whether a root-relative link points to an HTML page that has mode copies."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if target.startswith("//") or not path.endswith("/"):
        return False
    return mode_of(path) == STANDARD and not path.startswith(("/static/", "/api/"))


def up_to_root(path: str) -> str:
    """Return the way from the folder of standard page `path` up to the site's root ("../../"
    from "/records/a/", "" from "/"): a mode page's links start with it."""
    return "../" * max(_folder(path).count("/") - 1, 0)


def shared_page(html: str, path: str, base: str = "/") -> str:
    """Return the page `html` the app rendered at standard folder `path` made the same file for
    every mode: its page links document-relative (the switch's aside), its mode's stylesheet
    linked after site.css; `base` is the path the site lives under, which its links start with
    ("/gkml/")."""
    up = up_to_root(path)

    def move(match: re.Match[str]) -> str:
        target = match.group(2)
        page = "/" + target.removeprefix(base) if target.startswith(base) else ""
        if not page or not is_page_link(page):
            return match.group(0)
        relative = up + page[1:]
        # from the root page ("" up) "./" always: "a:b/" would read as a scheme, "" or "?x" as this page
        return match.group(1) + (relative if up else "./" + relative) + '"'

    switch = rebase(switch_html(path), base)
    before, found, after = html.partition(switch)
    html = _LINK.sub(move, before) + found + _LINK.sub(move, after)
    sheet = f'<link rel="stylesheet" href="{base}static/site.css">'
    mode_sheet = f'<link rel="stylesheet" href="{up or "./"}{STYLESHEET}">'  # after site.css: the cascade of old
    return (
        html.replace(sheet, f"{sheet}\n{mode_sheet}", 1)
        if sheet in html
        else html.replace("</head>", f"{mode_sheet}\n</head>", 1)
    )
