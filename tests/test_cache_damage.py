"""The build cache is derived data: however it is damaged, the next build rebuilds it.

Every test builds a real fixture site, damages one cache file as a crash, a full disk or
a careless hand would (junk, truncation, random bytes, wrong layout, a lock held, a folder
where a file belongs), then runs the real command line again: the build succeeds with one
warning naming the file, `check` works without the cache, and the published search index
is whole.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from whoosh import index

from disclosure.core.output_guard import MARKER
from disclosure.site import body_cache

Run = Callable[..., tuple[int, str]]


def built(run: Run, content: Path, out: Path) -> None:
    """Build `content` into `out`; fail on any error."""
    status, err = run("build", "--content", content, "--output", out)
    assert status == 0, err


def assert_whole_index(folder: Path) -> None:
    """Open the Whoosh index in `folder` and read every stored document and every posting."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ix = index.open_dir(str(folder))
        with ix.searcher() as searcher:
            assert sum(1 for _ in searcher.all_stored_fields()) > 0
            reader = searcher.reader()
            for name in ix.schema.names():
                if ix.schema[name].indexed:
                    for term in reader.field_terms(name):
                        list(reader.postings(name, term).all_ids())


def cache_warnings(err: str, named: str) -> list[str]:
    """Return the warning lines of `err` about the cache file `named` (`.site-cache/…`)."""
    return [line for line in err.splitlines() if line.startswith("警告：") and named in line]


def assert_recovers(run: Run, content: Path, out: Path, named: str) -> None:
    """The next check and build succeed, the build warns once naming `named`, and publishes a whole search index.

    `check` (read-only) reads the cache beside `site` in the working directory: the tests run in `out`'s folder.
    """
    status, err = run("check", "--content", content)
    assert status == 0 and "Traceback" not in err, err
    status, err = run("build", "--content", content, "--output", out)
    assert status == 0, err
    assert "Traceback" not in err
    assert len(cache_warnings(err, named)) == 1, err
    assert_whole_index(out / ".search" / "whoosh")
    status, err = run("build", "--content", content, "--output", out)  # and the rebuilt cache is trusted again
    assert status == 0 and not cache_warnings(err, named), err


def _junk(path: Path) -> None:
    path.write_text("junk\n", encoding="utf-8")


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: max(len(data) // 3, 200)])


def _random_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(len(data[100:4096]))  # the header survives, the schema page does not
    path.write_bytes(bytes(data))


def _wrong_layout(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE bodies (k INTEGER, v INTEGER)")
        db.execute("CREATE TABLE records (k INTEGER)")
    db.close()


def _a_folder(path: Path) -> None:
    path.unlink()
    (path / "inside").mkdir(parents=True)


@pytest.mark.parametrize("name", ["records.sqlite", "bodies.sqlite"])
@pytest.mark.parametrize("damage", [_junk, _truncated, _random_pages, _wrong_layout, _a_folder])
def test_a_damaged_sqlite_cache_is_rebuilt(
    content: Path, tmp_path: Path, run: Run, name: str, damage: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    built(run, content, out)
    damage(tmp_path / ".site-cache" / name)
    assert_recovers(run, content, out, f".site-cache/{name}")


def test_a_cache_locked_by_another_process_is_set_aside(
    content: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    built(run, content, out)
    monkeypatch.setattr(body_cache, "_TIMEOUT_SECONDS", 0.2, raising=False)
    holder = sqlite3.connect(tmp_path / ".site-cache" / "records.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as an editor's sqlite3 shell left open
    try:
        status, err = run("build", "--content", content, "--output", out)
        assert status == 0 and "Traceback" not in err, err
        assert "records.sqlite" in err and "locked" in err
        status, err = run("check", "--content", content)
        assert status == 0 and "Traceback" not in err, err
    finally:
        holder.close()


def _segment(whoosh: Path) -> Path:
    return next(whoosh.glob("*.seg"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda w: _truncated(_segment(w)),
        lambda w: _random_pages(_segment(w)),
        lambda w: next(w.glob("*.toc")).unlink(),
        lambda w: _truncated(next(w.glob("*.toc"))),
        lambda w: _segment(w).unlink(),
        lambda w: (w / "FORMAT").write_text("x", encoding="utf-8"),
        lambda w: _junk(w.parent / "body-cache" / "0.pickle"),
        lambda w: _junk(w.parent / "body-postings" / "records.npy"),
        lambda w: _junk(w.parent / "static-body" / "manifest.json"),
        lambda w: (shutil.rmtree(w.parent), _junk(w.parent)),  # a file where the folder was
    ],
    ids=["segment-truncated", "segment-random", "toc-missing", "toc-truncated", "segment-missing",
         "format", "body-pickle", "body-postings", "static-manifest", "folder-is-a-file"],
)
def test_a_damaged_search_cache_is_rebuilt(
    content: Path, tmp_path: Path, run: Run, damage: Callable[[Path], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    built(run, content, out)
    damage(tmp_path / ".site-cache" / "search" / "whoosh")
    assert_recovers(run, content, out, ".site-cache/search")


def test_check_never_changes_a_damaged_cache(content: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # check reads the cache of ./site
    out = tmp_path / "site"
    built(run, content, out)
    cache = tmp_path / ".site-cache" / "bodies.sqlite"
    _junk(cache)
    status, err = run("check", "--content", content)
    assert status == 0 and "bodies.sqlite" in err and "Traceback" not in err
    assert cache.read_text(encoding="utf-8") == "junk\n"  # check is read-only; the next build rebuilds it


def test_only_a_file_in_the_marked_cache_folder_is_discarded(tmp_path: Path) -> None:
    from disclosure.site.body_cache import discard

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "bodies.sqlite").write_text("我的文件", encoding="utf-8")
    (mine / "notes.txt").write_text("我的文件", encoding="utf-8")  # not a cache folder of the tool
    assert not discard(mine / "bodies.sqlite")
    assert (mine / "bodies.sqlite").read_text(encoding="utf-8") == "我的文件"
    (mine / MARKER).write_text("yangguang-gongkai cache\n", encoding="utf-8")
    assert discard(mine / "bodies.sqlite") and (mine / "notes.txt").exists()
