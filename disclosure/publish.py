"""Atomic output: build beside the live folder, then swap it in only when all succeeded.

On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call, so there is no instant at
which `site/` is missing or half-written; elsewhere two renames follow each other. A
failed, interrupted or killed build leaves `site/` byte-for-byte as it was; its staging
folder is removed then, or by the next build if the process was killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

STALE_AFTER_SECONDS = 60
_MADE: set[str] = set()


def make_parent(path: Path) -> None:
    """Create `path`'s folder (and parents) once per folder per process.

    Linking the unchanged files of a large site into staging asks for the same few
    thousand folders over and over; `mkdir(exist_ok=True)` on an existing folder still
    costs a failing system call (3.4 s for 12,500 files on this machine's disk).
    """
    folder = str(path.parent)
    if folder not in _MADE:
        path.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(folder)


class BuildLocked(Exception):
    """Another build of the same output folder is running."""


def staging_prefix(output: Path) -> str:
    return f".{output.name}-staging-"


@contextlib.contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock for building `output`; raise BuildLocked if another build has it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BuildLocked(str(output)) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def staging_directory(output: Path, background_cleanup: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder beside `output`; swap it into place if the block succeeds."""
    output = output.resolve()
    remove_stale_staging(output)
    staging = output.parent / f"{staging_prefix(output)}{secrets.token_hex(4)}"
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_into_place(staging, output, background_cleanup)


def remove_stale_staging(output: Path) -> None:
    """Delete staging folders left by builds that were killed (never the live folder)."""
    if not output.parent.is_dir():
        return
    now = time.time()
    for entry in output.parent.iterdir():
        if entry.name.startswith((staging_prefix(output), retired_prefix(output))) and entry.is_dir():
            with contextlib.suppress(OSError):
                # ctime: a rename (retiring the previous site) updates it, mtime does not — so a
                # previous site that a background rm is deleting right now is left to it
                if now - entry.stat().st_ctime > STALE_AFTER_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)


def swap_into_place(staging: Path, output: Path, background: bool = False) -> None:
    """Make `staging` the live `output`; the previous output is deleted afterwards.

    With `background`, the previous site (tens of thousands of files for a large site:
    seconds to delete) is removed by a detached `rm` after this process returns; a
    leftover is cleared by the next build.
    """
    if not output.exists():
        os.rename(staging, output)
        return
    retired = output.parent / f"{retired_prefix(output)}{secrets.token_hex(4)}"
    if _exchange(staging, output):
        os.rename(staging, retired)  # staging holds the previous site now
    else:
        os.rename(output, retired)
        os.rename(staging, output)
    if background and shutil.which("rm"):
        # kept referenced: a Popen collected while rm still runs raises a ResourceWarning
        _DETACHED.append(
            subprocess.Popen(
                ["rm", "-rf", "--", str(retired)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        _DETACHED[:] = [p for p in _DETACHED if p.poll() is None]
    else:
        shutil.rmtree(retired, ignore_errors=True)


_DETACHED: list[subprocess.Popen[bytes]] = []


def retired_prefix(output: Path) -> str:
    return f".{output.name}-previous-"


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2; return False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))
