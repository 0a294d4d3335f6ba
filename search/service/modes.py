"""The reading modes in the search service: `/care/search/?q=` and `/a11y/search/?q=`.

Every page is one file for the standard site and both modes, its page links document-relative
(`disclosure/core/reading_modes.py`, `shared_page`). The service cannot import that module (it
loads no `disclosure`): the frame of a mode's result page is the frozen search page, written at
build time (`.search/page.care.html` …, `search.stored.mode_page_file`); the results the service puts
into it are its own, so their page links are moved here under the mode's prefix, absolute
(`/care/records/…/`), which reaches the same pages as the frame's relative links
(tests/test_search_feed_modes.py checks a results page in each mode).
"""

from __future__ import annotations

import re

from search.stored import READING_MODES

STANDARD = "std"
_LINK = re.compile(r'(<(?:a|form|link)\b[^>]*?\s(?:href|action)=")(/[^"]*)"')
SEARCH_PATHS = {"/search/": STANDARD, **{f"/{mode}/search/": mode for mode in READING_MODES}}


def mode_of_search(path: str) -> str | None:
    """Return the mode of a search page path ("/care/search/" → "care"; index.html too), or None."""
    return SEARCH_PATHS.get(path.removesuffix("index.html"))


def is_page_link(target: str) -> bool:
    """Return whether a root-relative link points to a page that has mode copies."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if target.startswith("//") or not path.endswith("/"):
        return False
    first = path.lstrip("/").split("/", 1)[0]
    return first not in READING_MODES and not path.startswith(("/static/", "/api/"))


def move_links(html: str, mode: str) -> str:
    """Return an HTML fragment with its page links moved into `mode` (unchanged in the standard mode)."""
    if mode == STANDARD:
        return html

    def move(match: re.Match[str]) -> str:
        target = match.group(2)
        return match.group(1) + (f"/{mode}{target}" if is_page_link(target) else target) + '"'

    return _LINK.sub(move, html)


def rebase(html: str, base: str) -> str:
    """Return an HTML fragment with its root-relative links under `base` ("/gkml/"): the rule
    `disclosure.core.site_links.rebase` applies to every page, for what the service writes
    (links of a, form and link; tests/test_sub_path.py checks both agree)."""
    if base == "/":
        return html
    return _LINK.sub(lambda m: m.group(1) + (m.group(2) if m.group(2).startswith("//") else base + m.group(2)[1:]) + '"', html)
