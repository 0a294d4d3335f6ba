"""Rendered bodies kept between builds, keyed by a hash of the Markdown and the renderer.

A rebuild after one record changed renders one body, not thousands. SQLite (stdlib) lets
us read and add single rows without rewriting a large file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import sqlite3
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import markdown
import nh3

from disclosure.core import markdown_html
from disclosure.core.output_guard import made_by_tool

# Any change to how bodies render must change this, so old entries are not reused.
RENDER_VERSION = "|".join(
    [
        "5",
        markdown.__version__,
        getattr(nh3, "__version__", ""),
        ",".join(markdown_html.EXTENSIONS),
        ",".join(sorted(markdown_html.TAGS)),
    ]
)


def body_key(body: str) -> str:
    """Return the cache key of a Markdown body."""
    return hashlib.sha256(f"{RENDER_VERSION}\n{body}".encode()).hexdigest()


_TIMEOUT_SECONDS = 5.0  # another process holding the cache longer than this: the cache is set aside


def open_cache(path: Path | None, read_only: bool, table: str) -> sqlite3.Connection | None:
    """Return the SQLite cache at `path` with `table`, or None (no cache, or read-only and absent).

    `check` opens caches read-only: it never writes, but uses what a previous build left.
    A cache that cannot be used (not a database, damaged, of another layout, locked,
    read-only) is derived data: the build discards and rebuilds it, `check` goes without.
    """
    if path is None:
        return None
    if read_only and not os.path.lexists(path):
        return None
    try:
        return _connect(path, read_only, table)
    except (sqlite3.Error, OSError) as exc:
        return reopen_after(exc, path, read_only, table)


def _connect(path: Path, read_only: bool, table: str) -> sqlite3.Connection:
    """Open `path`, check it is a database of `table`'s layout and (unless `read_only`) writable.

    Not `PRAGMA quick_check`: it reads the whole file (0.15-0.3 s for the corpus's 120 MB of
    bodies, every build) and vouches for no row's bytes; a damaged page a build reads raises
    `sqlite3.DatabaseError` there, which sets the cache aside as a failed open does (`failed`).
    """
    if read_only:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_TIMEOUT_SECONDS)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=_TIMEOUT_SECONDS)
    try:
        name = table.split(" ", 1)[0]
        columns = [c.split()[0] for c in table.split("(", 1)[1].rstrip(")").split(",")]
        found = [row[1] for row in db.execute(f"PRAGMA table_info({name})")]
        if found and found != columns:
            raise sqlite3.DatabaseError(f"表 {name} 的结构不符（{','.join(found)}）")
        if not read_only:
            db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
            db.execute("BEGIN IMMEDIATE")  # fails now, not at the end of the build, when it cannot be written
            db.execute("ROLLBACK")
        elif not found:
            raise sqlite3.DatabaseError(f"没有表 {name}")
    except BaseException:
        db.close()
        raise
    return db


def reopen_after(exc: BaseException, path: Path, read_only: bool, table: str) -> sqlite3.Connection | None:
    """Warn that the cache at `path` is unusable; discard it and return a new one (a build), else None."""
    if read_only or not discard(path):
        print(f"警告：缓存文件 {path} 无法使用（{exc}），本次不使用缓存。", file=sys.stderr)
        return None
    print(f"警告：缓存文件 {path} 已损坏或无法使用（{exc}），已丢弃，将从内容重新生成。", file=sys.stderr)
    try:
        return _connect(path, read_only, table)
    except (sqlite3.Error, OSError):
        return None


def discard(path: Path) -> bool:
    """Delete the cache file `path` and its journals if its folder is the tool's cache folder; return whether gone."""
    if not made_by_tool(path.parent, "cache"):
        return False  # never delete a file the tool did not make
    for name in (path.name, *(f"{path.name}{suffix}" for suffix in _SIDE_FILES)):
        entry = path.parent / name
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            elif os.path.lexists(entry):
                entry.unlink()
    return not os.path.lexists(path)


_SIDE_FILES = ("-journal", "-wal", "-shm")


class _SqliteCache:
    """A cache table in one SQLite file; any SQLite error while using it sets it aside, never stops the build."""

    table = ""

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.db = open_cache(path, read_only, self.table)

    def failed(self, exc: sqlite3.Error) -> None:
        """Stop using the cache after `exc`; a build discards the file, so the next one starts afresh."""
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
        self.db = None
        assert self.path is not None
        if not self.read_only and discard(self.path):
            print(f"警告：缓存文件 {self.path} 无法使用（{exc}），已丢弃，下次生成时重建。", file=sys.stderr)
        else:
            print(f"警告：缓存文件 {self.path} 无法使用（{exc}），本次不再使用缓存。", file=sys.stderr)

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None


class BodyCache(_SqliteCache):
    """A persistent map body-key → (html, text); a no-op when `path` is None."""

    table = "bodies (key TEXT PRIMARY KEY, html TEXT, text TEXT)"

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Return the cached renderings among `keys`."""
        if self.db is None:
            return {}
        wanted = list(set(keys))
        found: dict[str, tuple[str, str]] = {}
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, html, text in self.db.execute(
                    f"SELECT key, html, text FROM bodies WHERE key IN ({marks})", chunk
                ):
                    if isinstance(html, str) and isinstance(text, str):
                        found[key] = (html, text)
        except sqlite3.Error as exc:
            self.failed(exc)
            return {}
        return found

    def put_many(self, items: dict[str, tuple[str, str]]) -> None:
        if self.db is None or self.read_only or not items:
            return
        try:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",
                    [(k, h, t) for k, (h, t) in items.items()],
                )
        except sqlite3.Error as exc:
            self.failed(exc)


class RecordCache(_SqliteCache):
    """A persistent map key → pickled validation result of one record file.

    The key covers everything the result depends on: the file's bytes (sha256), the kind,
    the 索引号 pattern, the personal-data allow-list, the working directory (problem paths
    are shown relative to it) and the engine's own source code. Kinds that read other
    files while validating (approval lists with a CSV) are not cached.
    """

    table = "records (key TEXT PRIMARY KEY, value BLOB)"

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.fresh: dict[str, bytes] = {}
        super().__init__(path, read_only)

    def get(self, key: str) -> Any | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM records WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self.failed(exc)
            return None
        if row is None:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:  # an entry written by another version, or damaged: validate again
            return None

    def put(self, key: str, value: Any) -> None:
        if self.db is not None and not self.read_only:
            self.fresh[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> None:
        if self.db is not None and self.fresh and not self.read_only:
            try:
                with self.db:
                    self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)", self.fresh.items())
            except sqlite3.Error as exc:
                self.failed(exc)
        super().close()


RACY_NS = 2_000_000_000  # a file changed this close before sealing is hashed again next time (as git's "racily clean")
Sums = dict[
    str, list[Any]
]  # relative path → [sha256, size, mtime_ns, inode]; the stat empty where it is not trusted


def folder_sums(folder: Path, known: Sums | None = None) -> Sums:
    """Return the sha256 of every file under `folder` (lock files aside), by relative path, with its stat.

    A file whose size, mtime_ns and inode are those `known` records keeps the recorded sum
    without being read: a no-change rebuild stats the search cache's thousands of files
    instead of hashing them twice (issue 15). Anything written through the file system
    changes the mtime; a file written in the last `RACY_NS` before this call gets no stat,
    so that a change within the file system's timestamp granularity is still read next time.
    """
    known = known or {}
    sums: Sums = {}
    if not folder.is_dir():
        return sums
    now, root = time.time_ns(), os.fspath(folder)
    for parent, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            if "WRITELOCK" in name or name.endswith(".lock"):
                continue
            path = os.path.join(parent, name)
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                continue
            relative = path[len(root) + 1 :].replace(os.sep, "/")
            seen = [info.st_size, info.st_mtime_ns, info.st_ino]
            recorded = known.get(relative)
            if recorded and recorded[1:] == seen:
                digest = recorded[0]
            else:
                with open(path, "rb") as file:
                    digest = hashlib.file_digest(file, "sha256").hexdigest()
            sums[relative] = [digest, *seen] if now - info.st_mtime_ns > RACY_NS else [digest]
    return dict(sorted(sums.items()))


def sums_file(folder: Path) -> Path:
    """Return where the sums of the cache folder `folder` are kept: beside it (`search.sha256`)."""
    return folder.parent / f"{folder.name}.sha256"


def hints_file(folder: Path) -> Path:
    """Return where `unseal_folder` leaves the last sums: no seal any more, only what spares re-reading unchanged files."""
    return folder.parent / f"{folder.name}.sha256.unsealed"


def read_sums(path: Path) -> Sums:
    """Return the sums recorded in `path` (an earlier version's `path → sha256` too); raise OSError, ValueError."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("不是 JSON 对象")
    return {name: value if isinstance(value, list) else [value] for name, value in data.items()}


def verify_folder(folder: Path) -> str | None:
    """Return why the cache folder `folder` is not as the last build left it (None: it is, or absent)."""
    if not os.path.lexists(folder):
        return None
    try:
        recorded = read_sums(sums_file(folder))
    except FileNotFoundError:
        return "没有上次生成时记录的校验值"
    except (OSError, ValueError) as exc:
        return f"校验值文件无法读取：{exc}"
    try:
        found = folder_sums(folder, recorded)
    except OSError as exc:
        return f"无法读取：{exc}"
    if {n: v[0] for n, v in found.items()} != {n: v[0] for n, v in recorded.items()}:
        changed = sorted(
            set(found) ^ set(recorded) | {n for n in found if n in recorded and recorded[n][0] != found[n][0]}
        )
        return f"与上次生成时记录的校验值不符：{'、'.join(changed[:3])}"
    return None


def seal_folder(folder: Path) -> None:
    """Record the sums of the cache folder `folder`, as `verify_folder` checks them next time."""
    try:
        known = read_sums(hints_file(folder))
    except (OSError, ValueError):
        known = {}
    sums_file(folder).write_text(json.dumps(folder_sums(folder, known), indent=0), encoding="utf-8")
    with contextlib.suppress(FileNotFoundError):
        hints_file(folder).unlink()


def unseal_folder(folder: Path) -> None:
    """Forget the sums of `folder` while it is being changed: a build killed meanwhile leaves it unverified.

    They are kept aside as hints (`hints_file`): `seal_folder` re-reads only the files whose stat changed.
    """
    with contextlib.suppress(FileNotFoundError):
        os.replace(sums_file(folder), hints_file(folder))
