"""The one tokenising rule shared by the Whoosh index, the service and the static index.

Text is normalised (NFKC, lower case, Traditional → Simplified character by character),
then cut into runs: a run of Chinese characters yields every single character and every
pair of neighbours (bigram); a run of ASCII letters or digits is one term. A query cut the
same way matches a record when every term of one of its alternatives is in the record, so
one character (税), any part of a word (得税) and a phrase (个人所得税 = 个人 人所 所得 得税)
all match. `templates/static/search.js` implements the same rule in the browser; the tests
check both against one fixture index.
"""

from __future__ import annotations

import importlib.resources
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

# Bump when what the index holds changes: every cached index is then rebuilt.
FORMAT_VERSION = "8"  # 8: the body cache holds the check grams (static exact phrases), buckets uint32

MAX_QUERY_CHARS = 64  # after normalisation; the raw parameter may be a little longer
MAX_RAW_QUERY_CHARS = 256
MAX_PARTS = 8
MAX_TERMS = 48
MAX_ALNUM = 32

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"[{CJK}]+|[0-9a-z]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_PHRASE = re.compile(r'"([^"]*)"|(\S+)')
# 发文字号: 代字, year in any brackets (or none), serial, optional 号
_DOC_NUMBER = re.compile(f"^[{CJK}]+\\s*[\\(\\[【〔﹝〖]?\\s*\\d{{4}}\\s*[\\)\\]】〕﹞〗]?\\s*第?\\s*\\d+\\s*号?$")
_DOC_NUMBER_FOLD = re.compile(r"[\s\(\)\[\]【】〔〕﹝﹞〖〗第号]")
# 索引号: organisation code / year - serial (also with "-" for "/", as in the record URL)
_INDEX_NUMBER = re.compile(r"^[0-9a-z]{6,18}[/\-]\d{4}-\d{1,8}$")


@cache
def fold_table() -> dict[int, str]:
    """Return the Traditional → Simplified map of single characters (OpenCC TSCharacters)."""
    text = (importlib.resources.files("opencc") / "dictionary" / "TSCharacters.txt").read_text("utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target and max(ord(source), ord(target)) < 0x10000:
            table[ord(source)] = target
    return table


def normalise(text: str) -> str:
    """Return `text` as both sides compare it: NFKC, lower case, Simplified characters."""
    return unicodedata.normalize("NFKC", text).lower().translate(fold_table())


def terms(text: str) -> set[str]:
    """Return the index terms of `text`: characters and bigrams of Chinese runs, ASCII words."""
    found: set[str] = set()
    for run in _RUNS.findall(normalise(text)):
        if run[0] < "\u3400":
            found.add(run[:MAX_ALNUM])
        else:
            found.update(run)
            found.update(map(str.__add__, run, run[1:]))
    return found


def query_terms(text: str) -> list[str]:
    """Return the terms a query part requires: one character alone, else its bigrams."""
    out: list[str] = []
    for run in _RUNS.findall(text):
        if run[0] < "\u3400":
            out.append(run[:MAX_ALNUM])
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(map(str.__add__, run, run[1:]))
    return list(dict.fromkeys(out))


def body_grams(text: str) -> list[str]:
    """Return what a query part requires of a body: per run, one character alone, two as a
    bigram, three or more as trigrams (three neighbours: far closer to the phrase than bigrams),
    every second one and the last; a letter/digit word as itself, which the body index holds as
    a prefix of its words."""
    out: list[str] = []
    for run in _RUNS.findall(text):
        if run[0] < "\u3400":
            out.append(run[:MAX_ALNUM])
        elif len(run) <= 2:
            out.append(run)
        else:  # every second trigram and the last: neighbours overlap by one character, and a
            # long phrase asks for half the shards (the static index's download per query)
            out.extend(run[i : i + 3] for i in sorted({*range(0, len(run) - 2, 2), len(run) - 3}))
    return list(dict.fromkeys(out))


PHRASE_GRAM = 5  # the static index's check grams (`search.index.body_index.phrase_grams`)
PHRASE_STEP = 3  # … looked up every third character: neighbours overlap by two
SHORT_RUN = 10  # … and in a shorter run at every character: two or three grams would leave the
# check to one where a body repeats the other (its positions are not written there)


def phrase_offsets(text: str) -> list[tuple[str, int]]:
    """Return the check grams of a query part: per run of five or more Chinese characters, the
    five at 0, 3, 6 … (at every character in a run shorter than SHORT_RUN) and the last five,
    each with where it starts in `phrase_text(text)`. A body
    holds the text as written (its runs of five or more) where they stand at these distances."""
    out: list[tuple[str, int]] = []
    for match in _RUNS.finditer(text):
        run = match.group()
        if run[0] < "\u3400" or len(run) < PHRASE_GRAM:
            continue
        start = match.start() - sum(c.isspace() for c in text[: match.start()])
        step = 1 if len(run) < SHORT_RUN else PHRASE_STEP
        at = sorted({*range(0, len(run) - PHRASE_GRAM + 1, step), len(run) - PHRASE_GRAM})
        out.extend((run[i : i + PHRASE_GRAM], start + i) for i in at)
    return out


def phrase_text(text: str) -> str:
    """Return a query part as an exact match compares it: its runs of characters, spaces dropped."""
    return "".join(text.split())


def doc_number_key(value: str) -> str:
    """Return the exact-match key of a 发文字号: any bracket style, 第/号 and spaces ignored."""
    return _DOC_NUMBER_FOLD.sub("", normalise(value))


def index_number_key(value: str) -> str:
    """Return the exact-match key of a 索引号: letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", normalise(value))


class QueryError(ValueError):
    """A query the service refuses (400), with a short Chinese message."""


@dataclass(frozen=True)
class Alternative:
    """One way a query part can match: all `terms` present, or the exact key equal; in a body,
    all `grams` (`body_grams`). `text` is the variant as written (normalised), for the exact check."""

    terms: tuple[str, ...]
    doc_number: str | None = None
    index_number: str | None = None
    grams: tuple[str, ...] = ()
    text: str = ""
    offsets: tuple[tuple[str, int], ...] = ()  # `phrase_offsets`


@dataclass(frozen=True)
class Part:
    """A whitespace-separated word or a quoted phrase: any one alternative must match.

    A quoted part matches only where one of its variants stands as written (`exact`)."""

    text: str
    alternatives: tuple[Alternative, ...]
    quoted: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    parts: tuple[Part, ...] = ()
    highlights: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.parts


def clean_query(raw: str) -> str:
    """Return the query normalised and stripped of control characters; raise QueryError if too long."""
    if len(raw) > MAX_RAW_QUERY_CHARS:
        raise QueryError(f"检索词过长：最多 {MAX_QUERY_CHARS} 个字")
    text = " ".join(_CONTROL.sub(" ", normalise(raw)).split())
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"检索词过长：最多 {MAX_QUERY_CHARS} 个字")
    return text


def parse_query(raw: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> ParsedQuery:
    """Return the parts of a query; wildcards, ranges and field syntax are plain text."""
    text = clean_query(raw)
    synonyms = synonyms or {}
    parts: list[Part] = []
    highlights: list[str] = []
    for match in _PHRASE.finditer(text):
        chunk = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        alternatives: list[Alternative] = []
        for variant in (chunk, *synonyms.get(chunk, ())):
            alternative = _alternative(variant)
            if alternative is not None and alternative not in alternatives:
                alternatives.append(alternative)
                exact = alternative.doc_number or alternative.index_number
                highlights.extend([variant] if exact else _RUNS.findall(variant))
        if alternatives:
            parts.append(Part(chunk, tuple(alternatives), match.group(1) is not None))
    if len(parts) > MAX_PARTS:
        raise QueryError(f"检索词过多：最多 {MAX_PARTS} 个词")
    if sum(len(a.terms) for p in parts for a in p.alternatives) > MAX_TERMS * 2:
        raise QueryError("检索词过多，请缩短后再试")
    return ParsedQuery(text, tuple(parts), tuple(dict.fromkeys(highlights)))


def _alternative(variant: str) -> Alternative | None:
    required = query_terms(variant)
    if not required:
        return None
    if len(required) > MAX_TERMS:
        raise QueryError("检索词过长，请缩短后再试")
    compact = variant.replace(" ", "")
    doc_number = doc_number_key(compact) if _DOC_NUMBER.match(compact) else None
    index_number = index_number_key(compact) if _INDEX_NUMBER.match(compact) else None
    return Alternative(
        tuple(required), doc_number, index_number, tuple(body_grams(variant)), phrase_text(variant), tuple(phrase_offsets(variant))
    )


def contains_phrase(folded: str, part: Part) -> bool:
    """Return whether normalised text holds one of the part's variants as written (spaces ignored)."""
    compact = "".join(folded.split())
    return any(alt.text and alt.text in compact for alt in part.alternatives)


def needs_check(part: Part) -> bool:
    """Return whether a part's grams could all match without the part standing as written:
    it is longer than one gram (a phrase of three or more characters, or several runs)."""
    return any(len(alt.grams) > 1 for alt in part.alternatives) or (part.quoted and any(len(a.terms) > 1 for a in part.alternatives))


def normalise_synonyms(raw: dict[str, list[str]] | None) -> dict[str, tuple[str, ...]]:
    """Return the synonym table with keys and values normalised like queries."""
    table: dict[str, tuple[str, ...]] = {}
    for key, values in (raw or {}).items():
        norm = " ".join(normalise(key).split())
        table[norm] = tuple(dict.fromkeys(" ".join(normalise(v).split()) for v in values if v))
    return table
