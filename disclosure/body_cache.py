"""Rendered bodies kept between builds, keyed by a hash of the Markdown and the renderer.

A rebuild after one record changed renders one body, not thousands. SQLite (stdlib) lets
us read and add single rows without rewriting a large file.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import markdown
import nh3

from disclosure import markdown_html

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


def open_cache(path: Path | None, read_only: bool, table: str) -> sqlite3.Connection | None:
    """Return the SQLite cache at `path` with `table`, or None (no cache, or read-only and absent).

    `check` opens caches read-only: it never writes, but uses what a previous build left.
    """
    if path is None:
        return None
    if read_only:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) if path.is_file() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
    return db


class BodyCache:
    """A persistent map body-key → (html, text); a no-op when `path` is None."""

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.read_only = read_only
        self.db = open_cache(path, read_only, "bodies (key TEXT PRIMARY KEY, html TEXT, text TEXT)")

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Return the cached renderings among `keys`."""
        if self.db is None:
            return {}
        wanted = list(set(keys))
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, html, text in self.db.execute(
                f"SELECT key, html, text FROM bodies WHERE key IN ({marks})", chunk
            ):
                found[key] = (html, text)
        return found

    def put_many(self, items: dict[str, tuple[str, str]]) -> None:
        if self.db is None or self.read_only or not items:
            return
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",
                [(k, h, t) for k, (h, t) in items.items()],
            )

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


class RecordCache:
    """A persistent map key → pickled validation result of one record file.

    The key covers everything the result depends on: the file's bytes (sha256), the kind,
    the 索引号 pattern, the personal-data allow-list, the working directory (problem paths
    are shown relative to it) and the engine's own source code. Kinds that read other
    files while validating (approval lists with a CSV) are not cached.
    """

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.read_only = read_only
        self.fresh: dict[str, bytes] = {}
        self.db = open_cache(path, read_only, "records (key TEXT PRIMARY KEY, value BLOB)")

    def get(self, key: str) -> Any | None:
        if self.db is None:
            return None
        row = self.db.execute("SELECT value FROM records WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:  # an entry written by another version: validate again
            return None

    def put(self, key: str, value: Any) -> None:
        if self.db is not None and not self.read_only:
            self.fresh[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> None:
        if self.db is not None:
            if self.fresh and not self.read_only:
                with self.db:
                    self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)", self.fresh.items())
            self.db.close()


def engine_digest() -> str:
    """Return a digest of the engine's Python source: cached results never outlive a code change."""
    global _ENGINE_DIGEST
    if _ENGINE_DIGEST is None:
        digest = hashlib.sha256()
        for source in sorted(Path(__file__).resolve().parent.rglob("*.py")):
            digest.update(source.read_bytes())
        _ENGINE_DIGEST = digest.hexdigest()
    return _ENGINE_DIGEST


_ENGINE_DIGEST: str | None = None
