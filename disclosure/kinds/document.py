"""政府文件 (`content/documents/`): the kind with only the fields every record has.

Its pages are schema.org `Legislation`: the day it was made, who made it, whether it is in force.
"""

from __future__ import annotations

from typing import Any

from disclosure.core.records import Record, RecordMeta
from disclosure.kinds.base import Kind


class DocumentMeta(RecordMeta):
    """A 政府文件 or other disclosure record (`content/documents/`)."""


def document_json_ld(record: Record) -> dict[str, Any]:
    """Return the schema.org `Legislation` properties of a document's page."""
    meta = record.meta
    publisher = [{"@type": "GovernmentOrganization", "name": name} for name in meta.agency]
    data: dict[str, Any] = {
        "legislationDate": meta.written.isoformat(),
        "legislationPassedBy": publisher,
        "legislationLegalForce": "https://schema.org/InForce" if meta.validity == "有效" else "https://schema.org/NotInForce",
    }
    if meta.doc_number:
        data["legislationIdentifier"] = meta.doc_number
    return data


KIND = Kind(
    "document",
    "documents",
    "政府文件",
    DocumentMeta,
    "record_document.html",
    nav=True,
    policy=True,
    json_ld_type="Legislation",
    json_ld=document_json_ld,
)
