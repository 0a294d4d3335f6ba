"""`python build.py serve`: build, serve the site (and the search service) on 127.0.0.1,
rebuild when content or templates change, and reload the browser.

For previews only. In production `site/` is served by any web server and the search
service by gunicorn (see README).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from watchfiles import watch
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from disclosure.pipeline import Settings, build_site
from disclosure.problems import ContentInvalid, sort_problems, summary_line

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RELOAD_SCRIPT = b"""<script>(function(){var seen=null;function poll(){fetch('/__build').then(function(r){return r.json()}).then(function(s){if(seen!==null&&s.id!==seen){location.reload();return}seen=s.id;var b=document.getElementById('__build');if(!s.ok){if(!b){b=document.createElement('pre');b.id='__build';b.style.cssText='position:fixed;left:0;right:0;bottom:0;max-height:45vh;overflow:auto;margin:0;padding:1em;background:#fff4e5;color:#6b3a00;border-top:3px solid #a4121b;z-index:99;white-space:pre-wrap';document.body.appendChild(b)}b.textContent='\\u672a\\u53d1\\u5e03\\uff1a\\n'+s.problems.join('\\n')}else if(b){b.remove()}setTimeout(poll,1000)}).catch(function(){setTimeout(poll,2000)})}poll()})();</script>"""

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BuildState:
    """The outcome of the latest build, as the browser's reload script sees it."""

    def __init__(self) -> None:
        self.id = 0
        self.ok = True
        self.problems: list[str] = []
        self.lock = threading.Lock()

    def record(self, ok: bool, problems: list[str]) -> None:
        with self.lock:
            self.id += 1
            self.ok, self.problems = ok, problems


def rebuild(settings: Settings, state: BuildState) -> None:
    """Build once, print the problems, and remember the outcome for the browser."""
    try:
        outcome = build_site(settings)
        lines = [str(p) for p in sort_problems(outcome.warnings)]
        state.record(True, lines)
    except ContentInvalid as invalid:
        lines = [str(p) for p in sort_problems(invalid.problems)] + [summary_line(invalid.problems)]
        state.record(False, lines)
    for line in lines:
        print(line, file=sys.stderr)
    print("已重新生成。" if state.ok else "有错误，网站保持上一次的版本。", file=sys.stderr)


def static_app(output: Path, state: BuildState, search_app: WSGIApp | None) -> WSGIApp:
    """Return a WSGI app serving files under `output`, with the reload script in HTML pages."""

    @Request.application  # type: ignore[arg-type]
    def app(request: Request) -> Response | WSGIApp:
        path = request.path
        if path == "/__build":
            with state.lock:
                body = json.dumps({"id": state.id, "ok": state.ok, "problems": state.problems}, ensure_ascii=False)
            return Response(body, mimetype="application/json")
        if search_app is not None and (path.startswith("/api/") or (path == "/search/" and request.args.get("q"))):
            return search_app  # type: ignore[return-value]
        file = resolve(output, path)
        if file is None:
            missing = output / "404.html"
            body = missing.read_bytes() if missing.is_file() else "页面不存在".encode()
            return Response(inject(body), status=404, mimetype="text/html")
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = file.read_bytes()
        if mime == "text/html":
            data = inject(data)
        return Response(data, mimetype=mime)

    return app  # type: ignore[return-value]


def resolve(root: Path, url_path: str) -> Path | None:
    """Return the file for a URL path inside `root` (index.html for folders), never outside it."""
    root = root.resolve()
    candidate = (root / url_path.lstrip("/")).resolve()
    if root != candidate and root not in candidate.parents:
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def inject(html: bytes) -> bytes:
    marker = b"</body>"
    return html.replace(marker, RELOAD_SCRIPT + marker, 1) if marker in html else html + RELOAD_SCRIPT


def search_service(output: Path) -> WSGIApp | None:
    """Return the search service over the built index, when the search package provides one."""
    try:
        from search.service import create_search_app  # type: ignore[import-not-found]
    except ImportError:
        return None
    return create_search_app(output)  # type: ignore[no-any-return]


def watch_and_rebuild(settings: Settings, state: BuildState) -> None:
    for _changes in watch(settings.content_dir, TEMPLATES, debounce=300, raise_interrupt=False):
        rebuild(settings, state)


def serve(args: argparse.Namespace) -> int:
    """Build, then serve until interrupted; return the exit status."""
    settings = Settings(content_dir=Path(args.content), output_dir=Path(args.output))
    state = BuildState()
    rebuild(settings, state)
    if not settings.output_dir.is_dir():
        print("首次生成失败，无法预览：请先改正以上错误。", file=sys.stderr)
    threading.Thread(target=watch_and_rebuild, args=(settings, state), daemon=True).start()
    print(f"预览地址：http://{args.host}:{args.port}/  （按 Ctrl+C 停止；修改 {settings.content_dir}/ 下的文件会自动重建并刷新浏览器）", file=sys.stderr)
    run_simple(args.host, args.port, static_app(settings.output_dir, state, search_service(settings.output_dir)), threaded=True)
    return 0
