"""Atomic output: build beside the live folder, then swap it in only when all succeeded.

On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call, so there is no instant at
which `site/` is missing or half-written; elsewhere two renames follow each other. A
failed, interrupted or killed build leaves `site/` byte-for-byte as it was; its staging
folder is removed then, or by the next build if the process was killed.

Only folders this tool made are ever swapped out or deleted (`disclosure/core/output_guard.py`:
each carries a marker file). The build lock is an `flock` on a descriptor the building
process alone holds: forked workers close their copy, and the kernel releases the lock
when the process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from disclosure.core.output_guard import (
    MARKER,
    OutputRefused,
    is_empty_folder,
    made_by_tool,
    mark,
    remove_made,
)

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


def link_file(source: Path, target: Path, *, copy: bool = False) -> bool:
    """Hard-link `source` (a file of the live site, or of a cache) as `target`, making its folder.

    Return False when `source` is missing; when the link fails otherwise (another file
    system, no hard links, …), copy the bytes if `copy`, else return False. The one way
    an incremental build reuses an unchanged file."""
    make_parent(target)
    try:
        os.link(source, target)
    except FileNotFoundError:
        return False
    except OSError:
        if not copy:
            return False
        target.write_bytes(source.read_bytes())
    return True


def link_files(source: Path, target: Path, names: Iterable[str]) -> None:
    """Hard-link the files `names` of the folder `source` (a cache's) into the folder `target`,
    which exists, copying the bytes where a link fails: `link_file` for thousands of files of
    one folder, on strings (a Path each costs as much as the link)."""
    here, there = os.fspath(source), os.fspath(target)
    for name in names:
        try:
            os.link(f"{here}/{name}", f"{there}/{name}")
        except OSError:  # another file system, no hard links (a missing file raises here again)
            shutil.copyfile(f"{here}/{name}", f"{there}/{name}")


def read_json_object(path: Path) -> dict[str, Any]:
    """Return the JSON object a previous build left at `path` (its fingerprints), or {} when
    the file is missing, unreadable or not an object: then nothing is reused."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class BuildLocked(Exception):
    """Another build of the same output folder is running."""


class WriteFailed(Exception):
    """Writing the output failed (disk full, no permission…); staging is gone, the site kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_FULL = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完"}


def _error_number(exc: OSError) -> int | None:
    """Return the errno of `exc`, also for `OSError(errno.ENOSPC)` built with one argument."""
    if exc.errno is not None:
        return exc.errno
    return exc.args[0] if exc.args and isinstance(exc.args[0], int) else None


def _free_space(folder: Path) -> str:
    """Return the free and total space of the file system holding `folder`, e.g. "剩余 12.0 MB（共 20.0 GB）"."""
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return "剩余空间未知"
    return f"剩余 {_size(usage.free)}（共 {_size(usage.total)}）"


def nearest_existing(path: Path, bound: Path) -> Path:
    """Return `path` or its nearest existing ancestor, never above `bound` when `path` lies under it.

    A failing write's staging folder is gone when the message is made: its disk is the one
    holding the output's parent (staging is made there); a mount point below is never skipped.
    """
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
        if candidate == bound:
            return bound
    return bound


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许的操作",
    errno.EROFS: "文件系统只读",
    errno.EIO: "磁盘读写错误",
    errno.EMFILE: "打开的文件过多",
    errno.ENAMETOOLONG: "文件名过长",
}


def write_failure(exc: OSError, output: Path, written: Path | None = None) -> WriteFailed:
    """Return the message for an OSError met while building `output`: which folder, how much space.

    The folder named is the one being written: the failing file's folder (`exc.filename`),
    else `written`, else the output's parent; the space is that of the file system holding
    the nearest existing folder of it, never one above the output's parent.
    """
    output = output.resolve()
    code = _error_number(exc)
    name = errno.errorcode.get(code, "未知错误") if code is not None else "未知错误"
    if exc.filename:
        where = Path(os.path.abspath(os.fsdecode(exc.filename)))
        folder = where if where.is_dir() else where.parent
    else:
        where = folder = written.resolve() if written is not None else output.parent
    disk = nearest_existing(folder, output.parent)
    kept = f"未发布：网站目录 {output} 保持原样，临时生成目录已删除。"
    if code in _FULL:
        return WriteFailed(f"{_FULL[code]}：在 {folder} 中写入时失败，{disk} 所在磁盘{_free_space(disk)}。{kept}请腾出空间后重新运行。")
    reason = _REASONS.get(code, exc.strerror or str(exc) or name) if code is not None else (exc.strerror or str(exc) or name)
    return WriteFailed(f"读写 {where} 时出错：{reason}（{name}）。{kept}请检查该目录的权限与磁盘后重新运行。")


@contextlib.contextmanager
def write_errors_as_messages(output: Path, cache: Path | None = None) -> Iterator[None]:
    """Turn an OSError (or SQLite's "disk is full" in the cache folder `cache`) inside the block into WriteFailed."""
    try:
        yield
    except OSError as exc:
        raise write_failure(exc, output) from exc
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc) and "disk I/O" not in str(exc):
            raise
        full = OSError(errno.ENOSPC if "full" in str(exc) else errno.EIO, str(exc))
        raise write_failure(full, output, cache or output.resolve().parent) from exc


def staging_prefix(output: Path) -> str:
    return f".{output.name}-staging-"


_HELD_LOCKS: set[int] = set()


def _forget_locks_in_child() -> None:
    """In a forked child: close the copies of the build locks (the parent alone holds them)."""
    for fd in list(_HELD_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)  # close, never unlock: an unlock would release the parent's lock
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_forget_locks_in_child)


def lock_path(output: Path) -> Path:
    """Return the lock file of `output`, beside its resolved path (an alias shares the lock)."""
    output = output.resolve()
    return output.parent / f".{output.name}.lock"


@contextlib.contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock for building `output`; raise BuildLocked if another build has it."""
    path = lock_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # close-on-exec: no program inherits it; no-follow: a planted symlink creates nothing elsewhere
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise OutputRefused(f"锁文件 {path} 无法使用（{exc.strerror or exc}；不能是符号链接或目录），已拒绝；请删除它后重试（未改动任何文件）") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BuildLocked(str(output.resolve())) from exc
        _HELD_LOCKS.add(fd)
        try:
            yield
        finally:
            _HELD_LOCKS.discard(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def staging_directory(output: Path, background_cleanup: bool = False, locked: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder beside `output`; swap it into place if the block succeeds.

    `locked`: the caller holds the build lock, so any staging folder of `output` is a
    killed build's and is removed at once, whatever its age.
    """
    output = output.resolve()
    remove_stale_staging(output, locked)
    staging = output.parent / f"{staging_prefix(output)}{secrets.token_hex(4)}"
    staging.mkdir(parents=True)
    try:
        mark(staging, "site")  # the marker travels with the folder: it is the site once swapped in
        yield staging
        swap_into_place(staging, output, background_cleanup)
    except BaseException:
        if os.path.lexists(staging):
            remove_made(staging, "site")
        raise


def remove_stale_staging(output: Path, locked: bool = False) -> None:
    """Delete staging folders left by builds that were killed (never the live folder).

    Only folders this tool made are deleted; anything else with a similar name is left.
    """
    if not output.parent.is_dir():
        return
    now = time.time()
    for entry in output.parent.iterdir():
        staging = entry.name.startswith(staging_prefix(output))
        if not (staging or entry.name.startswith(retired_prefix(output))) or not entry.is_dir():
            continue
        with contextlib.suppress(OSError):
            # ctime: a rename (retiring the previous site) updates it, mtime does not — so a
            # previous site that a background rm is deleting right now is left to it
            if (staging and locked) or now - entry.stat().st_ctime > STALE_AFTER_SECONDS:
                remove_made(entry, "site")


def swap_into_place(staging: Path, output: Path, background: bool = False) -> None:
    """Make `staging` the live `output`; the previous output is deleted afterwards.

    With `background`, the previous site (tens of thousands of files for a large site:
    seconds to delete) is removed by a detached `rm` after this process returns; a
    leftover is cleared by the next build.
    """
    if not os.path.lexists(output):
        os.rename(staging, output)
        return
    if not (made_by_tool(output, "site") or is_empty_folder(output)):
        raise OutputRefused(f"输出目录 {output} 不是由本工具生成的（没有标记文件），不会被替换；未改动任何文件。")
    retired = output.parent / f"{retired_prefix(output)}{secrets.token_hex(4)}"
    if _exchange(staging, output):
        os.rename(staging, retired)  # staging holds the previous site now
    else:
        os.rename(output, retired)
        os.rename(staging, output)
    if not made_by_tool(retired, "site"):
        remove_made(retired, "site")  # the empty folder that was there before the first build
    elif background and shutil.which("rm") and shutil.which("find"):
        # kept referenced: a Popen collected while rm still runs raises a ResourceWarning.
        # The marker goes last, so a deletion cut short leaves a folder the next build still knows.
        _DETACHED.append(
            subprocess.Popen(
                ["sh", "-c", f'find "$1" -mindepth 1 -depth ! -path "$1/{MARKER}" -delete; rm -rf -- "$1"', "sh", str(retired)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        _DETACHED[:] = [p for p in _DETACHED if p.poll() is None]
    else:
        remove_made(retired, "site")


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
