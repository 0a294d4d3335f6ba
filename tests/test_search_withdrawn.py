"""A changed or withdrawn record leaves no copy of its old text in the published search index.

Whoosh marks deleted documents but keeps their stored fields in the segment file; the
build rewrites such segments (`search.index.whoosh_index.bounded_merge`), so `.search/` holds
only what the pages show.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from whoosh import index
from whoosh.reading import SegmentReader

from conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "feeds"
OLD_TITLE = "测试市政府信息公开暂行办法"


def stored_texts(whoosh_folder: Path) -> list[str]:
    """Return every stored field of every document in every segment, deleted ones included."""
    ix = index.open_dir(str(whoosh_folder))
    texts = []
    for segment in ix._segments():
        reader = SegmentReader(ix.storage, ix.schema, segment)
        texts += [str(v) for n in range(reader.doc_count_all()) for v in reader.stored_fields(n).values()]
        reader.close()
    ix.close()
    return texts


def build(content: Path, output: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--content", str(content), "--output", str(output)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_a_retitled_and_a_removed_record_leave_no_old_text_in_the_index(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(FIXTURE, content)
    build(content, site)
    assert any(OLD_TITLE in text for text in stored_texts(site / ".search" / "whoosh"))
    record = content / "documents" / "2018" / "old-rules.md"
    record.write_text(record.read_text(encoding="utf-8").replace(OLD_TITLE, "测试市政府信息公开规定"), encoding="utf-8")
    build(content, site)  # incremental: the cache's index is updated, not rebuilt
    assert not any(OLD_TITLE in text for text in stored_texts(site / ".search" / "whoosh"))
    assert not any(OLD_TITLE.encode() in p.read_bytes() for p in (site / ".search").rglob("*") if p.is_file())
    record.unlink()  # withdrawn
    build(content, site)
    assert not any("测试市政府信息公开规定" in text for text in stored_texts(site / ".search" / "whoosh"))
    assert any("测试市政府信息公开办法" in text for text in stored_texts(site / ".search" / "whoosh"))
