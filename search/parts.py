"""Where on a record's page a match lies: the parts a result can point to, shared by both sides.

The build stores, per record, the places of its page that `Kind.search_parts` names (an
approval item's row `#item-3`, a power's step `#step-shencha`, a decision's stage) and
each attachment (`#attachment-1`), as `PagePart`s: the service in the stored fields of its
Whoosh document, the static index in the record's display row (`STATIC_CHARS` of each,
`static_text`). For a result, `part_of` picks the part holding the query's words that the
title and the shown summary do not; the result then shows that part ("事项：户外广告设置审批
（取消）") and links to its anchor. `templates/static/search.js` does the same (`partOf`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from search.analysis import normalise

STATIC_CHARS = 60  # of a part's text and detail in the static index's display rows


@dataclass(frozen=True, slots=True)
class PagePart:
    """A place on a record's page: its element id, what it is (事项), what it shows, the rest searched."""

    anchor: str
    label: str
    text: str
    detail: str = ""

    def as_list(self) -> list[str]:
        return [self.anchor, self.label, self.text, self.detail]


def static_text(part: PagePart) -> str:
    """Return what the static index keeps of a part: the start of its text and detail."""
    return (part.text + ("；" + part.detail if part.detail else ""))[:STATIC_CHARS]


def part_of(parts: Sequence[Sequence[str]], words: Sequence[str], shown: Sequence[str]) -> int | None:
    """Return the number of the part that holds most of the query's `words` not in `shown` (the
    title and the summary a result shows), the first of equals; None when `shown` holds them
    all or no part holds any. A part is (anchor, label, text[, detail]), all searched."""
    folded_shown = [normalise(t) for t in shown]
    missing = [w for w in (normalise(w) for w in words) if w and not any(w in t for t in folded_shown)]
    if not missing:
        return None
    best, found = 0, None
    for number, part in enumerate(parts):
        text = normalise(" ".join(part[2:]))
        count = sum(1 for w in missing if w in text)
        if count > best:
            best, found = count, number
    return found
