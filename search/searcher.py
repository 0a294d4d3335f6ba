"""Queries against the Whoosh index: parsed by `search.analysis`, never by Whoosh's parser.

Nothing a user types is expanded: there is no wildcard, range, fuzzy or field syntax,
only terms. Each request has a time budget (TimeLimitCollector without SIGALRM, so it
works in threads). Readers are opened read-only, one per thread, and reopened when the
site folder is swapped by a new build.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rjieba
from whoosh import collectors, index, query, sorting
from whoosh.searching import TimeLimit

from search.analysis import FORMAT_VERSION, ParsedQuery, normalise
from search.whoosh_index import STAMP

TIME_BUDGET_SECONDS = 1.0
MAX_PAGE_SIZE = 50
MAX_RESULTS = 1000  # page × page_size never reaches past this
FILTERS = ("agency", "category", "year", "kind", "validity")
EXACT_BOOST = 30.0
SNIPPET_CHARS = 90
RECHECK_SECONDS = 1.0


class IndexUnavailable(Exception):
    """The index is missing, of another format or unreadable (the service answers 503)."""


class SearchTimeout(Exception):
    """The query ran out of its time budget (503)."""


@dataclass(frozen=True)
class Options:
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"  # or "date"
    page: int = 1
    page_size: int = 10


@dataclass(frozen=True)
class Hit:
    url: str
    title: str
    index_number: str
    doc_number: str
    agency: str
    published: str
    kind: str
    validity: str
    snippet: str  # escaped HTML with <mark>
    title_html: str

    def as_json(self) -> dict[str, str]:
        return {
            "url": self.url,
            "title": self.title,
            "index_number": self.index_number,
            "doc_number": self.doc_number,
            "agency": self.agency,
            "published": self.published,
            "kind": self.kind,
            "validity": self.validity,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class ResultPage:
    query: str
    total: int
    page: int
    page_size: int
    hits: tuple[Hit, ...]

    @property
    def pages(self) -> int:
        return max(1, min(-(-self.total // self.page_size), MAX_RESULTS // self.page_size))


class SearchIndex:
    """The Whoosh index of one built site, shared by all threads of a process."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._ix: Any = None
        self._identity: tuple[int, int] | None = None
        self._checked = 0.0
        self.synonyms: dict[str, tuple[str, ...]] = {}
        self.facets: dict[str, Any] = {}
        self.agencies: tuple[str, ...] = ()
        self.categories: tuple[str, ...] = ()

    def _current(self) -> Any:
        """Return the open index, reopening it if the folder was swapped since."""
        now = time.monotonic()
        if self._ix is not None and now - self._checked < RECHECK_SECONDS:
            return self._ix
        with self._lock:
            try:
                stat = os.stat(self.folder / "whoosh")
                identity = (stat.st_dev, stat.st_ino)
            except OSError as exc:
                raise IndexUnavailable(str(exc)) from exc
            self._checked = now
            if identity != self._identity:
                self._open(identity)
        return self._ix

    def _open(self, identity: tuple[int, int]) -> None:
        folder = self.folder / "whoosh"
        try:
            if (folder / STAMP).read_text() != FORMAT_VERSION:
                raise IndexUnavailable("index format differs")
            ix = index.open_dir(str(folder), readonly=True)
            extra = json.loads((self.folder / "search.json").read_text("utf-8"))
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(str(exc)) from exc
        self.synonyms = {k: tuple(v) for k, v in extra["synonyms"].items()}
        self.facets = extra["facets"]
        self.agencies = tuple(extra["facets"]["agencies"])
        self.categories = tuple(extra["facets"]["categories"])
        self._ix = ix
        self._identity = identity
        self._local = threading.local()

    def searcher(self) -> Any:
        """Return this thread's searcher of the current index."""
        ix = self._current()
        local = self._local
        found = getattr(local, "searcher", None)
        if found is None or getattr(local, "ix", None) is not ix:
            found = ix.searcher()
            local.searcher, local.ix = found, ix
        return found

    def search(self, parsed: ParsedQuery, options: Options) -> ResultPage:
        """Return one page of results for a parsed query."""
        searcher = self.searcher()
        if parsed.empty:
            return ResultPage(parsed.text, 0, options.page, options.page_size, ())
        q = self.build_query(parsed)
        # No limit: with one, Whoosh 2.7's count of matches comes out short (seen: 12 of 19).
        if options.sort == "date":
            inner: Any = collectors.SortingCollector(sorting.FieldFacet("published", reverse=True), limit=None)
        else:
            inner = collectors.UnlimitedCollector()
        allow = self.filter_query(options.filters)
        if allow is not None:
            # Inside the query: TimeLimitCollector bypasses a FilterCollector's test, and
            # Whoosh 2.7's Require matched the wrong documents here. A filter term adds the
            # same score to every remaining document, so the order does not change.
            q = query.And([q, allow])
        collector = collectors.TimeLimitCollector(inner, TIME_BUDGET_SECONDS, use_alarm=False)
        try:
            searcher.search_with_collector(q, collector)
        except TimeLimit as exc:
            raise SearchTimeout() from exc
        results = collector.results()
        total = len(results)
        start = (options.page - 1) * options.page_size
        end = min(start + options.page_size, results.scored_length())
        hits = tuple(self._hit(results[i], parsed) for i in range(start, end))
        return ResultPage(parsed.text, total, options.page, options.page_size, hits)

    def build_query(self, parsed: ParsedQuery) -> query.Query:
        """Return the Whoosh query: every part must match one of its alternatives."""
        parts: list[query.Query] = []
        for part in parsed.parts:
            alternatives: list[query.Query] = []
            for alt in part.alternatives:
                grams = [query.Or([query.Term("title", t), query.Term("text", t)]) for t in alt.terms]
                alternatives.append(grams[0] if len(grams) == 1 else query.And(grams))
                if alt.doc_number:
                    alternatives.append(query.Term("docnum", alt.doc_number, boost=EXACT_BOOST))
                if alt.index_number:
                    alternatives.append(query.Term("indexnum", alt.index_number, boost=EXACT_BOOST))
            needle = normalise(part.text)
            alternatives += [query.Term("agency", a) for a in self.agencies if needle and needle in normalise(a)]
            alternatives += [
                query.Term("category", c) for c in self.categories if needle and needle == normalise(c.rsplit("/", 1)[-1])
            ]
            parts.append(alternatives[0] if len(alternatives) == 1 else query.Or(alternatives))
        required = parts[0] if len(parts) == 1 else query.And(parts)
        words = [w for w in dict.fromkeys(rjieba.cut(parsed.text)) if len(w.strip()) > 1][:8]
        if not words:
            return required
        return query.AndMaybe(required, query.Or([query.Term("words", w) for w in words]))

    def filter_query(self, filters: dict[str, str]) -> query.Query | None:
        terms = [query.Term(name, value) for name, value in filters.items() if value]
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else query.And(terms)

    def _hit(self, stored: Any, parsed: ParsedQuery) -> Hit:
        doc = stored["doc"]
        return Hit(
            url=f"/records/{doc['slug']}/",
            title=doc["title"],
            index_number=doc["index_number"],
            doc_number=doc["doc_number"],
            agency=doc["agency"],
            published=doc["published"],
            kind=doc["kind"],
            validity=doc["validity"],
            snippet=snippet(doc["lead"], parsed.highlights),
            title_html=highlight(doc["title"], parsed.highlights),
        )


def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    words = tuple(w for w in words if w)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def highlight(text: str, words: tuple[str, ...]) -> str:
    """Return `text` escaped, with the query's words wrapped in <mark>."""
    folded = normalise(text)
    pattern = _pattern(words)
    if pattern is None or len(folded) != len(text):
        return html.escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(text: str, words: tuple[str, ...]) -> str:
    """Return about SNIPPET_CHARS of `text` around the first match, escaped and highlighted."""
    folded = normalise(text)
    pattern = _pattern(words)
    start = 0
    if pattern is not None and len(folded) == len(text):
        match = pattern.search(folded)
        if match and match.start() > SNIPPET_CHARS // 3:
            start = match.start() - SNIPPET_CHARS // 3
    piece = text[start : start + SNIPPET_CHARS]
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
    return prefix + highlight(piece, words) + suffix
