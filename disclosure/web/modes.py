"""长者模式 and 无障碍: the site under /care/ and /a11y/, the very files of the standard site.

A static host cannot remember a preference, and the issue forbids requiring JavaScript,
so each mode is a prefix: every page `/x/` is also `/care/x/` (长者模式) and `/a11y/x/`
(无障碍). Every page is one file for every mode (`shared_page` in
`disclosure/core/reading_modes.py`: document-relative page links, so the reader stays in the
mode they entered until they follow 退出, and a document-relative `mode.css`, the look of the
folder the page is read in). So a mode's folder holds only its stylesheet and relative
symbolic links: to each folder at the top of the site (`/care/records` → `../records`) and to
the home page (`/care/index.html` → `../index.html`): a few dozen links, whatever the size of
the site, and no page of its own to derive, write, link or scan on each build. Three folders
hold, beside their pages, files that pages load by root-relative links only (the static search
index `search/data/`, the feeds, the open data files): a mode gets a folder of its own for
each, with links to its pages only, so that a host copying what the links point to (below)
does not store those files once more per mode. A `build --relative` output links every
top-level entry: its pages reach every file by a relative link, which under a mode stays
under the mode's folder.

What a host needs: to follow symbolic links inside the site folder (nginx and Apache do by
default; `deploy/` relies on it). Tools that copy the folder elsewhere either keep the links
(`rsync -a`, `cp -a`, `tar`) or copy what they point to (`scp -r`, `zip`, object-storage
uploads such as `aws s3 sync`), which stores the pages once per mode, as before.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import request
from markupsafe import Markup

from disclosure.core.reading_modes import MODES, STYLESHEET, switch_html
from disclosure.core.reading_modes import is_page_link as is_page_link  # tests use it from here
from disclosure.web.static_files import minify_css

STYLES = Path(__file__).resolve().parents[2] / "templates" / "modes"  # common.css, then <mode>.css
STANDARD_SHEET = "/* 标准模式：site.css 之外没有别的样式 */\n"


def mode_switch() -> Markup:
    """Jinja global: the switch for the page being rendered."""
    return Markup(switch_html(request.path))


def mode_stylesheet(mode: str) -> str:
    """Return `/<mode>/mode.css`: what both modes share, then the mode's own rules, minified."""
    return minify_css(
        "\n".join((STYLES / name).read_text(encoding="utf-8") for name in ("common.css", f"{mode}.css"))
    )


# top-level folders whose other files pages load by root-relative links only: a mode links their pages
PAGES_ONLY = frozenset({"search", "feeds", "data"})


def mode_links(root: Path, everything: bool = False) -> dict[str, str]:
    """Return what each mode's folder links (its path in the folder → the link's relative target):
    every top-level folder of `root` and page (`*.html`), a PAGES_ONLY folder's pages only;
    `everything` (`build --relative`, where no link starts at the root): every top-level entry."""
    links: dict[str, str] = {}
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        name = entry.name
        if name in MODES or name.startswith(".") or name == STYLESHEET:
            continue
        if not entry.is_dir(follow_symlinks=False):
            if name.endswith(".html") or everything:
                links[name] = f"../{name}"
        elif name not in PAGES_ONLY or everything:
            links[name] = f"../{name}"
        else:
            for inner in sorted(os.scandir(entry.path), key=lambda e: e.name):
                page_folder = inner.is_dir(follow_symlinks=False) and os.path.isfile(os.path.join(inner.path, "index.html"))
                if inner.name == "index.html" or page_folder:
                    links[f"{name}/{inner.name}"] = f"../../{name}/{inner.name}"
    return links


def write_mode_pages(root: Path, everything: bool = False) -> int:
    """Write the stylesheet of the standard site and of each mode, and each mode's links
    (`mode_links`, `everything` for `build --relative`); return the links made."""
    _write(root / STYLESHEET, STANDARD_SHEET)
    links = mode_links(root, everything)
    made = 0
    for mode in MODES:
        folder = root / mode
        folder.mkdir(exist_ok=True)
        _write(folder / STYLESHEET, mode_stylesheet(mode))
        for name, target in links.items():
            link = folder / name
            if link.is_symlink() and os.readlink(link) == target:
                continue
            link.parent.mkdir(exist_ok=True)
            link.unlink(missing_ok=True)
            link.symlink_to(target)
            made += 1
    return made


def _write(file: Path, text: str) -> None:
    file.unlink(missing_ok=True)  # never write through a hard link into the live site
    file.write_text(text, encoding="utf-8")
