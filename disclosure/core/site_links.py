"""Where the site lives: its links for a sub-path (`base_url` https://host/gkml/) and for file://.

Every page is rendered as if the site were at the root of its host: views, templates,
the reading modes and the search service all write root-relative links (`/catalog/`,
`/static/site.css`). One rule then places them, exact for our own output (every link is
a double-quoted href, src or action whose value starts with one "/"):

- `rebase`: a site under a sub-path gets the path in front of every such link
  (`/catalog/` → `/gkml/catalog/`); the web layer applies it to every page it renders,
  the search service to the results it puts into its frame.
- `relative_links`: `build --relative` makes every such link relative to the page's own
  file, a folder link naming its `index.html` (`/catalog/` seen from `records/a/index.html`
  → `../../catalog/index.html`), so the output works opened from disk and in any folder
  of any host; the pipeline applies it to every page last (whose page links are
  document-relative already, the same in every reading mode: `folder_index_links` names
  their index.html).

Absolute addresses (feeds, sitemap, canonical links, JSON-LD, open data) are built from
`base_url` itself; `absolute_links` makes the links of HTML that leaves the site (a feed
entry's body, where a reader resolves a link against the feed) absolute the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

# a root-relative link: href, src or action of any element, its value starting with one "/"
LINK = re.compile(r'(<[a-zA-Z][^\s>]*\s(?:[^>]*?\s)?(?:href|src|action)=")(/(?!/)[^"]*)"')
# any link of a page's HTML: an href or src
ANY_LINK = re.compile(r'(<[a-zA-Z][^\s>]*\s(?:[^>]*?\s)?(?:href|src)=")([^"]*)"')
_ANY_LINK_OR_ACTION = re.compile(r'(<[a-zA-Z][^\s>]*\s(?:[^>]*?\s)?(?:href|src|action)=")([^"]*)"')


def base_path(root_url: str) -> str:
    """Return the path the site lives under, with both slashes: "/" or "/gkml/"."""
    path = urlsplit(root_url).path.strip("/")
    return f"/{path}/" if path else "/"


def move_links(html: str, move: Callable[[str], str]) -> str:
    """Return `html` with every root-relative link replaced by `move(link)`."""
    return LINK.sub(lambda m: f'{m.group(1)}{move(m.group(2))}"', html)


def rebase(html: str, base: str) -> str:
    """Return a page rendered at the root with its root-relative links under `base` ("/gkml/")."""
    if base == "/":
        return html
    return move_links(html, lambda target: base + target[1:])


def relative_link(target: str, page: str) -> str:
    """Return root-relative `target` as seen from the page file `page` ("records/a/index.html"):
    up to the root ("../../"), then the path, a folder (a path ending in "/") as its index.html,
    query and fragment kept."""
    path, mark, rest = _split(target)
    if path.endswith("/"):
        path += "index.html"
    return "../" * page.count("/") + path[1:] + mark + rest


def relative_links(html: str, page: str) -> str:
    """Return the page at file `page` (relative to the output, "catalog/index.html") with its
    root-relative links made relative to it."""
    return move_links(html, lambda target: relative_link(target, page))


def folder_index_links(html: str) -> str:
    """Return `html` with each document-relative link to a folder ("../../catalog/", "./?q=x")
    naming its index.html ("../../catalog/index.html"): a page's page links, which are
    document-relative (`disclosure.core.reading_modes`), for `build --relative`."""

    def place(target: str) -> str:
        path, mark, rest = _split(target)
        if not path.endswith("/") or path.startswith("/") or urlsplit(target).scheme:
            return target
        return path + "index.html" + mark + rest

    return _ANY_LINK_OR_ACTION.sub(lambda m: f'{m.group(1)}{place(m.group(2))}"', html)


def absolute_links(html: str, page_url: str, root_url: str) -> str:
    """Return HTML of the page at `page_url` with every link absolute: a root-relative one
    ("/catalog/", written as if the site were at the root) under `root_url` (base_url, with its
    path), any other relative one ("x.pdf", "#part") against `page_url`."""

    def place(target: str) -> str:
        if not target or urlsplit(target).scheme or target.startswith("//"):
            return target
        return root_url.rstrip("/") + target if target.startswith("/") else urljoin(page_url, target)

    return ANY_LINK.sub(lambda m: f'{m.group(1)}{place(m.group(2))}"', html)


def _split(target: str) -> tuple[str, str, str]:
    """Return (path, "?" or "#" or "", the rest) of a link."""
    cut = min((i for i in (target.find("?"), target.find("#")) if i >= 0), default=-1)
    return (target, "", "") if cut < 0 else (target[:cut], target[cut], target[cut + 1 :])
