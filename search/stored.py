"""What the build stores in `site/.search/` and the service reads: the one place both agree on.

The index side (`search.index`) writes these files and the service (`search.service`)
reads them; neither imports the other, both import this module. Layout:

- `.search/whoosh/`  the Whoosh index, with `FORMAT` holding `analysis.FORMAT_VERSION`
- `.search/body/`  the body index: characters and bigrams of every body (below)
- `.search/search.json`  synonyms, filter choices and the site (name, root_url: the search feeds)
- `.search/page.html`  the frozen search page, the frame of the service's result pages;
  `page.care.html`, `page.a11y.html` the same in each reading mode (`mode_page_file`)

Body index keys (`term_key`, uint64): a Chinese character c is the integer ord(c); a bigram
ab is ord(a) << 16 | ord(b); a trigram abc is ord(a) << 32 | ord(b) << 16 | ord(c); a word of
letters and digits w (each of its prefixes is indexed, so a query word finds the words it
begins) is WORD_BASE | crc32(w). Files in `.search/body/` (written by
`search.index.body_index.write_body_index`, read by `BodyReader`):

- `keys.npy`  sorted distinct keys (uint64)
- `offsets.npy`  postings of keys[i] are records[offsets[i]:offsets[i+1]] (uint32)
- `records.npy`  record numbers (positions in `docs.json`), ascending per key (uint16
  below 65,536 records, else uint32)
- `docs.json`  the format version and, per record number, 索引号 and published (YYYYMMDD)
- `text.bin`, `text.npy`  the body text of each record as a reader sees the page, zlib
  compressed, and the offsets of each record's piece: for snippets.

The service reads the `.npy` files memory-mapped without numpy (`load_array`), so that a
worker does not load numpy at all.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import mmap
import os
import re
import sys
import zlib
from pathlib import Path
from typing import Literal

from search.analysis import FORMAT_VERSION

SERVICE_FOLDER = ".search"
WHOOSH_FOLDER = "whoosh"
STAMP = "FORMAT"  # in WHOOSH_FOLDER
BODY_FOLDER = "body"
SETTINGS_FILE = "search.json"
PAGE_FILE = "page.html"
READING_MODES = ("care", "a11y")  # URL prefixes of the reading modes (disclosure/core/reading_modes.py)

_NPY_MAGIC = b"\x93NUMPY"
# the header numpy.save writes for a one-dimensional array, e.g. {'descr': '<u4', 'fortran_order': False, 'shape': (12,), }
_NPY_HEADER = re.compile(
    r"'descr':\s*'(?P<code>[<|]u[1248])',\s*'fortran_order':\s*(?P<order>\w+),\s*'shape':\s*\((?P<length>\d+),\)"
)
_NPY_CODES: dict[str, Literal["B", "H", "I", "Q"]] = (
    {"|u1": "B", "<u2": "H", "<u4": "I", "<u8": "Q"} if sys.byteorder == "little" else {}
)


WORD_BASE = 1 << 48  # above every character, bigram and trigram key


def word_hash(word: str) -> int:
    """Return the hash of a letter/digit word in body keys (search.js computes the same CRC-32)."""
    return zlib.crc32(word.encode("ascii"))


def mode_page_file(mode: str) -> str:
    """Return the name of the search page's frame in a reading mode ("care" → page.care.html)."""
    return PAGE_FILE if mode not in READING_MODES else f"page.{mode}.html"


def term_key(term: str) -> int | None:
    """Return the body key of a query gram (1–3 Chinese characters, or a letter/digit word)."""
    if not term:
        return None
    if term[0] < "\u3400":
        return WORD_BASE | word_hash(term) if term.isascii() and term.isalnum() else None
    if len(term) > 3:
        return None
    key = 0
    for char in term:
        key = key << 16 | ord(char)
    return key


def key_term(key: int) -> str:
    """Return the name of a body key in the static index: the characters, or #<crc in letters>."""
    if key >= WORD_BASE:
        return "#" + word_name(key - WORD_BASE)
    chars = []
    while key:
        chars.append(chr(key & 0xFFFF))
        key >>= 16
    return "".join(reversed(chars))


def word_name(crc: int) -> str:
    """Return a word's CRC-32 in base 26, a–z: no digits in the static body shards, which the
    output gate scans for identity and bank card numbers."""
    out = ""
    while True:
        crc, digit = divmod(crc, 26)
        out = chr(97 + digit) + out
        if not crc:
            return out


def load_array(path: Path) -> memoryview[int]:
    """Return the one-dimensional unsigned array of a `.npy` file, memory-mapped read-only.

    Read without numpy (the service's workers do not load it): the files are written by
    `numpy.save`, a short header then the little-endian values.
    """
    with path.open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    if view[:6] != _NPY_MAGIC:
        raise ValueError(f"{path.name}: not a .npy file")
    size = 12 if view[6] > 1 else 10  # the header's length: 2 bytes in version 1, 4 later
    start = size + int.from_bytes(view[8:size], "little")
    header = _NPY_HEADER.search(bytes(view[size:start]).decode("latin-1"))
    if header is None or header["order"] != "False" or header["code"] not in _NPY_CODES:
        raise ValueError(f"{path.name}: not a one-dimensional unsigned little-endian array")
    values = view[start:].cast(_NPY_CODES[header["code"]])
    if len(values) != int(header["length"]):
        raise ValueError(f"{path.name}: truncated")
    return values


class BodyReader:
    """The service's read-only view of `.search/body/` (memory-mapped, shared by threads)."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / "docs.json").read_text("utf-8"))
        if meta["format"] != FORMAT_VERSION:
            raise ValueError("body index format differs")
        self.docs: list[tuple[str, int]] = [(k, int(p)) for k, p in meta["docs"]]
        self.keys = load_array(folder / "keys.npy")
        self.offsets = load_array(folder / "offsets.npy")
        self.records = load_array(folder / "records.npy")
        self.text_starts = load_array(folder / "text.npy")
        # opened once: after a new build is swapped in, this reader keeps the old file
        self._text = os.open(folder / "text.bin", os.O_RDONLY)
        self.count = len(self.docs)

    def postings(self, key: int) -> memoryview[int]:
        """Return the record numbers whose body holds `key`, ascending."""
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            return self.records[self.offsets[i] : self.offsets[i + 1]]
        return self.records[:0]

    def key_range(self, low: int, high: int) -> range:
        """Return the positions of the keys in [low, high): `keys[i]`, how many bodies hold it `holders(i)`."""
        return range(bisect.bisect_left(self.keys, low), bisect.bisect_left(self.keys, high))

    def holders(self, i: int) -> int:
        """Return how many bodies hold the key at position i."""
        return self.offsets[i + 1] - self.offsets[i]

    def text(self, number: int) -> str:
        """Return the stored body text of record `number`."""
        start, end = self.text_starts[number], self.text_starts[number + 1]
        return zlib.decompress(os.pread(self._text, end - start, start)).decode("utf-8")

    def __del__(self) -> None:
        with contextlib.suppress(AttributeError, OSError):
            os.close(self._text)
