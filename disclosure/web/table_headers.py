"""`headers` on every data cell of a table with several levels of headers (WCAG H43).

The annual report's tables (国办公开办函〔2021〕30号: three rows of column headers over
the applicants, three columns of row headers over the outcomes) and the application form
(section, group and field as row headers) are too deep for `scope` alone: a screen reader
is told a cell's headers by `headers="…"`, the ids of every header cell in its rows to its
left and in its columns above. Writing those ids by hand in a template would be a second
copy of the table's layout, so the filter `cell_headers` reads the rendered table instead:
it lays the cells out on the grid (rowspan, colspan) and gives each `th` an id and each
`td` the ids of the `th` cells that share a row or a column with it, as HTML_CodeSniffer
(pa11y) and the HTML table model count them.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# the start tags of our own templates' tables: attributes never hold a ">" (Jinja escapes it)
_TAG = re.compile(r"<(/?)(table|tr|th|td)\b([^>]*)>")
_ATTR = re.compile(r'\s(rowspan|colspan|id)="([^"]*)"')


def cell_headers(table: str, prefix: str) -> Markup:
    """Return the one `<table>` of `table` with ids on its header cells and headers on its data cells."""
    html = str(table).strip()
    tags = list(_TAG.finditer(html))
    if not tags or tags[0].group(2) != "table" or sum(t.group(2) == "table" for t in tags) != 2:
        raise ValueError("cell_headers wants one <table>")
    taken: dict[int, set[int]] = {}  # row → columns a cell of an earlier row spans into
    cells = []  # (tag, attributes, first row, first column, rows, columns)
    row = -1
    column = 0
    for tag in tags:
        closing, name, attributes = tag.groups()
        if name == "tr" and not closing:
            row, column = row + 1, 0
        elif name in ("th", "td") and not closing:
            values = dict(_ATTR.findall(attributes))
            while column in taken.get(row, ()):
                column += 1
            height, width = int(values.get("rowspan", 1)), int(values.get("colspan", 1))
            for below in range(row + 1, row + height):
                taken.setdefault(below, set()).update(range(column, column + width))
            cells.append((tag, values, row, column, height, width))
            column += width
    ids: dict[int, str] = {}
    by_row: dict[int, list[str]] = {}
    by_column: dict[int, list[str]] = {}
    for number, (tag, values, r, c, height, width) in enumerate(cells, 1):
        if tag.group(2) == "th":
            ids[tag.start()] = values.get("id") or f"{prefix}-{number}"
            for at in range(r, r + height):
                by_row.setdefault(at, []).append(ids[tag.start()])
            for at in range(c, c + width):
                by_column.setdefault(at, []).append(ids[tag.start()])
    out, done = [], 0
    for tag, values, r, c, height, width in cells:
        if tag.group(2) == "th":
            extra = "" if "id" in values else f' id="{ids[tag.start()]}"'
        else:
            names = {i for at in range(r, r + height) for i in by_row.get(at, ())}
            names |= {i for at in range(c, c + width) for i in by_column.get(at, ())}
            extra = f' headers="{" ".join(sorted(names))}"' if names else ""
        end = tag.end() - 1  # before the ">"
        out += [html[done:end], extra]
        done = end
    out.append(html[done:])
    return Markup("".join(out))
