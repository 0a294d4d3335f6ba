"""Freeze every URL of the app to files with Frozen-Flask, on all cores for large sites."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from flask_frozen import Freezer, FrozenFlaskWarning, MissingURLGeneratorWarning

from disclosure.progress import Progress
from disclosure.site_model import Site
from disclosure.web.app import create_app
from disclosure.web.urls import all_pages

PARALLEL_THRESHOLD = 400

# Set in the parent before forking, so workers inherit the site model without pickling it.
_SHARED: dict[str, Any] = {}


def make_freezer(site: Site, destination: Path, share: tuple[int, int] = (0, 1)) -> Freezer:
    """Return a Freezer writing to `destination` the pages whose position % n == i."""
    index, count = share
    app = create_app(site, {"FREEZER_DESTINATION": str(destination)})
    freezer = Freezer(app, with_static_files=index == 0, with_no_argument_rules=False, log_url_for=False)

    @freezer.register_generator
    def pages() -> Iterator[tuple[str, dict[str, Any]]]:
        for n, item in enumerate(all_pages(site)):
            if n % count == index:
                yield item

    return freezer


def freeze_pages(site: Site, destination: Path, progress: Progress, workers: int | None = None) -> int:
    """Write every page of `site` under `destination`; return the number of files written."""
    total = sum(1 for _ in all_pages(site))
    workers = workers or min(os.cpu_count() or 1, 4)
    progress.start("生成页面", total)
    if total < PARALLEL_THRESHOLD or workers == 1:
        freezer = make_freezer(site, destination)
        written = 0
        with warnings.catch_warnings():
            # A site without, say, annual reports has no URL for that endpoint: fine here.
            # tests/test_build.py freezes the sample site (every kind of page) with the warning on.
            warnings.simplefilter("ignore", MissingURLGeneratorWarning)
            for written, _ in enumerate(freezer.freeze_yield(), start=1):
                progress.update(written)
        return written
    _SHARED["site"] = site
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_freeze_share, destination, (i, workers)) for i in range(workers)]
            written = 0
            for future in futures:
                written += future.result()
                progress.update(written)
    finally:
        _SHARED.clear()
    return written


def _freeze_share(destination: Path, share: tuple[int, int]) -> int:
    freezer = make_freezer(_SHARED["site"], destination, share)
    with warnings.catch_warnings():
        # Each worker sees only its share of endpoints; the full set is checked in tests.
        warnings.simplefilter("ignore", FrozenFlaskWarning)
        return len(list(freezer.freeze_yield()))
