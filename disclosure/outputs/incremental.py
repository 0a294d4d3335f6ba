"""Incremental freezing: re-render only the pages whose inputs changed since the live build.

Every page gets a fingerprint of what it shows. The live `site/` carries the fingerprints
it was built with (`.build/pages.json`). A rebuild links unchanged files from the live
site into the staging folder (hard links: no copying, and never written through — a
page that changes is unlinked first, so the live file is untouched) and freezes only
the rest. Anything global — code, templates, configuration, the set of records, the
date — changes the global fingerprint and the whole site is rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from disclosure.core.code_digest import code_digest
from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME
from disclosure.outputs.publish import link_file, read_json_object
from disclosure.site.model import PAGE_SIZE, Site

MANIFEST = Path(".build") / "pages.json"


def _hash(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def global_digest(site: Site, today: date) -> str:
    """Return what every page depends on: code, configuration, fixed pages, the record set,
    the day and the holidays of holidays.yaml (working days counted on power and case pages)."""
    records = [(r.slug, r.kind, r.meta.title, r.meta.agency, r.meta.category, r.year, r.meta.validity) for r in site.records]
    pages = [(p.slug, p.meta.title, p.body_html) for p in site.pages.values()]
    return _hash(
        code_digest(),
        site.config.model_dump_json(),
        [a.model_dump_json() for a in site.agencies],
        [c.path for c in site.categories],
        pages,
        records,
        today.isoformat(),
        sorted((year, sorted(off), sorted(on)) for year, (off, on) in site.openness.calendar.extra.items()),
    )


def record_fingerprint(site: Site, record: Record) -> str:
    """Return what a record page shows: its own source, its attachments and linked records
    (both ways: those it links to, and those listed on it because they link to it)."""
    linked: list[Record] = []
    if record.slug in site.repealed_by:
        linked.append(site.repealed_by[record.slug])
    linked += site.repeals.get(record.slug, ())
    linked += [r for _, listed in site.linked_from.get(record.slug, ()) for r in listed]
    linked += site.targets.get(record.slug, {}).values()
    kind = KIND_BY_NAME.get(record.kind)
    if kind is None or kind.shows_own_kind:
        # approval lists and power items show items of other records of their kind
        linked += [r for r in site.records if r.kind == record.kind]
    attachments = [(a.name, a.size, os.stat(a.source).st_mtime_ns) for a in record.attachments]
    return _hash(record.digest, attachments, [r.digest for r in linked])


def page_fingerprint(site: Site, endpoint: str, values: dict[str, Any]) -> str | None:
    """Return the fingerprint of one page, or None when it must always be rendered."""
    if endpoint in ("site.record", "site.attachment"):
        record = site.by_slug[values["slug"]]
        return _hash(endpoint, values.get("name"), record_fingerprint(site, record))
    if endpoint in ("site.catalog", "site.catalog_facet"):
        facet = site.facet(values["dimension"], values["key"]) if "dimension" in values else site.all_records
        if facet is None:
            return None
        page = values.get("page", 1)
        start = (page - 1) * PAGE_SIZE
        return _hash(endpoint, sorted(values.items()), [r.digest for r in facet.records[start : start + PAGE_SIZE]])
    return None


def read_manifest(output: Path) -> dict[str, Any]:
    """Return the fingerprints the live site was built with (empty when there is none)."""
    return read_json_object(output / MANIFEST)


def write_manifest(staging: Path, global_fp: str, pages: dict[str, str]) -> None:
    path = staging / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"global": global_fp, "pages": pages}, sort_keys=True), encoding="utf-8")


def link_unchanged(output: Path, staging: Path, files: Iterable[str]) -> int:
    """Hard-link the given files of the live site into staging; return how many were linked."""
    return sum(link_file(output / relative, staging / relative, copy=True) for relative in files)
