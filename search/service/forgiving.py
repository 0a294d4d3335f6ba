"""The service's forgiving input: pinyin → words, one-character corrections, suggestions.

Reads `site/.search/forgiving.json` (written by `search.index.forgiving`) once, and again
when a new build replaced it (checked at most once a second). Nothing here searches: the
app asks for the pinyin words of a query, the candidate corrections of a query that found
nothing (it runs them and offers the first that finds something), and the suggestions of
a prefix (a bisection in two sorted key lists).
"""

from __future__ import annotations

import bisect
import json
import os
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from search.spelling import (
    SERVICE_FILE,
    SUGGEST_LIMIT,
    corrections,
    sounds_alike,
    sounds_by_char,
    suggest_key,
)

RECHECK_SECONDS = 1.0
MAX_SCAN = 400  # suggestion keys looked at per group


class Forgiving:
    """The tables of one built site, shared by all threads."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / SERVICE_FILE
        self._lock = threading.Lock()
        self._checked = 0.0
        self._identity: tuple[int, int, float] | None = None
        self.words: dict[str, int] = {}
        self.pinyin: dict[str, list[str]] = {}
        self.fixes: dict[str, list[str]] = {}
        self.sounds: dict[str, set[str]] = {}  # character → its syllables
        self.suggest: dict[str, Any] = {"entries": [], "first_keys": [], "first_ids": [], "inner_keys": [], "inner_ids": []}

    def current(self) -> Forgiving:
        """Return self with the tables of the site as it is now (reloaded after a new build)."""
        now = time.monotonic()
        if now - self._checked < RECHECK_SECONDS:
            return self
        with self._lock:
            self._checked = now
            try:
                stat = os.stat(self.path)
                identity = (stat.st_dev, stat.st_ino, stat.st_mtime)
                if identity != self._identity:
                    data = json.loads(self.path.read_text("utf-8"))
                    self.words, self.pinyin, self.fixes = data["words"], data["pinyin"], data["fixes"]
                    self.suggest = data["suggest"]
                    self.sounds = sounds_by_char(data.get("sounds", {}))
                    self._identity = identity
            except (OSError, ValueError, KeyError):
                pass  # no table (an older build): search as typed, no corrections, no suggestions
        return self

    def spelled(self, key: str) -> list[str]:
        """Return the words a pinyin or initials key spells (most records first)."""
        return self.current().pinyin.get(key, [])

    def corrections(self, query: str, synonyms: dict[str, tuple[str, ...]]) -> list[str]:
        """Return the close queries to try when `query` found nothing (`search.spelling.corrections`)."""
        self.current()
        return corrections(query, synonyms, self.lookup, self.spelled, self.sounds_of)

    def sounds_of(self, char: str) -> set[str]:
        """Return the syllables of a character (toneless pinyin; none when the table lacks it)."""
        return self.sounds.get(char, set())

    def alike(self, typed: str, candidate: str) -> bool:
        """Return whether `candidate` replaces one character of `typed` by one of the same sound."""
        return sounds_alike(typed, candidate, self.sounds_of)

    def lookup(self, key: str) -> list[tuple[str, str, int]]:
        """Return the correction rows of a key: form, the word it stands for, its record count."""
        rows = []
        for form in self.fixes.get(key, ()):
            word = self.pinyin[form][0] if form in self.pinyin else form
            rows.append((form, word, self.words.get(word, 1)))
        return rows

    def suggestions(self, prefix: str) -> list[dict[str, str]]:
        """Return up to SUGGEST_LIMIT suggestions for a prefix: titles, 文号 and synonyms that
        start with it, then titles with a word that does (in key order, each entry once)."""
        tables = self.current().suggest
        key = suggest_key(prefix)
        if not key:
            return []
        out: list[dict[str, str]] = []
        seen: set[int] = set()
        entries = tables["entries"]
        for group in ("first", "inner"):
            keys, ids = tables[f"{group}_keys"], tables[f"{group}_ids"]
            i = bisect.bisect_left(keys, key)
            end = min(len(keys), i + MAX_SCAN)
            while i < end and keys[i].startswith(key) and len(out) < SUGGEST_LIMIT:
                number = ids[i]
                if number not in seen:
                    seen.add(number)
                    text, slug = entries[number]
                    out.append({"text": text, "url": f"/records/{slug}/" if slug else "/search/?q=" + quote(text)})
                i += 1
        return out

