"""The search service: a WSGI app answering `/search/` (HTML, also `/care/search/` and
`/a11y/search/` in the reading modes: `search/service/modes.py`), `/api/search` (JSON, DESIGN §6)
and `/api/search.atom` (the query's newest results as a feed: `search/service/atom.py`).

    from search.service.app import create_search_app
    app = create_search_app("site/.search")

In production: `gunicorn -c python:search.service.gunicorn_conf search.service.wsgi:app`
(docs/search.md). The service imports neither `disclosure` nor `search.index`: it reads
the files the build wrote (`search.stored`).

Every answer is 200, 400, 429 or 503 with a short message: a bad query is 400, a query
over its time budget or a missing index 503, no search slot free within a moment 429
(`search/service/limits.py`: per process and per deployment), a request that queued too long 503;
429 and 503 carry `Retry-After`. Anything unexpected is logged and answered 503, never 500.
Every answer carries the site's security headers (`search/service/http_headers.py`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Request, Response

from search.analysis import QueryError, clean_query
from search.service.atom import FEED_SIZE, MEDIA_TYPE, FeedQuery, atom_feed, feed_path, feed_title
from search.service.forgiving import Forgiving
from search.service.http_headers import SECURITY_HEADERS
from search.service.limits import RECEIVED_KEY, RETRY_AFTER_SECONDS, Admission, Limits, Overloaded
from search.service.modes import STANDARD, mode_of_search, move_links, rebase
from search.service.searcher import (
    FILTERS,
    MAX_PAGE_SIZE,
    MAX_RESULTS,
    TIME_BUDGET_SECONDS,
    IndexUnavailable,
    Options,
    ResultPage,
    SearchIndex,
    SearchTimeout,
)
from search.spelling import parse_spelled
from search.stored import SERVICE_FOLDER, SETTINGS_FILE, mode_page_file

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
API_PATHS = ("/api/search", "/api/search/", "/api/search.atom")
MAX_FILTER_CHARS = 100
DEFAULT_PAGE_SIZE = 10
log = logging.getLogger("search")

_BEGIN, _END = "<!--ygs:begin-->", "<!--ygs:end-->"
_FALLBACK_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>检索</title></head>'
    f"<body><h1>检索政府信息</h1>{_BEGIN}{_END}</body></html>"
)


class BadRequest(Exception):
    """A request the service refuses with 400 and a short message."""


def read_options(args: Any, choices: dict[str, Any]) -> tuple[str, Options]:
    """Return the query and options of a request; raise BadRequest or QueryError."""
    for name in ("q", "page", "page_size", "sort", *FILTERS):
        if len(args.getlist(name)) > 1:
            raise BadRequest(f"参数 {name} 只能出现一次")
    q = args.get("q", "")
    page = _int(args.get("page", "1"), "page", 1, MAX_RESULTS)
    page_size = _int(args.get("page_size", str(DEFAULT_PAGE_SIZE)), "page_size", 1, MAX_PAGE_SIZE)
    if page * page_size > MAX_RESULTS:
        raise BadRequest(f"最多只能查看前 {MAX_RESULTS} 条结果")
    sort = args.get("sort", "relevance") or "relevance"
    if sort not in ("relevance", "date"):
        raise BadRequest("sort 只能是 relevance 或 date")
    filters = {}
    for name in FILTERS:
        value = args.get(name, "").strip()
        if len(value) > MAX_FILTER_CHARS:
            raise BadRequest(f"参数 {name} 过长")
        if value:
            filters[name] = value
    if filters.get("kind") and not re.fullmatch(r"[a-z]{1,20}", filters["kind"]):
        raise BadRequest("kind 应为信息类别的英文名，如 document")
    if filters.get("validity") and filters["validity"] not in ("有效", "失效", "废止"):
        raise BadRequest("validity 只能是 有效、失效 或 废止")
    if filters.get("year") and not re.fullmatch(r"\d{4}", filters["year"]):
        raise BadRequest("year 应为四位年份")
    return q, Options(filters=filters, sort=sort, page=page, page_size=page_size)


def _int(value: str, name: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d{1,6}", value or ""):
        raise BadRequest(f"{name} 应为 {low}–{high} 的整数")
    number = int(value)
    if not low <= number <= high:
        raise BadRequest(f"{name} 应为 {low}–{high} 的整数")
    return number


def query_fingerprint(q: str) -> str:
    """Return what the log may keep of a query: its length and a hash (it may hold personal data)."""
    return f"{len(q)}:{hashlib.sha256(q.encode()).hexdigest()[:12]}"


class SearchApp:
    """The WSGI application."""

    def __init__(self, index_dir: Path, limits: Limits | None = None) -> None:
        self.index = SearchIndex(Path(index_dir))
        self.index_dir = Path(index_dir)
        self.forgiving = Forgiving(self.index_dir)
        self.limits = limits or Limits.from_environ(os.environ)
        self.admission = Admission(self.limits, key=str(self.index_dir.resolve()))
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True))
        self._shells: dict[str, tuple[float, str]] = {}
        self._base: tuple[float, str] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ = self.mounted(environ)
        received = environ.get(RECEIVED_KEY)
        if isinstance(received, float) and time.monotonic() - received > self.limits.worker_queue_budget:
            return self.refuse_at_once(environ, start_response)
        try:
            response = self.dispatch(Request(environ))
        except Exception:  # the last net: never a 500, never a traceback to the client
            log.exception("search: unexpected error")
            response = self.error(Request(environ), 503, "检索服务暂时不可用，请稍后再试")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response(environ, start_response)

    def refuse_at_once(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer 429 to a request that waited too long in the worker: no request parsing, no
        search, no template; the cheapest answer there is, so that overload drains fast."""
        message = "检索请求过多，请稍后再试"
        if str(environ.get("PATH_INFO", "")).startswith("/api/"):
            body, kind = json.dumps({"error": message, "status": 429}, ensure_ascii=False), "application/json"
        else:
            body, kind = self.page_with(f'<p class="search-error" role="alert">{message}</p>'), "text/html"
        data = body.encode("utf-8")
        headers = [
            ("Content-Type", f"{kind}; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Retry-After", str(RETRY_AFTER_SECONDS)),
            ("Cache-Control", "no-store"),
            *SECURITY_HEADERS.items(),
        ]
        start_response("429 Too Many Requests", headers)
        return [data]

    def dispatch(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return self.error(request, 400, "只支持 GET 请求")
        if request.path in ("/api/suggest", "/api/suggest/"):  # a bisection: no search slot needed
            return self.suggest(request)
        if request.path not in API_PATHS and mode_of_search(request.path) is None:
            return self.error(request, 400, "检索服务只提供 /search/、/api/search 和 /api/search.atom")
        received = request.environ.get(RECEIVED_KEY)
        try:
            with self.admission.slot(request.headers.get("X-Request-Start"), received) as budget:
                return self.answer(request, budget)
        except Overloaded as busy:
            return self.busy(request, busy.status, str(busy))

    def is_api(self, request: Request) -> bool:
        return request.path.startswith("/api/")

    @staticmethod
    def mode(request: Request) -> str:
        """Return the reading mode of a page request ("std" for the API)."""
        return mode_of_search(request.path) or STANDARD

    def answer(self, request: Request, budget: float = TIME_BUDGET_SECONDS) -> Response:
        try:
            self.index.searcher()
            choices = self.index.facets
            q, options = read_options(request.args, choices)
            parsed = parse_spelled(q, self.index.synonyms, self.forgiving.spelled)
            if request.path == "/api/search.atom":
                if parsed.empty:
                    raise BadRequest("请输入检索词")
                options = Options(filters=options.filters, sort="date", page=1, page_size=FEED_SIZE)
            page = self.index.search(parsed, options, budget)
        except (BadRequest, QueryError) as exc:
            return self.error(request, 400, str(exc))
        except SearchTimeout:
            log.warning("search: time budget exceeded for query %s", query_fingerprint(request.args.get("q", "")))
            return self.error(request, 503, "检索超时，请换用更具体的检索词")
        except IndexUnavailable:
            return self.error(request, 503, "检索服务暂时不可用（索引未就绪），请稍后再试")
        if request.path == "/api/search.atom":
            return self.feed(request, q, options, page)
        correction = self.correct(q, options, page, budget)
        if self.is_api(request):
            return self.json(200, self.as_json(page) | ({"did_you_mean": correction} if correction else {}))
        return self.html(200, self.render(q, options, page, self.mode(request), correction))

    def correct(self, q: str, options: Options, page: ResultPage, budget: float) -> str | None:
        """Return a close query that finds something when `q` found nothing (DESIGN §6 did_you_mean)."""
        if page.total or not page.query:
            return None
        candidates = self.forgiving.corrections(q, self.index.synonyms) + self.index.neighbour_corrections(q)
        # one character replaced before one added or dropped (节假曰: 节假日 before 节假), and
        # one of the same sound first (国哥法: 国歌法 before 国旗法)
        typed = " ".join(clean_query(q).replace('"', " ").split())
        candidates.sort(key=lambda c: (len(c) != len(typed), not self.forgiving.alike(typed, c)))
        for candidate in dict.fromkeys(candidates):
            try:
                parsed = parse_spelled(candidate, self.index.synonyms, self.forgiving.spelled)
                if self.index.search(parsed, Options(filters=options.filters, page_size=1), budget).total:
                    return candidate
            except (QueryError, SearchTimeout):
                continue
        return None

    def suggest(self, request: Request) -> Response:
        """Return `/api/suggest?q=PREFIX`: up to ten titles, 文号 and synonyms (DESIGN §6)."""
        values = request.args.getlist("q")
        if len(values) != 1 or not values[0].strip():
            return self.json(400, {"error": "请输入检索词（参数 q，只能出现一次）", "status": 400})
        try:
            prefix = clean_query(values[0])
        except QueryError as exc:
            return self.json(400, {"error": str(exc), "status": 400})
        return self.json(200, {"query": prefix, "suggestions": self.forgiving.suggestions(prefix)})

    def feed(self, request: Request, q: str, options: Options, page: ResultPage) -> Response:
        """Return the Atom feed of a query's newest results (`search/service/atom.py`)."""
        kinds = dict(self.index.facets.get("kinds", []))
        try:
            built = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((self.index_dir / SETTINGS_FILE).stat().st_mtime))
        except OSError:
            built = "1970-01-01T00:00:00Z"
        body = atom_feed(page.hits, FeedQuery(q, options.filters, kinds), self.index.site, request.host_url, built)
        response = Response(body, status=200, content_type=f"{MEDIA_TYPE}; charset=utf-8")
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    @staticmethod
    def as_json(page: ResultPage) -> dict[str, Any]:
        return {
            "query": page.query,
            "total": page.total,
            "page": page.page,
            "page_size": page.page_size,
            "results": [hit.as_json() for hit in page.hits],
        }

    def json(self, status: int, body: dict[str, Any]) -> Response:
        # <, > and & as \u escapes: the JSON stays inert even if some client renders it as HTML
        text = json.dumps(body, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        response = Response(text, status=status, content_type="application/json; charset=utf-8")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "public, max-age=60" if status == 200 else "no-store"
        return response

    def html(self, status: int, body: str) -> Response:
        response = Response(body, status=status, content_type="text/html; charset=utf-8")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def error(self, request: Request, status: int, message: str) -> Response:
        if self.is_api(request):
            response = self.json(status, {"error": message, "status": status})
        else:
            body = f'<p class="search-error" role="alert">{_escape(message)}</p>'
            mode = self.mode(request)
            form = self.form_html(request.args.get("q", "")[:64], {}, "relevance")
            response = self.html(status, self.page_with(move_links(form, mode) + body, mode))
        if status in (429, 503):
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def busy(self, request: Request, status: int, message: str) -> Response:
        """Return the answer to an overloaded request (429/503): no search form, no index touched."""
        if self.is_api(request):
            response = self.json(status, {"error": message, "status": status})
        else:
            page = f'<p class="search-error" role="alert">{_escape(message)}</p>'
            response = self.html(status, self.page_with(page, self.mode(request)))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def form_html(self, q: str, filters: dict[str, str], sort: str) -> str:
        macros = self.env.get_template("search_parts.html").module
        choices = self.index.facets or {"agencies": [], "categories": [], "years": [], "kinds": [], "validities": []}
        return str(macros.search_form(q, filters, sort, choices, "/search/"))  # type: ignore[attr-defined]  # a macro of the template

    def render(self, q: str, options: Options, page: ResultPage, mode: str = STANDARD, correction: str | None = None) -> str:
        macros = self.env.get_template("search_parts.html").module
        kinds = dict(self.index.facets.get("kinds", []))

        def link(number: int) -> str:
            values = {"q": q, **options.filters, "page": number}
            if options.sort != "relevance":
                values["sort"] = options.sort
            if options.page_size != DEFAULT_PAGE_SIZE:
                values["page_size"] = options.page_size
            return "/search/?" + urlencode(values)

        fix = (correction, "/search/?" + urlencode({"q": correction, **options.filters})) if correction else None
        results = macros.search_results(page, kinds, link, fix)  # type: ignore[attr-defined]  # a macro of the template
        form = self.form_html(q, options.filters, options.sort)
        head = ""
        if page.query:  # a search one can follow: 订阅此检索（Atom）, and the feed in the page's head
            feed = feed_path(q, options.filters)
            results += macros.search_feed(feed)  # type: ignore[attr-defined]  # a macro of the template (Markup, as results)
            title = feed_title(self.index.site.get("name") or "检索", FeedQuery(q, options.filters, kinds))
            head = f'<link rel="alternate" type="{MEDIA_TYPE}" title="{_escape(title)}" href="{_escape(feed)}">'
        inner = move_links(f'{form}<div id="search-results" aria-live="polite" data-source="server">{results}</div>', mode)
        return self.page_with(inner, mode, head)

    def page_with(self, inner: str, mode: str = STANDARD, head: str = "") -> str:
        base = self.base()  # the frame's links start with it already (the build wrote them so)
        inner, head = rebase(inner, base), rebase(head, base)
        shell = self.shell(mode)
        start, end = shell.find(_BEGIN), shell.find(_END)
        if start < 0 or end < start:
            shell, start, end = _FALLBACK_PAGE, _FALLBACK_PAGE.find(_BEGIN), _FALLBACK_PAGE.find(_END)
        page = shell[: start + len(_BEGIN)] + inner + shell[end:]
        return page.replace("</head>", f"{head}\n</head>", 1) if head else page

    def base(self) -> str:
        """Return the path the site lives under ("/" or "/gkml/": its `base_url`), as the build stored it."""
        path = self.index_dir / SETTINGS_FILE
        try:
            mtime = path.stat().st_mtime
            if self._base is None or self._base[0] != mtime:
                base = json.loads(path.read_text("utf-8"))["site"].get("base", "/")
                ok = isinstance(base, str) and base.startswith("/") and base.endswith("/") and '"' not in base
                self._base = (mtime, base if ok else "/")
            return self._base[1]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return "/"

    def mounted(self, environ: dict[str, Any]) -> dict[str, Any]:
        """Return `environ` with the site's path (/gkml/search/ → /search/) moved to SCRIPT_NAME,
        so a proxy may pass the site's own addresses on as they are."""
        base, path = self.base(), str(environ.get("PATH_INFO", ""))
        if base == "/" or not path.startswith(base):
            return environ
        return {**environ, "SCRIPT_NAME": str(environ.get("SCRIPT_NAME", "")) + base[:-1], "PATH_INFO": path[len(base) - 1 :]}

    def shell(self, mode: str = STANDARD) -> str:
        """Return the frozen search page of a reading mode (re-read when a build replaced it)."""
        path = self.index_dir / mode_page_file(mode)
        try:
            mtime = path.stat().st_mtime
            cached = self._shells.get(mode)
            if cached is None or cached[0] != mtime:
                cached = self._shells[mode] = (mtime, path.read_text("utf-8"))
            return cached[1]
        except OSError:
            return _FALLBACK_PAGE


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def create_search_app(index_dir: str | Path, limits: Limits | None = None) -> SearchApp:
    """Return the WSGI app serving /search/ (and its mode copies), /api/search and /api/search.atom from `index_dir`.

    `index_dir` is the built site's `.search` folder, or the site folder itself; `limits`
    default to the SEARCH_* environment variables (`Limits.from_environ`).
    """
    folder = Path(index_dir)
    return SearchApp(folder if folder.name == SERVICE_FOLDER else folder / SERVICE_FOLDER, limits)

