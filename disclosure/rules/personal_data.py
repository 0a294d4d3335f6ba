"""Personal data (《政府信息公开条例》第十五条): the scan of every content file for unmasked numbers.

The scan runs on the raw text of every content file (front matter, body, HTML comments,
tables, link URLs) and on what a reader sees of a body (`disclosure.core.visible_text`:
emphasis, inline tags, entities and line breaks joined), on file names and inside
attachments (`disclosure.rules.attachment_text`). A number is never shown in full: every
message carries the masked form (110105********002X). Finding the numbers:
`disclosure/rules/personal_numbers.py`; numbers published on purpose:
`disclosure/rules/personal_allow_list.py`; the last gate over every generated file:
`disclosure/outputs/output_gate.py`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from disclosure.core import strict_yaml
from disclosure.core.problems import Problem, error, warning
from disclosure.core.visible_text import Mode, digit_regions, quick, render
from disclosure.rules import attachment_text
from disclosure.rules.personal_allow_list import ALLOW_FILE, AllowList
from disclosure.rules.personal_numbers import MAX_FINDINGS, Finding, line_and_column, locate, scan_text

SPLIT = "（号码被标记、标签或换行隔开，读者看到的仍是完整号码）"


# ---------------------------------------------------------------------------- files


def scan_markup(raw: str, mode: Mode, today: date | None = None) -> list[tuple[Finding, int]]:
    """Return (finding, raw offset) for the numbers a reader sees in `raw` once markup is read.

    What the plain scan cannot see: digits joined by inline tags, emphasis, entities or a
    line break inside a paragraph (`disclosure.core.visible_text`); found once per raw position.
    """
    found: dict[tuple[int, str], Finding] = {}
    for left, right in digit_regions(raw, mode):
        window = raw[left:right]
        if mode != "markdown" and not scan_text(quick(window, mode), today):
            continue  # the common case (a table row of figures), at C speed: nothing there
        piece = render(window, mode, left)
        for f in scan_text(piece.text, today):
            found.setdefault((piece.raw_offset(f.start), f.sha256), f)
    return [(f, at) for (at, _), f in sorted(found.items(), key=lambda item: item[0][0])]


def _problem(path: Path | str, line: int, key: str, f: Finding, column: int | None, note: str = "") -> Problem:
    make = error if f.severity == "error" else warning
    return make(path, line, key, f.message(column) + note)


def scan_piece(
    text: str,
    path: Path,
    first_line: int,
    key_of_line: Any,
    allow: AllowList,
    today: date | None = None,
    markup: Mode | None = None,
    prose: bool = True,
) -> tuple[list[Problem], set[str]]:
    """Return problems for a piece of a file starting at `first_line`, and the hashes found.

    With `markup`, the piece is also read as a reader sees it (a Markdown body: emphasis,
    inline tags and line breaks joined), each number reported at its line in the source.
    """
    findings = scan_text(text, today, prose=prose)
    problems, hashes = [], set()
    reported: set[tuple[int, str]] = set()
    for f, line, column in locate(text, findings, first_line):
        hashes.add(f.sha256)
        reported.add((line, f.sha256))
        if not allow.admits(f, path):
            problems.append(_problem(path, line, key_of_line(line), f, column))
    for f, offset in scan_markup(text, markup, today) if markup else ():
        line, column = line_and_column(text, offset, first_line)
        if (line, f.sha256) in reported:
            continue
        reported.add((line, f.sha256))
        hashes.add(f.sha256)
        if not allow.admits(f, path):
            problems.append(_problem(path, line, key_of_line(line), f, column, SPLIT))
    if len(findings) >= MAX_FINDINGS:
        problems.append(error(path, first_line, key_of_line(first_line), f"疑似个人信息超过 {MAX_FINDINGS} 处，只列出前 {MAX_FINDINGS} 处"))
    return problems, hashes


def scan_name(path: Path, allow: AllowList, key: str = "file", line: int = 1) -> list[Problem]:
    """Return problems for a number in a file's name (record files and attachments)."""
    problems = []
    for f in scan_text(path.name):
        if not allow.admits(f, path):
            make = error if f.severity == "error" else warning
            problems.append(make(path, line, key, f"文件名中{f.message(action='请改名').removeprefix('的')}"))
    return problems


def scan_source(source: Any, located: strict_yaml.Located | None, allow: AllowList, today: date | None = None) -> list[Problem]:
    """Return problems for one Markdown file: name, raw front matter, body, and YAML values.

    `source` is a `sources.SourceFile`; `located` its parsed front matter (None if broken).
    """
    path: Path = source.path
    problems = scan_name(path, allow)
    key_lines = sorted(((line, strict_yaml.key_text(k)) for k, line in (located.lines.items() if located else ()) if k))

    def front_key(line: int) -> str:
        best = "front_matter"
        for key_line, key in key_lines:
            if key_line > line:
                break
            best = key
        return best

    found, hashes = scan_piece(source.front_matter, path, source.front_matter_line, front_key, allow, today)
    problems += found
    found, more = scan_piece(source.body, path, source.body_line, lambda _line: "body", allow, today, "markdown")
    problems += found
    hashes |= more
    if located is not None:
        problems += scan_yaml_values(located, path, allow, today, hashes)
    return problems


def scan_yaml_values(
    located: strict_yaml.Located, path: Path, allow: AllowList, today: date | None = None, hashes: set[str] | None = None
) -> list[Problem]:
    """Return problems in parsed YAML values: what the raw text hides, as a page shows the values.

    YAML escapes ("\x31\x33…") and folded or literal blocks hide digits from the raw text;
    a value is also read as Markdown (emphasis, line breaks joined), and a list of words as
    the page joins it ("联系1380013", "8000" → 联系1380013 8000).
    """
    hashes = set() if hashes is None else hashes
    problems: list[Problem] = []

    def report(keys: tuple[Any, ...], text: str) -> None:
        plain = scan_text(text, today, prose=True)
        joined = [f for f, _ in scan_markup(text, "markdown", today)] if text else []
        for f, note in [*((f, "") for f in plain), *((f, SPLIT) for f in joined)]:
            if f.severity == "error" and f.sha256 not in hashes and not allow.admits(f, path):
                hashes.add(f.sha256)
                problems.append(_problem(path, located.line_of(keys), strict_yaml.key_text(keys) or "front_matter", f, None, note))

    for keys, value in yaml_strings(located.value, ()):
        report(keys, value)
    for keys, values in _string_lists(located.value):
        report(keys, " ".join(values))
    return problems


def _nodes(value: Any, keys: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Yield every node of parsed YAML (mappings, lists, scalars) with the keys that lead to it."""
    yield keys, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        yield from _nodes(v, (*keys, k))


def yaml_strings(value: Any, keys: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    return ((k, v) for k, v in _nodes(value, keys) if isinstance(v, str))


def _string_lists(value: Any) -> Iterator[tuple[tuple[Any, ...], list[str]]]:
    """Yield each list holding two or more strings: a page shows them side by side."""
    for keys, node in _nodes(value):
        words = [v for v in node if isinstance(v, str)] if isinstance(node, list) else []
        if len(words) > 1:
            yield keys, words


def scan_other_files(
    root: Path, allow: AllowList, handled: Collection[Path] = (), today: date | None = None
) -> list[Problem]:
    """Return problems in every content file not scanned elsewhere: YAML, CSV, guide parts, attachments.

    Records and pages (`handled`) are scanned where they are validated; the allow-list by
    `load_allow_list`. Attachments are read by `disclosure.rules.attachment_text`: text files by
    their real encoding, Office/ODF, PDF and ZIP (recursively); a file whose text cannot be
    read gets a warning that names it.
    """
    problems: list[Problem] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file() or path in handled:
            continue
        if rel.as_posix() == ALLOW_FILE:
            continue
        problems += scan_name(path, allow)
        problems += scan_attachment(path, allow, today)
        if path.suffix.lower() in (".yaml", ".yml") and path.stat().st_size <= 5_000_000:
            problems += _scan_yaml_file(path, allow, today, {p.message for p in problems if p.path == str(path)})
    return problems


def _scan_yaml_file(path: Path, allow: AllowList, today: date | None, said: set[str]) -> list[Problem]:
    """Return problems in the values of a YAML file (site.yaml, reports/…), not said by the raw scan."""
    text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
    located, _ = strict_yaml.load(text, str(path))  # its own reader reports the YAML's problems
    if located is None:
        return []
    raw = {f.sha256 for f in scan_text(text, today)}
    return [p for p in scan_yaml_values(located, path, allow, today, raw) if p.message not in said]


MAX_ATTACHMENT_BYTES = 100_000_000
_MARKUP_OF: dict[str, Mode] = {"markdown": "markdown", "html": "html", "xml": "xml"}


def scan_attachment(path: Path, allow: AllowList, today: date | None = None) -> list[Problem]:
    """Return problems in the text of one content file (the file itself or, for archives, its members)."""
    suffix = path.suffix.lower()
    if suffix not in attachment_text.UNREADABLE and path.stat().st_size > MAX_ATTACHMENT_BYTES:
        return [warning(path, 1, "file", f"文件超过 {MAX_ATTACHMENT_BYTES // 1_000_000} MB，{attachment_text.NOT_CHECKED}")]
    data = b"" if suffix in attachment_text.UNREADABLE else path.read_bytes()
    problems: list[Problem] = []
    for found in attachment_text.extract(path.name, data):
        if isinstance(found, attachment_text.Unreadable):
            where = f"压缩包成员 {found.member}：" if found.member else ""
            problems.append(warning(path, 1, "file", f"{where}{found.reason}"))
        elif not found.member:
            problems += _scan_file_text(found, path, allow, today)
        else:
            problems += _scan_member_text(found, path, allow, today)
    return problems


def _scan_file_text(found: Any, path: Path, allow: AllowList, today: date | None) -> list[Problem]:
    """Return problems of a text file's own text, at their lines (a CSV cell as a spreadsheet shows it)."""
    problems, _ = scan_piece(
        found.text, path, 1, lambda _line: "file", allow, today, _MARKUP_OF.get(found.kind), prose=found.kind != "csv"
    )
    if found.kind == "csv":
        seen = {(p.line, p.message) for p in problems}
        for f, line, _column in csv_findings(found.text, "\t" if path.suffix.lower() == ".tsv" else ",", raw_scan=False):
            problem = _problem(path, line, "file", f, None, SPLIT)
            if not allow.admits(f, path) and (problem.line, problem.message) not in seen:
                problems.append(problem)
    return problems


def _scan_member_text(found: Any, path: Path, allow: AllowList, today: date | None) -> list[Problem]:
    """Return problems of text inside an attachment (a Word part, a PDF, a member of a zip)."""
    text: str = found.text
    findings = {(f.start, f.sha256): f for f in scan_text(text, today)}
    if found.kind in _MARKUP_OF:
        for f, offset in scan_markup(text, _MARKUP_OF[found.kind], today):
            findings.setdefault((offset, f.sha256), f)
    problems: list[Problem] = []
    for (offset, _), f in sorted(findings.items(), key=lambda item: item[0][0]):
        if allow.admits(f, path):
            continue
        line = text.count("\n", 0, offset) + 1
        where = found.member + (f" 第 {line} 行" if found.lines and "\n" in text else "")
        make = error if f.severity == "error" else warning
        problems.append(make(path, 1, "file", f"附件内容中{f.message().removeprefix('的')}（{where}）"))
    return problems


def csv_findings(raw: str, delimiter: str, raw_scan: bool = True) -> list[tuple[Finding, int, int]]:
    """Return the numbers of a CSV file: cells apart, a cell as a spreadsheet shows it."""
    found = {(line, f.sha256): (f, line, column) for f, line, column in locate(raw, scan_text(raw), 1)} if raw_scan else {}
    reader = csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter)
    line = 1
    try:
        for row in reader:
            for cell in row:
                if "<" in cell or "&" in cell or "\n" in cell or "\r" in cell:
                    for f, _ in scan_markup(cell, "html"):
                        found.setdefault((line, f.sha256), (f, line, 1))
            line = reader.line_num + 1
    except csv.Error:
        pass  # the raw scan above read every character; a CSV that does not parse hides no cell from it
    return sorted(found.values(), key=lambda item: (item[1], item[2]))
