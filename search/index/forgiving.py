"""Forgiving input, built once per build: pinyin → words, one-edit corrections, suggestions.

From the words of every title (rjieba, as `search.index.documents.title_words`, and two or
three neighbouring words joined: 国歌法, 行政审批), the names of power items (their titles) and
of approval items (`Kind.names`), and the synonym keys, these tables are made:

- pinyin: the full pinyin (`shenpi`) and the initials (`sp`, `xzxk`) of every word of two or
  more Chinese characters → the words it spells, most records first (pypinyin, at build time
  only). A query that is all Latin letters and equal to a key also searches those words.
- corrections (SymSpell): every word and every deletion of one character of a word of three
  or more characters → the words, so a query one character off finds its word in a few
  lookups; the full pinyin of the most frequent words too (`shenpii` → 审批).
- suggestions: the titles, 文号 and synonym keys by their start, and the titles again from
  the start of each title word, sorted (the service bisects; the browser gets them per
  first two characters).

- sounds: toneless pinyin → the characters of GB 2312 that have it (each reading of a
  character that has several), so a correction of the same sound comes first (`sounds_alike`).

The service reads `site/.search/forgiving.json`; the browser reads `site/search/data/f.js`
(shard counts), `p/<n>.js` (pinyin by the hash of a key), `c/<n>.js` (corrections by the hash
of a key), `y.js` (sounds) and `g/<n>.js` (suggestions by the hash of their first one or two
characters).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import rjieba
from pypinyin import lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from disclosure.core.code_digest import python_digest
from disclosure.core.records import Record
from disclosure.kinds import KIND_BY_NAME
from search.analysis import CJK, FORMAT_VERSION, normalise
from search.index.documents import SearchDoc
from search.index.static_index import DATA_FOLDER, _js, keep_files, restore_files, term_hash
from search.spelling import SERVICE_FILE, SUGGEST_LIMIT, deletions, suggest_key

MAX_WORDS = 30_000  # the vocabulary, most records first
MAX_SPELLED = 5  # words kept per pinyin or initials key
MAX_FIXES = 8  # forms kept per correction key
MAX_PINYIN_FIXES = 3_000  # words whose full pinyin is corrected too
SHORT_BUCKET = SUGGEST_LIMIT  # suggestions kept for a one-character prefix
LONG_BUCKET = 200  # … and for a two-character prefix (longer prefixes filter these)
SHARD_TARGET_BYTES = 6_000
JOINED_WORDS = 3  # neighbouring words joined into one (`joined_words`)
MAX_JOINED_CHARS = 8
# words that join others in a title (关于…的通知), never a part of a name
_FUNCTION_WORDS = frozenset({"的", "和", "与", "及", "关于", "对", "在", "等", "为", "之", "或", "并", "中", "有关"})
MAX_WORD_CHARS = 24  # longer "names" (a pasted paragraph in a CSV cell) are no words: their
# deletion neighbourhoods would cost memory by the square of their length
_WORD = re.compile(f"[{CJK}]{{2,{MAX_WORD_CHARS}}}")


def vocabulary(records: Sequence[Record], synonyms: dict[str, tuple[str, ...]]) -> Counter[str]:
    """Return every word of two or more Chinese characters with the number of records holding it."""
    df: Counter[str] = Counter()
    for record in records:
        kind = KIND_BY_NAME.get(record.kind)
        whole = [normalise(name) for name in kind.names(record)] if kind else []  # a power's, an item's name
        found: set[str] = set()
        for text in {normalise(record.meta.title), *whole}:
            found.update(w for w in rjieba.cut_for_search(text) if _WORD.fullmatch(w))
            found.update(joined_words(text))
        for text in whole:
            found.update(w for w in _WORD.findall(text) if len(w) < MAX_WORD_CHARS)
        df.update(found)
    for key in synonyms:
        if _WORD.fullmatch(key):
            df[key] = max(df[key], 1)
    return df


def joined_words(text: str) -> set[str]:
    """Return two or three neighbouring words of `text` as one (rjieba's coarse cut): the short
    names people type, which no single word is (国歌 + 法 = 国歌法, 行政 + 审批 = 行政审批)."""
    coarse = rjieba.cut(text)
    fine = [piece for token in coarse for piece in _tiles(token)]  # 管理条例 → 管理 条例
    out: set[str] = set()
    for tokens in (coarse, fine) if fine != coarse else (coarse,):
        for size in range(2, JOINED_WORDS + 1):
            for i in range(len(tokens) - size + 1):
                group = tokens[i : i + size]
                word = "".join(group)
                if len(word) <= MAX_JOINED_CHARS and _WORD.fullmatch(word) and not _FUNCTION_WORDS.intersection(group):
                    out.add(word)
    return out


def _tiles(token: str) -> list[str]:
    """Return the shorter words of rjieba's search cut that tile `token` from its start, else the token."""
    pieces = {w for w in rjieba.cut_for_search(token) if len(w) < len(token)}
    out, at = [], 0
    while at < len(token):
        here = max((w for w in pieces if token.startswith(w, at)), key=len, default=None)
        if here is None:
            return [token]
        out.append(here)
        at += len(here)
    return out


def pinyin_table(words: Iterable[str]) -> dict[str, list[str]]:
    """Return pinyin and initials → words (in the order given: most records first)."""
    table: dict[str, list[str]] = defaultdict(list)
    for word in words:
        syllables = lazy_pinyin(word, errors="ignore")
        if len(syllables) != len(word) or not all(s.isascii() and s.isalpha() for s in syllables):
            continue
        for key in ("".join(syllables), "".join(s[0] for s in syllables)):
            if len(table[key]) < MAX_SPELLED and word not in table[key]:
                table[key].append(word)
    return dict(table)


@cache
def sound_table() -> dict[str, str]:
    """Return toneless pinyin → the characters of GB 2312 read so (the same for every build;
    pypinyin's table of single characters, each of its readings, ü written v)."""
    table: dict[str, list[str]] = defaultdict(list)
    for high in range(0xB0, 0xF8):  # the level-1 and level-2 hanzi rows of GB 2312
        row = bytes(b for low in range(0xA1, 0xFF) for b in (high, low)).decode("gb2312", errors="replace")
        for char in row:
            for reading in (pinyin_dict.get(ord(char)) or "").split(","):
                syllable = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
                syllable = syllable.replace("ü", "v")
                if syllable.isascii() and syllable.isalpha() and char not in table[syllable]:
                    table[syllable].append(char)
    return {k: "".join(v) for k, v in sorted(table.items())}


def correction_table(words: Sequence[str], spelled: dict[str, list[str]]) -> dict[str, list[str]]:
    """Return key → forms: each word and its one-character deletions (抚恤 → 抚, 恤: 抚洫 finds it),
    and the full pinyin of the most frequent words with its deletions."""
    table: dict[str, list[str]] = defaultdict(list)

    def add(form: str) -> None:
        for key in (form, *deletions(form)):
            if len(table[key]) < MAX_FIXES and form not in table[key]:
                table[key].append(form)

    for word in words:
        add(word)
    initials = {k for k, v in spelled.items() if len(k) == len(v[0])}
    pinyin = [k for k in spelled if k not in initials and len(k) >= 4]
    for key in pinyin[:MAX_PINYIN_FIXES]:
        add(key)
    return dict(table)


def suggestion_tables(docs: Sequence[SearchDoc], synonyms: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Return the suggestions: entries [text, slug ('' = a search for text)] and two sorted key lists."""
    entries: list[list[str]] = []
    first: list[tuple[str, int]] = []
    inner: list[tuple[str, int]] = []
    for doc in docs:
        number = len(entries)
        entries.append([doc.title, doc.slug])
        first.append((suggest_key(doc.title), number))
        title = normalise(doc.title)
        starts = sorted({i for w in doc.words if (i := title.find(w)) > 0})
        inner += [(suggest_key(title[i:]), number) for i in starts]
        if doc.doc_number:
            entries.append([doc.doc_number, doc.slug])
            first.append((suggest_key(doc.doc_number), number + 1))
    for key in synonyms:
        first.append((suggest_key(key), len(entries)))
        entries.append([key, ""])
    first.sort()
    inner.sort()
    return {
        "entries": entries,
        "first_keys": [k for k, _ in first],
        "first_ids": [n for _, n in first],
        "inner_keys": [k for k, _ in inner],
        "inner_ids": [n for _, n in inner],
    }


def prefix_buckets(suggest: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Return, per one- and two-character prefix, its suggestions as the service orders them
    ([key, text, slug]; a one-character bucket holds the first ten, a two-character one up to 200)."""
    buckets: dict[str, list[list[str]]] = defaultdict(list)
    seen: dict[str, set[int]] = defaultdict(set)
    entries = suggest["entries"]
    for group in ("first", "inner"):
        for key, number in zip(suggest[f"{group}_keys"], suggest[f"{group}_ids"], strict=True):
            for size, cap in ((1, SHORT_BUCKET), (2, LONG_BUCKET)):
                prefix = key[:size]
                if len(prefix) < size or number in seen[prefix] or len(buckets[prefix]) >= cap:
                    continue
                seen[prefix].add(number)
                buckets[prefix].append([key, *entries[number]])
    return dict(buckets)


FOLDERS = ("p", "c", "g")  # under DATA_FOLDER: written by write_forgiving only


def forgiving_key(records: Sequence[Record], docs: Sequence[SearchDoc], synonyms: dict[str, tuple[str, ...]]) -> str:
    """Return a digest of everything `write_forgiving` reads: the titles and names of the records,
    the titles, slugs, 文号 and title words of the documents, the synonyms, and the program."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0{python_digest()}".encode())
    for record in records:
        kind = KIND_BY_NAME.get(record.kind)
        names = list(kind.names(record)) if kind else []
        digest.update(json.dumps([record.kind, record.meta.title, names], ensure_ascii=False).encode())
    for doc in docs:
        digest.update(json.dumps([doc.title, doc.slug, doc.doc_number, doc.words], ensure_ascii=False).encode())
    digest.update(json.dumps(sorted((k, list(v)) for k, v in synonyms.items()), ensure_ascii=False).encode())
    return digest.hexdigest()


def forgiving_files(service: Path, site: Path) -> list[Path]:
    """Return the files `write_forgiving` wrote into `service` and `site` (the staging folder)."""
    folder = site / DATA_FOLDER
    files = [service / SERVICE_FILE, folder / "y.js", folder / "f.js"]
    for name in FOLDERS:
        files += sorted(p for p in (folder / name).iterdir() if p.is_file())
    return files


def restore_forgiving(memo: Path, key: str, site: Path) -> dict[str, int] | None:
    """Hard-link the tables the last build wrote from `memo` into staging (`site`) when their
    inputs (`forgiving_key`) are the same; return their sizes, or None (nothing linked) when not."""
    return restore_files(memo, key, site)


def keep_forgiving(memo: Path, key: str, service: Path, site: Path, sizes: dict[str, int]) -> None:
    """Keep the tables just written into staging in `memo` for the next build (`keep_files`)."""
    keep_files(memo, key, site, [p.relative_to(site).as_posix() for p in forgiving_files(service, site)], sizes)


def write_forgiving(
    records: Sequence[Record],
    docs: Sequence[SearchDoc],
    synonyms: dict[str, tuple[str, ...]],
    service: Path,
    site: Path,
) -> dict[str, int]:
    """Write the tables for the service (`service/forgiving.json`) and the browser (`site/search/data/`)."""
    df = vocabulary(records, synonyms)
    ranked = sorted(df, key=lambda w: (-df[w], w))[:MAX_WORDS]
    spelled = pinyin_table(ranked)
    fixes = correction_table(ranked, spelled)
    suggest = suggestion_tables(docs, synonyms)
    words = {w: df[w] for w in ranked}
    sounds = sound_table()
    payload = {"words": words, "pinyin": spelled, "fixes": fixes, "suggest": suggest, "sounds": sounds}
    # keys sorted: the deletion sets fill the tables in an order that changes between runs
    (service / SERVICE_FILE).write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True), "utf-8")

    folder = site / DATA_FOLDER
    for name in FOLDERS:
        (folder / name).mkdir(parents=True, exist_ok=True)
    size = sum(len(k) + 6 + sum(3 * len(w) + 3 for w in v) for k, v in spelled.items())
    pshards = max(1, math.ceil(size / SHARD_TARGET_BYTES))
    pinyin_shards: list[dict[str, list[str]]] = [{} for _ in range(pshards)]
    for key, found in sorted(spelled.items()):  # by the hash of the key, as c/
        pinyin_shards[term_hash(key) % pshards][key] = found
    for n, table in enumerate(pinyin_shards):
        (folder / "p" / f"{n}.js").write_text(_js("pinyin", n, table), "utf-8")

    def spelled_word(form: str) -> str:
        return spelled[form][0] if form in spelled else form

    rows = {key: [[f, spelled_word(f), words.get(spelled_word(f), 1)] for f in forms] for key, forms in fixes.items()}
    # as written: UTF-8 keys and forms (three bytes a character), quotes, commas, record counts
    size = sum(len(k) * 3 + 4 + sum(6 * len(f) + 12 for f in v) for k, v in rows.items())
    cshards = max(1, math.ceil(size / SHARD_TARGET_BYTES))
    fix_shards: list[dict[str, Any]] = [{} for _ in range(cshards)]
    for key, row in sorted(rows.items()):
        fix_shards[term_hash(key) % cshards][key] = row
    for n, table in enumerate(fix_shards):
        (folder / "c" / f"{n}.js").write_text(_js("fixes", n, table), "utf-8")

    buckets = prefix_buckets(suggest)
    size = sum(len(e[0]) * 3 + len(e[1]) * 3 + len(e[2]) + 12 for v in buckets.values() for e in v)
    gshards = max(1, math.ceil(size / SHARD_TARGET_BYTES))
    suggest_shards: list[dict[str, Any]] = [{} for _ in range(gshards)]
    for prefix, value in sorted(buckets.items()):
        suggest_shards[term_hash(prefix) % gshards][prefix] = value
    for n, shard in enumerate(suggest_shards):
        (folder / "g" / f"{n}.js").write_text(_js("suggest", n, shard), "utf-8")
    (folder / "y.js").write_text(_js("sounds", sounds), "utf-8")
    counts = {"cshards": cshards, "gshards": gshards, "pshards": pshards}
    (folder / "f.js").write_text(_js("forgiving", counts), "utf-8")
    return {
        "words": len(words),
        "pinyin_keys": len(spelled),
        "fix_keys": len(fixes),
        "suggest_shards": gshards,
    }
