"""schema.org JSON-LD for record pages; the template serialises it with Jinja's |tojson."""

from __future__ import annotations

from typing import Any

from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME
from disclosure.kinds.base import day_text
from disclosure.site.model import Site


def record_json_ld(site: Site, record: Record) -> dict[str, Any]:
    """Return schema.org data for a record page: its kind's type (Legislation for documents,
    else CreativeWork) and the properties its kind adds (`Kind.json_ld_type`, `Kind.json_ld`)."""
    meta = record.meta
    kind = KIND_BY_NAME.get(record.kind)
    publisher = [{"@type": "GovernmentOrganization", "name": name} for name in meta.agency]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind.json_ld_type if kind else "CreativeWork",
        "name": meta.title,
        "identifier": meta.index_number,
        "url": record.url(site.config.root_url),
        "inLanguage": "zh-CN",
        "datePublished": day_text(meta.published),
        "dateCreated": day_text(meta.written),
        "author": publisher,
        "publisher": publisher[0] if len(publisher) == 1 else publisher,
        "about": meta.category,
        "genre": kind.label if kind else record.kind,
        "isPartOf": {"@type": "WebSite", "name": site.config.name, "url": site.config.root_url + "/"},
    }
    if meta.summary:
        data["description"] = meta.summary
    if meta.keywords:
        data["keywords"] = "，".join(meta.keywords)
    if meta.changes:
        data["dateModified"] = day_text(max(c.date for c in meta.changes))
    if kind:
        data |= kind.json_ld(record)
    if meta.validity_date:
        data["expires"] = day_text(meta.validity_date)
    return data
