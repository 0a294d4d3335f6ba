"""The body index: every Chinese character and bigram of every record's body, without Whoosh.

Putting the bigrams of the whole corpus (58 MB of text, about 7 M distinct (bigram, record)
pairs) into Whoosh costs minutes; here they are computed and inverted with numpy in a few
seconds, and cached per record between builds.

Keys (`search.stored.term_key`, uint64): every Chinese character, bigram and trigram of the
Chinese runs (`analysis.CJK`), and every prefix of every word of letters and digits (so
`97` finds 国发〔1986〕97号 in any bracket style, `ipv` finds IPv6 and `2019` finds 2019年).
Text is normalised exactly as `search.analysis.normalise` does it (NFKC, lower case,
Traditional → Simplified). A query part matches a body when all its grams
(`analysis.body_grams`: trigrams of a phrase, a word as written) are there.

The service's copy goes into `.search/body/` (`write_body_index`; the files are listed in
`search.stored`, whose `BodyReader` reads them). The body text kept there is what a reader
sees of the page (`visible_text.text_of`; whitespace collapsed, blocks and cells apart by
BLOCK_MARK).

The static index writes the same postings as `b/<n>.js` (see `search.index.static_index`),
and, in `x/<n>.js`, the check grams of each body (`phrase_grams`: every run of five characters,
by bucket, with its positions): the browser, which never downloads a body, checks with them
that a phrase stands in a body as written.

Incremental: `<cache>/search/body-cache/<n>.pickle` keep, per `Record.digest` (in CACHE_SHARDS
shards by digest, so that a change rewrites one or two), the record's keys, compressed text and
check grams; a build computes only the records whose source changed.
`<cache>/search/body-postings/` keeps the last build's postings (hard links of the files written
into `.search/body/`, `keep_inverted`): when the records are the same ones in the same places
but a few whose source changed, the postings of the keys those gained or lost are patched
(`patch_postings`) instead of every record's being inverted again (a second on the corpus).
The check grams are inverted by the static index only for the shards it writes (`CheckGrams`).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import shutil
import unicodedata
import zlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from disclosure.core.visible_text import BLOCK_MARK, text_of
from disclosure.core.workers import worker_pool
from disclosure.outputs.publish import link_files
from search.analysis import FORMAT_VERSION, MAX_ALNUM, fold_table
from search.stored import WORD_BASE, word_hash

CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # analysis.CJK
CACHE_FOLDER = "body-cache"  # CACHE_SHARDS pickles of per-record work, by digest: a change rewrites one or two
CACHE_SHARDS = 64
OLD_CACHE_FILE = "body.pickle"
PARALLEL_THRESHOLD = 400  # records to compute; below this one process is faster
# Body postings are long; with no digits in them, the output scan for personal numbers
# (identity card, bank card) can never read a run of postings as one. Positions use it too.
BODY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_!$%()*+,.:"
PHRASE_GRAM = 5  # characters of a check gram: where the static index looks for a phrase as written
PHRASE_BUCKETS = 2_097_143  # a prime; check grams are kept by bucket (`phrase_bucket`)
FNV_OFFSET, FNV_PRIME = np.uint32(2166136261), np.uint32(16777619)
POSITIONS_PER_BODY = 4  # a body holding a check gram more often writes UNKNOWN_POSITIONS for it
UNKNOWN_POSITIONS = b"~"
NARROW_TEXT = 1 << 10  # a body no longer (without spaces) writes its positions in two characters
WIDE_MODULUS = 1 << 16  # a longer one in three, each position modulo this


@cache
def _fold_lut() -> np.ndarray:
    """Return `analysis.fold_table` as a lookup array over the Basic Multilingual Plane."""
    lut = np.arange(0x10000, dtype=np.uint32)
    for source, target in fold_table().items():
        lut[source] = ord(target)
    return lut


# Every character whose NFKC form holds a Chinese character lies in these ranges (checked
# over all of Unicode when written): only text with one of them needs NFKC, which is slow.
_NFKC_RANGES = (
    (0x2E80, 0x2FDF), (0x3038, 0x303A), (0x3192, 0x319F), (0x3200, 0x33FF),
    (0xF900, 0xFAFF), (0x1F200, 0x1F2FF), (0x2F800, 0x2FA1F),
)  # fmt: skip
_NFKC_RUNS = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _NFKC_RANGES) + "]+")


def _codes(text: str) -> np.ndarray:
    """Return the code points of `text`."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _in(cps: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Return where the code points lie in one of the (inclusive) ranges."""
    mask = np.zeros(cps.shape, dtype=bool)
    for low, high in ranges:
        mask |= (cps >= low) & (cps <= high)
    return mask


_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # full-width letters and digits
_WORDS = re.compile(f"[0-9a-z]{{1,{MAX_ALNUM}}}")


def body_keys(text: str) -> np.ndarray:
    """Return the sorted distinct keys of a body text: characters, bigrams, trigrams, word prefixes."""
    # Same keys as normalise() + body_grams(): NFKC matters only where it yields Chinese
    # characters (or turns full-width letters and digits into ASCII), lower case changes no
    # Chinese character, the fold table maps Chinese characters only.
    cps = _codes(text)
    if _in(cps, _NFKC_RANGES).any():
        cps = _codes(_NFKC_RUNS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text))
    cps = _fold_lut()[np.where(cps < 0x10000, cps, 0)].astype(np.uint64)
    chinese = _in(cps, CJK_RANGES)
    pair = chinese[:-1] & chinese[1:]
    bigrams = (cps[:-1][pair] << np.uint64(16)) | cps[1:][pair]
    triple = pair[:-1] & chinese[2:]
    trigrams = (cps[:-2][triple] << np.uint64(32)) | (cps[1:-1][triple] << np.uint64(16)) | cps[2:][triple]
    return np.unique(np.concatenate([cps[chinese], bigrams, trigrams, word_keys(text)]))


def word_keys(text: str) -> np.ndarray:
    """Return the keys of every prefix of every letter/digit word of `text` (normalised as queries are)."""
    if _WIDE.search(text):
        text = unicodedata.normalize("NFKC", text)
    words = set(_WORDS.findall(text.lower()))  # a longer run is cut as query_terms cuts it
    prefixes = {word[:n] for word in words for n in range(1, len(word) + 1)}
    return np.fromiter((WORD_BASE | word_hash(p) for p in prefixes), dtype=np.uint64, count=len(prefixes))


def phrase_grams(display: str) -> tuple[np.ndarray, np.ndarray, bytes]:
    """Return the check grams of a body's display text: the buckets of its runs of PHRASE_GRAM
    Chinese characters (sorted, uint32), the length of each bucket's positions and the positions,
    concatenated in bucket order.

    A bucket is `phrase_bucket` of the five characters (search.js computes the same). A position
    counts the characters of the text without its spaces (as `analysis.phrase_text` compares a
    phrase; a block break, BLOCK_MARK, is one character: `｜`), after the same normalisation as
    `body_keys`. Each distinct position is written in BODY_ALPHABET: in a body of at most
    NARROW_TEXT characters in two characters (32 = the bucket's last position, then the ten bits
    of the position), in a longer one in three (32 = last, 16 = wide, then sixteen bits of the
    position modulo WIDE_MODULUS). A bucket a body holds at more than POSITIONS_PER_BODY places
    is UNKNOWN_POSITIONS there (a run it repeats: common, and its positions would be long).
    """
    cps = _codes(display)
    if _in(cps, _NFKC_RANGES).any():
        cps = _codes(_NFKC_RUNS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), display))
    cps = _fold_lut()[np.where(cps < 0x10000, cps, 0)]
    if len(cps) < PHRASE_GRAM:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32), b""
    spaces = (cps == 32) | (cps == 0x3000)
    compact = np.cumsum(~spaces) - 1
    chinese = _in(cps, CJK_RANGES)
    run = chinese[: len(chinese) - PHRASE_GRAM + 1].copy()
    for j in range(1, PHRASE_GRAM):
        run &= chinese[j : len(chinese) - PHRASE_GRAM + 1 + j]
    at = np.flatnonzero(run)
    hashed = np.full(len(at), FNV_OFFSET, dtype=np.uint32)
    for j in range(PHRASE_GRAM):  # FNV-1a over the code points, 32 bits (wraps)
        hashed ^= cps[at + j].astype(np.uint32)
        hashed *= FNV_PRIME
    keys = hashed % np.uint32(PHRASE_BUCKETS)
    wide = len(compact) > 0 and int(compact[-1]) >= NARROW_TEXT
    places = compact[at].astype(np.int64) % (WIDE_MODULUS if wide else NARROW_TEXT)
    order = np.lexsort((places, keys))
    keys, places = keys[order], places[order]
    distinct = np.ones(len(keys), dtype=bool)
    distinct[1:] = (keys[1:] != keys[:-1]) | (places[1:] != places[:-1])
    keys, places = keys[distinct], places[distinct]
    last = np.ones(len(keys), dtype=bool)
    last[:-1] = keys[1:] != keys[:-1]
    if wide:
        digits = np.stack([32 * last + 16 + (places >> 12), (places >> 6) & 63, places & 63], axis=1)
    else:
        digits = np.stack([32 * last + (places >> 6), places & 63], axis=1)
    found, counts = np.unique(keys, return_counts=True)
    chars = _alphabet()[digits]
    many = counts > POSITIONS_PER_BODY
    if many.any():  # a run this body repeats: its positions are not written ("any will do")
        keep = ~np.repeat(many, counts)
        chars = chars[keep]
        counts = np.where(many, 0, counts)
    lengths = np.where(many, 1, counts * digits.shape[1]).astype(np.uint32)
    if not many.any():
        return found, lengths, chars.tobytes()
    # the unknown mark where a bucket's positions were left out, in bucket order
    width = digits.shape[1]
    pieces, flat, start = [], chars.tobytes(), 0
    for count, unknown in zip(counts.tolist(), many.tolist(), strict=True):
        if unknown:
            pieces.append(UNKNOWN_POSITIONS)
        else:
            pieces.append(flat[start : start + count * width])
            start += count * width
    return found, lengths, b"".join(pieces)


def phrase_bucket(gram: str) -> int:
    """Return the bucket of a check gram (`phrase_grams`): FNV-1a of its code points, modulo PHRASE_BUCKETS."""
    h = int(FNV_OFFSET)
    for char in gram:
        h = ((h ^ ord(char)) * int(FNV_PRIME)) & 0xFFFFFFFF
    return h % PHRASE_BUCKETS


@cache
def _alphabet() -> np.ndarray:
    return np.frombuffer(BODY_ALPHABET.encode(), dtype=np.uint8)


def display_text(text: str) -> str:
    """Return the stored text of a body: whitespace collapsed, block breaks kept visible (BLOCK_MARK)."""
    return BLOCK_MARK.join(" ".join(line.split()) for line in text.split("\n") if line.strip())


# keys (uint64), compressed text; check-gram buckets (uint32), their position lengths (uint32), positions
Computed = tuple[bytes, bytes, bytes, bytes, bytes]
Grams = tuple[bytes, bytes, bytes]  # the check grams of one body: Computed[2:]


def _compute(body_html: str) -> Computed:
    """Return the keys (uint64 bytes), the compressed display text and the check grams of one body."""
    # what a reader sees of the page (personal_data's gate reads the page the same way):
    # a snippet never joins what the page keeps apart (two table cells, two paragraphs)
    text = text_of(body_html)
    display = display_text(text)
    buckets, lengths, positions = phrase_grams(display)
    return (
        body_keys(text).tobytes(), zlib.compress(display.encode("utf-8"), 1),
        buckets.tobytes(), lengths.tobytes(), positions,
    )  # fmt: skip


def _compute_many(bodies: list[str]) -> list[Computed]:
    """Return `_compute` of each body (one worker's share)."""
    return [_compute(b) for b in bodies]


@dataclass
class Inverted:
    """The postings of all bodies: keys, offsets into records."""

    keys: np.ndarray
    offsets: np.ndarray
    records: np.ndarray
    texts: list[bytes]
    digests: list[str] = field(default_factory=list)  # per record number
    previous: dict[str, bytes] = field(default_factory=dict)  # keys of records gone since the last build
    record_keys: list[bytes] = field(default_factory=list)  # per record number, sorted uint64
    phrase: CheckGrams | None = None  # the check grams (`phrase_grams`) of the bodies
    # check grams inverted (`invert_phrase`): per bucket where its positions are in `positions`, in record order
    position_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    positions: bytes = b""

    def position_text(self, i: int) -> str:
        """Return the positions of key `i` in the records of its postings, in their order ("" for none)."""
        return self.positions[self.position_offsets[i] : self.position_offsets[i + 1]].decode("ascii")

    def subset(self, mask: np.ndarray) -> Inverted:
        """Return the postings of the keys where `mask` is true."""
        lengths = np.diff(self.offsets.astype(np.int64))[mask]
        starts = self.offsets[:-1].astype(np.int64)[mask]
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return Inverted(self.keys[mask], offsets.astype(np.uint32), self.records[gather], [])


@dataclass
class CheckGrams:
    """The check grams of the bodies (`phrase_grams`), per record number, and those of the records
    gone since the last build (by digest), not yet inverted: a rebuild inverts only the buckets
    of the shards it writes again (`search.index.static_index.write_phrase_shards`)."""

    digests: list[str]
    grams: list[Grams]
    previous: dict[str, Grams] = field(default_factory=dict)

    @cached_property
    def flat(self) -> Flat:
        """Return every record's check grams end to end (`Flat`), made once."""
        return _flatten(self.grams)

    def release(self) -> None:
        """Let go of `flat` (all records' grams end to end, some 100 MB on the corpus) once the
        last inversion is made: the static index's shards are written after it."""
        self.__dict__.pop("flat", None)

    def inverted(self, wanted: np.ndarray | None = None, instead: dict[int, Grams] | None = None) -> Inverted:
        """Return the check grams inverted (`invert_phrase`); `wanted`: of the buckets where it is
        true only; `instead`: other grams for some record numbers."""
        if not instead:
            return _invert_flat(self.flat, wanted)
        flat, changed = self.flat, np.array(sorted(instead), dtype=np.uint32)
        keep = ~np.isin(flat.numbers, changed)
        if wanted is not None:
            keep &= wanted[flat.buckets]
        other = _flatten([instead[n] for n in changed.tolist()], changed)
        merged = Flat(
            np.concatenate((flat.buckets[keep], other.buckets)),
            np.concatenate((flat.numbers[keep], other.numbers)),
            np.concatenate((flat.lengths[keep], other.lengths)),
            np.concatenate((flat.source[keep], other.source.astype(np.int64) + len(flat.blob))).astype(
                _offsets_type(len(flat.blob) + len(other.blob))
            ),
            np.concatenate((flat.blob, other.blob)),
        )
        return _invert_flat(merged, wanted, ordered=False)


def _shard_of(digest: str) -> int:
    """Return the cache shard of a record (`Record.digest` is hexadecimal)."""
    return int(digest[:4], 16) % CACHE_SHARDS


def _read_shards(folder: Path) -> tuple[dict[str, Computed], set[int]]:
    """Return the per-record work kept in `folder`, and the shards missing or unreadable (a damaged
    shard is recomputed, never trusted)."""
    cached: dict[str, Computed] = {}
    unread: set[int] = set()
    for n in range(CACHE_SHARDS):
        try:
            with (folder / f"{n}.pickle").open("rb") as f:
                stamp, shard = pickle.load(f)
            if stamp != FORMAT_VERSION or not isinstance(shard, dict) or any(_shard_of(d) != n for d in shard):
                raise ValueError("not this format")
            cached.update(shard)
        except Exception:
            unread.add(n)
    return cached, unread


def _write_shards(folder: Path, cached: dict[str, Computed], shards: set[int]) -> None:
    """Write the given shards of `cached` into `folder` (each through a new file renamed over the old)."""
    folder.mkdir(parents=True, exist_ok=True)
    by_shard: dict[int, dict[str, Computed]] = {n: {} for n in shards}
    for digest, value in cached.items():
        n = _shard_of(digest)
        if n in by_shard:
            by_shard[n][digest] = value
    for n, shard in sorted(by_shard.items()):
        partial = folder / f"{n}.partial"
        with partial.open("wb") as f:
            pickle.dump((FORMAT_VERSION, shard), f, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(folder / f"{n}.pickle")


class BodyJob:
    """The per-record work of a build, started at once in worker processes (so that it runs
    beside the Whoosh writer) and collected by `result()`."""

    def __init__(self, items: Sequence[tuple[str, str]], cache_dir: Path | None) -> None:
        self.items = list(items)
        self.cached: dict[str, Computed] = {}
        self.path = cache_dir / CACHE_FOLDER if cache_dir else None
        self.unread: set[int] = set()  # shards missing or unreadable: written whole by `collect`
        if self.path:
            self.cached, self.unread = _read_shards(self.path)
            with contextlib.suppress(OSError):
                (self.path.parent / OLD_CACHE_FILE).unlink()  # the one file an earlier version kept
        self.todo = [(d, b) for d, b in dict(self.items).items() if d not in self.cached]
        self.previous: dict[str, bytes] = {}  # keys of records gone since the last build (`collect`)
        self.previous_grams: dict[str, Grams] = {}  # … and their check grams
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Any] = []
        workers = min(os.cpu_count() or 1, 4)
        if workers > 1 and len(self.todo) >= PARALLEL_THRESHOLD:
            bodies = [b for _, b in self.todo]
            size = -(-len(bodies) // (workers * 4))
            self.pool = worker_pool(workers)
            self.futures = [self.pool.submit(_compute_many, bodies[i : i + size]) for i in range(0, len(bodies), size)]

    def close(self) -> None:
        """Stop the workers (the build failed)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def computed(self) -> list[Computed]:
        """Return the keys and text of the records to compute, from the workers or computed here."""
        if self.pool is None:
            return _compute_many([b for _, b in self.todo])
        try:
            return [x for future in self.futures for x in future.result()]
        finally:
            self.pool.shutdown(cancel_futures=True)

    def result(self) -> tuple[Inverted, int]:
        """Return the inverted body index of the items (in record order), check grams included, and how many were computed."""
        computed, fresh = self.collect()
        inverted = self.inverted(computed)
        inverted.phrase = self.check_grams(computed)
        return inverted, fresh

    def collect(self) -> tuple[list[Computed], int]:
        """Return the per-record work of the items (in record order), the cache updated, and how many were computed."""
        fresh = dict(zip((d for d, _ in self.todo), self.computed(), strict=True))
        cached, items = self.cached, self.items
        wanted = {d for d, _ in items}
        previous = {d: v[0] for d, v in cached.items() if d not in wanted}
        self.previous_grams = {d: (v[2], v[3], v[4]) for d, v in cached.items() if d not in wanted}
        if self.path and (fresh or previous or self.unread):
            cached = {d: v for d, v in cached.items() if d in wanted} | fresh
            changed = {_shard_of(d) for d in (*fresh, *previous)} | self.unread
            _write_shards(self.path, cached, changed)
        else:
            cached = cached | fresh
        self.previous = previous
        return [cached[d] for d, _ in items], len(fresh)

    def inverted(self, computed: Sequence[Computed], kept: Path | None = None) -> Inverted:
        """Return the body postings of `collect()`'s records, without the check grams (`invert_phrase`).

        `kept`: where the last build's postings were kept (`keep_inverted`); when the records are
        the same ones in the same order but a few whose source changed, those postings are
        patched (theirs taken out, the new ones put in) instead of all records' inverted again."""
        digests = [d for d, _ in self.items]
        patched = _patched(kept, digests, self.previous, [c[0] for c in computed]) if kept else None
        keys, offsets, records = patched or invert([c[0] for c in computed])
        texts = [c[1] for c in computed]
        return Inverted(keys, offsets, records, texts, digests, self.previous, [c[0] for c in computed])

    def check_grams(self, computed: Sequence[Computed]) -> CheckGrams:
        """Return the check grams of `collect()`'s records and of the records gone."""
        return CheckGrams([d for d, _ in self.items], [(c[2], c[3], c[4]) for c in computed], self.previous_grams)


def invert(per_record: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (keys, offsets, records) from the per-record sorted keys."""
    arrays = [np.frombuffer(k, dtype=np.uint64) for k in per_record]
    lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    if not len(arrays) or not lengths.sum():
        return np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.uint32), np.zeros(0, dtype=np.uint32)
    # sorted by key, then record: one stable sort of the keys, records in order within each
    keys_cat = np.concatenate(arrays)
    numbers = np.repeat(np.arange(len(arrays), dtype=np.uint32), lengths)
    order = np.argsort(keys_cat, kind="stable")
    keys_all = keys_cat[order]
    records = numbers[order]
    starts = np.flatnonzero(np.concatenate(([True], keys_all[1:] != keys_all[:-1])))
    offsets = np.concatenate((starts, [len(keys_all)])).astype(np.uint32)
    return keys_all[starts], offsets, records


KEPT_MANIFEST = "manifest.json"


def keep_inverted(inverted: Inverted, written: Path, kept: Path) -> None:
    """Keep the body postings just written into `written` (staging's `.search/body/`) in `kept`
    for the next build: hard links of the files (never written through: each build writes new
    ones), and the records' digests they are numbered by."""
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True)
    link_files(written, kept, ("keys.npy", "offsets.npy", "records.npy"))
    (kept / KEPT_MANIFEST).write_text(json.dumps({"format": FORMAT_VERSION, "digests": inverted.digests}), "utf-8")


PATCH_KEYS = 200_000  # keys a changed record gained or lost, in all: with more, inverting all again is as quick


def _patched(
    kept: Path, digests: list[str], previous: dict[str, bytes], record_keys: list[bytes]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return the postings of the records (`digests`, their sorted keys `record_keys`), made from
    those kept in `kept` by the last build when it had as many records, the same in the same
    places but some whose source changed, whose old keys are in `previous`; else None."""
    try:
        manifest = json.loads((kept / KEPT_MANIFEST).read_text("utf-8"))
        last = manifest["digests"]
        if manifest.get("format") != FORMAT_VERSION or len(last) != len(digests):
            return None
        changed = [n for n, (old, new) in enumerate(zip(last, digests, strict=True)) if old != new]
        if not all(last[n] in previous for n in changed):
            return None
        keys, offsets, records = (np.load(kept / name, allow_pickle=False) for name in ("keys.npy", "offsets.npy", "records.npy"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if keys.dtype != np.uint64 or offsets.dtype != np.uint32 or len(offsets) != len(keys) + 1 or int(offsets[-1]) != len(records):
        return None
    changes = {
        n: (np.frombuffer(previous[last[n]], dtype=np.uint64), np.frombuffer(record_keys[n], dtype=np.uint64)) for n in changed
    }
    return patch_postings(keys, offsets, records.astype(np.uint32), changes)


def patch_postings(
    keys: np.ndarray, offsets: np.ndarray, records: np.ndarray, changes: dict[int, tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return (keys, offsets, records) as `invert` makes them, from those of the same records where
    some held other keys (`changes`: record number → its sorted keys then and now); None when the
    change is too large to be worth it (PATCH_KEYS) or the postings do not hold the old keys."""
    gone, came = [], []
    for n, (old, new) in sorted(changes.items()):
        gone.append((np.setdiff1d(old, new, assume_unique=True), n))
        came.append((np.setdiff1d(new, old, assume_unique=True), n))
    if sum(len(k) for k, _ in gone) + sum(len(k) for k, _ in came) > PATCH_KEYS:
        return None
    count = len(keys)
    delta = np.zeros(count + 1, dtype=np.int64)  # postings each key loses (−) or gains (+)
    drop: list[int] = []  # indices into records
    for lost, n in gone:
        at = np.searchsorted(keys, lost)
        if len(lost) and (at.max() >= count or not np.array_equal(keys[at], lost)):
            return None
        for i in at.tolist():
            a, b = int(offsets[i]), int(offsets[i + 1])
            j = a + int(np.searchsorted(records[a:b], n))
            if j >= b or records[j] != n:
                return None
            drop.append(j)
        np.subtract.at(delta, at, 1)
    added = np.concatenate([k for k, _ in came]) if came else np.zeros(0, dtype=np.uint64)
    added_records = (
        np.concatenate([np.full(len(k), n, dtype=np.uint32) for k, n in came]) if came else np.zeros(0, dtype=np.uint32)
    )
    order = np.lexsort((added_records, added))  # by key, then record
    added, added_records = added[order], added_records[order]
    at = np.searchsorted(keys, added)
    exists = at < count
    exists[exists] = keys[at[exists]] == added[exists]
    places = offsets[at].astype(np.int64)  # a new key's run starts where the keys after it start
    for x in np.flatnonzero(exists).tolist():
        i = int(at[x])
        a, b = int(offsets[i]), int(offsets[i + 1])
        places[x] = a + int(np.searchsorted(records[a:b], added_records[x]))
    np.add.at(delta, at[exists], 1)
    # the records: the lost postings out, the new ones in (places counted before the removal)
    drop_sorted = np.sort(np.array(drop, dtype=np.int64))
    places -= np.searchsorted(drop_sorted, places)
    out_records = np.insert(np.delete(records, drop_sorted), places, added_records).astype(np.uint32)
    # the keys: the new ones in; then those left without a posting out
    lengths = np.diff(offsets.astype(np.int64)) + delta[:count]
    fresh_keys, fresh_counts = np.unique(added[~exists], return_counts=True)
    fresh_at = np.searchsorted(keys, fresh_keys)
    all_keys = np.insert(keys, fresh_at, fresh_keys)
    all_lengths = np.insert(lengths, fresh_at, fresh_counts)
    present = all_lengths > 0
    offsets_out = np.concatenate(([0], np.cumsum(all_lengths[present]))).astype(np.uint32)
    return all_keys[present], offsets_out, out_records


@dataclass(frozen=True)
class Flat:
    """Check grams of records end to end: per entry its bucket, record, and where its positions are in `blob`."""

    buckets: np.ndarray  # uint32
    numbers: np.ndarray  # uint32
    lengths: np.ndarray  # uint32
    source: np.ndarray  # uint32, int64 for a blob of 4 GiB or more (`_offsets_type`)
    blob: np.ndarray  # uint8


def _offsets_type(size: int) -> type[np.unsignedinteger] | type[np.signedinteger]:
    """Return the dtype of offsets into `size` bytes: four bytes an entry where they fit, not
    eight (on the corpus 7.8 million check grams: their inversion's peak memory falls by some
    100 MB)."""
    return np.uint32 if size < 1 << 32 else np.int64


def _flatten(grams: Sequence[Grams], numbers: np.ndarray | None = None) -> Flat:
    """Return the check grams of records (numbered 0, 1 … or `numbers`) end to end."""
    buckets = [np.frombuffer(g[0], dtype=np.uint32) for g in grams]
    counts = np.fromiter((len(b) for b in buckets), dtype=np.int64, count=len(buckets))
    numbered = numbers if numbers is not None else np.arange(len(buckets), dtype=np.uint32)
    lengths = [np.frombuffer(g[1], dtype=np.uint32) for g in grams]
    lengths_all = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.uint32)
    blob = np.frombuffer(b"".join(g[2] for g in grams), dtype=np.uint8)
    starts = np.cumsum(lengths_all, dtype=np.int64) - lengths_all
    return Flat(
        np.concatenate(buckets) if buckets else np.zeros(0, dtype=np.uint32),
        np.repeat(numbered.astype(np.uint32), counts),
        lengths_all,
        starts.astype(_offsets_type(len(blob))),
        blob,
    )


def invert_phrase(grams: Sequence[Grams], wanted: np.ndarray | None = None) -> Inverted:
    """Return the check grams of all bodies: buckets, their records and, per bucket, its positions
    in those records (record order): one stable sort of the uint32 buckets (a radix sort).
    `wanted` (PHRASE_BUCKETS booleans): only the buckets where it is true."""
    return _invert_flat(_flatten(grams), wanted)


def _invert_flat(flat: Flat, wanted: np.ndarray | None = None, ordered: bool = True) -> Inverted:
    """Return `invert_phrase` of check grams end to end; `ordered`: their records ascend."""
    all_buckets, numbers, lengths, source = flat.buckets, flat.numbers, flat.lengths, flat.source
    if wanted is not None:
        keep = wanted[all_buckets]
        all_buckets, numbers, lengths, source = all_buckets[keep], numbers[keep], lengths[keep], source[keep]
    if not len(all_buckets):
        return Inverted(np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.uint32), np.zeros(0, dtype=np.uint32), [])
    # by bucket, records in order within each
    order = np.argsort(all_buckets, kind="stable") if ordered else np.lexsort((numbers, all_buckets))
    sorted_buckets = all_buckets[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_buckets[1:] != sorted_buckets[:-1])))
    offsets = np.concatenate((starts, [len(sorted_buckets)])).astype(np.uint32)
    # the positions' strings in the same order, gathered a block of pairs at a time (bounded memory)
    source = source[order]
    sorted_lengths = lengths[order]
    blob = flat.blob
    target = np.concatenate(([0], np.cumsum(sorted_lengths, dtype=np.int64)))
    out = np.empty(int(target[-1]), dtype=np.uint8)
    step = 1 << 20
    for first in range(0, len(order), step):
        n = sorted_lengths[first : first + step]
        total = int(n.sum())
        gather = np.repeat(source[first : first + step].astype(np.int64) - target[first : first + len(n)], n)
        gather += np.arange(target[first], target[first] + total)
        out[target[first] : target[first] + total] = blob[gather]
    position_offsets = target[np.concatenate((starts, [len(order)]))]
    return Inverted(
        sorted_buckets[starts].astype(np.uint64), offsets, numbers[order], [],
        position_offsets=position_offsets, positions=out.tobytes(),
    )  # fmt: skip


def write_body_index(inverted: Inverted, folder: Path, docs: Sequence[tuple[str, int]]) -> None:
    """Write the service's copy of the body index into `folder` (in staging)."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "keys.npy", inverted.keys)
    np.save(folder / "offsets.npy", inverted.offsets)
    small = len(inverted.texts) < 1 << 16  # record numbers as uint16: half the file
    np.save(folder / "records.npy", inverted.records.astype(np.uint16) if small else inverted.records)
    starts = np.zeros(len(inverted.texts) + 1, dtype=np.uint64)
    np.cumsum([len(t) for t in inverted.texts], out=starts[1:])
    np.save(folder / "text.npy", starts)
    with (folder / "text.bin").open("wb") as f:
        for piece in inverted.texts:
            f.write(piece)
    (folder / "docs.json").write_text(json.dumps({"format": FORMAT_VERSION, "docs": docs}, ensure_ascii=False), "utf-8")
