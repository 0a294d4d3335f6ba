"""`python build.py new KIND --agency …`: a new record file with the next free 索引号.

The file passes every rule except where a person must write: there it holds a
【待填写：<label>】 marker (`validation.to_fill`), which `check` and `build` report as
尚未填写 at its line, so that a record is never published half written.

What `new` writes is checked by the same function `check` uses before it becomes a record
file (a bad `--date`, a control character in `--title` …: nothing is written), it never
replaces a file, and never writes outside the content folder (a symlinked year folder).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import secrets
import sys
from datetime import date
from pathlib import Path

from disclosure.core.labels import labels_of
from disclosure.core.problems import Problem, display_path, sort_problems, summary_line
from disclosure.core.sources import confined, escapes, walk_files
from disclosure.core.validation import UNFILLED, to_fill
from disclosure.kinds import KIND_BY_NAME, Kind
from disclosure.rules.personal_allow_list import load_allow_list
from disclosure.site.content import read_config, validate_record_file

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INDEX_LINE = re.compile(r"""^index_number:\s*["']?([^"'\s#]+)""", re.MULTILINE)

def next_index_number(content_dir: Path, code: str, year: int) -> str:
    """Return `<code>/<year>-<serial>` with the serial one above the highest in use."""
    prefix = f"{code}/{year}-"
    highest = 0
    for path in walk_files(content_dir, ".md"):  # never a file outside the content folder
        if escapes(path, content_dir):
            continue
        head = path.read_bytes()[:4096].decode("utf-8", errors="replace")
        for found in _INDEX_LINE.findall(head):
            if found.startswith(prefix) and found[len(prefix) :].isdigit():
                highest = max(highest, int(found[len(prefix) :]))
    return f"{prefix}{highest + 1:05d}"


DOC_NUMBER_LINE = "# doc_number: \"代字〔年份〕序号号\"   # 发文字号，可不写\n"


def render_record(kind: Kind, title: str, index_number: str, agency: str, day: date, category: str) -> str:
    """Return the text of a new record file; every value is JSON-quoted, so YAML reads it as written."""
    q = json.dumps
    labels = labels_of(kind.name)
    return (
        "---\n"
        f"title: {q(title or to_fill(labels['title']), ensure_ascii=False)}\n"
        f"index_number: {q(index_number)}\n"
        f"agency: {q(agency, ensure_ascii=False)}\n"
        f"{DOC_NUMBER_LINE if kind.doc_number else ''}"
        f"written: {day.isoformat()}\n"
        f"published: {day.isoformat()}\n"
        f"category: {q(category, ensure_ascii=False)}   # 请核对：categories.yaml 中的分类路径\n"
        "keywords: []\n"
        "# summary: 内容概述（可不写，最多 300 字）\n"
        f"{kind.scaffold(day, agency)}"
        "---\n"
        f"{to_fill(labels['body'])}\n"
    )


def parse_day(text: str | None) -> date | None:
    """Return the date `text` (YYYY-MM-DD), today when not given, or None when it is not a valid date."""
    if not text:
        return date.today()
    if not _ISO_DATE.fullmatch(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def new_record(args: argparse.Namespace) -> int:
    """Write the new record file and print its path; return the exit status."""
    content_dir = Path(args.content)
    _site, agencies, categories, problems = read_config(content_dir)
    if any(p.is_error for p in problems):
        for problem in problems:
            print(problem, file=sys.stderr)
        print(summary_line(problems), file=sys.stderr)
        return 1
    agency = next((a for a in agencies if args.agency in (a.name, a.short_name)), None)
    if agency is None:
        names = "、".join(a.name for a in agencies)
        print(f"agencies.yaml 中没有“{args.agency}”。可用的发布机构：{names}", file=sys.stderr)
        return 1
    kind = KIND_BY_NAME[args.kind]
    day = parse_day(args.date)
    if day is None:
        print(f"发布日期（--date）“{args.date}”不是有效日期：请写成 YYYY-MM-DD，如 2024-03-01。未新建任何文件。", file=sys.stderr)
        return 1
    index_number = next_index_number(content_dir, agency.code, day.year)
    category = categories[0].path if categories else "其他"
    folder = content_dir / kind.folder / str(day.year)
    if escapes(folder, content_dir):
        print(
            f"目录 {folder} 实际位于内容目录 {content_dir} 之外（经符号链接 {folder.resolve()}），"
            "新记录不会写到那里；未新建任何文件。请改用内容目录中的真实目录。",
            file=sys.stderr,
        )
        return 1
    path = folder / f"{index_number.replace('/', '-')}.md"
    text = render_record(kind, args.title, index_number, agency.name, day, category)
    made = missing_folders(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        status = place_record(path, text, kind, content_dir, _site.index_number_pattern if _site else r"^.+/\d{4}-\d+$")
    except OSError as exc:
        print(f"无法写入 {path}：{exc.strerror or exc}。未新建任何文件。", file=sys.stderr)
        status = 1
    if status != 0:
        for created in reversed(made):  # leave no empty year folder behind either
            with contextlib.suppress(OSError):
                created.rmdir()
        return status
    print(path)
    print(
        f"索引号 {index_number} 已分配；请把文件中每个“【待填写：…】”换成实际内容（python build.py check 会逐项列出），"
        "核对主题分类后再发布。",
        file=sys.stderr,
    )
    return 0


def missing_folders(folder: Path) -> list[Path]:
    """Return `folder` and its ancestors that do not exist yet, outermost first."""
    return [p for p in (folder, *folder.parents) if not os.path.lexists(p)][::-1]


def refusals(path: Path, shown: Path, kind: Kind, content_dir: Path, pattern: str) -> list[Problem]:
    """Return the errors `check` would report for the record file at `path` (shown as `shown`), markers aside.

    The 尚未填写 errors of the 【待填写：…】 markers are what `new` means to leave.
    """
    allow, _ = load_allow_list(content_dir)
    with confined(content_dir):
        _item, found = validate_record_file(path, kind, pattern, allow)
    return [
        dataclasses.replace(p, path=display_path(shown), kind=kind.name)
        for p in found
        if p.is_error and not p.message.startswith(UNFILLED)
    ]


def place_record(path: Path, text: str, kind: Kind, content_dir: Path, pattern: str) -> int:
    """Write `text` as the record file `path` if `check` refuses nothing in it but its markers; return the exit status.

    The text is written to a hidden file beside `path` and checked there, then linked to
    `path` (a link never replaces a file already there) and the hidden name removed.
    """
    hidden = path.parent / f".{path.stem}.new-{secrets.token_hex(4)}"
    try:
        with hidden.open("x", encoding="utf-8") as new_file:
            new_file.write(text)
        refused = refusals(hidden, path, kind, content_dir, pattern)
        if refused:
            for problem in sort_problems(refused):
                print(problem, file=sys.stderr)
            print(f"{summary_line(refused)}\n未新建任何文件：请改正以上参数（--title、--date、--agency）后重新运行。", file=sys.stderr)
            return 1
        try:
            os.link(hidden, path)
        except FileExistsError:
            print(
                f"文件 {path} 已存在，未覆盖，也未新建任何文件：请检查该文件（其中的索引号是否与文件名一致），"
                "或将它改名后重新运行。",
                file=sys.stderr,
            )
            return 1
        except OSError:  # a file system without hard links: "x" never overwrites either
            with path.open("x", encoding="utf-8") as new_file:
                new_file.write(text)
        return 0
    finally:
        with contextlib.suppress(FileNotFoundError):
            hidden.unlink()
