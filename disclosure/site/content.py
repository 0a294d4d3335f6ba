"""Read and validate everything under content/: configuration, records, fixed pages.

Nothing here writes output. Every problem of every file is collected; the caller decides
whether the run can go on.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from disclosure.core import markdown_html, strict_yaml, xml_text
from disclosure.core.code_digest import python_digest
from disclosure.core.config import Agency, Category, CategoryNode, SiteConfig, flatten_categories
from disclosure.core.problems import Problem, display_path, error
from disclosure.core.progress import Progress
from disclosure.core.records import AttachmentFile, Page, PageMeta, Record, RecordMeta
from disclosure.core.sources import (
    SourceFile,
    confined,
    escapes,
    outside_links,
    outside_problem,
    read_source,
    read_text,
    shown_name,
    sibling_file,
    walk_files,
)
from disclosure.core.strict_yaml import UNREAD
from disclosure.core.validation import (
    MISSING,
    check_record_rules,
    normalise_doc_numbers,
    run_guarded,
    salvage,
    top_key,
    validate_model,
)
from disclosure.core.workers import worker_pool
from disclosure.core.yaml_files import read_yaml_file, validate_list
from disclosure.kinds import KIND_BY_NAME, KINDS, Kind
from disclosure.rules import personal_data
from disclosure.rules.guide import check_site_config
from disclosure.rules.personal_allow_list import ALLOW_FILE, AllowList, load_allow_list
from disclosure.site.body_cache import BodyCache, RecordCache, body_key
from disclosure.site.stray_files import stray_problems

ATTACHMENT_TYPES = {
    ".pdf": "PDF",
    ".ofd": "OFD",
    ".doc": "Word",
    ".docx": "Word",
    ".wps": "WPS",
    ".xls": "Excel",
    ".xlsx": "Excel",
    ".et": "WPS 表格",
    ".csv": "CSV",
    ".txt": "文本",
    ".zip": "ZIP",
    ".rar": "RAR",
    ".7z": "7z",
    ".jpg": "JPEG 图片",
    ".jpeg": "JPEG 图片",
    ".png": "PNG 图片",
}
PAGE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class Content:
    """Everything read from a content folder, validated and typed."""

    root: Path
    site: SiteConfig | None  # None: site.yaml was refused (its problems say why); nothing is built
    agencies: tuple[Agency, ...]
    categories: tuple[Category, ...]
    records: tuple[Record, ...]
    pages: tuple[Page, ...]
    kind_data: dict[str, Any] = field(default_factory=dict)  # kind name → what its `data` hook read
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # synonyms.yaml, for search
    # What was refused but still checked across records (errors found: nothing is built):
    # the records with errors of their own (their front matter typed, so their agency, 索引号 and
    # links are still checked; no body rendered), and what agencies.yaml and categories.yaml list
    # when they have errors (None: unreadable, so no record is checked against it).
    faulty: frozenset[Path] = frozenset()
    agency_names: frozenset[str] | None = None
    category_paths: frozenset[str] | None = None


def read_config(root: Path) -> tuple[SiteConfig | None, tuple[Agency, ...], tuple[Category, ...], list[Problem]]:
    """Return site.yaml, agencies.yaml and categories.yaml validated, and their problems."""
    config = _read_config(root)
    return config.site, config.agencies, config.categories, config.problems


@dataclass(frozen=True)
class _Config:
    site: SiteConfig | None
    agencies: tuple[Agency, ...]
    categories: tuple[Category, ...]
    problems: list[Problem]
    agency_names: frozenset[str] | None  # every name agencies.yaml lists, its refused entries' too
    category_paths: frozenset[str] | None  # None: categories.yaml has errors, nothing is checked against it


def _read_config(root: Path) -> _Config:
    problems: list[Problem] = []
    site: SiteConfig | None = None
    located, found = read_yaml_file(root / "site.yaml")
    problems += found
    if located is not None:
        site, found = validate_model(SiteConfig, located, root / "site.yaml", "site.yaml 的内容")
        problems += found
        if site is not None:
            problems += check_site_config(site, located, root / "site.yaml")

    agencies: list[Agency] = []
    agency_names: frozenset[str] | None = None
    path = root / "agencies.yaml"
    located, found = read_yaml_file(path)
    problems += found
    if located is not None:
        if isinstance(located.value, list):  # a refused entry's name is still listed: no record is refused for it
            agency_names = frozenset(a["name"].strip() for a in located.value if isinstance(a, dict) and isinstance(a.get("name"), str))
        listed, found = validate_list(Agency, located, path)
        problems += found
        agencies = [agency for _, agency in listed]
        agency_names = frozenset(a.name for a in agencies) | (agency_names or frozenset())
        seen: dict[str, int] = {}
        for i, agency in listed:
            line = located.line_of((i, "name"))
            if agency.name in seen:
                problems.append(error(path, line, f"[{i}].name", f"机构“{agency.name}”重复：第 {seen[agency.name]} 行已有"))
            seen.setdefault(agency.name, line)

    categories: list[Category] = []
    path = root / "categories.yaml"
    located, found = read_yaml_file(path)
    problems += found
    readable = not any(p.is_error for p in found)
    if located is not None:
        nodes, found = validate_list(CategoryNode, located, path, strings=True)
        problems += found
        readable = readable and not any(p.is_error for p in found)
        categories = flatten_categories(tuple(node for _, node in nodes))
        seen = {}
        for category in categories:
            if category.path in seen:
                problems.append(error(path, 1, "name", f"分类“{category.path}”重复"))
            seen[category.path] = 1
    paths = frozenset(c.path for c in categories) if readable else None
    return _Config(site, tuple(agencies), tuple(categories), problems, agency_names, paths)


def read_synonyms(root: Path) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """Return synonyms.yaml (a term → the terms searched with it); the file is optional."""
    path = root / "synonyms.yaml"
    if not path.is_file():
        return {}, []
    located, problems = read_yaml_file(path)
    if located is None or located.value is None:
        return {}, problems
    if not isinstance(located.value, dict):
        return {}, [*problems, error(path, located.line_of(()), "file", "应为映射：每行写“词: [同义词, …]”")]
    table: dict[str, tuple[str, ...]] = {}
    for key, items in located.value.items():
        values = [items] if isinstance(items, str) else items
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            problems.append(error(path, located.line_of((key,)), str(key), "同义词应为非空的文字列表，如 个税: [个人所得税]"))
            continue
        table[str(key).strip()] = tuple(v.strip() for v in values)
    return table, problems


def find_record_files(root: Path, kind: Kind) -> list[Path]:
    """Return the Markdown files of one kind, in a stable order (symlinked folders are not entered)."""
    return walk_files(root / kind.folder, ".md")


@dataclass(frozen=True, slots=True)
class _Pending:
    kind: Kind
    source: SourceFile
    meta: RecordMeta
    lines: dict[str, int]
    attachments: tuple[AttachmentFile, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)


def validate_record_file(
    path: Path,
    kind: Kind,
    index_pattern: str,
    allow: AllowList | None = None,
    cache: RecordCache | None = None,
    cache_salt: str = "",
) -> tuple[_Pending | None, list[Problem]]:
    """Return one record file validated (body not yet rendered), or None and its problems.

    With `cache`, a file whose bytes were validated before (same kind, pattern, allow-list
    and engine: `cache_salt`) is not parsed again; its attachments are still looked at.
    """
    source, problems = read_source(path)
    if source is None:
        return None, problems
    key = hashlib.sha256(f"{cache_salt}\0{kind.name}\0{path}\0{source.digest}".encode()).hexdigest()
    if kind.prepare is not None:  # what it derives reads files beside the record: never cached
        cache = None
    if cache is not None and (hit := cache.get(key)) is not None:
        meta, lines, problems = hit
        attachments, found = resolve_attachments(meta, lines, path)
        return _Pending(kind, source, meta, lines, attachments), problems + found
    pending, problems = _validate_source(source, path, kind, index_pattern, allow, problems)
    if cache is not None and pending is not None and not any(p.is_error for p in problems):
        cache.put(key, (pending.meta, pending.lines, [p for p in problems if not p.key.startswith("attachments")]))
    return pending, problems


def _validate_source(
    source: SourceFile,
    path: Path,
    kind: Kind,
    index_pattern: str,
    allow: AllowList | None,
    problems: list[Problem],
) -> tuple[_Pending | None, list[Problem]]:
    """Return the record of `source` validated, or None; and every problem found in it.

    Nothing found stops the other checks of the file: a YAML error leaves the blocks that parse
    (`strict_yaml.recover`) to be checked, the body is checked whatever its front matter, and a
    refused value leaves the record's rules to run on the fields that validated (`salvage`).
    """
    located, found = strict_yaml.load(source.front_matter, str(path), source.front_matter_line)
    problems += found
    broken: frozenset[str] = frozenset()
    if located is None:  # one syntax error: read what still parses, block by block
        recovered = strict_yaml.recover(source.front_matter, str(path), source.front_matter_line)
        if recovered.problems:  # the same error at its key, and any other block's
            problems = [p for p in problems if p not in found] + recovered.problems
        located, broken = recovered.located, recovered.broken
    problems += personal_data.scan_source(source, located if located.value is not None else None, allow or AllowList())
    problems += markdown_html.lint(source.body, path, source.body_line)
    problems += xml_text.body_problems(source.body, path, source.body_line)
    if located.value is None and found:
        return None, problems
    problems += normalise_doc_numbers(located, path)
    meta, found = validate_model(kind.model, located, path)
    if broken:  # a broken block's value is unknown, not missing (any key may be in an unreadable one)
        found = [p for p in found if top_key(p.key) not in broken and not (UNREAD in broken and p.message == MISSING)]
    problems += found
    lines = {strict_yaml.key_text(k): v for k, v in located.lines.items() if k}
    if meta is None or broken:
        refused = {top_key(p.key) for p in found if p.is_error} | broken
        salvaged = salvage(kind.model, located.value, refused)
        if salvaged is None:
            return None, problems
        problems += [p for p in _record_rules(salvaged, lines, path, kind, index_pattern, True) if top_key(p.key) not in refused]
        if not _checkable_across(salvaged, kind):
            return None, problems
        return _Pending(kind, source, salvaged, lines, ()), problems  # an error above: checked across records, never built
    problems += _record_rules(meta, lines, path, kind, index_pattern, False)
    extra: Mapping[str, Any] = {}
    if kind.prepare:
        extra, found = kind.prepare(meta, lines, path)
        problems += found
    attachments, found = resolve_attachments(meta, lines, path)
    problems += found
    return _Pending(kind, source, meta, lines, attachments, extra), problems


# what the checks across records read of a record (agency known, 索引号 unique, links, dates)
_ACROSS = ("title", "index_number", "agency", "category", "written", "published", "draft", "changes", "attachments", "repealed_by")


def _checkable_across(meta: RecordMeta, kind: Kind) -> bool:
    """Return whether a salvaged record holds every field the checks across records read."""
    try:
        for key in _ACROSS:
            getattr(meta, key)
        list(kind.links(meta))
        list(kind.events(meta))
        list(kind.files(meta))
    except AttributeError:  # one of them was refused
        return False
    return True


def _record_rules(meta: RecordMeta, lines: dict[str, int], path: Path, kind: Kind, pattern: str, holes: bool) -> list[Problem]:
    """Return the problems of the rules across one record's fields: every record's, then its kind's."""
    problems = check_record_rules(meta, lines, path, pattern, holes)
    if kind.rules:
        problems += run_guarded(kind.rules, meta, lines, path, holes=holes)
    return problems


def resolve_attachments(meta: RecordMeta, lines: dict[str, int], path: Path) -> tuple[tuple[AttachmentFile, ...], list[Problem]]:
    """Return the record's attachments with size and type, refusing paths outside its folder.

    Names are published in NFC; two names that are one in NFC or differ only in case
    (one file on a case-insensitive host) are refused, naming both.
    """
    found: list[AttachmentFile] = []
    problems: list[Problem] = []
    seen: dict[str, tuple[str, int, str]] = {}
    for i, item in enumerate(meta.attachments):
        key = f"attachments[{i}].file"
        line = lines.get(key, 1)
        name = item.file
        file, refused = sibling_file(path, name)
        if refused:
            problems.append(error(path, line, key, f"附件“{shown_name(name)}”{refused}"))
            continue
        published = unicodedata.normalize("NFC", name)
        suffix = Path(published).suffix.lower()
        if suffix not in ATTACHMENT_TYPES:
            allowed = "、".join(sorted({s.lstrip('.') for s in ATTACHMENT_TYPES}))
            problems.append(error(path, line, key, f"附件类型“{suffix or '无扩展名'}”不允许发布；允许：{allowed}"))
            continue
        if file is None:
            problems.append(error(path, line, key, f"附件文件“{name}”不存在（应放在 {path.parent.name}/ 目录下）"))
            continue
        fold = published.casefold()
        if fold in seen:
            other, other_line, other_name = seen[fold]
            problems.append(
                error(path, line, key, f"附件“{name}”与第 {other_line} 行的 {other}“{other_name}”"
                      "只差 Unicode 规范化形式或大小写，发布后是同一个网址：请改名其中一个")
            )
            continue
        seen[fold] = (key, line, name)
        stat = file.stat()
        if stat.st_nlink > 1 and not file.is_symlink():
            # git never stores hard links: the same bytes live under another name, perhaps outside content/
            problems.append(error(path, line, key, f"附件“{name}”是硬链接（另有 {stat.st_nlink - 1} 处同一文件），"
                                  "其内容可能来自内容目录之外，已拒绝；请复制为普通文件（cp 不带 -l）"))
            continue
        found.append(AttachmentFile(item.title, published, file, stat.st_size, ATTACHMENT_TYPES[suffix]))
    return tuple(found), problems


def _named_files(pending: list[_Pending]) -> set[Path]:
    """Return the files that records name in their front matter (attachments, `Kind.files`: a CSV)."""
    return {path for item in pending for path in _files_named(item.kind, item.meta, item.source.path.parent)}


def _files_named(kind: Kind, meta: RecordMeta, folder: Path) -> set[Path]:
    """Return the files one record (in `folder`) names in its front matter."""
    return {folder / a.file for a in meta.attachments} | {folder / name for name in kind.files(meta)}


def _render_one(body: str) -> tuple[str, str]:
    html = markdown_html.render(body)
    return html, markdown_html.plain_text(html)


def render_bodies(bodies: list[str], cache: BodyCache, progress: Progress) -> list[tuple[str, str]]:
    """Return (html, text) for every body, from the cache where possible, else on all cores."""
    keys = [body_key(b) for b in bodies]
    known = cache.get_many(keys)
    missing = {k: b for k, b in zip(keys, bodies, strict=True) if k not in known}
    progress.start("渲染正文", len(missing))
    fresh: dict[str, tuple[str, str]] = {}
    todo = list(missing.items())
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) >= PARALLEL_THRESHOLD and workers > 1:
        with worker_pool(workers) as pool:
            results = pool.map(_render_one, [b for _, b in todo], chunksize=16)
            for n, ((key, _), result) in enumerate(zip(todo, results, strict=True), start=1):
                fresh[key] = result
                progress.update(n)
    else:
        for n, (key, body) in enumerate(todo, start=1):
            fresh[key] = _render_one(body)
            progress.update(n)
    cache.put_many(fresh)
    known.update(fresh)
    return [known[k] for k in keys]


def read_pages(root: Path, allow: AllowList | None = None) -> tuple[list[Page], list[Problem]]:
    """Return the fixed pages of content/pages/ and their problems."""
    pages: list[Page] = []
    problems: list[Problem] = []
    for path in walk_files(root / "pages", ".md", recursive=False):
        if not PAGE_SLUG.match(path.stem):
            problems.append(error(path, 1, "file", "固定页面的文件名只能用小写字母、数字和连字符，如 apply.md"))
            continue
        source, found = read_source(path)
        problems += found
        if source is None:
            continue
        located, found = strict_yaml.load(source.front_matter, str(path), source.front_matter_line)
        problems += found
        problems += personal_data.scan_source(source, located, allow or AllowList())
        if located is None:
            continue
        meta, found = validate_model(PageMeta, located, path)
        found += markdown_html.lint(source.body, path, source.body_line)
        problems += found
        if meta is not None and not any(p.is_error for p in found):  # a body refused as too costly is never rendered
            pages.append(Page(path.stem, meta, path, markdown_html.render(source.body)))
    return pages, problems


def read_content(
    root: Path, cache: BodyCache, progress: Progress, records_cache: RecordCache | None = None
) -> tuple[Content | None, list[Problem]]:
    """Return the whole content folder validated (None only when there is no folder), and every problem.

    A content folder with errors is returned too, so that the checks across records run on
    what validated (`Content.faulty` marks the records with errors of their own); the caller
    builds nothing when any problem is an error.
    """
    if not root.is_dir():
        return None, [error(root, 1, "file", "内容目录不存在")]
    with confined(root) as resolved:
        content, problems = _read_confined(resolved, cache, progress, records_cache)
    # a file refused on reading is also an outside link: say it once
    return content, list(dict.fromkeys(problems))


def _read_confined(
    root: Path, cache: BodyCache, progress: Progress, records_cache: RecordCache | None
) -> tuple[Content | None, list[Problem]]:
    """Return the content folder `root` (resolved, confined) validated, and every problem."""
    links, problems = outside_links(root)
    config = _read_config(root)
    site, agencies, categories = config.site, config.agencies, config.categories
    problems += config.problems
    pattern = site.index_number_pattern if site else r"^.+/\d{4}-\d+$"
    allow_file = root / ALLOW_FILE
    if escapes(allow_file):  # reported by outside_links; never read
        allow = AllowList(root)
    else:
        allow, found = load_allow_list(root)
        problems += found

    files = [(kind, path) for kind in KINDS for path in find_record_files(root, kind)]
    progress.start("校验记录", len(files))
    pending: list[_Pending] = []
    faulty: set[Path] = set()  # records with errors of their own: checked across records, never built
    refused: set[Path] = set()  # record files whose front matter could not be typed
    allow_text, _ = read_text(allow_file) if allow_file.is_file() else ("", [])
    salt = "\0".join([python_digest(), pattern, os.getcwd(), allow_text or ""])
    for n, (kind, path) in enumerate(files, start=1):
        item, found = validate_record_file(path, kind, pattern, allow, records_cache, salt)
        problems += [replace(p, kind=kind.name) for p in found]  # labelled as that kind's keys
        if item is None:
            refused.add(path)
        else:
            pending.append(item)
            # an error in the file itself; a refused CSV row is left out of what its kind read
            if any(p.is_error and p.path == display_path(path) for p in found):
                faulty.add(item.source.path)
        progress.update(n)
    pages, found = read_pages(root, allow)
    problems += found
    synonyms, found = read_synonyms(root)
    problems += found
    kind_data: dict[str, Any] = {}
    for kind in KINDS:  # a kind's own files beyond records: evaluations/<year>.yaml
        kind_data[kind.name], found = kind.data(root, tuple(a.name for a in agencies))
        problems += [replace(p, kind=kind.name) for p in found]
    # every other file: YAML, CSV, guide parts, attachment names (政府信息公开条例 Art. 15)
    handled = {path for _, path in files} | set(walk_files(root / "pages", ".md", recursive=False)) | links
    problems += personal_data.scan_other_files(root, allow, handled)
    named = _named_files(pending)  # reported at the front-matter line that names them
    problems += [outside_problem(link) for link in sorted(links) if link not in named]
    # what no stage reads (a misspelled folder, a stray .docx); what a refused record may name
    # (the files beside it) is not called stray: its front matter says nothing sure
    read = {p.source.path for p in pending} | named | {a.source for p in pending for a in p.attachments}
    read |= refused | {f for path in refused for f in path.parent.iterdir() if f.is_file()}
    problems += stray_problems(root, read)

    sound = [p for p in pending if p.source.path not in faulty]  # a faulty body may be refused as too costly
    rendered = dict(zip((p.source.path for p in sound), render_bodies([p.source.body for p in sound], cache, progress), strict=True))
    records = tuple(
        Record(
            kind=p.kind.name,
            meta=p.meta,
            source=p.source.path,
            lines=p.lines,
            body_html=rendered.get(p.source.path, ("", ""))[0],
            body_text=rendered.get(p.source.path, ("", ""))[1],
            digest=_digest(p),
            attachments=p.attachments,
            extra=p.extra,
        )
        for p in pending
    )
    content = Content(
        root, site, agencies, categories, records, tuple(pages), kind_data=kind_data, synonyms=synonyms,
        faulty=frozenset(faulty), agency_names=config.agency_names, category_paths=config.category_paths,
    )
    return content, problems


def _digest(pending: _Pending) -> str:
    """Return what identifies a record's inputs: its file and what its kind derived from files
    beside it (a sibling CSV's items or cases), so incremental builds see a CSV edit."""
    if not pending.extra:
        return pending.source.digest
    return hashlib.sha256(f"{pending.source.digest}\0{pending.extra!r}".encode()).hexdigest()


def reread_records(
    previous: Content, problems: list[Problem], changed: set[Path], cache: BodyCache
) -> tuple[Content, list[Problem]] | None:
    """Return `previous` (read with `problems`) with the record files `changed` read again, and
    every problem, as `read_content` would return them; None when the whole folder must be read.

    For `serve`, which holds the last content read (a save shown in ~0.5 s on the corpus, not the
    1.5 s of reading it all). Only what reading one record file decides is redone, so only a
    change that leaves everything else as it was is taken: each path a record's source (no file
    added or removed, no settings file, no symlink), its kind deriving nothing from files beside
    it, the record without errors before and after, and naming the same files (attachments, a
    CSV: what the checks of the other files look at). Anything else: None, and the whole folder.
    """
    index = {record.source: n for n, record in enumerate(previous.records)}
    if previous.site is None or previous.faulty or not changed or not all(path in index for path in changed):
        return None
    allow, found = load_allow_list(previous.root)
    if found:
        return None
    records = list(previous.records)
    shown = {display_path(path) for path in changed}
    kept = [p for p in problems if p.path not in shown]
    new: list[Problem] = []
    with confined(previous.root):
        for path in sorted(changed):
            before = records[index[path]]
            kind = KIND_BY_NAME[before.kind]
            if kind.prepare is not None or before.extra or path.is_symlink() or not path.is_file():
                return None
            item, found = validate_record_file(path, kind, previous.site.index_number_pattern, allow)
            if item is None or any(p.is_error for p in found) or item.attachments != before.attachments:
                return None
            if _files_named(kind, item.meta, path.parent) != _files_named(kind, before.meta, path.parent):
                return None
            new += [replace(p, kind=kind.name) for p in found]
            ((html, text),) = render_bodies([item.source.body], cache, Progress(enabled=False))
            records[index[path]] = Record(
                kind=kind.name, meta=item.meta, source=path, lines=item.lines, body_html=html, body_text=text,
                digest=_digest(item), attachments=item.attachments, extra=item.extra,
            )
    return replace(previous, records=tuple(records)), list(dict.fromkeys(kept + new))
