"""The reading modes: 长者模式 and 无障碍模式, each a copy of the site under its own URL prefix.

The web layer makes the copies (`disclosure/web/modes.py`) with `apply_mode`, which lives
here so that the search stage can make the mode frames of the service's result pages with
the same rule (`search/index/stage.py`); the last gate over the output
(`disclosure/outputs/output_gate.py`) skips them, since they only move links of pages it
reads.
"""

from __future__ import annotations

import re

from markupsafe import escape

from disclosure.core.site_links import rebase, rooted_links

# URL prefix (also the class mode-<prefix> on <html>) → the name readers see
MODES: dict[str, str] = {"care": "长者模式", "a11y": "无障碍模式"}

STANDARD = "std"
_LINK = re.compile(r'(<(?:a|form|link)\b[^>]*?\s(?:href|action)=")(/[^"]*)"')
HTML_OPEN = '<html lang="zh-CN" class="mode-std">'


def mode_of(path: str) -> str:
    """Return the mode a URL path is in: "care", "a11y" or "std"."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in MODES else STANDARD


def in_mode(path: str, mode: str) -> str:
    """Return `path` (a standard path, maybe with ?query or #fragment) moved into `mode`."""
    return path if mode == STANDARD else f"/{mode}{path}"


def switch_html(path: str, mode: str = STANDARD) -> str:
    """Return the mode switch for the page at standard `path`, as seen in `mode`."""
    page = path if path.endswith("/") else "/"  # 404.html is served anywhere: go home
    items = []
    if mode != STANDARD:
        items.append(f'<li><a class="mode-exit" href="{escape(page)}">退出{MODES[mode]}</a></li>')
    for other, name in MODES.items():
        if other != mode:
            items.append(f'<li><a href="{escape(in_mode(page, other))}">{name}</a></li>')
    return f'<ul class="modes" aria-label="浏览模式">{"".join(items)}</ul>'


def is_page_link(target: str) -> bool:
    """Return whether a root-relative link points to an HTML page that has mode copies."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if target.startswith("//") or not path.endswith("/"):
        return False
    return mode_of(path) == STANDARD and not path.startswith(("/static/", "/api/"))


def apply_mode(html: str, mode: str, path: str, base: str = "/") -> str:
    """Return the standard page `html` (served at standard `path`) as a page of `mode`;
    `base` is the path the site lives under, which its links start with ("/gkml/")."""
    if mode == STANDARD:
        return html

    def move(match: re.Match[str]) -> str:
        target = match.group(2)
        page = "/" + target.removeprefix(base) if target.startswith(base) else ""
        return match.group(1) + (base[:-1] + in_mode(page, mode) if page and is_page_link(page) else target) + '"'

    # a mode copy lives one folder deeper: its document-relative links (a body's "附件.pdf",
    # the search page's "../static/search.js") are written from the root first
    html = _LINK.sub(move, rooted_links(html, base + path.lstrip("/")))
    html = html.replace(rebase(switch_html(path), base), rebase(switch_html(path, mode), base), 1)
    # Mode copies are for reading, not for search engines: the standard page is canonical.
    return html.replace(
        HTML_OPEN,
        f'<html lang="zh-CN" class="mode-{mode}" data-prefix="/{mode}">',
        1,
    ).replace(
        '<meta charset="utf-8">', '<meta charset="utf-8">\n<meta name="robots" content="noindex, follow">', 1
    )
