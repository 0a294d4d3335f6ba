"""gunicorn settings of the search service (`gunicorn -c python:search.service.gunicorn_conf search.service.wsgi:app`).

Sized for overload to be answered fast, not queued (docs/search.md, 过载与限流):
- `threads` per worker, and as many searches at once per worker (SEARCH_PROCESS_SLOTS);
- SEARCH_DEPLOYMENT_SLOTS searches at once across all workers (flock slots in /dev/shm,
  released by the kernel when a worker dies): default twice the CPU count, so a search
  never shares a core with more than one other; the rest get 429 within SEARCH_SLOT_WAIT;
- the worker (`SearchWorker`, gunicorn's gthread worker) stamps each request when it sees
  it, before it waits for a free thread: the app answers 429 at once, without searching,
  a request that already waited longer than SEARCH_WORKER_QUEUE_BUDGET in the worker, and
  gives the others only what is left of SEARCH_REQUEST_BUDGET (search.service.limits);
- gunicorn's own error answers (414, 431, 400 for a malformed request) carry the same
  security headers as the app's (`write_error_with_headers`);
- `worker_connections` bounds the connections inside a worker, `backlog` those waiting
  in the kernel, `timeout` kills a stuck worker after 10 s.
Every value can be overridden by the environment variable named beside it.
"""

from __future__ import annotations

import html
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn import util
from gunicorn.workers import gthread

from search.service.http_headers import SECURITY_HEADERS
from search.service.limits import RECEIVED_KEY


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    return int(text) if text.isdigit() and int(text) > 0 else default


_request = threading.local()  # the stamp of the request this thread is handling


class SearchWorker(gthread.ThreadWorker):
    """gthread, with each request stamped (`environ[RECEIVED_KEY]`, time.monotonic()) when the
    worker saw it: from then on it waits for a thread, which gunicorn does not measure."""

    def enqueue_req(self, conn: Any) -> None:
        conn.search_received = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        if not conn.initialized and not conn.data_ready:
            # a new connection: its request may not have arrived yet; waiting for it is not queueing
            waited = time.monotonic()
            if not conn.wait_for_data(gthread.DEFAULT_WORKER_DATA_TIMEOUT):
                return gthread._DEFER  # type: ignore[attr-defined]  # gthread's private "not ready" answer; the stubs omit it
            if time.monotonic() - waited > 0.01:
                conn.search_received = time.monotonic()
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        _request.received = getattr(conn, "search_received", None)
        try:
            return super().handle_request(req, conn)
        finally:
            _request.received = None

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = stamped(self.wsgi)

    def init_process(self) -> None:
        util.write_error = write_error_with_headers  # this worker process only; base.handle_error calls it
        super().init_process()


def stamped(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Return `app` called with the worker's stamp of the request in its environ."""

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        received = getattr(_request, "received", None)
        if received is not None:
            environ[RECEIVED_KEY] = received
        return app(environ, start_response)

    return call


def write_error_with_headers(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answer (`gunicorn.util.write_error`), with the security headers."""
    body = (
        f"<!doctype html><html><head><title>{html.escape(reason)}</title></head>"
        f"<body><h1>{html.escape(reason)}</h1><p>{html.escape(mesg)}</p></body></html>"
    ).encode("latin-1", "replace")
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", "Content-Type: text/html; charset=utf-8"]
    head += [f"{name}: {value}" for name, value in SECURITY_HEADERS.items()]
    head.append(f"Content-Length: {len(body)}")
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


bind = os.environ.get("SEARCH_BIND", "127.0.0.1:8001")
workers = _env_int("SEARCH_WORKERS", 4)
threads = _env_int("SEARCH_THREADS", 4)
worker_class = SearchWorker  # gthread (gunicorn.workers.gthread.ThreadWorker), stamping requests
worker_connections = _env_int("SEARCH_WORKER_CONNECTIONS", 1000)
backlog = _env_int("SEARCH_BACKLOG", 1024)
timeout = 10
graceful_timeout = 10
keepalive = 2
limit_request_line = 4094
limit_request_fields = 50

# read by search.service.limits.Limits.from_environ in each worker (forked from this process)
os.environ.setdefault("SEARCH_PROCESS_SLOTS", str(threads))
os.environ.setdefault("SEARCH_DEPLOYMENT_SLOTS", str(2 * (os.cpu_count() or 1)))
