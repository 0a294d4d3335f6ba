"""The kinds of record, in the order the site lists them: the registry the rest of the build asks.

Each kind is one module of this package (plus its templates) that builds a `Kind`
(`disclosure.kinds.base`): its model and rules, its links, dated events, feed, search and
open-data contributions, its scaffold for `build.py new KIND` and the pages that show it.
Nothing outside this package imports a kind's module: it loops over `KINDS` or looks one
up in `KIND_BY_NAME` and calls the hooks. Adding a kind is writing its module, adding it
here, and writing its template(s).
"""

from __future__ import annotations

from disclosure.kinds import approval, case, decision, document, interpretation, news, power
from disclosure.kinds.base import Kind

KINDS: tuple[Kind, ...] = (document.KIND, decision.KIND, interpretation.KIND, news.KIND, approval.KIND, power.KIND, case.KIND)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}

__all__ = ["KINDS", "KIND_BY_NAME", "Kind"]
