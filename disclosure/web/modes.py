"""长者模式 and 无障碍: whole parallel copies of the site that work without JavaScript.

A static host cannot remember a preference, and the issue forbids requiring JavaScript,
so each mode is a prefix: every page `/x/` also exists as `/care/x/` (长者模式) and
`/a11y/x/` (无障碍). A mode page is the standard page with `class="mode-…"` on `<html>`
(site.css does the rest) and every internal page link moved under the prefix, so the
reader stays in the mode from page to page until they follow 退出.

The copies are derived from the frozen pages rather than rendered again: rendering is
~5 ms a page, the derivation ~0.2 ms, and the build has a time budget (3,400 laws ≤ 60 s).
The rule is exact for our own output: a page link is a root-relative href/action whose
path ends in "/"; static files, attachments, feeds and data never do. The search service
applies the same function to the pages it renders under a prefix.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import request
from markupsafe import Markup, escape

from disclosure.core.reading_modes import MODES
from disclosure.core.workers import worker_pool
from disclosure.outputs.publish import link_file, make_parent

STANDARD = "std"
_LINK = re.compile(r'(<(?:a|form|link)\b[^>]*?\s(?:href|action)=")(/[^"]*)"')
_HTML_OPEN = '<html lang="zh-CN" class="mode-std">'


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


def mode_switch() -> Markup:
    """Jinja global: the switch for the page being rendered (always the standard rendering)."""
    return Markup(switch_html(request.path))


def is_page_link(target: str) -> bool:
    """Return whether a root-relative link points to an HTML page that has mode copies."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if target.startswith("//") or not path.endswith("/"):
        return False
    return mode_of(path) == STANDARD and not path.startswith(("/static/", "/api/"))


def apply_mode(html: str, mode: str, path: str) -> str:
    """Return the standard page `html` (served at standard `path`) as a page of `mode`."""
    if mode == STANDARD:
        return html

    def move(match: re.Match[str]) -> str:
        target = match.group(2)
        return match.group(1) + (in_mode(target, mode) if is_page_link(target) else target) + '"'

    html = _LINK.sub(move, html)
    # a mode copy lives one folder deeper: document-relative scripts climb one more level
    html = html.replace('<script src="../', '<script src="../../')
    html = html.replace(switch_html(path), switch_html(path, mode), 1)
    # Mode copies are for reading, not for search engines: the standard page is canonical.
    return html.replace(
        _HTML_OPEN,
        f'<html lang="zh-CN" class="mode-{mode}" data-prefix="/{mode}">',
        1,
    ).replace(
        '<meta charset="utf-8">', '<meta charset="utf-8">\n<meta name="robots" content="noindex, follow">', 1
    )


def page_files(root: Path) -> list[tuple[Path, str]]:
    """Return (file, standard URL path) for every index.html page under `root`, modes excluded."""
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in MODES and d != "static" and not d.startswith(".")]
        if "index.html" in files:
            rel = here.relative_to(root).as_posix()
            found.append((here / "index.html", "/" if rel == "." else f"/{rel}/"))
    return found


def write_mode_pages(root: Path, previous: Path | None = None) -> int:
    """Write `/care/…` and `/a11y/…` copies of every page under `root`; return files written.

    A page the incremental freeze hard-linked from `previous` (the live site) is the very
    same file, so its mode copies are linked from there too instead of derived again.
    """
    todo: list[tuple[Path, str]] = []
    for file, path in page_files(root):
        relative = file.relative_to(root)
        if previous and _same_file(file, previous / relative) and _link_modes(previous, root, relative):
            continue
        todo.append((file, path))
    workers = min(os.cpu_count() or 1, 4)
    if len(todo) < PARALLEL_THRESHOLD or workers == 1:
        return _derive(root, todo)
    # a cold build of a large site: thousands of pages, on every core
    with worker_pool(workers) as pool:
        return sum(pool.map(_derive, [root] * workers, [todo[i::workers] for i in range(workers)]))


PARALLEL_THRESHOLD = 400


def _derive(root: Path, pages: list[tuple[Path, str]]) -> int:
    """Write the mode copies of `pages`; return how many files were written."""
    written = 0
    for file, path in pages:
        relative = file.relative_to(root)
        html = file.read_text(encoding="utf-8")
        if _HTML_OPEN not in html:  # not one of ours (a raw HTML attachment, say)
            continue
        for mode in MODES:
            target = root / mode / relative
            make_parent(target)
            target.unlink(missing_ok=True)  # never write through a hard link into the live site
            target.write_text(apply_mode(html, mode, path), encoding="utf-8")
            written += 1
    return written


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _link_modes(previous: Path, root: Path, relative: Path) -> bool:
    return all(link_file(previous / mode / relative, root / mode / relative) for mode in MODES)
