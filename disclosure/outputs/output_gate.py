"""The last gate (《政府信息公开条例》第十五条): no generated file shows an unmasked number.

Run on the staging folder before the swap: every page, feed, data file and the search
service's stored text is read once more as its reader reads it, so a number that
templates joined or markup hid from the scan of the sources (`disclosure/rules/personal_data.py`)
still stops the publication. Numbers on the allow list pass by hash.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from whoosh import index
from whoosh.reading import SegmentReader

from disclosure.core.problems import ContentInvalid, Problem, error
from disclosure.core.visible_text import Mode
from disclosure.core.workers import worker_pool
from disclosure.outputs.application_form import APPLICATION_FORM
from disclosure.rules.attachment_text import Text, extract
from disclosure.rules.personal_allow_list import AllowList, load_allow_list
from disclosure.rules.personal_data import csv_findings, scan_markup, yaml_strings
from disclosure.rules.personal_numbers import Finding, could_hold_number, line_and_column, locate, scan_text

GATE = "源文件检查未发现，可能由模板拼接或转义产生；本次未发布"
# Word files the build writes itself (attachments passed the scan of the sources as they are)
GENERATED_DOCUMENTS = frozenset({APPLICATION_FORM})
TEXT_SUFFIXES = {".yaml", ".yml", ".csv", ".tsv", ".txt", ".json", ".md", ".html", ".htm", ".xml", ".atom", ".rss", ".js", ".svg"}


def check_output(staging: Path, output_dir: Path, content_dir: Path) -> None:
    """Raise ContentInvalid when generated pages, feeds, data or search text show a number.

    Templates may join fields, and markup may hide digits in the source; so every output
    file is read once more as its reader sees it (`output_texts`: tags removed, entities
    decoded, line breaks inside a paragraph joined) before the swap. The search service
    builds its snippets at query time from stored text: the Whoosh index's stored fields
    are read here; the body text (`.search/body/text.bin`) is `visible_text.text_of` of the
    record pages' bodies, which are read here with the same rules. Pages the freezer
    hard-linked unchanged from the live site passed this gate when published. The reading modes'
    folders are walked like any other: what they hold (their stylesheets, links to the pages'
    folders, which are read under their own names) is read like every file.
    """
    allow, _ = load_allow_list(content_dir)
    allow = AllowList(None, allow.entries)  # output files are not content files: hashes only
    problems: list[Problem] = []
    to_scan: list[tuple[Path, Path]] = []
    for name in _unknown_files(staging, output_dir):
        path, shown = staging / name, output_dir / name
        for f in scan_text(path.name):
            if f.severity == "error" and not allow.admits(f, None):
                problems.append(error(shown, 1, "file", f"生成结果的文件名中{f.message(action=GATE).removeprefix('的')}"))
        if name in GENERATED_DOCUMENTS:
            problems += _document_problems(path, shown, allow)
            continue
        if path.suffix.lower() in TEXT_SUFFIXES:
            to_scan.append((path, shown))
    problems += _scan_all(to_scan, allow)
    problems += _stored_search_problems(staging, output_dir, allow)
    if problems:
        raise ContentInvalid(problems)


PARALLEL_THRESHOLD = 2000  # files: below this a pool costs more than it saves


def _scan_all(files: list[tuple[Path, Path]], allow: AllowList) -> list[Problem]:
    """Return the problems of the text files (staging path, published path), in their order;
    a large site's on every core (worker i scans files i, i + n, i + 2n …)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(files) < PARALLEL_THRESHOLD or workers == 1:
        per_file = _scan(files, allow)
    else:
        with worker_pool(workers) as pool:
            slices = list(pool.map(_scan, [files[i::workers] for i in range(workers)], [allow] * workers))
        per_file = [slices[n % workers][n // workers] for n in range(len(files))]
    return [problem for found in per_file for problem in found]


def _scan(files: list[tuple[Path, Path]], allow: AllowList) -> list[list[Problem]]:
    """Return each file's problems."""
    return [
        [
            error(shown, line, "file", f"生成结果{f.message(column, GATE)}")
            for f, line, column in output_findings(path)
            if f.severity == "error" and not allow.admits(f, None)
        ]
        for path, shown in files
    ]


_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def output_findings(path: Path) -> list[tuple[Finding, int, int]]:
    """Return (finding, line, column) for every number shown by one generated text file."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if not could_hold_number(raw) and ("&" not in raw or not could_hold_number(html.unescape(raw))):
        return []  # too few digits in any form for a number (a search shard written without digits)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return csv_findings(raw, "\t" if suffix == ".tsv" else ",")
    if suffix == ".txt":
        return list(locate(raw, scan_text(raw), 1))
    text = html.unescape(raw)
    found = {(line, f.sha256): (f, line, column) for f, line, column in locate(text, scan_text(text), 1)}
    mode: Mode = "xml" if suffix in (".xml", ".atom", ".rss") else "html"  # .json, .js: strings may hold HTML

    for f, offset in scan_markup(raw, mode):
        line, column = line_and_column(raw, offset, 1)
        found.setdefault((line, f.sha256), (f, line, column))
    if suffix in (".json", ".js") and "\\" in raw:
        # an escape (\u0031, \n) hides digits from the raw text: decode those strings
        for literal in _JSON_STRING.finditer(raw):
            if "\\" not in literal.group():
                continue
            try:
                value = json.loads(literal.group())
            except ValueError:
                continue
            line, column = line_and_column(raw, literal.start(), 1)
            for f in scan_text(value):
                found.setdefault((line, f.sha256), (f, line, column))
            for f, _ in scan_markup(value, "html"):
                found.setdefault((line, f.sha256), (f, line, column))
    return sorted(found.values(), key=lambda item: (item[1], item[2]))


def _document_problems(path: Path, shown: Path, allow: AllowList) -> list[Problem]:
    """Return problems in the text of a Word file the build wrote (the 申请表)."""
    problems = []
    for found in extract(path.name, path.read_bytes()):
        if not isinstance(found, Text):  # the build's own file always opens; say so if it does not
            problems.append(error(shown, 1, "file", f"生成结果{found.reason}"))
            continue
        for f in scan_text(found.text):
            if f.severity == "error" and not allow.admits(f, None):
                problems.append(error(shown, 1, "file", f"生成结果（{found.member}）{f.message(None, GATE).removeprefix('的')}"))
    return problems


def _stored_search_problems(staging: Path, output_dir: Path, allow: AllowList) -> list[Problem]:
    """Return problems in the stored fields of the Whoosh index the search service shows.

    A segment (a file named by its random id) the live index holds with the same bytes and, in
    both, no deleted document passed this gate whole: its stored fields are not read again."""
    folder = staging / ".search" / "whoosh"
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    shown = output_dir / ".search" / "whoosh"
    known = _whole_segments(shown)
    ix = index.open_dir(str(folder))
    try:
        for segment in ix._segments():
            name = segment.make_filename(".seg")
            whole = segment.segment_id() in known and segment.is_compound() and not segment.has_deletions()
            if whole and _same_bytes(os.path.join(folder, name), os.path.join(shown, name)):
                continue
            reader = SegmentReader(ix.storage, ix.schema, segment)
            try:
                for stored in reader.all_stored_fields():
                    for keys, value in yaml_strings(stored, ()):
                        for f in scan_text(value):
                            if f.severity == "error" and not allow.admits(f, None):
                                where = "".join(f"[{k}]" for k in keys)
                                message = f"生成结果（检索索引 {stored.get('key', '')} 的 {where}）{f.message(None, GATE).removeprefix('的')}"
                                problems.append(error(shown, 1, "file", message))
            finally:
                reader.close()
    finally:
        ix.close()
    return problems


def _whole_segments(folder: Path) -> set[str]:
    """Return the ids of the compound segments without deleted documents of the Whoosh index in `folder` (none: no index)."""
    try:
        ix = index.open_dir(str(folder))
    except Exception:  # no live index, or one this version cannot read: every segment is read
        return set()
    try:
        return {s.segment_id() for s in ix._segments() if s.is_compound() and not s.has_deletions()}
    finally:
        ix.close()


def _inside(path: str, folder: str) -> bool:
    """Return whether `path`, every symlink followed, lies in `folder` (a real path)."""
    return os.path.realpath(path).startswith(folder + os.sep)


def _unknown_files(staging: Path, output_dir: Path) -> list[str]:
    """Return, in path order, every file under `staging` that is not the live site's file of the
    same name (which passed this gate): a hard link of it (the same
    device and inode, as `Path.samefile` compares), or a copy of the same bytes.

    One listing a folder and a stat a file on each side, without a `Path` per file: the output
    holds tens of thousands of files, most of them hard links of the live site's."""
    unknown: list[str] = []
    live = os.fspath(output_dir)
    stack = [("", os.fspath(staging))]
    inside = os.path.realpath(staging)
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as listing:
            entries = list(listing)
        for entry in entries:
            if entry.is_dir():  # followed, as Path.rglob follows them …
                if not (entry.is_symlink() and _inside(entry.path, inside)):  # … unless walked under its own name
                    stack.append((f"{prefix}{entry.name}/", entry.path))
                continue
            if not entry.is_file() or (entry.is_symlink() and _inside(entry.path, inside)):
                continue  # a link to a file of the output (a mode's care/index.html): read under its own name
            name = prefix + entry.name
            try:
                mine, theirs = entry.stat(), os.stat(os.path.join(live, name))
            except OSError:
                unknown.append(name)  # no live file of that name: new
                continue
            if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
                continue
            if mine.st_size != theirs.st_size or not _same_bytes(entry.path, os.path.join(live, name)):
                unknown.append(name)
    return sorted(unknown, key=lambda name: name.split("/"))


def _same_bytes(a: str, b: str) -> bool:
    """Return whether two files of the same size hold the same bytes."""
    try:
        with open(a, "rb") as first, open(b, "rb") as second:
            while True:
                block = first.read(1 << 20)
                if block != second.read(1 << 20):
                    return False
                if not block:
                    return True
    except OSError:
        return False
