"""Read content files from disk: decode strictly, split front matter from body, keep lines."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from disclosure.problems import Problem, error

MAX_FILE_BYTES = 5_000_000


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
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [error(path, 1, "file", f"无法读取文件（{exc.strerror}）")]
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
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [error(path, 1, "file", f"无法读取文件（{exc.strerror}）")]
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    return split_front_matter(path, text, hashlib.sha256(data).hexdigest())
