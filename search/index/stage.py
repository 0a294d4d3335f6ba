"""The build stage: the Whoosh index and the static index, written into the staging folder.

Layout in the site folder (both go live with the pages, in the same swap):

- `.search/`  what the service reads (`create_search_app(site/.search)`): the Whoosh index
  (`search.index.whoosh_index`), the body index (`search.index.body_index`), synonyms and
  filter choices, the site's name and address (for the search feeds), the frozen search
  page and its copies in the reading modes; the file names are in `search.stored`
- `search/data/`  the static index (see `search.index.static_index`)
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from disclosure.core.progress import Progress
from disclosure.core.reading_modes import MODES
from disclosure.core.workers import Beside
from disclosure.kinds import KINDS
from disclosure.site.model import Site
from search.analysis import normalise_synonyms
from search.index.attachments import AttachmentTexts
from search.index.body_index import BodyJob, keep_inverted, write_body_index
from search.index.documents import search_document
from search.index.forgiving import forgiving_key, keep_forgiving, restore_forgiving, write_forgiving
from search.index.static_index import write_static_index
from search.index.whoosh_index import write_whoosh_index
from search.stored import BODY_FOLDER, PAGE_FILE, SERVICE_FOLDER, SETTINGS_FILE, WHOOSH_FOLDER, mode_page_file

BESIDE_THRESHOLD = 400  # records: below this, forking costs more than the work it moves


def facet_choices(site: Site) -> dict[str, Any]:
    """Return the choices of the filter boxes: agencies, categories, years, kinds, validities."""
    return {
        "agencies": sorted({a for r in site.records for a in r.meta.agency}),
        "categories": sorted(
            {"/".join(r.meta.category.split("/")[: i + 1]) for r in site.records for i in range(r.meta.category.count("/") + 1)}
        ),
        "years": sorted({str(r.year) for r in site.records}, reverse=True),
        "kinds": [[k.name, k.label] for k in KINDS if any(r.kind == k.name for r in site.records)],
        "validities": ["有效", "失效", "废止"],
    }


def write_mode_frames(page: Path, service: Path) -> None:
    """Write the frame of the service's result pages in each reading mode (`page.care.html` …):
    the frozen search page, the same file in every mode like every page (its page links are
    document-relative: from /care/search/ they stay in /care/; `shared_page`)."""
    for mode in MODES:
        shutil.copyfile(page, service / mode_page_file(mode))


def write_search_indexes(
    site: Site, staging: Path, cache_dir: Path | None, progress: Progress, base: str = "/"
) -> dict[str, int]:
    """Write both search indexes of `site` into `staging`; return a few sizes. `base`: the path
    the pages' links start with ("/gkml/"), which the service puts in front of its results' links.

    On a site of BESIDE_THRESHOLD records or more and a machine of two cores or more, the
    forgiving tables, which need nothing of the rest, are written in a forked process beside
    this one while Whoosh indexes (and the bodies' keys are computed in a pool); the files are
    the same. (The check grams, `x/`, written beside the body postings would save 3 s more of
    wall on the corpus, but add 0.7 GB to the peak memory: the two encodings' lists at once,
    and the child's copy of what this process frees.)
    """
    progress.start("建立检索索引", len(site.records))
    attachments = AttachmentTexts(cache_dir / "search" / "attachments.json" if cache_dir else None)
    docs = [search_document(r, attachments) for r in site.records]
    attachments.save()
    synonyms = normalise_synonyms({k: list(v) for k, v in site.synonyms.items()})
    service = staging / SERVICE_FOLDER
    service.mkdir(parents=True, exist_ok=True)
    # the forgiving tables read titles and names only: after a change of bodies only, the last
    # build's tables are linked from the cache (`restore_forgiving`), not made again
    memo = cache_dir / "search" / "forgiving" if cache_dir else None
    memo_key = forgiving_key(site.records, docs, synonyms) if memo else ""
    kept = restore_forgiving(memo, memo_key, staging) if memo else None
    beside = kept is None and len(site.records) >= BESIDE_THRESHOLD and (os.cpu_count() or 1) > 1
    forgiving = Beside(write_forgiving, site.records, docs, synonyms, service, staging) if beside else None
    # the bodies' keys are computed in worker processes while Whoosh indexes the metadata
    body_job = BodyJob([(r.digest, r.body_html) for r in site.records], cache_dir / "search" if cache_dir else None)
    try:
        added, deleted = write_whoosh_index(docs, service / WHOOSH_FOLDER, cache_dir / "search" / "whoosh" if cache_dir else None)
        extra = {
            "synonyms": {k: list(v) for k, v in synonyms.items()},
            "facets": facet_choices(site),
            # the search feeds' titles, links and ids; the path the result pages' links start with
            "site": {"name": site.config.name, "root_url": site.config.root_url, "base": base},
        }
        (service / SETTINGS_FILE).write_text(json.dumps(extra, ensure_ascii=False), "utf-8")
        page = staging / "search" / "index.html"
        if page.is_file():
            shutil.copyfile(page, service / PAGE_FILE)
            write_mode_frames(page, service)
        computed, bodies_computed = body_job.collect()
        postings_kept = cache_dir / "search" / "body-postings" if cache_dir else None
        body = body_job.inverted(computed, postings_kept)
        body.phrase = body_job.check_grams(computed)
        del computed
        write_body_index(body, service / BODY_FOLDER, [(d.key, int(d.published.replace("-", ""))) for d in docs])
        if postings_kept is not None:
            keep_inverted(body, service / BODY_FOLDER, postings_kept)
        static_cache = cache_dir / "search" if cache_dir else None
        sizes = write_static_index(docs, staging, synonyms, {k.name: k.label for k in KINDS}, body, static_cache)
        if kept is not None:
            sizes |= kept
        else:
            written = forgiving.result() if forgiving else write_forgiving(site.records, docs, synonyms, service, staging)
            if memo is not None:
                keep_forgiving(memo, memo_key, service, staging, written)
            sizes |= written
    except BaseException:
        body_job.close()
        if forgiving is not None:
            forgiving.cancel()
        raise
    progress.update(len(site.records))
    return {"added": added, "deleted": deleted, "bodies_computed": bodies_computed, **sizes}
