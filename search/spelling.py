"""Forgiving input, the rules both sides share: pinyin keys, one-edit candidates, suggestion keys.

The build (`search.index.forgiving`) writes the tables, the service (`search.service.forgiving`)
and `templates/static/search.js` / `suggest.js` read them; all of them fold a query with
these functions (the scripts with the same few lines), so a key written is a key found.

- `spelled_key`: a query that is all Latin letters (spaces and apostrophes between syllables
  allowed: `shen pi`, `xi'an`) as one lower-case key, the form the pinyin table is keyed by.
- `deletions`: the strings one character shorter (SymSpell): a word and a query one
  substitution, insertion or deletion apart share one of their deletions (or one is the
  other's), so the correction table maps each deletion to the words it came from.
- `one_edit`: whether two strings are exactly one substitution, insertion or deletion apart.
- `suggest_key`: the normalised form a suggestion is matched on (brackets and spaces dropped,
  so `国发(2018)4` finds 国发〔2018〕41号).
- `sounds_alike`: whether a correction replaces one character by one of the same sound
  (toneless pinyin; the sound table of `search.index.forgiving.sound_table`): a pinyin input
  method's slip, the likeliest one-character error (国哥法 → 国歌法 before 国旗法).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import Any

from search.analysis import ParsedQuery, clean_query, normalise, parse_query

SERVICE_FILE = "forgiving.json"  # in site/.search/: pinyin, correction and suggestion tables
SUGGEST_LIMIT = 10
SUGGEST_KEY_CHARS = 24
MIN_CORRECTED_CHARS = 2  # a query part shorter than this is never corrected

_SPELLED = re.compile(r"[a-z]+(?:[ ']+[a-z]+)*")
_SPELLED_FOLD = re.compile(r"[ ']")
_SUGGEST_FOLD = re.compile(r"[\s\(\)\[\]【】〔〕﹝﹞〖〗]")


def spelled_key(text: str) -> str | None:
    """Return `text` as a pinyin key when it is all Latin letters (normalised text), else None."""
    text = text.strip()
    if not _SPELLED.fullmatch(text):
        return None
    return _SPELLED_FOLD.sub("", text)


def deletions(word: str) -> set[str]:
    """Return the strings made by deleting one character of `word`."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """Return whether `a` and `b` differ by exactly one substituted, inserted or deleted character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def suggest_key(text: str) -> str:
    """Return the form a suggestion is matched on: normalised, brackets and spaces dropped, cut short."""
    return _SUGGEST_FOLD.sub("", normalise(text))[:SUGGEST_KEY_CHARS]


def parse_spelled(raw: str, synonyms: dict[str, tuple[str, ...]], spelled: Callable[[str], Sequence[str]]) -> ParsedQuery:
    """Return the parsed query; one of Latin letters that `spelled` maps to words (a pinyin or
    initials key) is one part: itself or any of those words, like a synonym."""
    text = clean_query(raw)
    key = spelled_key(text)
    words = tuple(spelled(key)) if key else ()
    if not words or key is None:
        return parse_query(raw, synonyms)
    parsed = parse_query(key, {**synonyms, key: (*synonyms.get(key, ()), *words)})
    return replace(parsed, text=text)


MAX_CANDIDATES = 3  # corrections tried (each is one search)
Lookup = Callable[[str], Sequence[Sequence[Any]]]  # correction key → [form, word, records] rows
Sounds = Callable[[str], Collection[str]]  # a character → its syllables (toneless pinyin); none when unknown


def sounds_by_char(table: dict[str, str]) -> dict[str, set[str]]:
    """Return character → syllables from the sound table as written (syllable → its characters)."""
    out: dict[str, set[str]] = {}
    for syllable, chars in table.items():
        for char in chars:
            out.setdefault(char, set()).add(syllable)
    return out


def sounds_alike(typed: str, candidate: str, sounds: Sounds) -> bool:
    """Return whether `candidate` is `typed` with one character replaced by one that sounds the same."""
    if len(typed) != len(candidate):
        return False
    changed = [(a, b) for a, b in zip(typed, candidate, strict=True) if a != b]
    return len(changed) == 1 and not set(sounds(changed[0][0])).isdisjoint(sounds(changed[0][1]))


def no_sounds(char: str) -> Collection[str]:
    return ()


def close_words(part: str, lookup: Lookup) -> list[tuple[str, int]]:
    """Return the known words one substitution, insertion or deletion from `part` (or whose
    pinyin is), with their record counts, most records first."""
    if len(part) < MIN_CORRECTED_CHARS:
        return []
    keys = [part, *sorted(deletions(part))]
    out: dict[str, int] = {}
    for key in keys:
        for form, word, records in lookup(key):
            if one_edit(part, form):
                out[word] = max(out.get(word, 0), int(records))
    return sorted(out.items(), key=lambda item: (-item[1], item[0]))


def corrections(
    query: str,
    synonyms: dict[str, tuple[str, ...]],
    lookup: Lookup,
    spelled: Callable[[str], Sequence[str]],
    sounds: Sounds = no_sounds,
) -> list[str]:
    """Return whole queries close to `query` (one part changed), the likeliest first: one
    character off a known word (a replaced one before one added or dropped: 节假曰 → 节假日, not
    节假; one of the same sound first; then most records), the Chinese a pinyin part spells, a
    synonym of a part. The caller searches them in turn and offers the
    first that finds something."""
    parts = clean_query(query).replace('"', " ").split()
    found: list[tuple[bool, bool, int, int, str]] = []  # (length changed, not alike, -records, order, query)

    def add(records: int, i: int, word: str) -> None:
        alike = sounds_alike(parts[i], word, sounds)
        key = (len(word) != len(parts[i]), not alike, -records, len(found))
        found.append((*key, " ".join([*parts[:i], word, *parts[i + 1 :]])))

    for i, part in enumerate(parts):
        for word, records in close_words(part, lookup):
            add(records, i, word)
        key = spelled_key(part)
        for word in list(spelled(key))[:1] if key else []:
            add(0, i, word)
        for other in synonyms.get(part, ())[:1]:
            add(0, i, other)
    out = list(dict.fromkeys(q for *_, q in sorted(found)))
    return [q for q in out if q != " ".join(parts)][:MAX_CANDIDATES]
