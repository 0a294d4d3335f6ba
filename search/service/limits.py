"""Admission control for the search service: under overload, answer fast (429/503 with
`Retry-After`) instead of queueing until every reader waits seconds.

Searching is CPU-bound Python: past a few searches at once on a machine, each extra one
only makes all of them slower. So a request must hold a *slot* to search, and gets one
within `slot_wait` seconds or is refused with 429. The checks, before any search work:

- queue wait before the service: a request that waited longer than `queue_budget` before
  reaching gunicorn (nginx stamps `X-Request-Start: t=<seconds>`, see docs/search.md) is
  refused with 503;
- queue wait inside the worker: gunicorn's gthread worker queues a request until one of
  its threads is free, and says nothing of it; `search.service.gunicorn_conf.SearchWorker` stamps
  the moment it saw the request (`environ[RECEIVED_KEY]`). One that waited longer than
  `worker_queue_budget` is refused with 429 at once, without searching;
- per process: at most `per_process` searches at once in one worker (a semaphore);
- per deployment: at most `per_deployment` searches at once across every worker on the
  machine. The slots are small files (in /dev/shm) locked with `flock`: the kernel
  releases the lock of a worker that dies (timeout, kill -9), so no slot ever leaks, and
  no shared state has to be set up in gunicorn's master.

Every request has `request_budget` seconds from when the worker saw it: the wait for a
slot and the search get only what is left of it (a request left with too little for a
search gets 429), so no answer takes much longer than the budget, whatever the load.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import random
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

RETRY_AFTER_SECONDS = 1
RECEIVED_KEY = "search.received"
"""The environ key of the time.monotonic() at which the gunicorn worker saw the request."""
MIN_SEARCH_SECONDS = 0.05
"""A request left with less than this for its search is refused (429) rather than started."""


class Overloaded(Exception):
    """No slot within the wait (429), or the request waited too long already (503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Limits:
    """How much searching one process and one deployment do at once."""

    per_process: int = 4
    """Searches at once in one process (gunicorn: its threads)."""
    per_deployment: int | None = None
    """Searches at once across all workers of the machine; None: no shared limit."""
    slot_wait: float = 0.1
    """Seconds a request may wait for a slot before it gets 429."""
    queue_budget: float = 1.0
    """Seconds a request may have waited before reaching the app (X-Request-Start) before it gets 503."""
    worker_queue_budget: float = 0.3
    """Seconds a request may have waited inside the worker for a thread before it gets 429 at once."""
    request_budget: float = 1.2
    """Seconds from when the worker saw a request to its answer; slot wait and search share what is left."""
    search_budget: float = 1.0
    """Seconds a search may take at most (search.service.searcher.TIME_BUDGET_SECONDS)."""
    slot_dir: Path | None = None
    """Folder of the per-deployment slot files; None: /dev/shm (or the temp folder)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Limits:
        """Return the limits set by SEARCH_* environment variables (gunicorn_conf.py sets them)."""
        default = cls()
        deployment = _number(environ.get("SEARCH_DEPLOYMENT_SLOTS"), 0)
        folder = environ.get("SEARCH_SLOT_DIR", "")
        return cls(
            per_process=max(1, int(_number(environ.get("SEARCH_PROCESS_SLOTS"), default.per_process))),
            per_deployment=max(1, int(deployment)) if deployment else None,
            slot_wait=_number(environ.get("SEARCH_SLOT_WAIT"), default.slot_wait),
            queue_budget=_number(environ.get("SEARCH_QUEUE_BUDGET"), default.queue_budget),
            worker_queue_budget=_number(environ.get("SEARCH_WORKER_QUEUE_BUDGET"), default.worker_queue_budget),
            request_budget=_number(environ.get("SEARCH_REQUEST_BUDGET"), default.request_budget),
            slot_dir=Path(folder) if folder else None,
        )


def _number(text: str | None, default: float) -> float:
    """Return the non-negative number in `text`, or `default` when it is missing or malformed."""
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value >= 0 and value == value else default


def queued_seconds(header: str | None, now: float | None = None) -> float:
    """Return how long ago a request started by its `X-Request-Start` header (0 if absent or odd).

    Accepts nginx's `t=1700000000.123` (seconds) and the millisecond and microsecond forms
    other proxies send.
    """
    if not header:
        return 0.0
    text = header.strip().removeprefix("t=")
    try:
        started = float(text)
    except ValueError:
        return 0.0
    if started != started or started <= 0:  # NaN or nonsense
        return 0.0
    if started > 1e14:
        started /= 1e6
    elif started > 1e11:
        started /= 1e3
    age = (time.time() if now is None else now) - started
    return age if 0 < age < 3600 else 0.0


class DeploymentSlots:
    """`count` slots shared by every process on the machine that uses the same `key`.

    A slot is an exclusive `flock` on one of `count` files. Each process opens its own
    descriptors (after a fork too: inherited descriptors would share their locks), and a
    thread lock keeps two threads of one process from taking the same file.
    """

    def __init__(self, key: str, count: int, folder: Path | None = None) -> None:
        self.count = count
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        self.paths = [slot_folder(folder) / f"{digest}-{i}.slot" for i in range(count)]
        self._pid = -1
        self._fds: list[int] = []
        self._held: set[int] = set()
        self._lock = threading.Lock()

    def _ensure_open(self) -> None:
        if self._pid == os.getpid():
            return
        for fd in self._fds:  # the parent's descriptors: closing them does not touch its locks
            os.close(fd)
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
        self._fds = [os.open(path, flags, 0o600) for path in self.paths]
        self._held = set()
        self._pid = os.getpid()

    def try_acquire(self) -> int | None:
        """Return a free slot's number, locked for this thread, or None when all are taken."""
        with self._lock:
            self._ensure_open()
            first = random.randrange(self.count)
            for step in range(self.count):
                slot = (first + step) % self.count
                if slot in self._held:
                    continue
                try:
                    fcntl.flock(self._fds[slot], fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                        continue
                    raise
                self._held.add(slot)
                return slot
        return None

    def release(self, slot: int) -> None:
        with self._lock:
            if slot in self._held and self._pid == os.getpid():
                fcntl.flock(self._fds[slot], fcntl.LOCK_UN)
                self._held.discard(slot)


def slot_folder(folder: Path | None) -> Path:
    """Return the private folder of the slot files (created 0700; refused if someone else owns it)."""
    if folder is None:
        shm = Path("/dev/shm")
        folder = (shm if shm.is_dir() else Path(tempfile.gettempdir())) / f"yangguang-search-{os.getuid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder}: not a private folder of this user")
    return folder


class Admission:
    """Hands out search slots under `Limits`; `slot()` raises Overloaded when there is none."""

    def __init__(self, limits: Limits, key: str) -> None:
        self.limits = limits
        self._process = threading.BoundedSemaphore(limits.per_process)
        self._shared = (
            DeploymentSlots(key, limits.per_deployment, limits.slot_dir) if limits.per_deployment else None
        )

    def check_queue(self, request_start: str | None = None, received: float | None = None) -> float:
        """Return the monotonic deadline of a request's answer; raise Overloaded if it queued too long.

        `request_start` is nginx's X-Request-Start header, `received` the worker's stamp
        (`environ[RECEIVED_KEY]`); both are optional. Costs no more than a clock read.
        """
        now = time.monotonic()
        if queued_seconds(request_start) > self.limits.queue_budget:
            raise Overloaded(503, "检索服务繁忙（排队过久），请稍后再试")
        if received is None or not 0 <= now - received < 3600:
            received = now
        if now - received > self.limits.worker_queue_budget:
            raise Overloaded(429, "检索请求过多，请稍后再试")
        return received + self.limits.request_budget

    @contextmanager
    def slot(self, request_start: str | None = None, received: float | None = None) -> Iterator[float]:
        """Hold one search slot for the block, which gets the seconds its search may take;
        raise Overloaded (429 or 503) without a slot in time."""
        deadline = self.check_queue(request_start, received)
        wait = min(self.limits.slot_wait, deadline - MIN_SEARCH_SECONDS - time.monotonic())
        if wait < 0 or not self._process.acquire(timeout=wait):
            raise Overloaded(429, "检索请求过多，请稍后再试")
        try:
            shared = self._shared_slot(time.monotonic() + wait)
            try:
                left = deadline - time.monotonic()
                if left < MIN_SEARCH_SECONDS:
                    raise Overloaded(429, "检索请求过多，请稍后再试")
                yield min(self.limits.search_budget, left)
            finally:
                if shared is not None and self._shared is not None:
                    self._shared.release(shared)
        finally:
            self._process.release()

    def _shared_slot(self, deadline: float) -> int | None:
        """Return the deployment slot taken (None without a shared limit); poll until `deadline`."""
        if self._shared is None:
            return None
        pause = 0.002
        while True:
            slot = self._shared.try_acquire()
            if slot is not None:
                return slot
            left = deadline - time.monotonic()
            if left <= 0:
                raise Overloaded(429, "检索请求过多，请稍后再试")
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.02)
