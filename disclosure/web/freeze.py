"""Freeze every URL of the app to files with Frozen-Flask, on all cores for large sites."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from unicodedata import normalize
from urllib.parse import unquote

from flask import url_for
from flask_frozen import Freezer, FrozenFlaskWarning

from disclosure.core.progress import Progress
from disclosure.core.workers import worker_pool
from disclosure.outputs.incremental import (
    Manifest,
    global_digest,
    link_unchanged,
    read_manifest,
    unchanged_pages,
    write_manifest,
)
from disclosure.site.model import Site
from disclosure.site.reads import Key, tracking
from disclosure.web.app import create_app
from disclosure.web.recorded import app_fingerprint, freeze_recorded, record_reads
from disclosure.web.urls import all_pages

PARALLEL_THRESHOLD = 400

# Set in the parent before forking, so workers inherit the site model without pickling it.
_SHARED: dict[str, Any] = {}


Item = tuple[str, dict[str, Any]]


def make_freezer(
    site: Site, destination: Path, items: list[Item] | None = None, with_static: bool = True, relative: bool = False
) -> Freezer:
    """Return a Freezer writing `items` (default: every page of `site`) to `destination`;
    `relative`: links left root-relative for `build --relative` (`disclosure.web.relative`)."""
    app = create_app(site, {"FREEZER_DESTINATION": str(destination), **({"LINK_BASE": "/"} if relative else {})})
    freezer = Freezer(app, with_static_files=with_static, with_no_argument_rules=False, log_url_for=False)
    chosen = list(all_pages(site)) if items is None else items

    @freezer.register_generator
    def pages() -> Iterator[Item]:
        yield from chosen

    return freezer


def page_files(site: Site, items: list[Item]) -> list[str]:
    """Return the output file (relative path) each item is frozen to."""
    freezer = Freezer(create_app(site), with_static_files=False, with_no_argument_rules=False, log_url_for=False)
    with freezer.app.test_request_context():
        return [
            normalize("NFC", str(freezer.urlpath_to_filepath(unquote(url_for(endpoint, **values)))))
            for endpoint, values in items
        ]


def freeze_pages(
    site: Site,
    destination: Path,
    progress: Progress,
    workers: int | None = None,
    previous: Path | None = None,
    relative: bool = False,
) -> list[str]:
    """Write every page of `site` under `destination`; return the files rendered anew.

    With `previous` (the live site), pages none of whose reads of the model changed are
    hard-linked from it instead of rendered (see incremental.py). `relative`: for `build --relative`
    (its pages are never reused by a build that is not, nor the other way round).
    """
    items = list(all_pages(site))
    files = page_files(site, items)
    probe = make_freezer(site, destination, [], relative=relative)  # what the app holds for every page
    global_fp = global_digest(app_fingerprint(probe.app)) + (" relative" if relative else "")
    manifest = read_manifest(previous) if previous and previous.is_dir() else Manifest()
    clean, known = unchanged_pages(site, manifest, files, global_fp)
    static_linked = False
    if previous is not None and manifest.global_digest == global_fp:
        static = [str(p.relative_to(previous)) for p in (previous / "static").rglob("*") if p.is_file()]
        link_unchanged(previous, destination, static)
        clean = {f for f in clean if link_unchanged(previous, destination, [f])}  # a file gone: rendered
        static_linked = True
    reads: dict[str, Iterable[Key]] = {}  # of the pages rendered; the others' are the live manifest's
    dirty = [(item, f) for item, f in zip(items, files, strict=True) if f not in clean]
    todo = [item for item, _ in dirty]
    workers = workers or min(os.cpu_count() or 1, 4)
    progress.start("生成页面", len(todo))
    with tracking():  # every page's reads of the model recorded as it renders
        if len(todo) < PARALLEL_THRESHOLD or workers == 1:
            freezer = make_freezer(site, destination, todo, with_static=not static_linked, relative=relative)
            record_reads(freezer.app)
            with warnings.catch_warnings():
                # A site without, say, annual reports has no URL for that endpoint: fine here.
                # tests/test_build.py freezes the sample site (every kind of page) with the warning on.
                warnings.simplefilter("ignore", FrozenFlaskWarning)
                for written, (file, found) in enumerate(freeze_recorded(freezer), start=1):
                    reads[file] = found
                    progress.update(written)
        else:
            _SHARED["site"], _SHARED["relative"] = site, relative
            try:
                with worker_pool(workers) as pool:
                    shares = [todo[i::workers] for i in range(workers)]
                    futures = [
                        pool.submit(_freeze_share, destination, share, i == 0 and not static_linked)
                        for i, share in enumerate(shares)
                    ]
                    for future in futures:
                        reads.update(future.result())
                        progress.update(len(reads))
            finally:
                _SHARED.clear()
    live = (previous, manifest) if previous is not None else None
    write_manifest(destination, site, global_fp, {f: reads[f] for f in files if f not in clean}, clean, known, live)
    return [f for _, f in dirty]


def _freeze_share(destination: Path, items: list[Item], with_static: bool) -> dict[str, set[Key]]:
    freezer = make_freezer(_SHARED["site"], destination, items, with_static, _SHARED["relative"])
    record_reads(freezer.app)
    with warnings.catch_warnings():
        # Each worker sees only its share of endpoints; the full set is checked in tests.
        warnings.simplefilter("ignore", FrozenFlaskWarning)
        return dict(freeze_recorded(freezer))
