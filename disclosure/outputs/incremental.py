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

The manifest is two parts, so that a rebuild after one edit writes (and the output gate
reads again) a few kilobytes of it, not all 6.5 MB of the corpus's: `.build/pages.json`
holds the keys and every page's read set by key number, which a change of values leaves
as they were; `.build/digests/NNNN.json` hold the keys' digests in order, `CHUNK` a file.
A part whose text is the live one's is hard-linked from the live site (as an unchanged
page is), not written again; a cold build writes the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from disclosure.core.code_digest import code_digest
from disclosure.outputs.publish import link_file
from disclosure.site.model import Site
from disclosure.site.reads import Key, key_digests

MANIFEST = Path(".build") / "pages.json"
DIGESTS = Path(".build") / "digests"
CHUNK = 1024  # keys' digests a file of DIGESTS: a record's keys lie side by side in key order
FORMAT = 4  # of the manifest: digests apart (3: in pages.json; 2: read sets by record; 1: a fingerprint per page)


def global_digest(app_fingerprint: str) -> str:
    """Return what every page depends on: the code, the templates and the app's shape."""
    return hashlib.sha256(f"{FORMAT}\0{code_digest()}\0{app_fingerprint}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Manifest:
    """What the live site was built with: the global digest, each page's read set, each key's digest,
    and the text of each of its files by relative path (a part written the same is linked, not written)."""

    global_digest: str = ""
    keys: Sequence[Key] = ()  # in the order of their numbers
    # page → the numbers of the keys it read, ascending, as pages.json holds them: a set of keys per
    # page would hash every key of every page (15 million on 20,000 records) on each rebuild
    numbers: Mapping[str, Sequence[int]] = field(default_factory=dict)
    digests: Mapping[Key, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)

    def reads(self, page: str) -> frozenset[Key]:
        """Return the keys `page` read."""
        return frozenset(self.keys[i] for i in self.numbers[page])


def read_manifest(output: Path) -> Manifest:
    """Return the manifest of the live site (empty when there is none, it is not this format or a part is missing)."""
    texts: dict[str, str] = {}
    data = _read_part(output, os.fspath(MANIFEST), texts)
    keys, pages = data.get("keys"), data.get("pages")
    if data.get("format") != FORMAT or not isinstance(keys, list) or not isinstance(pages, dict):
        return Manifest()
    try:
        found = [tuple(key) for key in keys]
        digests: list[str] = []
        for name in _chunk_names(len(found)):
            chunk = _read_part(output, name, texts).get("digests")
            if not isinstance(chunk, list):
                return Manifest()
            digests += chunk
        if len(digests) != len(found):
            return Manifest()
        if any(not isinstance(numbers, list) for numbers in pages.values()):
            return Manifest()
        return Manifest(str(data.get("global", "")), found, pages, dict(zip(found, digests, strict=True)), texts)
    except (TypeError, ValueError, IndexError):
        return Manifest()


def _read_part(output: Path, name: str, texts: dict[str, str]) -> dict[str, Any]:
    """Return the JSON object of the manifest's file `name` in `output` ({} when unreadable), keeping its text."""
    try:
        text = (output / name).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return {}
    texts[name] = text
    return data if isinstance(data, dict) else {}


def _chunk_names(count: int) -> list[str]:
    """Return the files (relative paths) holding the digests of `count` keys, in key order."""
    return [os.fspath(DIGESTS / f"{n:04d}.json") for n in range((count + CHUNK - 1) // CHUNK)]


def unchanged_pages(
    site: Site, manifest: Manifest, pages: Iterable[str], global_fp: str
) -> tuple[set[str], dict[Key, str]]:
    """Return the pages (of `pages`) whose every read has the digest it had in the live build,
    and the digests of the manifest's keys on `site` (reused when the new manifest is written)."""
    if manifest.global_digest != global_fp:
        return set(), {}
    now = key_digests(site, manifest.digests)
    changed = {i for i, key in enumerate(manifest.keys) if now[key] != manifest.digests[key]}
    unchanged = set()
    for page in pages:
        numbers = manifest.numbers.get(page)
        if numbers is not None and (not changed or changed.isdisjoint(numbers)):
            unchanged.add(page)
    return unchanged, now


def write_manifest(
    staging: Path,
    site: Site,
    global_fp: str,
    fresh: Mapping[str, Iterable[Key]],
    kept: Iterable[str],
    known: Mapping[Key, str],
    live: tuple[Path, Manifest] | None = None,
) -> None:
    """Write every page's read set and each key's digest on `site`: `fresh` the pages rendered (what
    they read), `kept` the pages linked from `live`, whose read sets are the live manifest's
    (`known`: digests already computed).

    A file whose text would be that of `live`'s manifest (the live site, and what was read of it)
    is linked from it. When every page read what it read in the live build, `pages.json` is the
    live one's without being made again: the same code (the global digest) wrote it from the same
    sets, and its keys' order is the live one. Otherwise the kept pages' key numbers are moved to
    the new order of keys in one array (both orders sort the keys alike, so a page's numbers stay
    ascending), with no set of keys made for them."""
    before = live[1] if live is not None else Manifest()
    kept = sorted(kept)
    sets = {page: frozenset(reads) for page, reads in fresh.items()}
    same = (
        bool(before.texts)
        and before.global_digest == global_fp
        and set(before.numbers) == set(sets) | set(kept)
        and all(before.reads(page) == reads for page, reads in sets.items())
    )
    if same:
        keys = list(before.keys)
    else:
        used = np.zeros(len(before.keys), dtype=bool)
        for page in kept:
            used[before.numbers[page]] = True
        read = {before.keys[i] for i in np.flatnonzero(used).tolist()}.union(*sets.values())
        keys = sorted(read, key=_order)
    missing = [key for key in keys if key not in known]
    digests = {**known, **key_digests(site, missing)}
    (staging / DIGESTS).mkdir(parents=True, exist_ok=True)
    if not (same and _link_part(live, staging, os.fspath(MANIFEST))):
        number = {key: i for i, key in enumerate(keys)}
        moved = np.array([number.get(key, -1) for key in before.keys], dtype=np.int64)
        numbers = {page: sorted(number[key] for key in reads) for page, reads in sets.items()}
        numbers |= {page: moved[before.numbers[page]].tolist() for page in kept}
        data = {
            "format": FORMAT,
            "global": global_fp,
            "keys": [list(key) for key in keys],
            "pages": {page: numbers[page] for page in sorted(numbers)},
        }
        _write_part(staging, os.fspath(MANIFEST), _json(data))
    for n, name in enumerate(_chunk_names(len(keys))):
        text = _json({"digests": [digests[key] for key in keys[n * CHUNK : (n + 1) * CHUNK]]})
        if before.texts.get(name) != text or not _link_part(live, staging, name):
            _write_part(staging, name, text)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _link_part(live: tuple[Path, Manifest] | None, staging: Path, name: str) -> bool:
    """Hard-link the live manifest's file `name` into staging; return False when it cannot be."""
    return live is not None and name in live[1].texts and link_file(live[0] / name, staging / name)


def _write_part(staging: Path, name: str, text: str) -> None:
    (staging / name).write_text(text, encoding="utf-8")


def _order(key: Key) -> tuple[str, ...]:
    return tuple(f"{type(part).__name__}:{part}" for part in key)


def link_unchanged(output: Path, staging: Path, files: Iterable[str]) -> int:
    """Hard-link the given files of the live site into staging; return how many were linked."""
    return sum(link_file(output / relative, staging / relative, copy=True) for relative in files)
