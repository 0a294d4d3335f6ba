"""`build --relative`: every page's links relative to its own file, for file:// and any folder.

Opened from disk, a root-relative link (`/static/site.css`) names the root of the disk and
a folder (`catalog/`) shows a listing, so the pages of a `--relative` build link
`../static/site.css` and `../catalog/index.html` (`disclosure.core.site_links`). The pass
runs last over the staging folder, after the reading-mode pages are made from the
root-relative pages, and leaves alone what the build keeps for itself (`.search/`,
`.build/`) and HTML that is not one of our pages (an attachment). A mode page's page links
are document-relative already (`../../catalog/`): they get their `index.html` here; the one
file a mode page is under both /care/ and /a11y/ stays one file (both names are at the same
depth, so their relative links are the same). A page hard-linked from the previous
`--relative` build is relative already: it is left as it is, never written through the link
into the live site.
"""

from __future__ import annotations

import os
from pathlib import Path

from disclosure.core.reading_modes import MODES
from disclosure.core.site_links import folder_index_links, relative_links
from disclosure.outputs.publish import link_file

OUR_PAGE = '<html lang="zh-CN" class="mode-'


def write_relative_pages(root: Path) -> int:
    """Make the links of every page under `root` relative; return the files rewritten."""
    written = 0
    # a mode page already rewritten, by its old file and place in a mode
    done: dict[tuple[int, int, str], Path] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith(".html"):
                continue
            file = Path(folder) / name
            relative = file.relative_to(root)
            key = None
            if relative.parts[0] in MODES:
                status = file.stat()
                key = (status.st_dev, status.st_ino, Path(*relative.parts[1:]).as_posix())
                if key in done:  # the other name of a mode page rewritten already
                    file.unlink()
                    link_file(done[key], file, copy=True)
                    continue
            html = file.read_text(encoding="utf-8")
            if OUR_PAGE not in html:
                continue
            moved = relative_links(folder_index_links(html) if key else html, relative.as_posix())
            if moved != html:
                file.unlink()  # a new file: never write through a hard link
                file.write_text(moved, encoding="utf-8")
                written += 1
                if key:
                    done[key] = file
    return written
