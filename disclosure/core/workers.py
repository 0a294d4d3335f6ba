"""Worker processes that die with the build that started them.

A build renders on every core with forked workers. If the build is killed (kill -9, OOM
killer, a closed terminal), its workers must not live on: on Linux each forked child
asks the kernel for SIGKILL when its parent dies (`prctl(PR_SET_PDEATHSIG)`). This is set
for every child this process forks — the pools below and Whoosh's writer processes
alike — by an at-fork hook; programs started with `subprocess` (which run no at-fork
hooks) are not affected, so the background `rm` of a retired site still finishes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

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


def _child_after_fork() -> None:
    die_with_parent(_forking_parent)


os.register_at_fork(before=_remember_parent, after_in_child=_child_after_fork)


def worker_pool(max_workers: int) -> ProcessPoolExecutor:
    """Return a pool of forked workers (they inherit the site model) that die with this process."""
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),))
