"""The static search of `templates/static/search.js`, in Python, over the same files.

For the benchmark and the tests: it loads exactly the files the browser would (and counts
their bytes), matches and ranks as the script does (the order: `search.ranking`, shared
with the service). Browser tests check that the two agree. The service never imports it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.analysis import ParsedQuery, needs_check, normalise, parse_query
from search.index.body_index import phrase_bucket
from search.index.static_index import (
    DATA_FOLDER,
    body_term,
    decode_body_postings,
    decode_positions,
    decode_term_postings,
    phrase_name,
    term_hash,
)
from search.parts import part_of
from search.ranking import Score, body_weight, rank_key
from search.spelling import corrections, parse_spelled, sounds_by_char

EXACT, TITLE = 30.0, 4.0
_CALL = re.compile(r"^YGSearch\.(\w+)\((.*)\);\s*$", re.S)


@dataclass
class StaticSite:
    """The static index of one built site, loaded lazily file by file like the browser does."""

    site_dir: Path
    loaded: dict[str, int] = field(default_factory=dict)  # path → bytes
    _cache: dict[str, Any] = field(default_factory=dict)

    def _load(self, relative: str) -> Any:
        path = self.site_dir / DATA_FOLDER / relative
        if relative not in self._cache:
            raw = path.read_bytes()
            self.loaded[relative] = len(raw)
            match = _CALL.match(raw.decode("utf-8"))
            assert match, relative
            args = json.loads(f"[{match.group(2)}]")
            self._cache[relative] = args[-1]
        return self._cache[relative]

    @property
    def meta(self) -> dict[str, Any]:
        return self._load("meta.js")

    def postings(self, term: str) -> list[int]:
        shard = self._load(f"t/{term_hash(term) % self.meta['shards']}.js")
        text = shard.get(term)
        return decode_term_postings(text) if text else []

    def body_postings(self, gram: str) -> list[int]:
        shards = self.meta.get("bshards", 0)
        if not shards:
            return []
        name, hashed = body_term(gram)
        text = self._load(f"b/{hashed % shards}.js").get(name)
        return decode_body_postings(text) if text else []

    def phrase_entry(self, gram: str) -> tuple[list[int], list[tuple[int, list[int]]]]:
        """Return the records of a check gram's bucket and their positions ([] when the entry has none)."""
        shards = self.meta.get("xshards", 0)
        if not shards:
            return [], []
        bucket = phrase_bucket(gram)
        text = self._load(f"x/{bucket % shards}.js").get(phrase_name(bucket, shards), "")
        return (decode_body_postings(text), decode_positions(text)) if text else ([], [])

    def aligned(self, offsets: tuple[tuple[str, int], ...], records: list[int]) -> set[int]:
        """Return the records among `records` whose body has the check grams at their distances in
        the phrase (`analysis.phrase_offsets`): the phrase as written. A bucket written without
        positions (a common run) needs only to be in the body."""
        if not offsets or not self.meta.get("xshards"):
            return set(records)
        tables: list[tuple[int, set[int], dict[int, tuple[int, list[int]]] | None]] = []
        for gram, offset in offsets:
            holders, places = self.phrase_entry(gram)
            tables.append((offset, set(holders), dict(zip(holders, places, strict=True)) if places else None))
        out: set[int] = set()
        for record in records:
            shifts: set[int] | None = None
            for offset, holding, table in tables:
                if record not in holding:
                    break
                if table is None:
                    continue
                modulus, at = table[record]
                if not modulus:  # the body repeats the run: any position will do
                    continue
                found = {(p - offset) % modulus for p in at}
                shifts = found if shifts is None else shifts & found
                if not shifts:
                    break
            else:
                out.add(record)
        return out

    def search(self, raw: str, filters: dict[str, str] | None = None, sort: str = "relevance") -> list[dict[str, Any]]:
        """Return the matching records in the browser's order, with slug and title."""
        return [self.row(i) for i in self.search_ids(raw, filters, sort)]

    def search_ids(self, raw: str, filters: dict[str, str] | None = None, sort: str = "relevance") -> list[int]:
        """Return the record numbers of the matches in the browser's order (loads no display rows)."""
        meta = self.meta
        self._load("fold.js")
        synonyms = {k: tuple(v) for k, v in meta["synonyms"].items()}
        parsed = parse_spelled(raw, synonyms, self.spelled)
        scores = self.evaluate(parsed)
        ids = self.filter(scores, filters or {})
        if sort == "date":  # the records are newest first (`static_index.year_ranges`)
            ids.sort()
        else:
            ids.sort(key=lambda i: rank_key(scores[i], i))
        return self.exact_first(parsed, ids, reorder=sort != "date")

    def exact_first(self, parsed: ParsedQuery, ids: list[int], reorder: bool = True) -> list[int]:
        """Return `ids` with the records holding every checked part as written first, without those
        lacking a quoted part: as written means all its trigrams in the metadata (title and the rest
        are one set: a phrase split across them counts, a rare case), or all its grams in the body at
        the distances they have in the phrase (the browser never downloads a body to look)."""
        checked = [part for part in parsed.parts if needs_check(part)]
        if not checked:
            return ids
        holding = [self._holding(part) for part in checked]
        quoted = [found for part, found in zip(checked, holding, strict=True) if part.quoted]
        kept = [i for i in ids if all(i in found for found in quoted)]
        if not reorder:  # by date: the order stays, quoted parts still only as written
            return kept
        exact = [i for i in kept if all(i in found for found in holding)]
        chosen = set(exact)
        return exact + [i for i in kept if i not in chosen]

    def _holding(self, part: Any) -> set[int]:
        """Return the records whose metadata holds the part's trigrams or whose body holds its grams
        and its check grams at their distances (`aligned`)."""
        found: set[int] = set()
        for alt in part.alternatives:
            trigrams = [g for g in alt.grams if len(g) == 3 and g[0] >= "\u3400"]
            if trigrams and len(trigrams) == len(alt.grams):
                in_meta: set[int] | None = None
                for gram in trigrams:
                    docs = {p >> 1 for p in self.postings(gram)}
                    in_meta = docs if in_meta is None else in_meta & docs
                found |= in_meta or set()
            found |= self.aligned(alt.offsets, list(self._body(alt.grams)))
        return found

    def spelled(self, key: str) -> list[str]:
        """Return the words a pinyin or initials key spells (`p/<hash of the key>.js`, as search.js)."""
        if not (self.site_dir / DATA_FOLDER / "f.js").is_file():
            return []
        shards = self._load("f.js")["pshards"]
        return list(self._load(f"p/{term_hash(key) % shards}.js").get(key, []))

    def did_you_mean(self, raw: str, filters: dict[str, str] | None = None) -> str | None:
        """Return the close query search.js offers when `raw` finds nothing (`search.spelling.corrections`)."""
        if self.search_ids(raw, filters):
            return None
        shards = self._load("f.js")["cshards"]
        synonyms = {k: tuple(v) for k, v in self.meta["synonyms"].items()}
        lookup = lambda key: self._load(f"c/{term_hash(key) % shards}.js").get(key, [])  # noqa: E731
        sounds = sounds_by_char(self._load("y.js")) if (self.site_dir / DATA_FOLDER / "y.js").is_file() else {}
        for candidate in corrections(raw, synonyms, lookup, self.spelled, lambda char: sounds.get(char, ())):
            if self.search_ids(candidate, filters):
                return candidate
        return None

    def facet(self, name: str) -> set[int]:
        """Return the records of a filter value (`v/<name>.js`: `a3` agency 3, `c0`, `k1`, `s2`)."""
        return set(decode_body_postings(self._load(f"v/{name}.js")))

    def row(self, number: int) -> dict[str, Any]:
        meta = self.meta
        chunk = self._load(f"d/{number // meta['chunk']}.js")
        slug, title, doc_number, agency, published, lead, kind, validity, *parts = chunk[number % meta["chunk"]]
        return {"slug": slug, "title": title, "doc_number": doc_number, "agency": agency, "published": published, "lead": lead,
                "kind": meta["kinds"][kind][0], "validity": meta["validities"][validity], "parts": parts[0] if parts else []}

    def place(self, row: dict[str, Any], raw: str) -> tuple[str, str] | None:
        """Return the (anchor, "label：text") of the part of the page a result points to, as search.js shows it, or None."""
        parsed = parse_query(raw, {k: tuple(v) for k, v in self.meta["synonyms"].items()})
        found = part_of(row["parts"], parsed.highlights, (row["title"], row["lead"])) if row["parts"] else None
        if found is None:
            return None
        anchor, label, text = row["parts"][found]
        return anchor, f"{label}：{text}"

    def evaluate(self, parsed: ParsedQuery) -> dict[int, Score]:
        """Return, per matching record: every part matched in the metadata?, metadata score
        (sum over parts), parts matched in the metadata, body score (sum over the others)."""
        meta = self.meta
        total: dict[int, Score] | None = None
        for part in parsed.parts:
            best: dict[int, float] = {}
            body: dict[int, float] = {}
            for alt in part.alternatives:
                found, in_body = self._alternative(alt.terms, alt.doc_number, alt.index_number, alt.grams)
                for doc, score in found.items():
                    best[doc] = max(best.get(doc, 0.0), score)
                for doc, score in in_body.items():
                    body[doc] = max(body.get(doc, 0.0), score)
            needle = normalise(part.text)
            agencies = {i for i, a in enumerate(meta["agencies"]) if needle and needle in normalise(a)}
            categories = {i for i, c in enumerate(meta["categories"]) if needle and normalise(c.split("/")[-1]) == needle}
            named = [f"a{i}" for i in sorted(agencies)] + [f"c{i}" for i in sorted(categories)]
            for i in set().union(*(self.facet(name) for name in named)):
                best[i] = max(best.get(i, 0.0), 1.0)
            scores = {d: Score(True, s, 1, 0.0) for d, s in best.items()}
            scores |= {d: Score(False, 0.0, 0, s) for d, s in body.items() if d not in best}
            total = scores if total is None else {k: v.add(scores[k]) for k, v in total.items() if k in scores}
        return total or {}

    def _alternative(
        self, terms: tuple[str, ...], doc_number: str | None, index_number: str | None, grams: tuple[str, ...]
    ) -> tuple[dict[int, float], dict[int, float]]:
        count = self.meta["count"]
        scores: dict[int, float] | None = None
        for term in terms:
            found: dict[int, float] = {}
            plist = self.postings(term)
            idf = math.log(1 + count / (len({p >> 1 for p in plist}) or 1))
            for p in plist:
                doc = p >> 1
                found[doc] = max(found.get(doc, 0.0), idf * (TITLE if p & 1 else 1.0))
            scores = found if scores is None else {k: v + found[k] for k, v in scores.items() if k in found}
        scores = scores or {}
        for prefix, key in (("#d", doc_number), ("#i", index_number)):
            if key:
                for p in self.postings(prefix + key):
                    scores[p >> 1] = scores.get(p >> 1, 0.0) + EXACT
        return scores, self._body(grams)

    def _body(self, grams: tuple[str, ...]) -> dict[int, float]:
        """Return the records whose body holds every gram, with the sum of the grams' idf."""
        if not self.meta.get("bshards") or not grams:
            return {}
        docs: set[int] | None = None
        weight = 0.0
        for gram in grams:
            plist = self.body_postings(gram)
            weight += math.log(1 + self.meta["count"] / (len(plist) or 1))
            docs = set(plist) if docs is None else docs & set(plist)
        return dict.fromkeys(sorted(docs or ()), body_weight(weight))

    def filter(self, scores: dict[int, Score], filters: dict[str, str]) -> list[int]:
        """Return the records of `scores` that every filter set keeps (a value the site lacks keeps none)."""
        meta = self.meta
        names: list[str] = []
        for key, prefix, values in (
            ("agency", "a", meta["agencies"]),
            ("category", "c", meta["categories"]),
            ("kind", "k", [k for k, _ in meta["kinds"]]),
            ("validity", "s", meta["validities"]),
        ):
            value = filters.get(key)
            if value and value not in values:
                return []
            if value:
                names.append(f"{prefix}{values.index(value)}")
        first, end = 0, meta["count"]
        if filters.get("year"):
            if filters["year"] not in meta["years"]:
                return []
            first, end = meta["years"][filters["year"]]
        kept = [self.facet(name) for name in names]
        return [i for i in scores if first <= i < end and all(i in records for records in kept)]
