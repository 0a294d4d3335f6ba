"""`python build.py serve`: build, serve the site (and the search service) on 127.0.0.1,
rebuild when content or templates change, and reload the browser.

For previews only. In production `site/` is served by any web server and the search
service by gunicorn (see README). The preview still behaves like production where it
matters: every answer carries the security headers (`search/service/http_headers.py`; the
reload script is a file, `/__reload.js`, so the CSP needs no inline script), a bad path
is 400/404 (never 500), slow clients are dropped after `CLIENT_TIMEOUT` seconds and more
than `MAX_IN_FLIGHT` requests at once get a fast 503 with `Retry-After`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import mimetypes
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from watchfiles import watch
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from disclosure.cli.cms import admin_file, folder_policy
from disclosure.core.output_guard import OutputRefused
from disclosure.core.problems import ContentInvalid, Problem, sort_problems, summary_line
from disclosure.core.progress import Progress
from disclosure.core.reading_modes import MODES
from disclosure.core.site_links import base_path
from disclosure.core.workers import die_with_parent
from disclosure.outputs.publish import BuildLocked, WriteFailed
from disclosure.pipeline import Outcome, Settings, build_site, load_content, model_of
from disclosure.site.body_cache import BodyCache
from disclosure.site.content import Content, reread_records
from disclosure.web.live_pages import LivePages
from search.service.app import create_search_app
from search.service.http_headers import SECURITY_HEADERS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
RELOAD_TAG = b'<script src="/__reload.js"></script>'
# asks /__build (a long poll: answered when a newer build is in); reloads then, shows the problems of a failed one
# (styles set through the CSSOM, which the CSP allows, not a style attribute)
RELOAD_JS = b"""(function(){var seen=null;function poll(){fetch('/__build'+(seen===null||document.hidden?'':'?after='+seen)).then(function(r){return r.json()}).then(function(s){if(seen!==null&&s.id!==seen){location.reload();return}seen=s.id;var b=document.getElementById('__build');if(!s.ok){if(!b){b=document.createElement('pre');b.id='__build';var c={position:'fixed',left:'0',right:'0',bottom:'0',maxHeight:'45vh',overflow:'auto',margin:'0',padding:'1em',background:'#fff4e5',color:'#6b3a00',borderTop:'3px solid #a4121b',zIndex:'99',whiteSpace:'pre-wrap'};for(var k in c){b.style[k]=c[k]}document.body.appendChild(b)}b.textContent='\\u672a\\u53d1\\u5e03\\uff1a\\n'+s.problems.join('\\n')}else if(b){b.remove()}setTimeout(poll,document.hidden?1000:(s.retry||1000))}).catch(function(){setTimeout(poll,2000)})}poll()})();
"""
MAX_IN_FLIGHT = 32
BUILD_NICENESS = 10  # a build in the background (`background_main`) yields the cores to the preview
# how long `/__build?after=N` waits for a newer build before answering (the tab asks again at once):
# the page reloads as soon as a build is in, not at the next once-a-second poll. Only a tab in view
# waits (a browser has about 6 connections to a host for all its tabs); a hidden one asks once a second
LONG_POLL_SECONDS = 10.0
MAX_WAITING = 64  # long polls at once (a page left keeps waiting); beyond, tabs ask once a second
WAITED = "yangguang.waited"  # set in the WSGI environ of a /__build request that waited
CLIENT_TIMEOUT = 5.0
MAX_PATH_CHARS = 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BuildState:
    """The outcome of the latest build, as the browser's reload script sees it."""

    def __init__(self) -> None:
        self.id = 0
        self.ok = True
        self.problems: list[str] = []
        self.warned: set[str] = set()  # warnings already printed in this preview session
        self.saved = 0  # saves previewed from the model (`preview_saved`), before their build
        self.base = "/"  # the path the site lives under (base_url https://host/gkml/: "/gkml/"), served there
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # a tab's long poll waits on it (`/__build?after=`)

    def record(self, ok: bool, problems: list[str], base: str | None = None, unless_saved_since: int | None = None) -> bool:
        """Remember an outcome (and the site's path, if given) and wake the waiting tabs; return
        False, remembering nothing, when a save was previewed since `unless_saved_since` (the
        outcome is old news: the build after that save reports)."""
        with self.lock:
            if unless_saved_since is not None and self.saved != unless_saved_since:
                return False
            self.id += 1
            self.ok, self.problems = ok, problems
            if base is not None:
                self.base = base
            self.changed.notify_all()
            return True

    def wait_newer(self, seen: int, seconds: float) -> None:
        """Return when a build newer than `seen` is in, or after `seconds`."""
        with self.lock:
            self.changed.wait_for(lambda: self.id != seen, timeout=seconds)


@dataclass
class Resident:
    """The content `serve` read last without an error, and the problems found reading it: a
    save of one record is read alone against it (`reread_records`)."""

    content: Content | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Built:
    """What one build of the preview came to, as `rebuild` reports it."""

    ok: bool
    lines: list[str]  # its warnings, or its problems and their summary, or why it failed
    records: int = 0
    base: str = "/"  # the path the site lives under


def build_once(settings: Settings) -> tuple[Built, Outcome | None]:
    """Build `settings` once; return what it came to and, when it succeeded, its outcome."""
    try:
        outcome = build_site(settings)
    except ContentInvalid as invalid:
        return Built(False, failure_lines(invalid.problems)), None
    except (OutputRefused, WriteFailed) as failed:  # disk full, a refused folder: a message, never a traceback
        return Built(False, [failed.message]), None
    except BuildLocked as locked:
        return Built(False, [f"另一个生成进程正在写入 {locked}，本次未重建；稍后保存文件会再试。"]), None
    lines = [str(p) for p in sort_problems(outcome.warnings)]
    return Built(True, lines, len(outcome.site.records), base_path(outcome.site.config.root_url)), outcome


class Background:
    """The builds `serve` runs after a save, each in a process of its own (`background_main`):
    beside the preview's interpreter, whose lock a build in a thread would hold half the time,
    and at a lower CPU priority, so that the preview of the next save and the pages the tab asks
    for come first. The process is in a session of its own: a Ctrl+C in the terminal is the
    preview's, which then stops the build it runs (`stop`: SIGTERM, its staging removed)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def build(self, settings: Settings) -> Built | None:
        """Build `settings` in a new process; None when the preview stopped it."""
        with self.lock:
            if self.stopped.is_set():
                return None
            command = [sys.executable, "-c", BACKGROUND, str(Path(__file__).resolve().parents[2])]
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        out, _ = self.process.communicate(pickle.dumps((settings, os.getpid())))
        if self.stopped.is_set():
            return None
        if self.process.returncode != 0 or not out:  # killed (out of memory…): the site stays as it was
            return Built(False, ["后台生成进程意外退出，本次未发布；保存文件会再试。"])
        built: Built = pickle.loads(out)
        return built

    def stop(self) -> None:
        """Stop the build running, if any, and start no other."""
        with self.lock:
            self.stopped.set()
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()


# the process of a background build: the program's folder on sys.path, then `background_main`
BACKGROUND = "import sys; sys.path.insert(0, sys.argv[1]); from disclosure.cli.serve import background_main; background_main()"


def background_main() -> None:
    """A background build's process: read (settings, the preview's pid) pickled from stdin, build,
    write what it came to pickled to stdout; exit 130 when stopped (SIGTERM) or when the preview
    is gone (it dies with the preview)."""
    settings, parent = pickle.load(sys.stdin.buffer)
    result, sys.stdout = sys.stdout.buffer, sys.stderr  # anything printed goes to the terminal
    die_with_parent(parent)
    with contextlib.suppress(OSError):
        os.nice(BUILD_NICENESS)

    def stopped(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stopped)
    try:
        built = build_once(settings)[0]
    except KeyboardInterrupt:  # the staging was removed on the way out
        sys.exit(130)
    result.write(pickle.dumps(built))


def rebuild(
    settings: Settings,
    state: BuildState,
    fixed_today: date | None = None,
    live: LivePages | None = None,
    background: Background | None = None,
) -> None:
    """Build once (as of today, or `fixed_today`), print the problems, and remember the outcome;
    `live`: given the new model when it is the first (the preview's pages come from it until a
    save); `background`: in a process of its own (nothing is reported when the preview stops it)."""
    settings = dataclasses.replace(settings, today=fixed_today or date.today())  # a preview left running overnight
    seen = state.saved  # a save previewed while this build runs makes its outcome old news
    outcome = None
    if background is not None:
        try:
            done = background.build(settings)
        except Exception as exc:  # a fault of the program (no process, a broken answer): said, and the next save builds again
            done = Built(False, [f"后台生成出错（{type(exc).__name__}: {exc}），本次未发布；保存文件会再试。"])
        if done is None:
            return  # the preview is stopping
        built = done
    else:
        built, outcome = build_once(settings)
    lines = built.lines
    if not state.record(built.ok, lines, built.base if built.ok else None, unless_saved_since=seen):
        return  # the next build, already asked for, builds and reports the newer content
    if built.ok:
        if outcome is not None and live is not None and state.id == 1:
            live.update(outcome.site)
        # the first build counts its warnings (a newcomer's first `make run` is quiet); a later
        # build prints only the warnings the last save brought, so an edit's own problem shows
        first = state.id == 1
        new = [] if first else [line for line in lines if line not in state.warned]
        for line in new:
            print(line, file=sys.stderr)
        state.warned = set(lines)
        counted = len(lines) - len(new)
        note = f"；{counted} 条提示不影响发布，查看：python build.py check --content {settings.content_dir}" if counted else ""
        print(f"已生成 {built.records} 条记录的网站{note}。", file=sys.stderr)
        return
    say_unpublished(lines)


def failure_lines(problems: list[Problem]) -> list[str]:
    """Return the lines of content that did not validate: every problem in path order, then their count."""
    return [str(p) for p in sort_problems(problems)] + [summary_line(problems)]


def say_unpublished(lines: list[str]) -> None:
    """Print why the preview's site stays as it was."""
    for line in lines:
        print(line, file=sys.stderr)
    print("有错误，网站保持上一次的版本。", file=sys.stderr)


def preview_saved(
    settings: Settings,
    state: BuildState,
    live: LivePages,
    fixed_today: date | None = None,
    changed: set[Path] | None = None,
    resident: Resident | None = None,
) -> bool:
    """Show a save in the open tab before the build: read and validate the content (only the
    `changed` record files, against `resident`, where that reads the same), hand the model to
    the live pages and tell the tab to reload; return whether it validated (the build that
    follows would fail the same way otherwise: its problems are printed and shown now)."""
    settings = dataclasses.replace(settings, today=fixed_today or date.today())
    with state.lock:
        state.saved += 1
    try:
        loaded = None
        if resident is not None and resident.content is not None and changed:
            cache = BodyCache(settings.cache_dir / "bodies.sqlite" if settings.use_cache else None, read_only=True)
            try:
                loaded = reread_records(resident.content, resident.problems, {p.parent.resolve() / p.name for p in changed}, cache)
            finally:
                cache.close()
        content, read = loaded or load_content(settings, Progress(enabled=False), read_only=True)
        site, problems = model_of(content, read, settings.today)
    except ContentInvalid as invalid:
        if resident is not None:
            resident.content = None  # the next save reads the whole folder: this one's errors are still in it
        lines = failure_lines(invalid.problems)
        state.record(False, lines)
        say_unpublished(lines)
        return False
    if resident is not None:
        resident.content, resident.problems = content, read
    live.update(site)
    state.record(True, [str(p) for p in sort_problems(problems)], base_path(site.config.root_url))
    return True


# the result pages the search service answers when a query is given (in each reading mode too)
SEARCH_PAGES = frozenset({"/search/", *(f"/{mode}/search/" for mode in MODES)})


def static_app(
    output: Path, state: BuildState, search_app: WSGIApp | None, admin: Path | None = None, live: LivePages | None = None
) -> WSGIApp:
    """Return a WSGI app serving files under `output`, with the reload script in HTML pages,
    and the web editor's folder `admin` (`build.py cms`) at /admin/ under its own CSP; with
    `live`, pages are rendered from the model in memory (`live_pages.py`), the rest are files."""
    in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)
    waiting = threading.BoundedSemaphore(MAX_WAITING)

    def wait_for_newer(environ: dict[str, Any]) -> None:
        """A tab's long poll, `/__build?after=<the build it shows>`: return when a newer build is in
        or after LONG_POLL_SECONDS; at once when MAX_WAITING tabs (or pages left) already wait."""
        seen = parse_qs(environ.get("QUERY_STRING", "")).get("after", [""])[0]
        if seen.isdigit() and waiting.acquire(blocking=False):
            try:
                environ[WAITED] = True
                state.wait_newer(int(seen), LONG_POLL_SECONDS)
            finally:
                waiting.release()

    @Request.application
    def files(request: Request) -> Response | WSGIApp:
        path = request.path
        if request.method not in ("GET", "HEAD"):
            return Response("只支持 GET 请求", status=405, mimetype="text/plain", headers={"Allow": "GET, HEAD"})
        if not is_clean_path(path):
            return Response("请求的地址不正确", status=400, mimetype="text/plain")
        if path == "/__build":
            # when to ask again: at once after a long poll (or a first question), else in a second
            retry = 1000 if request.args.get("after") and not request.environ.get(WAITED) else 20
            with state.lock:
                answer = {"id": state.id, "ok": state.ok, "problems": state.problems, "retry": retry}
                body = json.dumps(answer, ensure_ascii=False)
            return Response(body, mimetype="application/json", headers={"Cache-Control": "no-store"})
        if path == "/__reload.js":
            return Response(RELOAD_JS, mimetype="text/javascript", headers={"Cache-Control": "no-store"})
        if admin is not None and (path == "/admin" or path.startswith("/admin/")):
            return admin_response(admin, path)
        if state.base != "/":  # the site under its sub-path, as the web server will serve it
            if path in ("/", state.base[:-1]):
                return Response(status=302, headers={"Location": state.base})
            if not path.startswith(state.base):
                return Response("页面不存在", status=404, mimetype="text/plain")
            path = path[len(state.base) - 1 :]
        if search_app is not None and (path.startswith("/api/") or (path in SEARCH_PAGES and request.args.get("q"))):
            return search_app
        rendered = live.page(path) if live is not None else None
        if rendered is not None:
            return Response(inject(rendered.html), status=rendered.status, mimetype="text/html")
        file = resolve(output, path)
        if file is None:
            missing = output / "404.html"
            page = missing.read_bytes() if missing.is_file() else "页面不存在".encode()
            return Response(inject(page), status=404, mimetype="text/html")
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = file.read_bytes()
        if mime == "text/html":
            data = inject(data)
        return Response(data, mimetype=mime)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/__build":
            wait_for_newer(environ)  # before taking a slot: an open tab waits most of the time
        if not in_flight.acquire(blocking=False):
            busy = Response("预览服务器繁忙，请稍后再试", status=503, mimetype="text/plain", headers={"Retry-After": "1"})
            return with_headers(busy)(environ, start_response)
        try:
            return list(files(environ, with_security_headers(start_response)))
        except Exception:  # a file vanished during a rebuild, a path the OS refuses: never a 500
            return with_headers(Response("页面不存在", status=404, mimetype="text/plain"))(environ, start_response)
        finally:
            in_flight.release()

    return app


def admin_response(admin: Path, path: str) -> Response:
    """Return a file of the web editor's folder, with the policy `build.py cms` wrote for it."""
    if path == "/admin":
        return Response(status=301, headers={"Location": "/admin/"})
    file = admin_file(admin, path)
    if file is None:
        return Response("页面不存在", status=404, mimetype="text/plain")
    mime = "text/yaml" if file.suffix == ".yml" else mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    headers = {"Content-Security-Policy": folder_policy(admin), "Cache-Control": "no-cache"}
    return Response(file.read_bytes(), mimetype=mime, headers=headers)


def with_headers(response: Response) -> Response:
    """Return `response` with the security headers it does not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def with_security_headers(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap `start_response` so every answer (the search service's too) carries the security headers."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        present = {name.lower() for name, _ in headers}
        headers = headers + [(k, v) for k, v in SECURITY_HEADERS.items() if k.lower() not in present]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    return start


def is_clean_path(path: str) -> bool:
    """Return whether a decoded URL path can name a file of the site: no NUL or other control
    character, no backslash, no `..` or hidden (`.x`) segment, valid UTF-8, not overlong."""
    if len(path) > MAX_PATH_CHARS or not path.startswith("/"):
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c in "\\\ufffd" or 0xD800 <= ord(c) <= 0xDFFF for c in path):
        return False
    return not any(segment.startswith(".") for segment in path.split("/"))


def resolve(root: Path, url_path: str) -> Path | None:
    """Return the file for a URL path inside `root` (index.html for folders), never outside it."""
    root = root.resolve()
    try:
        candidate = (root / url_path.lstrip("/")).resolve()
        if root != candidate and root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return None


def inject(html: bytes) -> bytes:
    """Return an HTML page with the reload script's tag (a file: the CSP allows no inline script)."""
    marker = b"</body>"
    return html.replace(marker, RELOAD_TAG + marker, 1) if marker in html else html + RELOAD_TAG


def search_service(output: Path) -> WSGIApp | None:
    """Return the search service over the built index."""
    return create_search_app(output)


class PreviewHandler(WSGIRequestHandler):
    """A request handler that drops a client sending nothing for `CLIENT_TIMEOUT` seconds, and
    sends the security headers on every answer, its own error answers too (414 for a long
    URL, 431 for long or many headers, 400/505 for a malformed request line or version),
    which http.server writes without going through the app."""

    timeout = CLIENT_TIMEOUT

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # a request line it could not read leaves the version at HTTP/0.9, for which
        # http.server writes no status line and no header at all: answer as HTTP/1.0
        if not str(getattr(self, "request_version", "")).startswith("HTTP/1."):
            self.request_version = "HTTP/1.0"
        self.close_connection = True
        super().send_error(code, message, explain)

    def send_response_only(self, code: int, message: str | None = None) -> None:
        self._sent_headers: set[str] = set()
        super().send_response_only(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        sent: set[str] = getattr(self, "_sent_headers", set())
        sent.add(keyword.lower())
        super().send_header(keyword, value)

    def log(self, type: str, message: str, *args: Any) -> None:
        """Log with control characters shown as escapes: a request line cannot drive the terminal."""
        if type == "info" and _request_path(getattr(self, "requestline", "")) in RELOAD_CHANNEL:
            return  # the open tab's once-a-second reload poll and its script: not worth a line each time
        text = message % args if args else message
        super().log(type, "%s", "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text))

    def end_headers(self) -> None:
        sent: set[str] = getattr(self, "_sent_headers", set())
        for name, value in SECURITY_HEADERS.items():
            if name.lower() not in sent:
                super().send_header(name, value)
        super().end_headers()


RELOAD_CHANNEL = frozenset({"/__build", "/__reload.js"})


def _request_path(requestline: str) -> str:
    """Return the path of a request line (`GET /__build?x HTTP/1.1` → `/__build`)."""
    parts = requestline.split(" ")
    return parts[1].split("?", 1)[0] if len(parts) >= 2 else ""


def preview_server(host: str, port: int, app: WSGIApp) -> BaseWSGIServer:
    """Return the preview's HTTP server (threaded, slow clients dropped), bound and ready."""
    return make_server(host, port, app, threaded=True, request_handler=PreviewHandler)


def watch_and_rebuild(
    settings: Settings,
    state: BuildState,
    fixed_today: date | None,
    stop: threading.Event,
    live: LivePages | None = None,
    resident: Resident | None = None,
    background: Background | None = None,
) -> None:
    """On every change until `stop` is set (the watcher checks it every 50 ms): with `live`, show
    the saved content at once (`preview_saved`) and build it in the background (`background`, a
    new one if not given), one build at a time (saves during a build make one build after it);
    without, build here."""
    if live is None:
        for _changes in watch(settings.content_dir, TEMPLATES, debounce=300, raise_interrupt=False, stop_event=stop):
            rebuild(settings, state, fixed_today)
        return
    wanted = threading.Event()
    background = background or Background()

    def build_when_wanted() -> None:
        while not stop.is_set():
            if wanted.wait(0.1):
                wanted.clear()
                rebuild(settings, state, fixed_today, background=background)

    builder = threading.Thread(target=build_when_wanted, daemon=True)
    builder.start()
    for changes in watch(settings.content_dir, TEMPLATES, debounce=300, raise_interrupt=False, stop_event=stop):
        if preview_saved(settings, state, live, fixed_today, {Path(path) for _, path in changes}, resident):
            wanted.set()
    background.stop()
    builder.join(timeout=5)


def serve(args: argparse.Namespace) -> int:
    """Build, then serve until interrupted; return the exit status."""
    settings = Settings(content_dir=Path(args.content), output_dir=Path(args.output))
    state = BuildState()
    fixed_today = date.fromisoformat(args.today) if getattr(args, "today", None) else None
    # the content is held from the first save's read of the whole folder on, not from this build's:
    # a file saved while it runs (before the watcher starts) would be missed by a save read alone
    live, resident, background = LivePages(), Resident(), Background()
    rebuild(settings, state, fixed_today, live)
    if not settings.output_dir.is_dir():
        print("首次生成失败，无法预览：请先改正以上错误。", file=sys.stderr)
    try:  # bound before anything is announced or watched: a port in use is a message, not an abort
        socket.create_server((args.host, args.port)).close()  # werkzeug would print English and exit
        server = preview_server(args.host, args.port, static_app(settings.output_dir, state, search_service(settings.output_dir), getattr(args, "admin", None), live))
    except OSError as exc:
        print(f"无法在 {args.host}:{args.port} 上启动预览（{exc.strerror or exc}）：端口可能已被占用，请用 --port 换一个端口。", file=sys.stderr)
        return 1
    stop = threading.Event()
    watcher = threading.Thread(target=watch_and_rebuild, args=(settings, state, fixed_today, stop, live, resident, background), daemon=True)
    watcher.start()
    print(f"预览地址：http://{args.host}:{server.server_port}{state.base}  （按 Ctrl+C 停止；修改 {settings.content_dir}/ 下的文件会自动重建并刷新浏览器）", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        # the watcher waits in Rust code: left running into interpreter shutdown it aborts the
        # process ("FATAL: exception not rethrown", exit 134) instead of a clean exit 0
        stop.set()
        background.stop()  # a build running is stopped (its staging removed), none started
        watcher.join(timeout=5)
    print("预览已停止。", file=sys.stderr)
    return 0
