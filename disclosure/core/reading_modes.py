"""The reading modes: 长者模式 and 无障碍模式, the site under the URL prefixes /care/ and /a11y/.

One mode page per standard page serves both modes: its bytes do not depend on the mode.
`mode_page` makes it from the standard page `/x/`: every internal page link is made
*document-relative* (`../../catalog/` from `/records/a/`), so read at `/care/records/a/` it
stays under `/care/`, read at `/a11y/records/a/` under `/a11y/`; the page loads the mode's
look with a document-relative stylesheet (`../../mode.css`: `/care/mode.css` or
`/a11y/mode.css`, written from `templates/modes/`); the switch holds every way out (退出…,
长者模式, 无障碍模式, absolute links under the site's base path) and each mode's stylesheet
hides the two that do not belong to it (display:none: also out of the accessibility tree).
Other links (static files, attachments, feeds) stay root-relative: they are the same files
in every mode. Mode pages are for reading: `noindex`, and the standard page stays canonical.

The web layer writes the page once and hard-links it into the other mode's tree
(`disclosure/web/modes.py`); the search stage makes the frame of the service's result pages
with the same rule (`search/index/stage.py`); the last gate over the output
(`disclosure/outputs/output_gate.py`) skips the mode trees, since they only move links of
pages it reads.
"""

from __future__ import annotations

import re

from markupsafe import escape

from disclosure.core.site_links import rebase, rooted_links

# URL prefix → the name readers see
MODES: dict[str, str] = {"care": "长者模式", "a11y": "无障碍模式"}

STANDARD = "std"
STYLESHEET = "mode.css"  # of each mode, at /care/mode.css and /a11y/mode.css
_LINK = re.compile(r'(<(?:a|form|link)\b[^>]*?\s(?:href|action)=")(/[^"]*)"')
HTML_OPEN = '<html lang="zh-CN" class="mode-std">'
MODE_OPEN = '<html lang="zh-CN" class="mode-page">'


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
    """Return the mode switch of the standard page at `path`."""
    page = _folder(path)
    items = "".join(
        f'<li><a href="{escape(in_mode(page, mode))}">{name}</a></li>' for mode, name in MODES.items()
    )
    return f'<ul class="modes" aria-label="浏览模式">{items}</ul>'


def mode_switch_html(path: str) -> str:
    """Return the switch of the mode page of standard `path`, the same in every mode: 退出 of
    each mode (class exit-<mode>) and the way into each (class to-<mode>); a mode's
    stylesheet shows its own 退出 and the other modes (templates/modes/)."""
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


def mode_page(html: str, path: str, base: str = "/") -> str:
    """Return the mode page of the standard page `html` (served at standard `path`), one for
    both modes; `base` is the path the site lives under, which its links start with ("/gkml/")."""
    up = up_to_root(path)

    def move(match: re.Match[str]) -> str:
        target = match.group(2)
        page = "/" + target.removeprefix(base) if target.startswith(base) else ""
        if not page or not is_page_link(page):
            return match.group(0)
        relative = up + page[1:]
        # from the root page ("" up) "./" always: "a:b/" would read as a scheme, "" or "?x" as this page
        return match.group(1) + (relative if up else "./" + relative) + '"'

    # a mode page lives one folder deeper: its document-relative links (a body's "附件.pdf",
    # the search page's "../static/search.js") are written from the root first
    html = _LINK.sub(move, rooted_links(html, base + path.lstrip("/")))
    html = html.replace(rebase(switch_html(path), base), rebase(mode_switch_html(path), base), 1)
    sheet = f'<link rel="stylesheet" href="{base}static/site.css">'
    mode_sheet = f'<link rel="stylesheet" href="{up}{STYLESHEET}">'  # after site.css: the cascade of old
    html = (
        html.replace(sheet, f"{sheet}\n{mode_sheet}", 1)
        if sheet in html
        else html.replace("</head>", f"{mode_sheet}\n</head>", 1)
    )
    # Mode pages are for reading, not for search engines: the standard page is canonical.
    return html.replace(HTML_OPEN, MODE_OPEN, 1).replace(
        '<meta charset="utf-8">', '<meta charset="utf-8">\n<meta name="robots" content="noindex, follow">', 1
    )
