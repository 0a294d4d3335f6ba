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

from search.analysis import ParsedQuery, normalise, parse_query
from search.index.static_index import DATA_FOLDER, decode_body_postings, decode_postings, term_hash
from search.ranking import Score, body_weight, rank_key

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
        return decode_postings(text) if text else []

    def body_postings(self, term: str) -> list[int]:
        shards = self.meta.get("bshards", 0)
        if not shards:
            return []
        text = self._load(f"b/{term_hash(term) % shards}.js").get(term)
        return decode_body_postings(text) if text else []

    def search(self, raw: str, filters: dict[str, str] | None = None, sort: str = "relevance") -> list[dict[str, Any]]:
        """Return the matching records in the browser's order, with slug and title."""
        return [self.row(i) for i in self.search_ids(raw, filters, sort)]

    def search_ids(self, raw: str, filters: dict[str, str] | None = None, sort: str = "relevance") -> list[int]:
        """Return the record numbers of the matches in the browser's order (loads no display rows)."""
        meta = self.meta
        self._load("fold.js")
        synonyms = {k: tuple(v) for k, v in meta["synonyms"].items()}
        parsed = parse_query(raw, synonyms)
        scores = self.evaluate(parsed)
        ids = self.filter(scores, filters or {})
        if sort == "date":
            ids.sort(key=lambda i: (-meta["docs"][i][0], i))
        else:
            ids.sort(key=lambda i: rank_key(scores[i], i))
        return ids

    def row(self, number: int) -> dict[str, Any]:
        chunk = self._load(f"d/{number // self.meta['chunk']}.js")
        slug, title, doc_number, agency, published, lead = chunk[number % self.meta["chunk"]]
        return {"slug": slug, "title": title, "doc_number": doc_number, "agency": agency, "published": published, "lead": lead}

    def evaluate(self, parsed: ParsedQuery) -> dict[int, Score]:
        """Return, per matching record: every part matched in the metadata?, metadata score
        (sum over parts), parts matched in the metadata, body score (sum over the others)."""
        meta = self.meta
        total: dict[int, Score] | None = None
        for part in parsed.parts:
            best: dict[int, float] = {}
            body: dict[int, float] = {}
            for alt in part.alternatives:
                found, in_body = self._alternative(alt.terms, alt.doc_number, alt.index_number)
                for doc, score in found.items():
                    best[doc] = max(best.get(doc, 0.0), score)
                for doc, score in in_body.items():
                    body[doc] = max(body.get(doc, 0.0), score)
            needle = normalise(part.text)
            agencies = {i for i, a in enumerate(meta["agencies"]) if needle and needle in normalise(a)}
            categories = {i for i, c in enumerate(meta["categories"]) if needle and normalise(c.split("/")[-1]) == needle}
            if agencies or categories:
                for i, d in enumerate(meta["docs"]):
                    if agencies & set(d[3]) or categories & set(d[4]):
                        best[i] = max(best.get(i, 0.0), 1.0)
            scores = {d: Score(True, s, 1, 0.0) for d, s in best.items()}
            scores |= {d: Score(False, 0.0, 0, s) for d, s in body.items() if d not in best}
            total = scores if total is None else {k: v.add(scores[k]) for k, v in total.items() if k in scores}
        return total or {}

    def _alternative(
        self, terms: tuple[str, ...], doc_number: str | None, index_number: str | None
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
        return scores, self._body(terms)

    def _body(self, terms: tuple[str, ...]) -> dict[int, float]:
        """Return the records whose body holds every term, with the sum of the terms' idf."""
        if not self.meta.get("bshards") or not all(t >= "\u3400" for t in terms):
            return {}
        docs: set[int] | None = None
        weight = 0.0
        for term in terms:
            plist = self.body_postings(term)
            weight += math.log(1 + self.meta["count"] / (len(plist) or 1))
            docs = set(plist) if docs is None else docs & set(plist)
        return dict.fromkeys(sorted(docs or ()), body_weight(weight))

    def filter(self, scores: dict[int, Score], filters: dict[str, str]) -> list[int]:
        meta = self.meta
        kinds = [k for k, _ in meta["kinds"]]
        out = []
        for i in scores:
            d = meta["docs"][i]
            agency = filters.get("agency")
            if agency and (agency not in meta["agencies"] or meta["agencies"].index(agency) not in d[3]):
                continue
            if filters.get("category") and (filters["category"] not in meta["categories"] or meta["categories"].index(filters["category"]) not in d[4]):
                continue
            if filters.get("year") and str(d[0])[:4] != filters["year"]:
                continue
            if filters.get("kind") and (filters["kind"] not in kinds or kinds.index(filters["kind"]) != d[1]):
                continue
            if filters.get("validity") and meta["validities"][d[2]] != filters["validity"]:
                continue
            out.append(i)
        return out
