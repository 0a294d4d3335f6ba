"""gunicorn settings of the search service (`gunicorn -c python:search.gunicorn_conf search.wsgi:app`).

Sized for overload to be answered fast, not queued (docs/search.md, 过载与限流):
- `threads` per worker, and as many searches at once per worker (SEARCH_PROCESS_SLOTS);
- SEARCH_DEPLOYMENT_SLOTS searches at once across all workers (flock slots in /dev/shm,
  released by the kernel when a worker dies): default twice the CPU count, so a search
  never shares a core with more than one other; the rest get 429 within SEARCH_SLOT_WAIT;
- `worker_connections` bounds the requests queued inside a worker, `backlog` those waiting
  in the kernel, `timeout` kills a stuck worker after 10 s.
Every value can be overridden by the environment variable named beside it.
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    return int(text) if text.isdigit() and int(text) > 0 else default


bind = os.environ.get("SEARCH_BIND", "127.0.0.1:8001")
workers = _env_int("SEARCH_WORKERS", 4)
threads = _env_int("SEARCH_THREADS", 4)
worker_class = "gthread"
worker_connections = _env_int("SEARCH_WORKER_CONNECTIONS", 1000)
backlog = _env_int("SEARCH_BACKLOG", 1024)
timeout = 10
graceful_timeout = 10
keepalive = 2
limit_request_line = 4094
limit_request_fields = 50

# read by search.limits.Limits.from_environ in each worker (forked from this process)
os.environ.setdefault("SEARCH_PROCESS_SLOTS", str(threads))
os.environ.setdefault("SEARCH_DEPLOYMENT_SLOTS", str(2 * (os.cpu_count() or 1)))
