"""The served site (issue 10, §6): security headers, bad requests, overload.

Real servers throughout: the preview server's WSGI app (`build.py serve`) and the search
service over the sample site built once (conftest `sample_site`), a real threaded preview
server on a loopback port for slow clients and overload, real processes holding
deployment slots, and a real gunicorn with the documented settings under overload.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from disclosure.cli import serve
from search.service.app import create_search_app
from search.service.http_headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, nginx_lines
from search.service.limits import RECEIVED_KEY, Admission, DeploymentSlots, Limits, Overloaded, queued_seconds

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from load_bench import drive, free_port, start_gunicorn, stop_gunicorn  # noqa: E402

# paths no file of the site has; every one must get 400 or 404 (never 500, never a file outside)
BAD_PATHS = [
    "/%00", "/a%00b/", "/records/%00/index.html", "/static/site.css%00.html", "/..", "/../", "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd", "/static/..%2f..%2fetc/passwd", "/.%2e/.%2e/",
    "/%ff", "/%c0%ae%c0%ae/", "/%ed%a0%80", "/%fe%ff", "/\\..\\..\\etc\\passwd", "/%5c..%5c..%5cetc%5cpasswd",
    "/static\\site.css", "/" + "a" * 300, "/" + "a/" * 3000, "/" + "%e6%94%bf" * 2000, "/.search/search.json",
    "/.search/whoosh/", "/.git/config", "/%0d%0aSet-Cookie:x=1", "/%09", "/%7f", "/records/%2e/", "//etc/passwd",
    "/search/%00", "/api/search%00", "/api/%ff", "/feeds/%00.xml", "/%u002e%u002e/", "/index.html%20",
    "/con", "/nul.txt", "/~root", "/%25%30%30",
]
BAD_QUERIES = [
    "q=%00", "q=%ff%fe", "q=%ed%a0%80", "q=" + "%e7%a8%8e" * 400, "q=a&q=b", "q=%E7%A8%8E&page=%00", "page=-1",
    "page=1e9", "page_size=100000", "q=x&year=%00", "q=x&kind=%ff", "q=x&sort=%00", "q=x&agency=" + "a" * 500,
    "q[]=x", "q=%0d%0aX:1", "q=\\", "q=%22", "q=" + "(" * 300, "q=%f0%9f%99%82", "%ff=%ff", "q=%", "q=%zz",
]


def _preview(site: Path, search: bool = True) -> Client:
    app = serve.static_app(site, serve.BuildState(), serve.search_service(site) if search else None)
    return Client(app)


@pytest.fixture(scope="module")
def preview(sample_site: Path) -> Client:
    """The preview server's app over the sample site, with the search service."""
    return _preview(sample_site)


@pytest.fixture(scope="module")
def service(sample_site: Path) -> Client:
    """The search service over the sample site's index."""
    return Client(create_search_app(sample_site, Limits()))


# --------------------------------------------------------------------------- headers and CSP


def test_the_policy_allows_no_inline_code_and_no_framing() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY
    assert SECURITY_HEADERS["X-Frame-Options"] == "DENY"
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"
    assert SECURITY_HEADERS["Referrer-Policy"]


@pytest.mark.parametrize(
    "url",
    ["/", "/search/", "/search/?q=%E5%9B%BD%E5%8A%A1%E9%99%A2", "/api/search?q=x", "/api/search?page=0",
     "/static/site.css", "/static/search.js", "/feeds/", "/__build", "/__reload.js", "/no-such-page/", "/%00",
     "/sitemap.xml"],
)
def test_every_preview_answer_carries_the_security_headers(preview: Client, url: str) -> None:
    response = preview.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (url, name)


@pytest.mark.parametrize("url", ["/search/?q=x", "/api/search?q=x", "/api/search", "/nothing", "/api/search?page=0"])
def test_every_search_answer_carries_the_security_headers(service: Client, url: str) -> None:
    response = service.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (url, name)


def test_the_documented_nginx_configuration_sends_the_same_headers() -> None:
    # the shipped server block (docs/search.md and docs/deploy.md point to it; tests/test_deploy.py runs it)
    shipped = (REPO / "deploy" / "nginx" / "yangguang.conf").read_text(encoding="utf-8")
    for line in nginx_lines():
        assert line in shipped


class _InlineCode(HTMLParser):
    """Collects every inline script, <style>, style attribute and event handler of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (names[name] or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            kind = (names.get("type") or "").lower()
            self._script = None if kind == "application/ld+json" or names.get("src") else ""

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.found.append("inline <script>")
            self._script = None


def test_no_generated_page_or_drawing_has_inline_script_or_style(sample_site: Path) -> None:
    files = [*sample_site.rglob("*.html"), *sample_site.rglob("*.svg")]
    assert any(f.suffix == ".svg" for f in files) and len(files) > 100
    offenders = {}
    for file in files:
        parser = _InlineCode()
        parser.feed(file.read_text(encoding="utf-8"))
        if parser.found:
            offenders[str(file.relative_to(sample_site))] = parser.found
    assert offenders == {}


def test_the_preview_injects_its_reload_script_as_a_file(preview: Client) -> None:
    page = preview.get("/").get_data(as_text=True)
    assert '<script src="/__reload.js"></script></body>' in page
    parser = _InlineCode()
    parser.feed(page)
    assert parser.found == []
    script = preview.get("/__reload.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert b"/__build" in script.data and b"style=" not in script.data and b"cssText" not in script.data


def test_the_reload_poll_is_answered_as_soon_as_a_newer_build_is_in(sample_site: Path) -> None:
    """A tab long-polls `/__build?after=<the build it shows>`: the answer comes when a build is in
    (issue 15: from saving a file to the refreshed page), not at the next once-a-second poll."""
    state = serve.BuildState()
    state.record(True, [])
    client = Client(serve.static_app(sample_site, state, None))
    started = time.monotonic()
    assert client.get("/__build?after=0").json["id"] == 1  # already newer than the tab's: at once
    assert time.monotonic() - started < 1
    threading.Timer(0.5, state.record, (False, ["content/x.md:3: 标题（title）: 不能为空"])).start()
    started = time.monotonic()
    answer = client.get("/__build?after=1").json  # waits for build 2
    waited = time.monotonic() - started
    assert answer["id"] == 2 and answer["ok"] is False and "标题（title）" in answer["problems"][0]
    assert 0.4 < waited < 5
    started = time.monotonic()
    assert client.get("/__build").json["id"] == 2  # no `after`: at once, as the tab's first question
    assert time.monotonic() - started < 1


def test_pages_left_while_waiting_never_make_the_preview_busy(sample_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page left while its long poll waits keeps a waiter until the poll ends: more of them than
    MAX_WAITING answer at once (and tell the tab to ask again in a second), never 503 for the pages."""
    monkeypatch.setattr(serve, "LONG_POLL_SECONDS", 3.0)
    state = serve.BuildState()
    app = serve.static_app(sample_site, state, None)
    waiters = [threading.Thread(target=Client(app).get, args=("/__build?after=0",)) for _ in range(serve.MAX_WAITING)]
    for thread in waiters:
        thread.start()
    time.sleep(0.5)  # all of them waiting now
    started = time.monotonic()
    answer = Client(app).get("/__build?after=0")
    assert answer.status_code == 200 and answer.json["retry"] == 1000 and time.monotonic() - started < 1
    pages = [Client(app).get("/").status_code for _ in range(serve.MAX_IN_FLIGHT + 5)]
    assert set(pages) == {200}
    state.record(True, [])  # a build is in: every waiter answers
    for thread in waiters:
        thread.join(timeout=5)
        assert not thread.is_alive()


# --------------------------------------------------------------------------- bad requests


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_bad_path_is_400_or_404_on_the_preview(preview: Client, path: str) -> None:
    response = preview.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert b"root:" not in response.data and b"Traceback" not in response.data


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_bad_path_is_400_or_404_on_the_search_service(service: Client, path: str) -> None:
    response = service.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_a_bad_query_is_never_a_500(preview: Client, service: Client, query: str) -> None:
    for client in (preview, service):
        for path in ("/api/search?", "/search/?"):
            response = client.get(path + query)
            assert response.status_code in (200, 400), (path + query, response.status_code)
            assert b"Traceback" not in response.data


def test_other_methods_are_refused_without_a_500(preview: Client, service: Client) -> None:
    assert preview.post("/").status_code == 405
    assert preview.open("/", method="DELETE").status_code == 405
    assert service.post("/api/search?q=x").status_code == 400


# --------------------------------------------------------------------------- the preview under load


@pytest.fixture
def live_preview(sample_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, threading.Event]]:
    """A real preview server on a loopback port whose search answers only when released."""
    release = threading.Event()

    def slow_search(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        release.wait(5)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    monkeypatch.setattr(serve, "MAX_IN_FLIGHT", 3)
    monkeypatch.setattr(serve.PreviewHandler, "timeout", 0.5)
    server = serve.preview_server("127.0.0.1", 0, serve.static_app(sample_site, serve.BuildState(), slow_search))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, release
    release.set()
    server.shutdown()
    server.server_close()


def _get(port: int, path: str, timeout: float = 5) -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    return int(head[0].split()[1]), headers, time.monotonic() - started


def test_the_preview_answers_overload_at_once_with_retry_after(live_preview: tuple[int, threading.Event]) -> None:
    port, release = live_preview
    results: list[tuple[int, dict[str, str], float]] = []
    hung = [threading.Thread(target=lambda: results.append(_get(port, "/api/search?q=x"))) for _ in range(3)]
    for thread in hung:
        thread.start()
    time.sleep(0.5)
    status, headers, seconds = _get(port, "/")
    assert status == 503 and headers.get("retry-after") == "1" and seconds < 1
    release.set()
    for thread in hung:
        thread.join()
    assert [r[0] for r in results] == [200, 200, 200]
    assert _get(port, "/")[0] == 200


def test_the_preview_drops_a_client_that_sends_nothing(live_preview: tuple[int, threading.Event]) -> None:
    port, _ = live_preview
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server, not by our 5 s timeout
        assert time.monotonic() - started < 2
    assert _get(port, "/")[0] == 200


# raw requests the server's own parser refuses before any app sees them
MALFORMED_REQUESTS = {
    "long URL": b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "long header": b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n",
    "many headers": b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
    "HTTP/9.9": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    "HTTP/2.0 as text": b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    "garbage line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n",
    "four words": b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    "bad version text": b"GET / HTTX/1.1\r\nHost: x\r\n\r\n",
}


def _raw(port: int, request: bytes) -> tuple[str, dict[str, str]]:
    """Send raw bytes; return the status line and headers of the answer ('' if none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        with contextlib.suppress(OSError):  # the server may close before reading everything
            sock.sendall(request)
        data = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    return head[0], headers


def _assert_error_answer_is_protected(name: str, status_line: str, headers: dict[str, str]) -> None:
    assert re.fullmatch(r"HTTP/1\.[01] (400|414|431|505) .*", status_line), (name, status_line)
    for header in SECURITY_HEADERS:
        assert headers.get(header.lower()) == SECURITY_HEADERS[header], (name, header, headers)


def test_the_preview_s_own_error_answers_carry_the_security_headers(live_preview: tuple[int, threading.Event]) -> None:
    port, _ = live_preview
    for name, request in MALFORMED_REQUESTS.items():
        status_line, headers = _raw(port, request)
        _assert_error_answer_is_protected(name, status_line, headers)
    status, headers, _ = _get(port, "/")  # and the app's answers carry each header once
    assert status == 200 and headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


# --------------------------------------------------------------------------- search slots


def test_a_request_that_waited_in_the_worker_gets_429_at_once_without_a_search(sample_site: Path) -> None:
    app = create_search_app(sample_site, Limits(worker_queue_budget=0.3, request_budget=1.2))
    client = Client(app)
    for url in ("/api/search?q=x", "/search/?q=x"):
        stale = client.get(url, environ_overrides={RECEIVED_KEY: time.monotonic() - 0.5})
        assert stale.status_code == 429 and stale.headers["Retry-After"] == "1", url
        for header, value in SECURITY_HEADERS.items():
            assert stale.headers[header] == value
        assert client.get(url, environ_overrides={RECEIVED_KEY: time.monotonic()}).status_code == 200
    # the fast path never touches the index: it answers even with the index gone
    gone = create_search_app(sample_site / "no-such-site", Limits(worker_queue_budget=0.3))
    assert Client(gone).get("/api/search?q=x", environ_overrides={RECEIVED_KEY: time.monotonic() - 1}).status_code == 429
    # within the queue budget but with too little of the request budget left for a search
    late = create_search_app(sample_site, Limits(worker_queue_budget=5.0, request_budget=1.0))
    assert Client(late).get("/api/search?q=x", environ_overrides={RECEIVED_KEY: time.monotonic() - 0.99}).status_code == 429


def test_the_search_gets_only_what_is_left_of_the_request_budget(sample_site: Path) -> None:
    admission = Admission(Limits(request_budget=1.2, worker_queue_budget=1.0), "budget")
    with admission.slot(None, time.monotonic() - 0.9) as budget:
        assert 0.2 < budget <= 0.3
    with admission.slot() as budget:
        assert budget == 1.0  # the search's own limit


def test_a_request_that_queued_too_long_gets_503_with_retry_after(sample_site: Path) -> None:
    client = Client(create_search_app(sample_site, Limits(queue_budget=1.0)))
    stale = client.get("/api/search?q=x", headers={"X-Request-Start": f"t={time.time() - 3:.3f}"})
    assert stale.status_code == 503 and stale.headers["Retry-After"] == "1"
    fresh = client.get("/api/search?q=x", headers={"X-Request-Start": f"t={time.time():.3f}"})
    assert fresh.status_code == 200
    assert queued_seconds(f"t={(time.time() - 2) * 1000:.0f}") == pytest.approx(2, abs=0.5)  # milliseconds
    assert queued_seconds(f"{(time.time() - 2) * 1e6:.0f}") == pytest.approx(2, abs=0.5)  # microseconds
    for odd in ("", "t=", "t=abc", "t=nan", "t=-5", "t=1e300", "t=99999999999999999999"):
        assert queued_seconds(odd) == 0.0


def test_a_full_process_gets_429_with_retry_after(sample_site: Path) -> None:
    app = create_search_app(sample_site, Limits(per_process=1, slot_wait=0.05))
    with app.admission.slot():
        started = time.monotonic()
        response = Client(app).get("/api/search?q=x")
        assert time.monotonic() - started < 0.5
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert Client(app).get("/api/search?q=x").status_code == 200


def _hold_every_slot(key: str, count: int, folder: str, ready: Any) -> None:
    slots = DeploymentSlots(key, count, Path(folder))
    held = [slots.try_acquire() for _ in range(count)]
    ready.put(held)
    time.sleep(60)


def test_deployment_slots_hold_across_processes_and_free_when_one_is_killed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    holder = context.Process(target=_hold_every_slot, args=("site-a", 2, str(tmp_path), ready))
    holder.start()
    try:
        assert sorted(ready.get(timeout=10)) == [0, 1]
        admission = Admission(Limits(per_process=4, per_deployment=2, slot_wait=0.05, slot_dir=tmp_path), "site-a")
        with pytest.raises(Overloaded) as busy, admission.slot():
            pass
        assert busy.value.status == 429
        other = Admission(Limits(per_deployment=2, slot_dir=tmp_path), "site-b")  # another site: its own slots
        with other.slot():
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # a worker killed while searching
        holder.join()
    # the kernel released both of its locks: two slots again, and only two
    with admission.slot(), admission.slot(), pytest.raises(Overloaded), admission.slot():
        pass


def test_slot_files_live_in_a_private_folder(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    with pytest.raises(PermissionError):
        DeploymentSlots("k", 1, folder).try_acquire()
    slots = DeploymentSlots("k", 1, tmp_path / "mine")
    assert slots.try_acquire() == 0
    assert (tmp_path / "mine").stat().st_mode & 0o777 == 0o700


# --------------------------------------------------------------------------- real gunicorn


def test_gunicorn_as_documented_answers_overload_fast_and_never_500(sample_site: Path, tmp_path: Path) -> None:
    port = free_port()
    # one search at a time in the whole deployment: 48 clients overload even the small sample index
    process = start_gunicorn(
        sample_site, 2, port, {"SEARCH_DEPLOYMENT_SLOTS": "1", "SEARCH_SLOT_WAIT": "0.02", "SEARCH_SLOT_DIR": str(tmp_path)}
    )
    try:
        run = drive(port, 2, 48, 3.0)
        status, headers, _ = _get(port, "/search/?q=" + quote("国务院"))
        assert status in (200, 429) and "content-security-policy" in headers
        # gunicorn's own answers to requests its parser refuses carry the headers too
        for name, request in MALFORMED_REQUESTS.items():
            status_line, headers = _raw(port, request)
            _assert_error_answer_is_protected(name, status_line, headers)
    finally:
        stop_gunicorn(process)
    assert run.requests > 100
    assert set(run.statuses) <= {"200", "400", "429", "503"}, run.statuses
    assert int(run.statuses.get("429", 0)) + int(run.statuses.get("503", 0)) > 0, run.statuses
    assert int(run.statuses.get("200", 0)) > 0
    assert run.without_retry_after == 0 and run.errors == 0 and run.other_5xx == 0
    assert run.max_ms < 2000, run


def test_the_gunicorn_worker_stamps_each_request_for_the_queue_limit(sample_site: Path) -> None:
    port = free_port()
    # a worker queue budget of 0: every request has waited longer, so every one is refused at once
    process = start_gunicorn(sample_site, 1, port, {"SEARCH_WORKER_QUEUE_BUDGET": "0"})
    try:
        answers = [_get(port, path) for path in ("/api/search?q=x", "/search/?q=x")]
    finally:
        stop_gunicorn(process)
    for status, headers, seconds in answers:
        assert status == 429 and headers["retry-after"] == "1" and seconds < 1
        assert headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_gunicorn_settings_size_the_slots_to_the_threads() -> None:
    from gunicorn.workers.gthread import ThreadWorker

    from search.service import gunicorn_conf

    source = (REPO / "search" / "service" / "gunicorn_conf.py").read_text(encoding="utf-8")
    assert re.search(r'SEARCH_PROCESS_SLOTS", str\(threads\)', source)
    assert "SEARCH_DEPLOYMENT_SLOTS" in source
    assert issubclass(gunicorn_conf.worker_class, ThreadWorker)  # gthread, stamping requests


def test_the_preview_log_shows_control_characters_as_escapes(caplog: pytest.LogCaptureFixture) -> None:
    """A request line with an ANSI escape or a carriage return cannot drive the staff member's terminal."""
    from disclosure.cli.serve import PreviewHandler

    handler = PreviewHandler.__new__(PreviewHandler)
    handler.client_address = ("127.0.0.1", 1)
    handler.requestline = "GET /\x1b[2J\r\x07 HTTP/1.1"
    with caplog.at_level("INFO", logger="werkzeug"):
        handler.log("info", '"%s" %s %s', handler.requestline, "404", "-")
    err = caplog.text
    assert "\x1b" not in err and "\r" not in err and "\x07" not in err
    assert "\\x1b[2J\\r\\x07" in err
    handler.requestline = "GET /__build HTTP/1.1"
    with caplog.at_level("INFO", logger="werkzeug"):
        handler.log("info", '"%s" %s %s', handler.requestline, "200", "-")
    assert "/__build" not in caplog.text  # the reload poll is not logged


def test_the_first_preview_build_counts_its_warnings_and_later_ones_print_only_new_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newcomer's `make run` is quiet; a save that brings a warning shows that warning."""
    from disclosure.cli import serve
    from disclosure.pipeline import Settings

    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "fixtures" / "valid", content)
    settings = Settings(content_dir=content, output_dir=tmp_path / "site", progress=False)
    state = serve.BuildState()
    serve.rebuild(settings, state)
    first = capsys.readouterr().err.strip().splitlines()
    assert len(first) == 1 and "条提示不影响发布" in first[0] and "python build.py check" in first[0]
    record = content / "documents" / "2018" / "guobanhan-2018-71.md"
    record.write_text(record.read_text(encoding="utf-8").replace("国办函〔2018〕71号", "国办函(2018)71号"), encoding="utf-8")
    serve.rebuild(settings, state)
    later = capsys.readouterr().err.strip().splitlines()
    assert len(later) == 2 and "guobanhan-2018-71.md:5:" in later[0] and "警告" in later[0]
    assert later[1].startswith("已生成")
