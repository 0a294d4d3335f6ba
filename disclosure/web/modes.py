"""长者模式 and 无障碍: whole parallel copies of the site that work without JavaScript.

A static host cannot remember a preference, and the issue forbids requiring JavaScript,
so each mode is a prefix: every page `/x/` also exists as `/care/x/` (长者模式) and
`/a11y/x/` (无障碍). A mode page is the standard page with `class="mode-…"` on `<html>`
(site.css does the rest) and every internal page link moved under the prefix, so the
reader stays in the mode from page to page until they follow 退出.

The copies are derived from the frozen pages rather than rendered again: rendering is
~5 ms a page, the derivation ~0.2 ms, and the build has a time budget (3,400 laws ≤ 60 s).
The rule is exact for our own output: a page link is a root-relative href/action whose
path ends in "/"; static files, attachments, feeds and data never do. The rule itself
(`apply_mode`) is in `disclosure/core/reading_modes.py`: the search stage makes the mode
frames of the service's result pages with it, and the service moves the links of the
results it renders by the same rule (`search/service/modes.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import request
from markupsafe import Markup

from disclosure.core.reading_modes import HTML_OPEN, MODES, apply_mode, switch_html
from disclosure.core.reading_modes import is_page_link as is_page_link  # tests use it from here
from disclosure.core.workers import worker_pool
from disclosure.outputs.publish import link_file, make_parent


def mode_switch() -> Markup:
    """Jinja global: the switch for the page being rendered (always the standard rendering)."""
    return Markup(switch_html(request.path))


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
    """Write `/care/…` and `/a11y/…` copies of every page under `root`; return files written.
    `base` is the path the site lives under (`disclosure.core.site_links`): its pages' links start with it.

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
        return _derive(root, todo, base)
    # a cold build of a large site: thousands of pages, on every core
    with worker_pool(workers) as pool:
        return sum(pool.map(_derive, [root] * workers, [todo[i::workers] for i in range(workers)], [base] * workers))


PARALLEL_THRESHOLD = 400


def _derive(root: Path, pages: list[tuple[Path, str]], base: str) -> int:
    """Write the mode copies of `pages`; return how many files were written."""
    written = 0
    for file, path in pages:
        relative = file.relative_to(root)
        html = file.read_text(encoding="utf-8")
        if HTML_OPEN not in html:  # not one of ours (a raw HTML attachment, say)
            continue
        for mode in MODES:
            target = root / mode / relative
            make_parent(target)
            target.unlink(missing_ok=True)  # never write through a hard link into the live site
            target.write_text(apply_mode(html, mode, path, base), encoding="utf-8")
            written += 1
    return written


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _link_modes(previous: Path, root: Path, relative: Path) -> bool:
    return all(link_file(previous / mode / relative, root / mode / relative) for mode in MODES)
