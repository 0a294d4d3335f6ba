"""What the build stores in `site/.search/` and the service reads: the one place both agree on.

The index side (`search.index`) writes these files and the service (`search.service`)
reads them; neither imports the other, both import this module. Layout:

- `.search/whoosh/`  the Whoosh index, with `FORMAT` holding `analysis.FORMAT_VERSION`
- `.search/body/`  the body index: characters and bigrams of every body (below)
- `.search/search.json`  synonyms and filter choices
- `.search/page.html`  the frozen search page, the frame of the service's result pages

Body index keys: a Chinese character c is the integer ord(c); a bigram ab is
ord(a) << 16 | ord(b) (`term_key`). Files in `.search/body/` (written by
`search.index.body_index.write_body_index`, read by `BodyReader`):

- `keys.npy`  sorted distinct keys (uint32)
- `offsets.npy`  postings of keys[i] are records[offsets[i]:offsets[i+1]] (uint32)
- `records.npy`  record numbers (positions in `docs.json`), ascending per key (uint16
  below 65,536 records, else uint32)
- `docs.json`  the format version and, per record number, 索引号 and published (YYYYMMDD)
- `text.bin`, `text.npy`  the body text of each record as a reader sees the page, zlib
  compressed, and the offsets of each record's piece: for snippets.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from pathlib import Path

import numpy as np

from search.analysis import FORMAT_VERSION

SERVICE_FOLDER = ".search"
WHOOSH_FOLDER = "whoosh"
STAMP = "FORMAT"  # in WHOOSH_FOLDER
BODY_FOLDER = "body"
SETTINGS_FILE = "search.json"
PAGE_FILE = "page.html"


def term_key(term: str) -> int | None:
    """Return the key of a query term (one character or a bigram), None for other terms."""
    if not term or term[0] < "\u3400" or len(term) > 2:
        return None
    return ord(term) if len(term) == 1 else ord(term[0]) << 16 | ord(term[1])


def key_term(key: int) -> str:
    """Return the term (one character or a bigram) of a body index key: `term_key` reversed."""
    return chr(key) if key < 0x10000 else chr(key >> 16) + chr(key & 0xFFFF)


class BodyReader:
    """The service's read-only view of `.search/body/` (memory-mapped, shared by threads)."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / "docs.json").read_text("utf-8"))
        if meta["format"] != FORMAT_VERSION:
            raise ValueError("body index format differs")
        self.docs: list[tuple[str, int]] = [(k, int(p)) for k, p in meta["docs"]]
        self.keys = np.load(folder / "keys.npy", mmap_mode="r")
        self.offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self.records = np.load(folder / "records.npy", mmap_mode="r")
        self.text_starts = np.load(folder / "text.npy")
        # opened once: after a new build is swapped in, this reader keeps the old file
        self._text = os.open(folder / "text.bin", os.O_RDONLY)
        self.count = len(self.docs)

    def postings(self, key: int) -> np.ndarray:
        """Return the record numbers whose body holds `key`, ascending."""
        i = int(np.searchsorted(self.keys, key))
        if i < len(self.keys) and int(self.keys[i]) == key:
            return np.asarray(self.records[int(self.offsets[i]) : int(self.offsets[i + 1])])
        return np.zeros(0, dtype=np.uint32)

    def text(self, number: int) -> str:
        """Return the stored body text of record `number`."""
        start, end = int(self.text_starts[number]), int(self.text_starts[number + 1])
        return zlib.decompress(os.pread(self._text, end - start, start)).decode("utf-8")

    def __del__(self) -> None:
        with contextlib.suppress(AttributeError, OSError):
            os.close(self._text)
