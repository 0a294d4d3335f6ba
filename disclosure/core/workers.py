"""Worker processes that die with the build that started them.

A build renders on every core with forked workers. If the build is killed (kill -9, OOM
killer, a closed terminal), its workers must not live on: on Linux each forked child
asks the kernel for SIGKILL when its parent dies (`prctl(PR_SET_PDEATHSIG)`). This is set
for every child this process forks — the pools below and Whoosh's writer processes
alike, and `Beside`'s — by an at-fork hook; programs started with `subprocess` (which run no at-fork
hooks) are not affected, so the background `rm` of a retired site still finishes.

A forked child shares the parent's memory until it writes to a page. Python's garbage collector
writes to every object it traverses, so the child's first collection would copy most of the
site model (hundreds of MB on the corpus) into each child: the hook freezes the parent's objects
(`gc.freeze`: never traversed) for the fork, and the parent unfreezes its own after it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PR_SET_PDEATHSIG = 1
_forking_parent = 0


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    return ctypes.CDLL(name, use_errno=True) if name else None


_LIBC = _libc()


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; a no-op elsewhere).

    If the parent `parent` died before the request was made, exit at once.
    """
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent and os.getppid() != parent:
        os._exit(1)  # orphaned before the request took effect


def _remember_parent() -> None:
    global _forking_parent
    _forking_parent = os.getpid()
    gc.freeze()  # the child's collections leave the inherited objects (and their pages) alone


_inherited_frozen = False  # a forked process: what it inherited stays frozen when it forks in turn


def _parent_after_fork() -> None:
    if not _inherited_frozen:
        gc.unfreeze()


def _child_after_fork() -> None:
    global _inherited_frozen
    _inherited_frozen = True
    die_with_parent(_forking_parent)


os.register_at_fork(before=_remember_parent, after_in_parent=_parent_after_fork, after_in_child=_child_after_fork)


def worker_pool(max_workers: int) -> ProcessPoolExecutor:
    """Return a pool of forked workers (they inherit the site model) that die with this process."""
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),))


def _run_and_send(send: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        value = (True, fn(*args))
    except BaseException as exc:  # handed to the parent, which raises it
        value = (False, exc)
    send.send(value)
    send.close()


class Beside:
    """`fn(*args)` run in one forked process beside this one, collected by `result()`.

    The child inherits this process's memory, so nothing is pickled but the (small) result;
    it dies with this process (the at-fork hook above). Where processes cannot be forked
    (not Linux), `fn` runs here at once.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._value: tuple[bool, Any] | None = None
        self._process: Any = None
        if not sys.platform.startswith("linux"):
            try:
                self._value = (True, fn(*args))
            except Exception as exc:
                self._value = (False, exc)
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_and_send, args=(send, fn, args), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> Any:
        """Return what `fn` returned (waiting for it), or raise what it raised."""
        if self._value is None:
            try:
                self._value = self._receive.recv()
            except EOFError:
                self._process.join()  # its exit code is known once it is reaped
                ended = RuntimeError(f"worker ended without a result (exit code {self._process.exitcode})")
                self._value = (False, ended)
            finally:
                self._receive.close()
                self._process.join()
        ok, value = self._value
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child (the build failed) and wait for it."""
        if self._process is not None and self._value is None:
            self._process.kill()
            self._process.join()
            self._receive.close()
            self._value = (False, RuntimeError("cancelled"))
