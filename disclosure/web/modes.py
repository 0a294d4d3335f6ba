"""长者模式 and 无障碍: the site under /care/ and /a11y/, one shared page per standard page.

A static host cannot remember a preference, and the issue forbids requiring JavaScript,
so each mode is a prefix: every page `/x/` also exists as `/care/x/` (长者模式) and
`/a11y/x/` (无障碍). Both are the same file: the mode page (`mode_page` in
`disclosure/core/reading_modes.py`) has document-relative page links, so the reader stays
in the mode they entered until they follow 退出, and it loads `mode.css` of the folder it
is read in (`/care/mode.css`, `/a11y/mode.css`, written here from `templates/modes/`).

The page is derived from the frozen standard page rather than rendered again (rendering is
~5 ms a page, the derivation ~0.2 ms), written once under `/care/` and hard-linked as
`/a11y/…`: the modes cost one file's bytes on disk, not two, and half the writing. Where
the file system refuses a hard link, the page is copied (same bytes). What a host gets:
nginx serving the output folder reads the one file under both names; a host the site is
uploaded to (object storage, a CDN, FTP, scp -r, rsync without -H, a zip) stores the names apart, so it
holds both trees' bytes as before, the pages unchanged. A page the incremental freeze
hard-linked from `previous` (the live site) is the very same file, so its mode pages are
linked from there too instead of derived again.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import request
from markupsafe import Markup

from disclosure.core.reading_modes import HTML_OPEN, MODES, STYLESHEET, mode_page, switch_html
from disclosure.core.reading_modes import is_page_link as is_page_link  # tests use it from here
from disclosure.core.workers import worker_pool
from disclosure.outputs.publish import link_file, make_parent
from disclosure.web.static_files import minify_css

STYLES = Path(__file__).resolve().parents[2] / "templates" / "modes"  # common.css, then <mode>.css


def mode_switch() -> Markup:
    """Jinja global: the switch for the page being rendered (always the standard rendering)."""
    return Markup(switch_html(request.path))


def mode_stylesheet(mode: str) -> str:
    """Return `/<mode>/mode.css`: what both modes share, then the mode's own rules, minified."""
    return minify_css(
        "\n".join((STYLES / name).read_text(encoding="utf-8") for name in ("common.css", f"{mode}.css"))
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


def write_mode_pages(root: Path, previous: Path | None = None, base: str = "/") -> int:
    """Write the mode page of every page under `root` as `/care/…` and `/a11y/…` (one file,
    two names) and each mode's stylesheet; return the mode pages written.
    `base` is the path the site lives under (`disclosure.core.site_links`): its pages' links start with it."""
    for mode in MODES:
        sheet = root / mode / STYLESHEET
        make_parent(sheet)
        sheet.unlink(missing_ok=True)  # never write through a hard link
        sheet.write_text(mode_stylesheet(mode), encoding="utf-8")
    todo: list[tuple[Path, str]] = []
    for file, path in page_files(root):
        relative = file.relative_to(root)
        if previous and _same_file(file, previous / relative) and _link_modes(previous, root, relative):
            continue
        todo.append((file, path))
    workers = min(os.cpu_count() or 1, 4)
    if len(todo) < PARALLEL_THRESHOLD or workers == 1:
        return _derive(root, todo, base)
    # a cold build of a large site: thousands of pages, on every core
    with worker_pool(workers) as pool:
        return sum(
            pool.map(_derive, [root] * workers, [todo[i::workers] for i in range(workers)], [base] * workers)
        )


PARALLEL_THRESHOLD = 400


def _derive(root: Path, pages: list[tuple[Path, str]], base: str) -> int:
    """Write the mode page of each of `pages` under the first mode, linked into the others;
    return how many were written."""
    first, *others = MODES
    written = 0
    for file, path in pages:
        relative = file.relative_to(root)
        html = file.read_text(encoding="utf-8")
        if HTML_OPEN not in html:  # not one of ours (a raw HTML attachment, say)
            continue
        target = root / first / relative
        make_parent(target)
        target.unlink(missing_ok=True)  # never write through a hard link into the live site
        target.write_text(mode_page(html, path, base), encoding="utf-8")
        for mode in others:
            (root / mode / relative).unlink(missing_ok=True)
            link_file(target, root / mode / relative, copy=True)
        written += 1
    return written


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _link_modes(previous: Path, root: Path, relative: Path) -> bool:
    return all(link_file(previous / mode / relative, root / mode / relative) for mode in MODES)
