"""Frozen-Flask URL generators: every page of the site, computed from the site model only."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from disclosure.kinds.base import paginated
from disclosure.site.model import Site
from disclosure.web.kind_pages import kind_pages
from disclosure.web.openness_views import openness_pages

Endpoint = tuple[str, dict[str, Any]]


def all_pages(site: Site) -> Iterator[Endpoint]:
    """Yield (endpoint, values) for every page and attachment of the site.

    Every text value becomes one URL segment and one folder or file name under the output
    folder; one that could climb out or mean something else is a bug (content rules refuse
    such 索引号 and file names first), so it stops the build here.
    """
    for endpoint, values in _all_pages(site):
        for key, value in values.items():
            if isinstance(value, str) and not safe_segment(value):
                raise ValueError(f"unsafe URL segment for {endpoint}: {key}={value!r}")
        yield endpoint, values


def safe_segment(value: str) -> bool:
    """Return True when `value` is one URL path segment that names a file inside its folder."""
    return (
        value not in ("", ".", "..")
        and not value.startswith(".")
        and not any(c in "/\\?#%" or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value)
    )


def _all_pages(site: Site) -> Iterator[Endpoint]:
    yield "site.home", {}
    yield "site.search", {}
    yield "site.sitemap", {}
    yield "site.sitemap_page", {}
    yield "site.opensearch", {}
    yield "site.robots", {}
    yield "site.not_found_page", {}
    yield "reuse.feeds", {}
    yield "reuse.data", {}
    for record in site.records:
        yield "site.record", {"slug": record.slug}
        for item in record.attachments:
            yield "site.attachment", {"slug": record.slug, "name": item.name}
    yield from (("site.catalog", values) for values in paginated({}, site.all_records.pages))
    for dimension, facets in site.facets.items():
        for key, facet in facets.items():
            values = {"dimension": dimension, "key": key}
            yield from (("site.catalog_facet", page) for page in paginated(values, facet.pages))
    for slug in site.pages:
        yield "site.page", {"slug": slug}
    yield from kind_pages(site)
    yield from openness_pages(site)
