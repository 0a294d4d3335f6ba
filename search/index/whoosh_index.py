"""The Whoosh index: written incrementally in the cache folder, copied into staging.

A persistent copy lives in the build cache (`<cache>/search/whoosh`). Each build deletes
the documents whose indexed fields changed or whose record disappeared (compared by
`indexed_digest`, the sha256 of every field the index is given: an edit of a body that no
field holds, past the lead, leaves the index as it is), adds the new ones, commits (Whoosh writes a new table of
contents by rename, so a killed build leaves the previous generation readable), then
copies the index into the staging folder, which goes live with the pages. The live
site's files are never modified in place, and the copy holds no hard links to the cache.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import shutil
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from whoosh import fields, index
from whoosh.codec.base import Segment
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from search.analysis import FORMAT_VERSION
from search.index.documents import SearchDoc
from search.stored import STAMP

# documents in one segment at most: what one changed record costs to rewrite (about 1 ms a
# document). The service pays for every segment a query reads: on the 3,482-record corpus,
# CPU per /api/search at p95 15.3 ms with 2 segments, 16.4 with 4 (1,000), 18.7 with 7 (500).
# 2,000: the corpus keeps its 2 segments (make bench measured /api/search p95 24 ms wall with 4,
# against the 20 ms target), and a changed record still rewrites at most 2,000, not half the index
SEGMENT_DOCS = 2000


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
    values["digest"] = indexed_digest(values)
    return values


def indexed_digest(values: dict[str, object]) -> str:
    """Return the sha256 of the field values a document is indexed with (its `digest` aside)."""
    held = {k: v for k, v in values.items() if k != "digest"}
    return hashlib.sha256(json.dumps(held, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


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
    return new_index(folder)


def new_index(folder: Path) -> index.Index:
    """Return a new empty index in `folder` (whatever was there removed)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = index.create_in(str(folder), make_schema())
    (folder / STAMP).write_text(FORMAT_VERSION)
    return ix


def update_index(
    folder: Path, docs: Sequence[SearchDoc], segment_docs: int = SEGMENT_DOCS
) -> tuple[int, int]:
    """Bring the index in `folder` up to date with `docs`; return (added, deleted).

    The documents go in segments of at most `segment_docs` (one commit each, `bounded_merge`),
    so that a changed record costs the rewrite of one segment, not of the index.
    """
    ix = open_or_create(folder)
    if any(segment.doc_count_all() > segment_docs for segment in ix._segments()):
        # written with a larger limit (an earlier version): its segments could only stay large
        ix = new_index(folder)
    wanted = {d.key: whoosh_fields(d) for d in docs}
    present: dict[str, str] = {}
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            present[stored["key"]] = stored["digest"]
    stale = [k for k, digest in present.items() if k not in wanted or wanted[k]["digest"] != digest]
    fresh = [wanted[d.key] for d in docs if present.get(d.key) != wanted[d.key]["digest"]]
    policy = functools.partial(bounded_merge, limit=segment_docs, values=wanted)
    if not stale and not fresh:
        # nothing to change; but a build killed between the commit that marked deletions and the
        # rewrites below left deleted text in a segment: rewrite it before it is copied out
        _purge(ix, policy)
        return 0, 0
    # a killed build leaves a committed generation: the next one compares its digests again
    for at in range(0, max(len(fresh), 1), segment_docs):
        writer = ix.writer(limitmb=256)
        try:
            if not at:
                for key in stale:
                    writer.delete_by_term("key", key)
            for values in fresh[at : at + segment_docs]:
                writer.add_document(**values)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=policy)
    _purge(ix, policy)  # those a full segment left
    return len(fresh), len(stale)


def _purge(ix: index.Index, policy: Callable[[IndexWriter, list[Segment]], list[Segment]]) -> None:
    """Commit until no segment holds a deleted document (each commit rewrites at least one)."""
    while any(segment.has_deletions() for segment in ix._segments()):
        ix.writer(limitmb=256).commit(mergetype=policy)


def bounded_merge(
    writer: IndexWriter,
    segments: list[Segment],
    limit: int = SEGMENT_DOCS,
    values: Mapping[str, dict[str, object]] | None = None,
) -> list[Segment]:
    """Merge policy: rewrite the segments holding deleted documents, and join small ones, into
    the segment being written as long as it stays within `limit` documents.

    Whoosh only marks a deleted document; its stored fields (title, snippet text) stay in
    the segment file, which is published in `.search/`. A record withdrawn or changed to
    remove something must leave no copy of the old text in any output file: a segment with
    deletions is rewritten now, or by the next commit of the same build (`update_index` commits
    until none is left). A segment that fits with nothing else is rewritten alone, so every
    commit with a deletion left makes progress. Small segments (fewer than `limit` / 2 documents:
    the records added by one build) join the new one while it has room, so they do not pile up.

    A merged segment's documents are added again from their field `values` (by key), not copied
    with `add_reader`: Whoosh copies a document's field lengths in their one-byte approximation,
    so a copied document would count other lengths in each field's total (BM25's average length)
    than the same document in a cold build, which adds it from its values; the rankings of an
    updated index and of a new one would differ. A document without values is copied.
    """
    room = limit - writer.doc_count()
    dirty = [s for s in segments if s.has_deletions()]
    small = sorted(
        (s for s in segments if not s.has_deletions() and s.doc_count_all() < limit // 2),
        key=lambda s: s.doc_count_all(),
    )
    merged: set[str] = set()
    for segment in [*dirty, *small]:
        live = segment.doc_count()
        # one too big to share the new segment is rewritten alone (in a commit that adds nothing)
        alone = segment.has_deletions() and not merged and not writer.doc_count()
        if live <= room or alone:
            if live:
                _add_segment(writer, segment, values or {})
            room -= live
            merged.add(segment.segment_id())
    return [s for s in segments if s.segment_id() not in merged]


def _add_segment(writer: IndexWriter, segment: Segment, values: Mapping[str, dict[str, object]]) -> None:
    """Add the live documents of `segment` to `writer`: again from their values where given."""
    reader = SegmentReader(writer.storage, writer.schema, segment)
    try:
        keys = [reader.stored_fields(n)["key"] for n in reader.all_doc_ids()]
        if all(key in values for key in keys):
            for key in keys:
                writer.add_document(**values[key])
        else:
            writer.add_reader(reader)  # copies the live documents only
    finally:
        reader.close()


def copy_index(source: Path, target: Path) -> None:
    """Copy the index files (not links: the cache copy changes on the next build)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_file() and not entry.name.endswith(".lock") and "WRITELOCK" not in entry.name:
            shutil.copyfile(entry, target / entry.name)


def write_whoosh_index(docs: Sequence[SearchDoc], target: Path, cache: Path | None) -> tuple[int, int]:
    """Write the Whoosh index of `docs` to `target`, reusing `cache` when given."""
    if cache is None:
        result = update_index(target, docs)
        with contextlib.suppress(FileNotFoundError):
            (target / "MAIN_WRITELOCK").unlink()
        return result
    result = update_index(cache, docs)
    copy_index(cache, target)
    return result
