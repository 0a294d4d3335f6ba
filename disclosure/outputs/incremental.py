"""Incremental freezing: re-render only the pages that read something that changed since the live build.

Each page's dependencies are what it read of the site model while it rendered
(`disclosure.site.reads`): the records it touched, the Site fields and mapping entries it
looked up. The live `site/` carries them with the digest each key had
(`.build/pages.json`). A rebuild recomputes the digests of those keys on the new model;
a page none of whose keys changed is hard-linked from the live site into the staging
folder (no copying, never written through: a page that changes is written anew), every
other page is rendered and records its reads again. A page of a deleted record is no
longer a page of the site and is simply not linked; a new page has no entry and is
rendered. What every page depends on — the code and templates, the app's routes and
template globals — is the global digest: when it changes, every page is rendered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from disclosure.core.code_digest import code_digest
from disclosure.outputs.publish import link_file, read_json_object
from disclosure.site.model import Site
from disclosure.site.reads import Key, key_digests

MANIFEST = Path(".build") / "pages.json"
FORMAT = 3  # of the manifest: read sets by record field (2: by record; 1 held a fingerprint per page)


def global_digest(app_fingerprint: str) -> str:
    """Return what every page depends on: the code, the templates and the app's shape."""
    return hashlib.sha256(f"{FORMAT}\0{code_digest()}\0{app_fingerprint}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Manifest:
    """What the live site was built with: the global digest, each page's read set, each key's digest."""

    global_digest: str = ""
    pages: Mapping[str, frozenset[Key]] = field(default_factory=dict)
    digests: Mapping[Key, str] = field(default_factory=dict)


def read_manifest(output: Path) -> Manifest:
    """Return the manifest of the live site (empty when there is none or it is not this format)."""
    data = read_json_object(output / MANIFEST)
    keys, pages = data.get("keys"), data.get("pages")
    if data.get("format") != FORMAT or not isinstance(keys, list) or not isinstance(pages, dict):
        return Manifest()
    try:
        table = [(tuple(key), digest) for key, digest in keys]
        return Manifest(
            str(data.get("global", "")),
            {page: frozenset(table[i][0] for i in found) for page, found in pages.items()},
            dict(table),
        )
    except (TypeError, ValueError, IndexError):
        return Manifest()


def unchanged_pages(
    site: Site, manifest: Manifest, pages: Iterable[str], global_fp: str
) -> tuple[set[str], dict[Key, str]]:
    """Return the pages (of `pages`) whose every read has the digest it had in the live build,
    and the digests of the manifest's keys on `site` (reused when the new manifest is written)."""
    if manifest.global_digest != global_fp:
        return set(), {}
    now = key_digests(site, manifest.digests)
    changed = {key for key, digest in manifest.digests.items() if now[key] != digest}
    unchanged = set()
    for page in pages:
        reads = manifest.pages.get(page)
        if reads is not None and reads.isdisjoint(changed):
            unchanged.add(page)
    return unchanged, now


def write_manifest(
    staging: Path, site: Site, global_fp: str, pages: Mapping[str, Iterable[Key]], known: Mapping[Key, str]
) -> None:
    """Write every page's read set and each key's digest on `site` (`known`: digests already computed)."""
    sets = {page: set(reads) for page, reads in pages.items()}
    keys = sorted({key for reads in sets.values() for key in reads}, key=_order)
    missing = [key for key in keys if key not in known]
    digests = {**known, **key_digests(site, missing)}
    number = {key: i for i, key in enumerate(keys)}
    data = {
        "format": FORMAT,
        "global": global_fp,
        "keys": [[list(key), digests[key]] for key in keys],
        "pages": {page: sorted(number[key] for key in reads) for page, reads in sorted(sets.items())},
    }
    path = staging / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _order(key: Key) -> tuple[str, ...]:
    return tuple(f"{type(part).__name__}:{part}" for part in key)


def link_unchanged(output: Path, staging: Path, files: Iterable[str]) -> int:
    """Hard-link the given files of the live site into staging; return how many were linked."""
    return sum(link_file(output / relative, staging / relative, copy=True) for relative in files)
