"""The search cache's seal (issue 15): a rebuild re-reads only the cache files whose stat changed.

The seal beside `.site-cache/search` records each file's sha256 with its size, mtime_ns and
inode; a file whose stat is as sealed is not read again, one written since is, and so is one
written just before the seal (a change within the file system's timestamp granularity).
Damage is still found: tests/test_cache_damage.py damages the real cache after real builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from disclosure.site import body_cache
from disclosure.site.body_cache import folder_sums, seal_folder, sums_file, unseal_folder, verify_folder
from tests.conftest import run_build

HOUR_NS = 3600 * 10**9


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the files body_cache hashes from now on (their names)."""
    read: list[str] = []
    digest = hashlib.file_digest

    def counted(file, algorithm):  # type: ignore[no-untyped-def]  # hashlib's own signature
        read.append(os.path.basename(file.name))
        return digest(file, algorithm)

    monkeypatch.setattr(body_cache.hashlib, "file_digest", counted)
    return read


def aged(path: Path, text: str) -> None:
    """Write `text` to `path`, dated an hour ago (outside the racy window)."""
    path.write_text(text, encoding="utf-8")
    old = time.time_ns() - HOUR_NS
    os.utime(path, ns=(old, old))


def test_a_file_whose_stat_is_as_sealed_is_not_read_again_a_changed_one_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "search"
    (folder / "b").mkdir(parents=True)
    aged(folder / "a.seg", "one")
    aged(folder / "b" / "c.js", "two")
    sealed = folder_sums(folder)
    assert sealed["a.seg"][0] == hashlib.sha256(b"one").hexdigest() and len(sealed["a.seg"]) == 4
    read = count_reads(monkeypatch)
    assert folder_sums(folder, sealed) == sealed and read == []
    aged(folder / "b" / "c.js", "TWO")  # same size, written again: its mtime changed
    again = folder_sums(folder, sealed)
    assert read == ["c.js"] and again["b/c.js"][0] == hashlib.sha256(b"TWO").hexdigest()
    assert again["a.seg"] == sealed["a.seg"]


def test_a_file_written_just_before_the_seal_is_read_again_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "search"
    folder.mkdir()
    (folder / "fresh.seg").write_text("new", encoding="utf-8")
    aged(folder / "old.seg", "old")
    sealed = folder_sums(folder)
    assert len(sealed["fresh.seg"]) == 1 and len(sealed["old.seg"]) == 4  # no stat trusted for the fresh one
    read = count_reads(monkeypatch)
    folder_sums(folder, sealed)
    assert read == ["fresh.seg"]


def test_unseal_keeps_the_sums_as_hints_only_and_a_damaged_file_still_fails_the_seal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "search"
    folder.mkdir()
    for name in ("a.seg", "b.seg", "c.seg"):
        aged(folder / name, name)
    seal_folder(folder)
    assert verify_folder(folder) is None
    unseal_folder(folder)
    assert verify_folder(folder) == "没有上次生成时记录的校验值"  # a build killed now leaves no seal
    read = count_reads(monkeypatch)
    aged(folder / "b.seg", "new")  # what the build changed
    seal_folder(folder)
    assert read == ["b.seg"] and verify_folder(folder) is None
    (folder / "c.seg").write_bytes(b"\x00\x00\x00\x00\x00")  # damaged after the seal
    assert "c.seg" in (verify_folder(folder) or "")


def test_an_earlier_versions_seal_is_read_and_every_file_checked(tmp_path: Path) -> None:
    folder = tmp_path / "search"
    folder.mkdir()
    aged(folder / "a.seg", "one")
    sums_file(folder).write_text(json.dumps({"a.seg": hashlib.sha256(b"one").hexdigest()}), encoding="utf-8")
    assert verify_folder(folder) is None
    sums_file(folder).write_text(json.dumps({"a.seg": hashlib.sha256(b"two").hexdigest()}), encoding="utf-8")
    assert "a.seg" in (verify_folder(folder) or "")


def test_a_no_change_rebuild_reads_few_of_the_search_caches_files(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body_cache, "RACY_NS", 0)  # every file of the first build trusted by its stat
    out, cache = tmp_path / "site", tmp_path / ".site-cache" / "search"
    run_build(content, out)
    before = folder_sums(cache)
    read = count_reads(monkeypatch)
    run_build(content, out)
    read_by_build = sorted(read)
    after = folder_sums(cache, before)
    rewritten = sorted(Path(name).name for name in after if after[name][1:] != before.get(name, [None])[1:])
    assert len(before) >= 5 and len(rewritten) < len(before)
    assert read_by_build == rewritten  # only what the build wrote, once (before issue 15: every file, twice)
