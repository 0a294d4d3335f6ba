"""The Whoosh index: written incrementally in the cache folder, copied into staging.

A persistent copy lives in the build cache (`<cache>/search/whoosh`). Each build deletes
the documents whose record changed or disappeared (compared by `Record.digest`, the
sha256 of the source file), adds the new ones, commits (Whoosh writes a new table of
contents by rename, so a killed build leaves the previous generation readable), then
copies the index into the staging folder, which goes live with the pages. The live
site's files are never modified in place, and the copy holds no hard links to the cache.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path

from whoosh import fields, index
from whoosh.codec.base import Segment
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL, IndexWriter

from search.analysis import FORMAT_VERSION
from search.index.documents import SearchDoc
from search.stored import STAMP

PARALLEL_THRESHOLD = 600  # documents; below this one process is faster than forking


def make_schema() -> fields.Schema:
    """Return the schema: gram fields for matching, exact keys, filters, stored display data."""
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),
        digest=fields.STORED,
        title=fields.KEYWORD(scorable=True, field_boost=4.0),
        text=fields.KEYWORD(scorable=True),
        words=fields.KEYWORD(field_boost=2.0),
        docnum=fields.ID,
        indexnum=fields.ID,
        agency=fields.KEYWORD(commas=True),
        category=fields.KEYWORD(commas=True),
        year=fields.ID,
        kind=fields.ID,
        validity=fields.ID,
        published=fields.ID(sortable=True),
        doc=fields.STORED,
    )


def whoosh_fields(doc: SearchDoc) -> dict[str, object]:
    """Return the field values Whoosh is given for one document."""
    values: dict[str, object] = {
        "key": doc.key,
        "digest": doc.digest,
        "title": " ".join(doc.title_terms),
        "text": " ".join(doc.text_terms),
        "words": " ".join(doc.words),
        "indexnum": doc.index_number_key,
        "agency": ",".join(doc.agency),
        "category": ",".join(doc.categories),
        "year": doc.year,
        "kind": doc.kind,
        "validity": doc.validity,
        "published": doc.published,
        "doc": display_fields(doc),
    }
    if doc.doc_number_key:
        values["docnum"] = doc.doc_number_key
    return values


def display_fields(doc: SearchDoc) -> dict[str, object]:
    """Return what a result shows (DESIGN §6), plus the snippet source."""
    return {
        "slug": doc.slug,
        "title": doc.title,
        "index_number": doc.key,
        "doc_number": doc.doc_number,
        "agency": "、".join(doc.agency),
        "published": doc.published,
        "kind": doc.kind,
        "validity": doc.validity,
        "lead": doc.lead,
        "parts": [p.as_list() for p in doc.parts],  # search.parts: where on the page a match lies
    }


def open_or_create(folder: Path) -> index.Index:
    """Return the index in `folder` if it is whole and of this format, else a new empty one."""
    stamp = folder / STAMP
    if stamp.is_file() and stamp.read_text() == FORMAT_VERSION:
        # Whoosh leaves a damaged file open when it fails: let it close quietly.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                ix = index.open_dir(str(folder))
                with ix.searcher() as searcher:
                    searcher.doc_count()
                return ix
            except Exception:  # a damaged cache is rebuilt, never trusted
                pass
            gc.collect()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = index.create_in(str(folder), make_schema())
    stamp.write_text(FORMAT_VERSION)
    return ix


def update_index(folder: Path, docs: Sequence[SearchDoc], workers: int = 1) -> tuple[int, int]:
    """Bring the index in `folder` up to date with `docs`; return (added, deleted)."""
    ix = open_or_create(folder)
    wanted = {d.key: d for d in docs}
    present: dict[str, str] = {}
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            present[stored["key"]] = stored["digest"]
    stale = [k for k, digest in present.items() if k not in wanted or wanted[k].digest != digest]
    fresh = [d for d in docs if present.get(d.key) != d.digest]
    if not stale and not fresh:
        return 0, 0
    writer = _writer(ix, len(fresh), workers)
    try:
        for key in stale:
            writer.delete_by_term("key", key)
        for doc in fresh:
            writer.add_document(**whoosh_fields(doc))
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=purge_deleted if stale else None)
    return len(fresh), len(stale)


def purge_deleted(writer: IndexWriter, segments: list[Segment]) -> list[Segment]:
    """Merge policy: rewrite every segment holding deleted documents, then Whoosh's usual small merges.

    Whoosh only marks a deleted document; its stored fields (title, snippet text) stay in
    the segment file, which is published in `.search/`. A record withdrawn or changed to
    remove something must leave no copy of the old text in any output file.
    """
    clean = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)  # copies the live documents only
            reader.close()
        else:
            clean.append(segment)
    return MERGE_SMALL(writer, clean)


def _writer(ix: index.Index, adding: int, workers: int) -> IndexWriter:
    if workers > 1 and adding >= PARALLEL_THRESHOLD:
        return ix.writer(procs=workers, multisegment=True, limitmb=256)
    return ix.writer(limitmb=256)


def copy_index(source: Path, target: Path) -> None:
    """Copy the index files (not links: the cache copy changes on the next build)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_file() and not entry.name.endswith(".lock") and "WRITELOCK" not in entry.name:
            shutil.copyfile(entry, target / entry.name)


def write_whoosh_index(docs: Sequence[SearchDoc], target: Path, cache: Path | None) -> tuple[int, int]:
    """Write the Whoosh index of `docs` to `target`, reusing `cache` when given."""
    workers = min(os.cpu_count() or 1, 4)
    if cache is None:
        result = update_index(target, docs, workers)
        with contextlib.suppress(FileNotFoundError):
            (target / "MAIN_WRITELOCK").unlink()
        return result
    result = update_index(cache, docs, workers)
    copy_index(cache, target)
    return result
