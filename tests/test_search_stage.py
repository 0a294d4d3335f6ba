"""The search stage's cost: Whoosh segments of bounded size (a changed record rewrites one, not
the index), and the work moved beside the main process (same files as one process writes)."""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import pytest
from whoosh import index
from whoosh.reading import SegmentReader

import search.index.stage as stage
from bench.incremental_check import whoosh_differences
from conftest import REPO
from disclosure.core.progress import Progress
from disclosure.core.workers import Beside
from disclosure.pipeline import Settings, load_site
from disclosure.site.model import Site
from search.index.attachments import AttachmentTexts
from search.index.documents import SearchDoc, search_document
from search.index.whoosh_index import update_index


def sample_site() -> Site:
    site, _ = load_site(Settings(REPO / "content", use_cache=False), Progress(enabled=False), read_only=True)
    return site


def sample_docs() -> list[SearchDoc]:
    return [search_document(r, AttachmentTexts(None)) for r in sample_site().records]


def segments(folder: Path) -> dict[str, tuple[int, list[str]]]:
    """Return segment id → (documents, deleted ones included; every stored title)."""
    ix = index.open_dir(str(folder))
    out = {}
    for segment in ix._segments():
        reader = SegmentReader(ix.storage, ix.schema, segment)
        out[segment.segment_id()] = (
            reader.doc_count_all(),
            [reader.stored_fields(n)["doc"]["title"] for n in range(reader.doc_count_all())],
        )
        reader.close()
    ix.close()
    return out


def test_deletions_a_killed_build_left_are_purged_by_the_next(tmp_path: Path) -> None:
    """A build killed after the commit that marked a deletion, before the rewrite, leaves the old
    text in a segment; the next build, with nothing else to change, still rewrites it."""
    docs = sample_docs()
    update_index(tmp_path, docs, segment_docs=10)
    ix = index.open_dir(str(tmp_path))
    writer = ix.writer()
    writer.delete_by_term("key", docs[5].key)
    writer.commit(merge=False)  # as the killed build left it
    ix.close()
    assert any(docs[5].title in titles for _, titles in segments(tmp_path).values())
    assert update_index(tmp_path, [*docs[:5], *docs[6:]], segment_docs=10) == (0, 0)
    assert not any(docs[5].title in titles for _, titles in segments(tmp_path).values())


def test_a_changed_record_rewrites_one_bounded_segment(tmp_path: Path) -> None:
    docs = sample_docs()
    limit = 10
    assert update_index(tmp_path, docs, segment_docs=limit) == (len(docs), 0)
    cold = segments(tmp_path)
    assert len(cold) == math.ceil(len(docs) / limit)
    assert all(count <= limit for count, _ in cold.values())

    changed = dataclasses.replace(docs[37], digest="changed", title="改过的标题")
    assert update_index(tmp_path, [*docs[:37], changed, *docs[38:]], segment_docs=limit) == (1, 1)
    after = segments(tmp_path)
    new = [after[s] for s in after.keys() - cold.keys()]
    assert sum(count for count, _ in new) <= limit  # what the change cost: one segment's documents
    assert len(cold.keys() - after.keys()) == 1
    titles = [t for _, found in after.values() for t in found]
    assert docs[37].title not in titles and titles.count("改过的标题") == 1  # no copy of the old text
    assert len(titles) == len(docs)

    assert update_index(tmp_path, docs[:37] + docs[38:], segment_docs=limit) == (0, 1)  # withdrawn
    titles = [t for _, found in segments(tmp_path).values() for t in found]
    assert "改过的标题" not in titles and len(titles) == len(docs) - 1


def test_an_updated_index_holds_what_a_new_one_holds(tmp_path: Path) -> None:
    """Changed, withdrawn and added records, segments merged: the updated index answers as a new
    index of the same documents would, down to each field's total length (BM25's average) —
    Whoosh copies a merged document's lengths rounded, so merged documents are added again."""
    docs = sample_docs()
    updated, new = tmp_path / "updated", tmp_path / "new"
    update_index(updated, docs[:-6], segment_docs=10)
    changed = [
        dataclasses.replace(d, digest="changed", title=f"改过{n}") if n % 7 == 3 else d
        for n, d in enumerate(docs)
    ]
    final = [*changed[:20], *changed[21:]]  # one withdrawn, six added, every seventh changed
    assert update_index(updated, final, segment_docs=10) != (0, 0)
    update_index(new, final, segment_docs=10)
    assert whoosh_differences(updated, new) == []


def test_an_index_of_larger_segments_is_written_again_in_bounded_ones(tmp_path: Path) -> None:
    """An index written with a larger limit (an earlier version): rewritten, no segment left too big."""
    docs = sample_docs()
    update_index(tmp_path, docs, segment_docs=len(docs))
    assert len(segments(tmp_path)) == 1
    changed = [
        dataclasses.replace(d, digest="changed", title=f"新标题{n}") if n % 20 == 0 else d
        for n, d in enumerate(docs)
    ]
    assert update_index(tmp_path, changed, segment_docs=10) == (len(docs), 0)
    after = segments(tmp_path)
    titles = [t for _, found in after.values() for t in found]
    assert sorted(titles) == sorted(d.title for d in changed)  # no deleted document left anywhere
    assert len(after) == math.ceil(len(docs) / 10) and all(count <= 10 for count, _ in after.values())


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "whoosh" not in p.parts
    }


def test_the_work_beside_writes_the_files_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = sample_site()
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    written = {}
    for name, threshold in (("beside", 0), ("alone", 10**9)):
        monkeypatch.setattr(stage, "BESIDE_THRESHOLD", threshold)
        sizes = stage.write_search_indexes(
            site, tmp_path / name, tmp_path / f"{name}.cache", Progress(enabled=False)
        )
        written[name] = (sizes, files(tmp_path / name))
    assert written["beside"] == written["alone"]
    assert any(name.startswith("search/data/x/") for name in written["alone"][1])
    assert any(name.startswith("search/data/p/") for name in written["alone"][1])


def _fails(text: str) -> None:
    raise ValueError(text)


def test_what_fails_beside_is_raised_here() -> None:
    assert Beside(divmod, 7, 2).result() == (3, 1)
    with pytest.raises(ValueError, match="坏了"):
        Beside(_fails, "坏了").result()


def test_a_record_changed_where_no_indexed_field_holds_it_leaves_the_index(tmp_path: Path) -> None:
    """Whoosh compares what it is given (`indexed_digest`), not the source: a body edited past its
    lead, a new digest of the same fields, rewrites no segment; an edited lead does."""
    docs = sample_docs()
    update_index(tmp_path, docs, segment_docs=10)
    before = segments(tmp_path)
    assert update_index(
        tmp_path,
        [*docs[:7], dataclasses.replace(docs[7], digest="source edited"), *docs[8:]],
        segment_docs=10,
    ) == (0, 0)
    assert segments(tmp_path) == before
    edited = dataclasses.replace(docs[7], digest="lead edited", lead=docs[7].lead + "（补充）")
    assert update_index(tmp_path, [*docs[:7], edited, *docs[8:]], segment_docs=10) == (1, 1)
    assert segments(tmp_path).keys() != before.keys()
