"""The static index: search with no server, loaded by the browser in small `<script>` pieces.

Files under `search/data/` of the site (all are `.js` calling `window.YGSearch.*`, so they
load through `<script>` tags from file:// as well as from any static host):

- `meta.js`: format, counts, shard counts, facet labels, synonyms and, per year, the range of
  record numbers published in it (`years`: the records are newest first, so a year is a run of
  numbers and the date order is the order of the numbers). Nothing in it is per record: its
  size follows the labels and the synonyms, not the number of records.
- `v/<facet><n>.js`: the records of one filter value, `a<n>` of agency n, `c<n>` of category n
  (a category path also holds its sub-categories' records), `k<n>` of kind n, `s<n>` of validity
  n, encoded as `b/` (deltas or a bitmap: count / 6 characters at most). A query loads one only
  for a filter it sets, or for a part that names an agency or a category (`evaluate`).
- `fold.js`: the Traditional → Simplified character pairs, to fold a query as the index was.
- `t/<n>.js`: postings of the terms whose hash falls in shard n. A posting list is the
  record numbers, each doubled plus one if the term is in the title, delta-encoded as a
  base-32 varint in a URL-safe alphabet; that of a common term, where shorter, is split
  (`encode_term_postings`): its records with the term in the title, `|`, the others, each
  encoded as `b/` (so a bitmap at most: no list is longer than count / 3 characters).
  Exact 文号/索引号 keys are terms `#d…` and `#i…`.
- `b/<n>.js`: body postings (`search.index.body_index`): for every Chinese character and bigram
  of the body texts whose hash falls in shard n, the records whose body holds it, encoded
  as above (no title bit) but in `BODY_ALPHABET`, which has no digits. A list longer than
  its bitmap is written as the bitmap instead: `~`, then six records a character (bit 32
  is the first record of the six), so no list is longer than count / 6 characters. Keys are
  also trigrams and the prefixes of letter/digit words, named `#<CRC-32 in base 26, a–z>` (their
  shard: the CRC-32 itself). A query part whose grams (`analysis.body_grams`) are all in a
  body matches there too.
- `x/<n>.js`: the check grams of the bodies (`search.index.body_index.phrase_grams`): per bucket
  of runs of five characters, named `phrase_name` in shard bucket % xshards, the records whose
  body holds one (encoded as `b/`), then `|` and its positions in each of them (`~` in a body
  that repeats it more than four times: any position will do there). A phrase stands in a body
  as written where its check grams stand at their distances in the phrase
  (`search.analysis.phrase_offsets`); the browser downloads one shard per three characters of
  a phrase (every character of a short one), never a body.
- `d/<n>.js`: display data of records n·CHUNK … (n+1)·CHUNK − 1, for the result list: slug,
  title, 文号, agencies, published, lead, kind and validity (indexes into meta's `kinds` and
  `validities`); a record with parts (`search.parts`: approval items, steps, attachments) has a
  ninth column, its parts as [anchor, label, the start of their text].

The terms are those of `search.index.documents`, so the browser and the service match the same
records for the same query.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Container, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from disclosure.core.code_digest import python_digest
from disclosure.kinds import KINDS
from disclosure.outputs.publish import link_files
from search.analysis import FORMAT_VERSION, body_grams, fold_table, normalise
from search.index.body_index import (
    BODY_ALPHABET,
    NARROW_TEXT,
    PHRASE_BUCKETS,
    UNKNOWN_POSITIONS,
    WIDE_MODULUS,
    CheckGrams,
    Grams,
    Inverted,
)
from search.index.documents import SearchDoc
from search.parts import static_text
from search.stored import WORD_BASE, key_term, word_hash

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
CHUNK = 16
SHARD_TARGET_BYTES = 2_500
BODY_SHARD_TARGET_BYTES = 2_500
PHRASE_SHARD_TARGET_BYTES = 6_000
BITMAP = "~"  # a body posting list starting with this is a bitmap of all records
UNKNOWN = UNKNOWN_POSITIONS.decode()
SPLIT = "|"  # in t/<n>.js: a common term's title records, then its other records
POSITIONS = "|"  # in x/<n>.js: after a bucket's postings, its positions in each of those records
POSITIONS_MAX_CHARS = 16_000  # a bucket with more is written without them (none in the corpus: 9 kB at most)
LEAD_SHOWN = 120
DATA_FOLDER = Path("search") / "data"
KINDS_ORDER = tuple(kind.name for kind in KINDS)
VALIDITIES = ("有效", "失效", "废止")
_TO_BODY = str.maketrans(ALPHABET, BODY_ALPHABET)


def term_hash(term: str) -> int:
    """Return the shard hash of a term; search.js computes the same."""
    h = 0
    for char in term:
        h = (h * 31 + ord(char)) % 1_000_003
    return h


def body_term(gram: str) -> tuple[str, int]:
    """Return the name and shard hash of a body gram in `b/<n>.js` (`key_term`, `body_shard_of`)."""
    if gram[0] < "\u3400":
        crc = word_hash(gram)
        return key_term(WORD_BASE | crc), crc % 1_000_003
    return gram, term_hash(gram)


def title_trigrams(title: str) -> set[str]:
    """Return the trigrams of a title: static terms for the exact-phrase check of titles."""
    return {g for g in body_grams(normalise(title)) if len(g) == 3 and g[0] >= "\u3400"}


def encode_postings(numbers: Sequence[int]) -> str:
    """Return ascending numbers delta-encoded as base-32 varints (high digit first)."""
    out: list[str] = []
    last = 0
    for n in numbers:
        delta = n - last
        last = n
        digits = []
        while True:
            digits.append(delta & 31)
            delta >>= 5
            if not delta:
                break
        digits.reverse()
        out.extend(ALPHABET[d + 32] for d in digits[:-1])
        out.append(ALPHABET[digits[-1]])
    return "".join(out)


def encode_term_postings(numbers: Sequence[int], count: int) -> str:
    """Return a term's postings (record·2, plus one in the title) as `encode_postings` writes them, or,
    when shorter (a common term), split: its title records, `|`, its other records, each as
    `encode_records` writes them: the gaps are not doubled, and a bitmap at most (count / 3
    characters for both)."""
    plain = encode_postings(numbers)
    if len(numbers) < 16:  # a short list gains little (most terms)
        return plain
    title = [n >> 1 for n in numbers if n & 1]
    held = set(title)
    rest = [n >> 1 for n in numbers if not n & 1 and n >> 1 not in held]
    split = f"{encode_records(title, count)}{SPLIT}{encode_records(rest, count)}"
    return split if len(split) < len(plain) else plain


def decode_term_postings(text: str) -> list[int]:
    """Return the postings of `encode_term_postings` (record·2, plus one in the title), ascending."""
    if SPLIT not in text:
        return decode_postings(text)
    title, rest = text.split(SPLIT)
    return sorted([n * 2 + 1 for n in decode_body_postings(title)] + [n * 2 for n in decode_body_postings(rest)])


def decode_postings(text: str, alphabet: str = ALPHABET) -> list[int]:
    numbers: list[int] = []
    value = last = 0
    for char in text:
        digit = alphabet.index(char)
        value = value * 32 + (digit & 31)
        if digit < 32:
            last += value
            numbers.append(last)
            value = 0
    return numbers


def encode_body_postings(inverted: Inverted, count: int) -> list[str]:
    """Return the postings of every key, encoded in BODY_ALPHABET (deltas, or a bitmap when shorter)."""
    if count >= 1 << 20:
        raise ValueError("too many records for the static body index")
    records = inverted.records.astype(np.int32)
    offsets = inverted.offsets.astype(np.int64)
    starts = offsets[:-1]
    deltas = records.copy()
    deltas[1:] -= records[:-1]
    deltas[starts] = records[starts]
    digits = (1 + (deltas >= 32) + (deltas >= 1 << 10) + (deltas >= 1 << 15)).astype(np.int8)
    alphabet = np.frombuffer(BODY_ALPHABET.encode(), dtype=np.uint8)
    table = np.empty((len(deltas), 4), dtype=np.uint8)
    for column in range(4):  # high digit first; all but the last digit carry the "more" bit (+32)
        table[:, column] = alphabet[((deltas >> (5 * (3 - column))) & 31) + (32 if column < 3 else 0)]
    keep = np.arange(4, dtype=np.int8)[None, :] >= (4 - digits)[:, None]
    text = table[keep].tobytes().decode("ascii")
    ends = np.concatenate(([0], np.cumsum(digits)))[offsets].tolist()
    out = [text[a:b] for a, b in itertools.pairwise(ends)]
    width = -(-count // 6)
    dense = np.flatnonzero(np.diff(ends) > width + 1)
    for first in range(0, len(dense), 2048):  # bitmaps, a block of keys at a time
        block = dense[first : first + 2048]
        bits = np.zeros((len(block), width * 6), dtype=np.uint8)
        for row, i in enumerate(block.tolist()):
            bits[row, records[offsets[i] : offsets[i + 1]]] = 1
        values = bits.reshape(len(block), width, 6) @ np.array([32, 16, 8, 4, 2, 1], dtype=np.uint8)
        chars = alphabet[values]
        for row, i in enumerate(block.tolist()):
            out[i] = BITMAP + chars[row].tobytes().decode("ascii")
    return out


def encode_records(numbers: Sequence[int], count: int) -> str:
    """Return ascending record numbers as `encode_body_postings` writes a list: deltas in
    BODY_ALPHABET, or the bitmap of all `count` records when that is shorter."""
    deltas = encode_postings(numbers).translate(_TO_BODY)
    width = -(-count // 6)
    if len(deltas) <= width + 1:
        return deltas
    values = [0] * width
    for n in numbers:
        values[n // 6] |= 32 >> (n % 6)
    return BITMAP + "".join(BODY_ALPHABET[v] for v in values)


def decode_body_postings(text: str) -> list[int]:
    text = text.split(POSITIONS)[0]
    if not text.startswith(BITMAP):
        return decode_postings(text, BODY_ALPHABET)
    out: list[int] = []
    for i, char in enumerate(text[1:]):
        value = BODY_ALPHABET.index(char)
        out.extend(i * 6 + bit for bit in range(6) if value & (32 >> bit))
    return out


def decode_positions(text: str) -> list[tuple[int, list[int]]]:
    """Return the positions an entry of `x/<n>.js` carries, per record of its postings in their
    order: (modulus, positions), modulus 0 where they are not written; [] when it carries none."""
    if POSITIONS not in text:
        return []
    data = text.split(POSITIONS)[1]
    out: list[tuple[int, list[int]]] = []
    current: list[int] = []
    i = 0
    while i < len(data):
        if data[i] == UNKNOWN:  # the body repeats the run: any position will do
            out.append((0, []))
            i += 1
            continue
        first = BODY_ALPHABET.index(data[i])
        wide = bool(first & 16)
        value = first & 15
        for char in data[i + 1 : i + (3 if wide else 2)]:
            value = value * 64 + BODY_ALPHABET.index(char)
        i += 3 if wide else 2
        current.append(value)
        if first & 32:
            out.append((WIDE_MODULUS if wide else NARROW_TEXT, current))
            current = []
    return out


def phrase_name(bucket: int, shards: int) -> str:
    """Return the name of a check-gram bucket in its shard `x/<bucket % shards>.js`: bucket // shards in a–z."""
    value, name = bucket // shards, ""
    while True:
        name = chr(97 + value % 26) + name
        value //= 26
        if not value:
            return name


def phrase_names(buckets: np.ndarray, shards: int) -> list[str]:
    """Return `phrase_name` of every bucket (numpy: two million at once)."""
    values = buckets.astype(np.int64) // shards
    width = len(phrase_name(int(values.max()), 1)) if len(values) else 1
    digits = np.stack([(values // 26**k) % 26 for k in range(width - 1, -1, -1)], axis=1)
    codes = (digits + 97).astype(np.uint32)
    # leading a's are no digits of the name (as phrase_name writes it): blank them, keep the last
    lead = np.cumsum(digits != 0, axis=1) == 0
    lead[:, -1] = False
    codes[lead] = 0
    table = np.concatenate([codes, np.full((len(values), 1), 1, dtype=np.uint32)], axis=1).ravel()
    return table[table != 0].tobytes().decode("utf-32-le").split("\x01")[:-1]


def encoded_lengths(inverted: Inverted, count: int) -> np.ndarray:
    """Return the length of each key's postings as `encode_body_postings` writes them, without writing them."""
    records = inverted.records.astype(np.int64)
    offsets = inverted.offsets.astype(np.int64)
    deltas = records.copy()
    deltas[1:] -= records[:-1]
    deltas[offsets[:-1]] = records[offsets[:-1]]
    digits = 1 + (deltas >= 32) + (deltas >= 1 << 10) + (deltas >= 1 << 15)
    lengths = np.diff(np.concatenate(([0], np.cumsum(digits)))[offsets])
    width = -(-count // 6)
    return np.where(lengths > width + 1, width + 1, lengths)


def write_phrase_shards(grams: CheckGrams, folder: Path, count: int, cache: Path | None = None) -> tuple[int, int]:
    """Write `x/<n>.js`, the check grams of the bodies; return (shards, bytes of the shards written).

    With `cache`, as `write_body_shards`: the shards of the last build are kept there, and when
    the records are the same ones in the same order except some whose source changed, only the
    shards holding a bucket where a changed record's entry (its presence or its positions) differs
    are written again, and only their buckets are inverted; all are then hard-linked into `folder`.
    """
    target = folder / "x"
    target.mkdir(parents=True, exist_ok=True)
    plan = _phrase_plan(grams, count, cache) if cache is not None else None
    if plan is None:
        part = grams.inverted()
        size = _phrase_size(part, count)
        shards = max(1, math.ceil(size / PHRASE_SHARD_TARGET_BYTES))
        todo = None
    else:
        shards, size, todo, part = plan
    grams.release()  # what is written is `part` only
    manifest = {
        "format": FORMAT_VERSION,
        "target": PHRASE_SHARD_TARGET_BYTES,
        "shards": shards,
        "size": size,
        "digests": grams.digests,
    }
    written = _write_kept(
        target, cache, manifest, todo, lambda todo, out, fresh: _write_phrase_part(part, shards, todo, out, count, fresh)
    )
    return shards, written


def _phrase_size(phrase: Inverted, count: int) -> int:
    """Return what the shard count of `x/` is made from, a sum over the buckets: their postings as
    written, their positions where carried, eight characters of name and quotes."""
    lengths = np.diff(phrase.position_offsets)
    carried = (lengths > 0) & (lengths <= POSITIONS_MAX_CHARS)
    return int(encoded_lengths(phrase, count).sum()) + int(lengths[carried].sum()) + 8 * len(phrase.keys)


def _phrase_plan(grams: CheckGrams, count: int, cache: Path) -> tuple[int, int, set[int], Inverted] | None:
    """Return (shards, size, the shards to write, their buckets inverted) of a rebuild that writes
    only the shards a change of bodies touched, from the manifest the last build left in `cache`;
    None when every shard is to be written (no such build, other records, another shard count)."""
    try:
        last = json.loads((cache / "manifest.json").read_text("utf-8"))
        size, shards = int(last["size"]), int(last["shards"])
        if last["format"] != FORMAT_VERSION or last["target"] != PHRASE_SHARD_TARGET_BYTES:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    changed = _changed_records(cache, last, grams.digests, grams.previous)
    if changed is None:
        return None
    touched = np.unique(
        np.concatenate(
            [_phrase_differences(grams.previous[old], grams.grams[n]) for n, old in changed] or [np.zeros(0, np.int64)]
        )
    )
    if len(touched):
        # the size changes by what the touched buckets held before and hold now
        wanted = np.zeros(PHRASE_BUCKETS, dtype=bool)
        wanted[touched] = True
        before = grams.inverted(wanted, {n: grams.previous[old] for n, old in changed})
        size += _phrase_size(grams.inverted(wanted), count) - _phrase_size(before, count)
    if max(1, math.ceil(size / PHRASE_SHARD_TARGET_BYTES)) != shards:
        return None
    todo = set((touched % shards).tolist())
    in_todo = np.zeros(shards, dtype=bool)
    in_todo[sorted(todo)] = True
    return shards, size, todo, grams.inverted(in_todo[np.arange(PHRASE_BUCKETS) % shards])


def _phrase_differences(old: Grams, new: Grams) -> np.ndarray:
    """Return the buckets where two bodies' check grams (buckets, their lengths, positions) differ:
    held by one only, or at other positions."""
    (old_buckets, old_lengths, old_positions), (new_buckets, new_lengths, new_positions) = old, new
    a, b = np.frombuffer(old_buckets, dtype=np.uint32), np.frombuffer(new_buckets, dtype=np.uint32)
    one_only = np.setxor1d(a, b, assume_unique=True)
    both, in_a, in_b = np.intersect1d(a, b, assume_unique=True, return_indices=True)
    starts_a = np.concatenate(([0], np.cumsum(np.frombuffer(old_lengths, dtype=np.uint32).astype(np.int64))))
    starts_b = np.concatenate(([0], np.cumsum(np.frombuffer(new_lengths, dtype=np.uint32).astype(np.int64))))
    moved = [
        bucket
        for bucket, i, j in zip(both.tolist(), in_a.tolist(), in_b.tolist(), strict=True)
        if old_positions[starts_a[i] : starts_a[i + 1]] != new_positions[starts_b[j] : starts_b[j + 1]]
    ]
    return np.concatenate((one_only.astype(np.int64), np.array(moved, dtype=np.int64)))


def _write_phrase_part(phrase: Inverted, total: int, shards: list[int], out: Path, count: int, fresh: bool) -> int:
    """Write the given shards (of `total`) of `x/` into `out` (as `_write_body_shards` writes `b/`):
    `phrase` holds at least their buckets."""
    hashes = (phrase.keys.astype(np.int64) % total).astype(np.int64)
    return sum(_write_phrase_batch(phrase, hashes, total, batch, out, count, fresh) for batch in shard_batches(shards))


def shard_batches(shards: list[int]) -> list[list[int]]:
    """Return `shards` in SHARD_BATCHES runs: the shards' entries are made as Python strings a run
    at a time, not all at once (on the corpus x/ all at once added 740 MB to the build's peak
    memory, b/ 510 MB); each shard's entries and bytes are the same either way."""
    size = max(1, -(-len(shards) // SHARD_BATCHES))
    return [shards[i : i + size] for i in range(0, len(shards), size)]


SHARD_BATCHES = 8


def _write_phrase_batch(
    phrase: Inverted, hashes: np.ndarray, total: int, shards: list[int], out: Path, count: int, fresh: bool
) -> int:
    """Write the given shards of `x/` (`hashes`: each bucket's shard of `total`)."""
    if not shards:
        return 0
    lengths = np.diff(phrase.position_offsets)
    carried = (lengths > 0) & (lengths <= POSITIONS_MAX_CHARS)
    mask, encoded = _encode_shards(phrase, hashes, total, shards, count)
    names = phrase_names(phrase.keys[mask].astype(np.int64), total)
    positions = phrase.positions.decode("ascii")
    starts, ends = phrase.position_offsets[:-1][mask].tolist(), phrase.position_offsets[1:][mask].tolist()
    by_shard: dict[int, list[str]] = {n: [] for n in shards}
    for i, (shard, carry) in enumerate(zip(hashes[mask].tolist(), carried[mask].tolist(), strict=True)):
        where = f"{POSITIONS}{positions[starts[i] : ends[i]]}" if carry else ""
        by_shard[shard].append(f'"{names[i]}":"{encoded[i]}{where}"')
    written = 0
    for n, entries in by_shard.items():
        data = f"YGSearch.phrase({n},{{{','.join(entries)}}});\n".encode()
        written += _replace_file(out, n, data, fresh)
    return written


def _replace_file(out: Path, n: int, data: bytes, fresh: bool) -> int:
    """Write shard `n` into `out`; into a folder that is not `fresh` through a new file renamed over
    the old one (a cached shard is hard-linked into the live site, never written through)."""
    name = os.path.join(out, f"{n}.js")
    temporary = name if fresh else name + ".partial"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    if not fresh:
        os.replace(temporary, name)
    return len(data)


def _changed_records(
    cache: Path, manifest: dict[str, Any], digests: list[str], known: Container[str]
) -> list[tuple[int, str]] | None:
    """Return (record number, old digest) of the records whose source changed since the build that
    left `cache`, when the shards kept there can be brought up to date from them; else None.

    They can when the last build wrote the same format, target and number of shards, for as many
    records, and every record whose digest differs is one whose old entry is `known`."""
    try:
        last = json.loads((cache / "manifest.json").read_text("utf-8"))
        same = {k: v for k, v in last.items() if k != "digests"} == {k: v for k, v in manifest.items() if k != "digests"}
        if not same or len(last["digests"]) != len(digests):
            return None
        changed = [(n, old) for n, (old, new) in enumerate(zip(last["digests"], digests, strict=True)) if old != new]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return changed if all(old in known for _, old in changed) else None


def body_shard_count(inverted: Inverted, count: int) -> int:
    """Return how many body shards to write: from the sizes of the lists, without encoding them."""
    lengths = np.minimum(np.diff(inverted.offsets.astype(np.int64)), -(-count // 6) + 1)
    return max(1, math.ceil((int(lengths.sum()) + 8 * len(inverted.keys)) / BODY_SHARD_TARGET_BYTES))


def body_shard_of(keys: np.ndarray, shards: int) -> np.ndarray:
    """Return the shard of each key, as search.js computes it: term_hash of its characters
    (one to three), or the word's CRC-32 for a letter/digit word."""
    keys = keys.astype(np.uint64)
    word = keys >= np.uint64(WORD_BASE)
    first = (keys >> np.uint64(32)) & np.uint64(0xFFFF)
    second = (keys >> np.uint64(16)) & np.uint64(0xFFFF)
    third = keys & np.uint64(0xFFFF)
    m = np.uint64(1_000_003)
    h = first % m
    h = np.where(first > 0, (h * np.uint64(31) + second) % m, second % m)
    h = np.where((first > 0) | (second > 0), (h * np.uint64(31) + third) % m, third % m)
    h = np.where(word, (keys - np.uint64(WORD_BASE)) % m, h)
    return (h % np.uint64(shards)).astype(np.int64)


def write_body_shards(inverted: Inverted, folder: Path, count: int, cache: Path | None = None) -> tuple[int, int]:
    """Write `b/<n>.js`; return (shards, bytes of the shards written).

    With `cache`, the shards of the last build are kept there: when the records are the same
    ones in the same order except some whose source changed, only the shards holding a key
    of their old or new body are encoded again (a file replaced, never changed in place);
    all are then hard-linked into `folder`.
    """
    shards = body_shard_count(inverted, count)
    hashes = body_shard_of(inverted.keys, shards)
    target = folder / "b"
    target.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT_VERSION,
        "target": BODY_SHARD_TARGET_BYTES,
        "shards": shards,
        "digests": inverted.digests,
    }
    todo: set[int] | None = None
    if cache is not None:
        changed = _changed_records(cache, manifest, inverted.digests, inverted.previous)
        if changed is not None:
            # the postings that changed: keys of the old body or of the new one, not both
            touched = [
                np.setxor1d(
                    np.frombuffer(inverted.previous[old], dtype=np.uint64),
                    np.frombuffer(inverted.record_keys[n], dtype=np.uint64),
                    assume_unique=True,
                )
                for n, old in changed
            ]
            todo = set(body_shard_of(np.concatenate(touched), shards).tolist()) if touched else set()
    written = _write_kept(
        target,
        cache,
        manifest,
        todo,
        lambda todo, out, fresh: _write_body_shards(inverted, hashes, shards, todo, out, count, fresh),
    )
    return shards, written


def _write_kept(
    target: Path,
    cache: Path | None,
    manifest: dict[str, Any],
    todo: set[int] | None,
    write: Callable[[list[int], Path, bool], int],
) -> int:
    """Write the shards `todo` (None: all, `manifest["shards"]`) by `write(shards, folder, fresh)`, into
    `target` or, with `cache`, into the cache's copy of the folder, whose shards are then all
    hard-linked into `target`; return the bytes written."""
    shards = int(manifest["shards"])
    out = target if cache is None else cache / target.name
    fresh = todo is None  # a new folder: no reader, no hard link into the live site
    if todo is None:
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
            out.mkdir(parents=True)
        todo = set(range(shards))
    written = write(sorted(todo), out, fresh)
    if cache is not None:
        (cache / "manifest.json").write_text(json.dumps(manifest), "utf-8")
        link_files(out, target, (f"{n}.js" for n in range(shards)))
    return written


def key_names(keys: np.ndarray) -> list[str]:
    """Return `key_term` of every key, the characters of a million keys at once (numpy)."""
    keys = keys.astype(np.uint64)
    word = keys >= np.uint64(WORD_BASE)
    codes = np.stack([(keys >> np.uint64(s)) & np.uint64(0xFFFF) for s in (32, 16, 0)], axis=1).astype(np.uint32)
    codes[word] = 0
    table = np.concatenate([codes, np.full((len(keys), 1), 1, dtype=np.uint32)], axis=1).ravel()
    names = table[table != 0].tobytes().decode("utf-32-le").split("\x01")[:-1]
    for i in np.flatnonzero(word).tolist():
        names[i] = key_term(int(keys[i]))
    return names


def _encode_shards(
    inverted: Inverted, hashes: np.ndarray, total: int, shards: list[int], count: int
) -> tuple[np.ndarray, list[str]]:
    """Return which keys lie in the given shards (of `total`; `hashes`: each key's) and their postings, encoded."""
    wanted = np.zeros(total, dtype=bool)
    wanted[shards] = True
    mask = wanted[hashes]
    return mask, encode_body_postings(inverted if mask.all() else inverted.subset(mask), count)


def _write_body_shards(
    inverted: Inverted, hashes: np.ndarray, total: int, shards: list[int], out: Path, count: int, fresh: bool
) -> int:
    """Write the given shards into `out`; into a folder that is not `fresh` each through a new file
    renamed over the old one: a cached shard is hard-linked into the live site, never written through."""
    return sum(_write_body_batch(inverted, hashes, total, batch, out, count, fresh) for batch in shard_batches(shards))


def _write_body_batch(
    inverted: Inverted, hashes: np.ndarray, total: int, shards: list[int], out: Path, count: int, fresh: bool
) -> int:
    """Write the given shards of `b/` (`hashes`: each key's shard of `total`)."""
    if not shards:
        return 0
    mask, encoded = _encode_shards(inverted, hashes, total, shards, count)
    part_hashes = hashes[mask]
    names = key_names(inverted.keys[mask])
    by_shard: dict[int, list[str]] = {n: [] for n in shards}
    # JSON written directly: terms are Chinese characters, postings BODY_ALPHABET, no escapes
    for i, n in zip(np.argsort(part_hashes, kind="stable").tolist(), np.sort(part_hashes).tolist(), strict=True):
        by_shard[n].append(f'"{names[i]}":"{encoded[i]}"')
    written = 0
    for n, entries in by_shard.items():
        data = f"YGSearch.body({n},{{{','.join(entries)}}});\n".encode()
        written += _replace_file(out, n, data, fresh)
    return written


MEMO_MANIFEST = "manifest.json"


def restore_files(memo: Path, key: str, root: Path) -> dict[str, int] | None:
    """Hard-link the files a last build kept in `memo` (`keep_files`) into `root` (staging) when
    they were made from the same inputs (`key`, a digest of them and of the program); return
    the sizes kept with them, or None (nothing linked) when not."""
    try:
        manifest = json.loads((memo / MEMO_MANIFEST).read_text("utf-8"))
        if manifest.get("key") != key:
            return None
        files = [(memo / "files" / name, root / name) for name in manifest["files"]]
        sizes = {str(k): int(v) for k, v in manifest["sizes"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    for source, target in files:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            try:
                shutil.copyfile(source, target)
            except OSError:
                for _, done in files:
                    with contextlib.suppress(OSError):
                        done.unlink()
                return None
    return sizes


def keep_files(memo: Path, key: str, root: Path, names: list[str], sizes: dict[str, int]) -> None:
    """Keep the files `names` (relative to `root`, staging) just written in `memo` for the next
    build, made from the inputs `key` (hard links: a staging file is never written again; the
    memo's files are replaced, never changed in place)."""
    shutil.rmtree(memo, ignore_errors=True)
    for name in names:
        target = memo / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(root / name, target)
        except OSError:
            shutil.copyfile(root / name, target)
    manifest = {"key": key, "files": names, "sizes": sizes}
    (memo / MEMO_MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


def terms_key(docs: Sequence[SearchDoc]) -> str:
    """Return a digest of what `t/` is made from: each document's terms, in order, and the program."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{python_digest()}\0{SHARD_TARGET_BYTES}".encode())
    for doc in docs:
        fields = [doc.title, doc.title_terms, doc.text_trigrams, doc.text_terms, doc.doc_number_key, doc.index_number_key]
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
    return digest.hexdigest()


def write_terms(docs: Sequence[SearchDoc], folder: Path) -> dict[str, int]:
    """Write `t/<n>.js`, the postings of the metadata terms; return their sizes."""
    postings: dict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs):
        for term in doc.title_terms:
            postings[term].append(number * 2 + 1)
        in_title = title_trigrams(doc.title)
        for term in sorted(in_title):  # the exact-phrase check of titles
            postings[term].append(number * 2 + 1)
        for term in doc.text_trigrams:  # … and of the rest of the metadata (items, steps …)
            if term not in in_title:  # one posting a record: ascending numbers
                postings[term].append(number * 2)
        for term in doc.text_terms:
            postings[term].append(number * 2)
        if doc.doc_number_key:
            postings["#d" + doc.doc_number_key].append(number * 2)
        postings["#i" + doc.index_number_key].append(number * 2)

    encoded = {term: encode_term_postings(numbers, len(docs)) for term, numbers in postings.items()}
    total = sum(len(t.encode()) + len(p) + 6 for t, p in encoded.items())
    shards = max(1, math.ceil(total / SHARD_TARGET_BYTES))
    by_shard: list[dict[str, str]] = [{} for _ in range(shards)]
    for term, text in sorted(encoded.items()):
        by_shard[term_hash(term) % shards][term] = text
    (folder / "t").mkdir(parents=True, exist_ok=True)
    for n, table in enumerate(by_shard):
        (folder / "t" / f"{n}.js").write_text(_js("terms", n, table), "utf-8")
    return {"terms": len(encoded), "shards": shards, "bytes": total}


def _js(call: str, *args: object) -> str:
    """Return a shard as a script: JSON, with what a script must not hold raw escaped.

    U+2028/U+2029 end a string literal in engines before ES2019 (old Android WebViews), and
    `</script` or `<!--` would matter if a shard were ever inlined into a page.
    """
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("<", "\\u003c")
    return f"YGSearch.{call}({body});\n"


def year_ranges(docs: Sequence[SearchDoc]) -> dict[str, list[int]]:
    """Return year → [first, end) of the record numbers published in it. The records must be in
    the site's order, newest first (`disclosure.site.model`): a year is then one run of numbers,
    and sorting by date is sorting by number."""
    out: dict[str, list[int]] = {}
    for n, d in enumerate(docs):
        if n and d.published > docs[n - 1].published:
            raise ValueError(f"static index: records not newest first ({docs[n - 1].slug}, {d.slug})")
        out.setdefault(d.published[:4], [n, n])[1] = n + 1
    return out


def write_facets(
    docs: Sequence[SearchDoc],
    folder: Path,
    agencies: list[str],
    categories: list[str],
    kinds: list[int],
    validities: list[int],
) -> None:
    """Write `v/<facet><n>.js`: the records of every agency, category, kind and validity."""
    members: dict[str, list[int]] = defaultdict(list)
    agency_index = {a: i for i, a in enumerate(agencies)}
    category_index = {c: i for i, c in enumerate(categories)}
    for n, d in enumerate(docs):
        for a in d.agency:
            members[f"a{agency_index[a]}"].append(n)
        for c in d.categories:
            members[f"c{category_index[c]}"].append(n)
        members[f"k{kinds[n]}"].append(n)
        members[f"s{validities[n]}"].append(n)
    target = folder / "v"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in sorted(set(members) | {f"s{i}" for i in range(len(VALIDITIES))}):  # every validity, even one no record has
        (target / f"{name}.js").write_text(_js("facet", name, encode_records(members[name], len(docs))), "utf-8")


def write_static_index(
    docs: Sequence[SearchDoc],
    destination: Path,
    synonyms: dict[str, tuple[str, ...]],
    kind_labels: dict[str, str],
    body: Inverted | None = None,
    cache: Path | None = None,
) -> dict[str, int]:
    """Write the static index of `docs` (in display order) under `destination`; return sizes.
    `cache`: where the body and check-gram shards of the last build are kept (`static-body`,
    `static-phrase`), to write again only those a change of bodies touched."""
    folder = destination / DATA_FOLDER
    (folder / "t").mkdir(parents=True, exist_ok=True)
    (folder / "d").mkdir(parents=True, exist_ok=True)

    # the metadata terms: after a change of bodies only, the last build's t/ (linked from the cache)
    key = terms_key(docs) if cache else ""
    terms = restore_files(cache / "static-terms", key, folder) if cache else None
    if terms is None:
        terms = write_terms(docs, folder)
        if cache:
            names = sorted(f"t/{p.name}" for p in (folder / "t").iterdir())
            keep_files(cache / "static-terms", key, folder, names, terms)

    body_cache, phrase_cache = (cache / "static-body", cache / "static-phrase") if cache else (None, None)
    body_shards, body_bytes = write_body_shards(body, folder, len(docs), body_cache) if body is not None else (0, 0)
    phrase_shards, phrase_bytes = (
        write_phrase_shards(body.phrase, folder, len(docs), phrase_cache)
        if body is not None and body.phrase is not None
        else (0, 0)
    )

    agencies = sorted({a for d in docs for a in d.agency})
    categories = sorted({c for d in docs for c in d.categories})
    kinds = [k for k in KINDS_ORDER if any(d.kind == k for d in docs)] + sorted({d.kind for d in docs} - set(KINDS_ORDER))
    kind_of = [kinds.index(d.kind) for d in docs]
    validity_of = [VALIDITIES.index(d.validity) if d.validity in VALIDITIES else 0 for d in docs]
    for start in range(0, len(docs), CHUNK):
        rows = [
            [d.slug, d.title, d.doc_number, "、".join(d.agency), d.published, d.lead[:LEAD_SHOWN], kind_of[n], validity_of[n]]
            + ([[[p.anchor, p.label, static_text(p)] for p in d.parts]] if d.parts else [])
            for n, d in enumerate(docs[start : start + CHUNK], start)
        ]
        (folder / "d" / f"{start // CHUNK}.js").write_text(_js("docs", start // CHUNK, rows), "utf-8")
    write_facets(docs, folder, agencies, categories, kind_of, validity_of)
    meta = {
        "format": FORMAT_VERSION,
        "count": len(docs),
        "shards": terms["shards"],
        "bshards": body_shards,
        "xshards": phrase_shards,
        "chunk": CHUNK,
        "agencies": agencies,
        "categories": categories,
        "kinds": [[k, kind_labels.get(k, k)] for k in kinds],
        "validities": list(VALIDITIES),
        "synonyms": {k: list(v) for k, v in synonyms.items()},
        "years": year_ranges(docs),
    }
    (folder / "meta.js").write_text(_js("meta", meta), "utf-8")
    pairs = "".join(chr(k) + v for k, v in sorted(fold_table().items()))
    (folder / "fold.js").write_text(_js("fold", pairs), "utf-8")
    return {
        **terms, "body_shards": body_shards, "body_bytes": body_bytes, "phrase_shards": phrase_shards, "phrase_bytes": phrase_bytes,
    }  # fmt: skip
