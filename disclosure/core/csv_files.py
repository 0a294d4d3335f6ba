"""CSV files staff keep beside a record (an approval list's items, a power's cases).

Excel on Chinese Windows saves GBK, elsewhere UTF-8 with or without a BOM; both are read.
Rows come back with the line they start on in the file, so a problem names the line a
member of staff sees in a text editor; blank rows are dropped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from disclosure.core.problems import Problem, error, warning
from disclosure.core.sources import IN_FOLDER, MAX_FILE_BYTES, read_bytes, shown_name, sibling_file

Rows = list[tuple[int, list[str]]]  # (line in the file, cells)


def read_sibling_csv(name: str, path: Path, line: int, key: str) -> tuple[Path | None, Rows, list[Problem]]:
    """Return the CSV file `name` beside the record `path` and its non-blank rows (header first).

    Problems with the file itself (a path, a missing file, a bad encoding) are reported at
    the record's `line` under `key` (items_csv, cases_csv); problems inside it at its own lines.
    """
    file, refused = sibling_file(path, name)
    if refused == IN_FOLDER or not name.lower().endswith(".csv"):
        return None, [], [error(path, line, key, f"“{name}”应为与本文件同一目录下的 .csv 文件名，不能含路径")]
    if refused:
        return None, [], [error(path, line, key, f"CSV 文件“{shown_name(name)}”{refused}")]
    if file is None:
        return None, [], [error(path, line, key, f"CSV 文件“{name}”不存在（应放在 {path.parent.name}/ 目录下）")]
    data, problems = read_bytes(file)
    if data is None:
        return file, [], problems
    if len(data) > MAX_FILE_BYTES:
        return file, [], [error(file, 1, "file", "文件超过 5 MB，请拆分")]
    text, problems = decode_csv(data, file)
    if text is None:
        return file, [], problems
    rows, found = csv_rows(text, file, key)
    return file, rows, problems + found


def decode_csv(data: bytes, file: Path) -> tuple[str | None, list[Problem]]:
    """Return the CSV text: UTF-8 (BOM or not), else GBK as Excel on Chinese Windows saves it."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [error(file, line, "encoding", "CSV 文件含有空字符（NUL），可能是 UTF-16 编码或 Excel 工作簿；请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”")]
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gbk")
    except UnicodeDecodeError:
        line = body[: utf8_error.start].count(b"\n") + 1
        return None, [error(file, line, "encoding", "CSV 文件既不是 UTF-8 也不是 GBK 编码，无法读取；请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”")]
    return text, [warning(file, 1, "encoding", "CSV 文件是 GBK 编码（中文 Windows 版 Excel 的默认格式），已按 GBK 读取；建议另存为“CSV UTF-8（逗号分隔）”")]


def csv_rows(text: str, file: Path, key: str) -> tuple[Rows, list[Problem]]:
    """Return the non-blank rows of decoded CSV text with the line each starts on."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))  # a cell may be as long as its file
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline=""))
    rows: Rows = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as bad:  # a cell over the size limit, a stray quote in strict mode …
        return [], [error(file, reader.line_num or line, key, f"CSV 文件在这一行无法读取（{bad}）；请在 Excel 中另存为 CSV 后重试")]
    return [(n, r) for n, r in rows if any(cell.strip() for cell in r)], []
