"""Queries against the Whoosh index and the body index: parsed by `search.analysis`, never
by Whoosh's parser.

Nothing a user types is expanded: there is no wildcard, range, fuzzy or field syntax,
only terms. Each request has a time budget (TimeLimitCollector without SIGALRM, so it
works in threads). Readers are opened read-only, one per thread, and reopened when the
site folder is swapped by a new build.

A part of the query (a word or a quoted phrase) matches a record in its metadata (Whoosh)
or when all its characters/bigrams are in the record's body (`search.stored.BodyReader`, the
same rule as the static index, so both modes find the same records). Records matching
every part in the metadata come first, in Whoosh's order; then the others, ordered by
`search.ranking.rank_key` as the browser orders them.

The service reads what the build wrote (`search.stored`) and imports nothing of the build
(`disclosure`, `search.index`): a worker loads only what it serves with.
"""

from __future__ import annotations

import html
import json
import math
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

from search.analysis import FORMAT_VERSION, ParsedQuery, contains_phrase, needs_check, normalise
from search.parts import part_of
from search.ranking import Score, body_weight, rank_key
from search.stored import BODY_FOLDER, SETTINGS_FILE, STAMP, WHOOSH_FOLDER, BodyReader, term_key

TIME_BUDGET_SECONDS = 1.0
MAX_PAGE_SIZE = 50
MAX_RESULTS = 1000  # page × page_size never reaches past this
FILTERS = ("agency", "category", "year", "kind", "validity")
EXACT_BOOST = 30.0
SNIPPET_CHARS = 90
RECHECK_SECONDS = 1.0
NEIGHBOUR_CANDIDATES = 3  # body-neighbour corrections tried (each is one search)


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
        self.site: dict[str, str] = {}  # name and root_url, for the search feeds
        self.agencies: tuple[str, ...] = ()
        self.categories: tuple[str, ...] = ()
        self.body: BodyReader | None = None
        self._record_of: dict[int, int] = {}  # Whoosh document number → body record number
        self._shown: dict[int, str] = {}  # Whoosh document number → its title and lead, normalised (exact check)
        self._document_of: list[int] = []  # and back

    def _current(self) -> Any:
        """Return the open index, reopening it if the folder was swapped since."""
        now = time.monotonic()
        if self._ix is not None and now - self._checked < RECHECK_SECONDS:
            return self._ix
        with self._lock:
            try:
                stat = os.stat(self.folder / WHOOSH_FOLDER)
                identity = (stat.st_dev, stat.st_ino)
            except OSError as exc:
                raise IndexUnavailable(str(exc)) from exc
            self._checked = now
            if identity != self._identity:
                self._open(identity)
        return self._ix

    def _open(self, identity: tuple[int, int]) -> None:
        folder = self.folder / WHOOSH_FOLDER
        try:
            if (folder / STAMP).read_text() != FORMAT_VERSION:
                raise IndexUnavailable("index format differs")
            ix = index.open_dir(str(folder), readonly=True)
            extra = json.loads((self.folder / SETTINGS_FILE).read_text("utf-8"))
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(str(exc)) from exc
        body, record_of, document_of = self._open_body(ix)
        shown = self._shown_texts(ix)
        self.synonyms = {k: tuple(v) for k, v in extra["synonyms"].items()}
        self.facets = extra["facets"]
        self.site = extra.get("site", {})
        self.agencies = tuple(extra["facets"]["agencies"])
        self.categories = tuple(extra["facets"]["categories"])
        self.body, self._record_of, self._document_of, self._shown = body, record_of, document_of, shown
        self._ix = ix
        self._identity = identity
        self._local = threading.local()

    @staticmethod
    def _shown_texts(ix: Any) -> dict[int, str]:
        """Return what each document's page shows beside its body (`_shown_text`), normalised,
        with no spaces: what the exact check reads before it looks in a body (one pass when
        the index opens)."""
        try:
            with ix.searcher() as searcher:
                return {docnum: _shown_text(stored["doc"]) for docnum, stored in searcher.reader().iter_docs()}
        except Exception as exc:
            raise IndexUnavailable(str(exc)) from exc

    def _open_body(self, ix: Any) -> tuple[BodyReader | None, dict[int, int], list[int]]:
        """Return the body index and the maps between its record numbers and Whoosh's (or None)."""
        folder = self.folder / BODY_FOLDER
        if not (folder / "docs.json").is_file():
            return None, {}, []
        try:
            body = BodyReader(folder)
            number = {key: i for i, (key, _) in enumerate(body.docs)}
            document_of = [-1] * body.count
            record_of: dict[int, int] = {}
            with ix.searcher() as searcher:
                for docnum, stored in searcher.reader().iter_docs():
                    i = number.get(stored["key"])
                    if i is not None:
                        record_of[docnum] = i
                        document_of[i] = docnum
        except Exception as exc:
            raise IndexUnavailable(str(exc)) from exc
        if -1 in document_of:
            raise IndexUnavailable("the body index does not match the Whoosh index")
        return body, record_of, document_of

    def searcher(self) -> Any:
        """Return this thread's searcher of the current index."""
        ix = self._current()
        local = self._local
        found = getattr(local, "searcher", None)
        if found is None or getattr(local, "ix", None) is not ix:
            found = ix.searcher()
            local.searcher, local.ix = found, ix
        return found

    def search(self, parsed: ParsedQuery, options: Options, budget: float = TIME_BUDGET_SECONDS) -> ResultPage:
        """Return one page of results for a parsed query; raise SearchTimeout past `budget` seconds."""
        started = time.monotonic()
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
        collector = collectors.TimeLimitCollector(inner, budget, use_alarm=False)
        try:
            searcher.search_with_collector(q, collector)
        except TimeLimit as exc:
            raise SearchTimeout() from exc
        results = collector.results()
        # Every part matched in the metadata: Whoosh's order. Then the records where some
        # part matched only in the body text (search.ranking.rank_key, as search.js).
        entries: list[tuple[int, int]] = [(docnum, -1) for _, docnum in results.top_n]
        entries += [(self._document_of[r], r) for r in self.body_matches(parsed, searcher, results.docs(), allow)]
        entries = self.exact_first(parsed, searcher, entries, started, budget)
        if time.monotonic() - started > budget:
            raise SearchTimeout()
        if options.sort == "date" and self.body is not None:
            docs = self.body.docs
            entries.sort(key=lambda e: (-docs[self._record_of[e[0]]][1], self._record_of[e[0]]))
        total = len(entries)
        start = (options.page - 1) * options.page_size
        page = entries[start : start + options.page_size]
        hits = tuple(self._hit(searcher.stored_fields(docnum), parsed, record) for docnum, record in page)
        return ResultPage(parsed.text, total, options.page, options.page_size, hits)

    def body_matches(self, parsed: ParsedQuery, searcher: Any, meta_hits: set[int], allow: Any) -> list[int]:
        """Return the record numbers matched with some part only in the body, in rank order."""
        body = self.body
        if body is None:
            return []
        in_body: list[dict[int, float]] = []
        for part in parsed.parts:
            found: dict[int, float] = {}
            for alt in part.alternatives:
                keys = body_keys(alt)
                if not keys:
                    continue
                records: set[int] | None = None
                weight = 0.0
                for key in keys:
                    plist = body.postings(key)
                    weight += math.log(1 + body.count / (len(plist) or 1))
                    records = set(plist) if records is None else records.intersection(plist)
                score = body_weight(weight)
                for r in sorted(records or ()):
                    if found.get(r, -1.0) < score:
                        found[r] = score
            in_body.append(found)
        if not any(in_body):
            return []
        record_of = self._record_of
        done = {record_of[d] for d in meta_hits}
        if len(parsed.parts) == 1:
            in_meta = [done]
        else:
            in_meta = [
                {record_of[d] for d in searcher.docs_for_query(self.part_query(part))} for part in parsed.parts
            ]
        candidates: set[int] | None = None
        for meta, found in zip(in_meta, in_body, strict=True):
            either = meta | found.keys()
            candidates = either if candidates is None else candidates & either
        candidates = (candidates or set()) - done
        if allow is not None and candidates:
            candidates &= {record_of[d] for d in searcher.docs_for_query(allow)}
        scores: dict[int, Score] = {}
        for r in candidates:
            total = Score(False, 0.0, 0, 0.0)
            for meta, found in zip(in_meta, in_body, strict=True):
                total = total.add(Score(False, 0.0, 1, 0.0) if r in meta else Score(False, 0.0, 0, found[r]))
            scores[r] = total
        return sorted(scores, key=lambda r: rank_key(scores[r], r))

    def exact_first(
        self, parsed: ParsedQuery, searcher: Any, entries: list[tuple[int, int]], started: float, budget: float
    ) -> list[tuple[int, int]]:
        """Return `entries` with the records holding every part as written first (each group in
        its order), and without those lacking a quoted part as written.

        A part is checked only when its grams could match apart (a phrase longer than one gram):
        in the title and lead; else, where the body holds all its grams, in the stored body text
        (a phrase of four characters or fewer whose two trigrams are both there is taken as held).
        """
        checked = [part for part in parsed.parts if needs_check(part)]
        if not checked:
            return entries
        in_body = [self._body_holding(part) for part in checked]  # (held, to read) per part
        exact: list[tuple[int, int]] = []
        loose: list[tuple[int, int]] = []
        for n, (docnum, record) in enumerate(entries):
            if n % 64 == 0 and time.monotonic() - started > budget:
                raise SearchTimeout()
            number = record if record >= 0 else self._record_of.get(docnum, -1)
            held = [self._holds(part, docnum, number, candidates) for part, candidates in zip(checked, in_body, strict=True)]
            if all(held):
                exact.append((docnum, record))
            elif all(h or not part.quoted for part, h in zip(checked, held, strict=True)):
                loose.append((docnum, record))
        return exact + loose

    def _body_holding(self, part: Any) -> tuple[set[int], set[int]]:
        """Return the body records holding every gram of one of the part's variants: those where
        the grams of a variant say it stands as written (one gram and one term, or both trigrams
        of a word of four characters), and those whose stored text must be read to know.

        A variant is judged by itself: a pinyin key beside its words (xzcf: 行政处罚 …) does
        not send every record holding 行政处罚 to its stored text (183 ms → a few ms).
        """
        held: set[int] = set()
        to_read: set[int] = set()
        if self.body is None:
            return held, to_read
        for alt in part.alternatives:
            records: set[int] | None = None
            for key in body_keys(alt):
                plist = self.body.postings(key)
                records = set(plist) if records is None else records.intersection(plist)
                if not records:
                    break
            whole = (len(alt.grams) <= 1 and len(alt.terms) <= 1) or (
                len(alt.text) <= 4 and bool(alt.text) and alt.text[0] >= "\u3400"
            )
            (held if whole else to_read).update(records or ())
        return held, to_read - held

    def _holds(self, part: Any, docnum: int, number: int, in_body: tuple[set[int], set[int]]) -> bool:
        """Return whether one record holds the part as written (title and lead, else its body)."""
        shown = self._shown.get(docnum, "")
        if any(alt.text and alt.text in shown for alt in part.alternatives):
            return True
        held, to_read = in_body
        if number < 0 or self.body is None:
            return False
        if number in held:
            return True
        return number in to_read and contains_phrase(self.body.text(number).lower(), part)

    def neighbour_corrections(self, text: str, limit: int = NEIGHBOUR_CANDIDATES) -> list[str]:
        """Return queries with one character of one Chinese part replaced by one the bodies hold
        between its neighbours (新煤体 → 新媒体: the trigrams 新?体 of the body index), the most
        common first; the last character after the two before it (门户网战 → 门户网站: 户网?), or
        the one before it in a word of two (抚洫 → 抚恤).

        The correction table (search.spelling) knows whole words of titles; this finds the
        phrases of bodies too. Only asked for a query that found nothing.
        """
        body = self.body
        parts = normalise(text).replace('"', " ").split()
        if body is None or not parts or len(parts) > 3:
            return []
        found: list[tuple[int, str]] = []
        for n, part in enumerate(parts):
            if not 2 <= len(part) <= 12 or not all("\u4e00" <= c <= "\u9fff" for c in part):
                continue
            for i in range(1, len(part)):
                before = ord(part[i - 1])
                if i + 1 < len(part):  # keys before << 32 | c << 16 | after: one range, filtered
                    after = ord(part[i + 1])
                    spots = body.key_range(before << 32, (before + 1) << 32)
                    pairs = ((body.keys[k] >> 16 & 0xFFFF, k) for k in spots if body.keys[k] & 0xFFFF == after)
                elif i >= 2:  # the last character: the trigrams of the two before it
                    start = ord(part[i - 2]) << 32 | before << 16
                    pairs = ((body.keys[k] & 0xFFFF, k) for k in body.key_range(start, start + 0x10000))
                else:  # the second of two: the bigrams before << 16 | c
                    pairs = ((body.keys[k] & 0xFFFF, k) for k in body.key_range(before << 16, (before + 1) << 16))
                for code, k in pairs:
                    if code != ord(part[i]) and 0x4E00 <= code <= 0x9FFF:
                        fixed = part[:i] + chr(code) + part[i + 1 :]
                        found.append((body.holders(k), " ".join([*parts[:n], fixed, *parts[n + 1 :]])))
        found.sort(key=lambda item: (-item[0], item[1]))
        return list(dict.fromkeys(q for _, q in found))[:limit]

    def build_query(self, parsed: ParsedQuery) -> query.Query:
        """Return the Whoosh query: every part must match one of its alternatives."""
        parts = [self.part_query(part) for part in parsed.parts]
        required = parts[0] if len(parts) == 1 else query.And(parts)
        words = [w for w in dict.fromkeys(rjieba.cut(parsed.text)) if len(w.strip()) > 1][:8]
        if not words:
            return required
        return query.AndMaybe(required, query.Or([query.Term("words", w) for w in words]))

    def part_query(self, part: Any) -> query.Query:
        """Return the Whoosh query of one part: any of its alternatives in the metadata."""
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
        return alternatives[0] if len(alternatives) == 1 else query.Or(alternatives)

    def filter_query(self, filters: dict[str, str]) -> query.Query | None:
        terms = [query.Term(name, value) for name, value in filters.items() if value]
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else query.And(terms)

    def _hit(self, stored: Any, parsed: ParsedQuery, record: int = -1) -> Hit:
        doc = stored["doc"]
        if record >= 0 and self.body is not None:
            terms = tuple(t for part in parsed.parts for alt in part.alternatives for t in alt.terms)
            text = body_snippet(self.body.text(record), parsed.highlights, terms)
        else:
            text = snippet(doc["lead"], parsed.highlights)
        fragment = ""
        parts = doc.get("parts", ())
        found = part_of(parts, parsed.highlights, (doc["title"], doc["lead"])) if parts and record < 0 else None
        if found is not None:  # the match lies in an approval item, a step …: say so, link there
            text, fragment = part_snippet(parts[found], parsed.highlights), "#" + parts[found][0]
        return Hit(
            url=f"/records/{doc['slug']}/{fragment}",
            title=doc["title"],
            index_number=doc["index_number"],
            doc_number=doc["doc_number"],
            agency=doc["agency"],
            published=doc["published"],
            kind=doc["kind"],
            validity=doc["validity"],
            snippet=text,
            title_html=highlight(doc["title"], parsed.highlights),
        )


def part_snippet(part: list[str], words: tuple[str, ...]) -> str:
    """Return a part of a page as a result shows it: 事项：<mark>户外广告</mark>设置审批（取消）,
    then the start of its detail around the match when its text lacks some word."""
    _, label, text, detail = (*part, "")[:4]
    folded = normalise(text)
    out = f"{html.escape(label)}：{highlight(text, words)}"
    if detail and not all(normalise(w) in folded for w in words if w):
        out += "　" + snippet(detail, words)
    return out


def body_keys(alt: Any) -> list[int]:
    """Return the body keys of an alternative's grams; none when a gram has no key (the body
    index cannot match it)."""
    keys = [term_key(g) for g in alt.grams]
    return [] if None in keys else [k for k in keys if k is not None]


def _shown_text(doc: dict[str, Any]) -> str:
    """Return a document's title, 文号, lead and page parts (approval items, steps, stages,
    attachments: `search.parts`) as one normalised string without spaces."""
    pieces = [doc["title"], doc["doc_number"], doc["lead"]]
    for part in doc.get("parts", ()):
        pieces += [str(x) for x in part[2:]]
    return "".join(normalise(" ".join(pieces)).split())


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


def body_snippet(text: str, words: tuple[str, ...], terms: tuple[str, ...]) -> str:
    """Return about SNIPPET_CHARS of a body around the first match of the query, highlighted.

    The words of the query are looked for first, then (a match of all bigrams need not be a
    match of the phrase) its terms; in the text as written, else in its normalised form.
    """
    for needles in (words, terms):
        found = [i for i in (text.find(w) for w in needles if w) if i >= 0]
        if found:
            break
    else:
        folded = normalise(text)
        found = [i for i in (folded.find(w) for w in (*words, *terms) if w) if i >= 0] if len(folded) == len(text) else []
        needles = words if any(folded.find(w) >= 0 for w in words if w) else terms
    if not found:
        return snippet(text[:SNIPPET_CHARS * 2], words)
    start = max(0, min(found) - SNIPPET_CHARS // 3)
    piece = text[start : start + SNIPPET_CHARS]
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
    return prefix + highlight(piece, tuple(needles)) + suffix
