"""The static index: search with no server, loaded by the browser in small `<script>` pieces.

Files under `search/data/` of the site (all are `.js` calling `window.YGSearch.*`, so they
load through `<script>` tags from file:// as well as from any static host):

- `meta.js`: format, counts, shard count, facet labels, synonyms and, per record, the
  numbers a filter or a date sort needs (`docs`: published as YYYYMMDD, kind, validity,
  agency and category indexes).
- `fold.js`: the Traditional → Simplified character pairs, to fold a query as the index was.
- `t/<n>.js`: postings of the terms whose hash falls in shard n. A posting list is the
  record numbers, each doubled plus one if the term is in the title, delta-encoded as a
  base-32 varint in a URL-safe alphabet. Exact 文号/索引号 keys are terms `#d…` and `#i…`.
- `d/<n>.js`: display data of records n·CHUNK … (n+1)·CHUNK − 1, for the result list.

The terms are those of `search.documents`, so the browser and the service match the same
records for the same query.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from search.analysis import FORMAT_VERSION, fold_table
from search.documents import SearchDoc

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
CHUNK = 16
SHARD_TARGET_BYTES = 6_000
LEAD_SHOWN = 120
DATA_FOLDER = Path("search") / "data"
KINDS_ORDER = ("document", "decision", "approval", "power")
VALIDITIES = ("有效", "失效", "废止")


def term_hash(term: str) -> int:
    """Return the shard hash of a term; search.js computes the same."""
    h = 0
    for char in term:
        h = (h * 31 + ord(char)) % 1_000_003
    return h


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


def decode_postings(text: str) -> list[int]:
    numbers: list[int] = []
    value = last = 0
    for char in text:
        digit = ALPHABET.index(char)
        value = value * 32 + (digit & 31)
        if digit < 32:
            last += value
            numbers.append(last)
            value = 0
    return numbers


def _js(call: str, *args: object) -> str:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    return f"YGSearch.{call}({body});\n"


def write_static_index(
    docs: Sequence[SearchDoc],
    destination: Path,
    synonyms: dict[str, tuple[str, ...]],
    kind_labels: dict[str, str],
) -> dict[str, int]:
    """Write the static index of `docs` (in display order) under `destination`; return sizes."""
    folder = destination / DATA_FOLDER
    (folder / "t").mkdir(parents=True, exist_ok=True)
    (folder / "d").mkdir(parents=True, exist_ok=True)

    postings: dict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs):
        for term in doc.title_terms:
            postings[term].append(number * 2 + 1)
        for term in doc.text_terms:
            postings[term].append(number * 2)
        if doc.doc_number_key:
            postings["#d" + doc.doc_number_key].append(number * 2)
        postings["#i" + doc.index_number_key].append(number * 2)

    encoded = {term: encode_postings(numbers) for term, numbers in postings.items()}
    total = sum(len(t.encode()) + len(p) + 6 for t, p in encoded.items())
    shards = max(1, math.ceil(total / SHARD_TARGET_BYTES))
    by_shard: list[dict[str, str]] = [{} for _ in range(shards)]
    for term, text in sorted(encoded.items()):
        by_shard[term_hash(term) % shards][term] = text
    for n, table in enumerate(by_shard):
        (folder / "t" / f"{n}.js").write_text(_js("terms", n, table), "utf-8")

    for start in range(0, len(docs), CHUNK):
        rows = [
            [d.slug, d.title, d.doc_number, "、".join(d.agency), d.published, d.lead[:LEAD_SHOWN]]
            for d in docs[start : start + CHUNK]
        ]
        (folder / "d" / f"{start // CHUNK}.js").write_text(_js("docs", start // CHUNK, rows), "utf-8")

    agencies = sorted({a for d in docs for a in d.agency})
    categories = sorted({c for d in docs for c in d.categories})
    agency_index = {a: i for i, a in enumerate(agencies)}
    category_index = {c: i for i, c in enumerate(categories)}
    kinds = [k for k in KINDS_ORDER if any(d.kind == k for d in docs)] + sorted(
        {d.kind for d in docs} - set(KINDS_ORDER)
    )
    rows_meta = [
        [
            int(d.published.replace("-", "")),
            kinds.index(d.kind),
            VALIDITIES.index(d.validity) if d.validity in VALIDITIES else 0,
            [agency_index[a] for a in d.agency],
            [category_index[c] for c in d.categories],
        ]
        for d in docs
    ]
    meta = {
        "format": FORMAT_VERSION,
        "count": len(docs),
        "shards": shards,
        "chunk": CHUNK,
        "agencies": agencies,
        "categories": categories,
        "kinds": [[k, kind_labels.get(k, k)] for k in kinds],
        "validities": list(VALIDITIES),
        "synonyms": {k: list(v) for k, v in synonyms.items()},
        "docs": rows_meta,
    }
    (folder / "meta.js").write_text(_js("meta", meta), "utf-8")
    pairs = "".join(chr(k) + v for k, v in sorted(fold_table().items()))
    (folder / "fold.js").write_text(_js("fold", pairs), "utf-8")
    return {"terms": len(encoded), "shards": shards, "bytes": total}
