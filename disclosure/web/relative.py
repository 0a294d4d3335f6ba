"""`build --relative`: every page's links relative to its own file, for file:// and any folder.

Opened from disk, a root-relative link (`/static/site.css`) names the root of the disk and
a folder (`catalog/`) shows a listing, so the pages of a `--relative` build link
`../static/site.css` and `../catalog/index.html` (`disclosure.core.site_links`). The pass
runs last over the staging folder and leaves alone what the build keeps for itself
(`.search/`, `.build/`), the reading modes' folders (links to the standard tree:
`disclosure/web/modes.py`) and HTML that is not one of our pages (an attachment). A page's
page links are document-relative already (`../../catalog/`, the same in every mode): they
get their `index.html` here; its mode switch, whose links start at the root, becomes the
relative one (`relative_switch_html`). A page hard-linked from the previous `--relative` build is
relative already: it is left as it is, never written through the link into the live site.
"""

from __future__ import annotations

import os
from pathlib import Path

from disclosure.core.reading_modes import MODES, relative_switch_html, switch_html
from disclosure.core.site_links import folder_index_links, relative_links

OUR_PAGE = '<html lang="zh-CN" class="mode-'


def write_relative_pages(root: Path) -> int:
    """Make the links of every page under `root` relative; return the files rewritten."""
    written = 0
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in MODES]
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith(".html"):
                continue
            file = Path(folder) / name
            html = file.read_text(encoding="utf-8")
            if OUR_PAGE not in html:
                continue
            relative = file.relative_to(root).as_posix()
            path = "/" + relative.removesuffix("index.html")  # the standard page's path ("/404.html" too)
            html = html.replace(switch_html(path), relative_switch_html(path), 1)
            moved = relative_links(folder_index_links(html), relative)
            if moved != html:
                file.unlink()  # a new file: never write through a hard link
                file.write_text(moved, encoding="utf-8")
                written += 1
    return written
