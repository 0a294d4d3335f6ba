"""Read content files from disk: decode strictly, split front matter from body, keep lines.

Only files under the content folder are ever read. While a content folder is being read
(`with confined(root):`), every read here refuses a path that resolves outside it: a
symlink to /etc/passwd, a folder symlink in the middle of a path, `..` or an absolute
path. A symlink that stays inside the content folder is followed; a symlinked *folder*
is never walked into (`walk_files`), so no file is found twice or found outside.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from disclosure.core.fields import forbidden_character
from disclosure.core.problems import Problem, error, warning

MAX_FILE_BYTES = 5_000_000
OUTSIDE = "指向内容目录之外（符号链接），已拒绝：只发布内容目录中的文件"
IN_FOLDER = "必须是与本文件同一目录下的文件名，不能含路径"
MAX_NAME_BYTES = 255  # ext4, NTFS, APFS: a longer name cannot be saved
LINKED_FOLDER = "这是指向目录的符号链接，其中的文件不会被读取；请把文件直接放在内容目录中"
# characters a file name cannot carry into a URL unchanged (#?%) or onto Windows (\:*"<>|)
_NAME_UNSAFE = set('#?%\\:*"<>|')

_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")  # controls, format (bidi, zero-width), line and paragraph separators
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}

_ROOT: ContextVar[Path | None] = ContextVar("content_root", default=None)
# folders of the confined root found by walking it without following links (`walk_files`): their
# path names no symlink, so a file in one that is not itself a symlink lies inside the root
_WALKED: ContextVar[set[str] | None] = ContextVar("walked_folders", default=None)


@contextmanager
def confined(root: Path) -> Iterator[Path]:
    """Within the block, read content files only where they resolve inside `root`."""
    resolved = root.resolve()
    token, walked = _ROOT.set(resolved), _WALKED.set({os.fspath(resolved)})
    try:
        yield resolved
    finally:
        _WALKED.reset(walked)
        _ROOT.reset(token)


def escapes(path: Path, root: Path | None = None) -> bool:
    """Return True when `path`, every symlink followed, lies outside `root` (default: the confined folder).

    A symlink loop counts as outside: it names nothing inside. A file of a folder `walk_files`
    walked is inside unless it is a symlink itself: one `lstat`, where resolving costs one a
    part of the path (twice for each of the corpus's records, read after being found).
    """
    base = root.resolve() if root is not None else _ROOT.get()
    if base is None:
        return False
    if root is None and _in_walked_folder(os.fspath(path)):
        return False
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return True
    return not resolved.is_relative_to(base)


def _in_walked_folder(name: str) -> bool:
    """Return whether the file `name` is no symlink (or is missing) in a folder walked inside the confined root."""
    walked = _WALKED.get()
    folder, file = os.path.split(name)
    if walked is None or folder not in walked or file in ("", ".", ".."):
        return False
    try:
        return not stat.S_ISLNK(os.lstat(name).st_mode)
    except FileNotFoundError:
        return True  # resolves to itself, inside
    except OSError:
        return False


def walk_files(folder: Path, suffix: str = "", recursive: bool = True) -> list[Path]:
    """Return the files under `folder` ending in `suffix`, sorted, never entering a symlinked folder.

    Hidden files and folders (`.git`, `.DS_Store` …) are skipped; a file symlink that
    escapes the confined folder is left out (`outside_links` reports it). One listing a
    folder (`os.scandir`: a file's type comes with its name), no `Path` or `stat` a plain file.
    """
    if not folder.is_dir() or folder.is_symlink():
        return []
    top = os.fspath(folder)
    walked = _WALKED.get()
    if walked is not None and os.path.realpath(top) == top and not escapes(folder):
        walked.add(top)  # no symlink on its path: what is walked below it is inside as well
    else:
        walked = None
    found: list[Path] = []
    _walk(top, suffix, recursive, walked, found)
    return sorted(found)


def _walk(folder: str, suffix: str, recursive: bool, walked: set[str] | None, found: list[Path]) -> None:
    """Add the files of `folder` (and, if `recursive`, of its folders that are neither hidden nor links) to `found`."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:  # as os.walk: a folder that cannot be listed is left out
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()  # a link to a folder is listed as one, and not entered
        except OSError:
            is_dir = False
        if is_dir:
            if recursive and not entry.name.startswith(".") and not entry.is_symlink():
                if walked is not None:
                    walked.add(entry.path)
                _walk(entry.path, suffix, recursive, walked, found)
            continue
        name = entry.name
        if name.startswith(".") or not name.endswith(suffix):
            continue
        if walked is not None and not entry.is_symlink():
            if entry.is_file():
                found.append(Path(entry.path))
            continue
        path = Path(entry.path)
        if not escapes(path) and path.is_file():
            found.append(path)


def outside_links(root: Path) -> tuple[frozenset[Path], list[Problem]]:
    """Return every symlink under `root` that escapes it, and warnings for linked folders inside.

    The escaping links are reported by the caller (`outside_problem`), at the front-matter
    line that names one where a record does.
    """
    links: set[Path] = set()
    problems: list[Problem] = []
    for parent, dirs, files in os.walk(root):  # followlinks=False
        for name in sorted(dirs + files):
            path = Path(parent) / name
            if not path.is_symlink():
                continue
            if escapes(path, root):
                links.add(path)
            elif path.is_dir() and not name.startswith("."):
                problems.append(warning(path, 1, "file", LINKED_FOLDER))
        dirs[:] = [d for d in dirs if not d.startswith(".")]
    return frozenset(links), problems


def outside_problem(path: Path) -> Problem:
    """Return the error for a file or folder that resolves outside the content folder."""
    return error(path, 1, "file", f"文件或目录{OUTSIDE}")


def name_problem(name: str) -> str | None:
    """Return why `name` cannot be a file beside a record (an attachment, a CSV), or None.

    Names are single file names: no folder, no way up, nothing a URL or Windows reads
    differently (#?% and \\:*"<>|), no control or bidi characters.
    """
    windows = PureWindowsPath(name)
    if "/" in name or "\\" in name or windows.drive or windows.is_absolute() or name in (".", ".."):
        # absolute, drive letter (C:), .., backslash, sub-folder, empty segment: all are paths
        return IN_FOLDER
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"文件名过长（{len(name.encode('utf-8'))} 字节，多数文件系统最多 {MAX_NAME_BYTES} 字节，约 85 个汉字）；请改短"
    if name.startswith("."):
        return "以 . 开头（隐藏文件）；请改名"
    bad = forbidden_character(name)
    if bad:
        return f"含有不可见的控制字符 {bad}；请改名"
    hidden = [c for c in name if unicodedata.category(c) in _INVISIBLE]
    if hidden:
        return f"含有不可见字符 U+{ord(hidden[0]):04X}；请改名"
    unsafe = sorted(_NAME_UNSAFE & set(name))
    if unsafe:
        return f"含有字符 {' '.join(unsafe)}（在网址或 Windows 文件名中有特殊含义）；请改名，如用 - 或 _ 代替"
    if name.endswith((" ", ".")) or name[0].isspace():
        return "以空格开头，或以空格或 . 结尾；请改名"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        return "是 Windows 的保留设备名（CON、NUL、COM1 等），在 Windows 上无法保存；请改名"
    return None


def shown_name(name: str) -> str:
    """Return `name` for a message on one line: invisible characters written as U+XXXX."""
    return "".join(f"U+{ord(c):04X}" if unicodedata.category(c) in _INVISIBLE else c for c in name)


def sibling_file(record: Path, name: str) -> tuple[Path | None, str | None]:
    """Return the file `name` beside the record file `record`, or None and why it is refused.

    A name written in NFC that is stored in NFD on disk (or the other way) is found.
    A file that does not exist returns (None, None): the caller words that message.
    """
    problem = name_problem(name)
    if problem:
        return None, problem
    file = record.parent / name
    try:
        if not file.exists() and not file.is_symlink():
            wanted = unicodedata.normalize("NFC", name)
            same = [p for p in record.parent.iterdir() if unicodedata.normalize("NFC", p.name) == wanted]
            if len(same) != 1:
                return None, None
            file = same[0]
        if escapes(file):
            return None, OUTSIDE
        return (file, None) if file.is_file() else (None, None)
    except OSError as exc:  # a name the file system refuses, a folder that cannot be listed
        return None, f"无法读取（{exc.strerror or exc}）"


def read_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """Return the bytes of the content file `path`, or None and the problem (outside, unreadable)."""
    if escapes(path):
        return None, [outside_problem(path)]
    try:
        return path.read_bytes(), []
    except OSError as exc:
        return None, [error(path, 1, "file", f"无法读取文件（{exc.strerror}）")]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One Markdown file with YAML front matter, split and with its line offsets."""

    path: Path
    front_matter: str
    front_matter_line: int  # file line of the first front-matter line
    body: str
    body_line: int  # file line of the first body line
    digest: str  # sha256 of the raw bytes: what caches and feeds key on


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Return the file's text (UTF-8, BOM tolerated, CRLF → LF), or None and the problems."""
    data, problems = read_bytes(path)
    if data is None:
        return None, problems
    return decode(data, path)


def decode(data: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    """Return `data` decoded as UTF-8, or None and a problem naming the first bad line."""
    if len(data) > MAX_FILE_BYTES:
        return None, [error(path, 1, "file", "文件超过 5 MB，请拆分或改为附件")]
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [error(path, line, "encoding", "文件含有空字符（NUL），可能是二进制文件或 UTF-16 编码；请以 UTF-8 保存")]
    # a BOM is tolerated; strip it first so error positions count from the same bytes
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        guess = ""
        try:
            data.decode("gb18030")
            guess = "，看起来是 GBK/GB18030 编码（中文 Windows 默认）"
        except UnicodeDecodeError:
            pass
        return None, [error(path, line, "encoding", f"文件不是 UTF-8 编码{guess}；请用 UTF-8 另存后再提交")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split_front_matter(path: Path, text: str, digest: str) -> tuple[SourceFile | None, list[Problem]]:
    """Return the file split at its `---` fences, or None and the problem."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [
            error(path, 1, "front_matter", "文件必须以前置元数据开头：第一行写 ---，接着写 键: 值，再以 --- 结束")
        ]
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return SourceFile(
                path=path,
                front_matter="\n".join(lines[1:number]),
                front_matter_line=2,
                body="\n".join(lines[number + 1 :]),
                body_line=number + 2,
                digest=digest,
            ), []
    return None, [error(path, 1, "front_matter", "前置元数据没有结束：请在元数据之后单独一行写 ---")]


def read_source(path: Path) -> tuple[SourceFile | None, list[Problem]]:
    """Return the record file at `path` split into front matter and body, or the problems."""
    data, problems = read_bytes(path)
    if data is None:
        return None, problems
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    return split_front_matter(path, text, hashlib.sha256(data).hexdigest())
