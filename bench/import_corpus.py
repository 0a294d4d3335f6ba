"""Import the shared test corpus into a content folder (DESIGN.md §3) for benchmarks.

    python bench/import_corpus.py --out DIR [--corpus CORPUS] [--limit N]

Reads ``CORPUS/laws`` (+ ``laws-metadata.csv``) and
``CORPUS/examples/state-council-documents`` and writes ``DIR/site.yaml``,
``DIR/agencies.yaml``, ``DIR/categories.yaml`` and one Markdown record per
document under ``DIR/documents/``.  Any part of the corpus may be missing.
The same corpus always gives byte-identical output.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT / ".." / "shared" / "corpus"
SC_FOLDER = Path("examples") / "state-council-documents"
INFO_END = "<!-- INFO END -->"
FALLBACK_DATE = "2000-01-01"  # only for a law file that names no date at all

SITE_YAML = """\
name: 语料基准站
base_url: https://bench.example.gov.cn
sample: true
level: 国务院部门
organiser: 基准测试
contact: {phone: "010-00000000", address: "北京", postcode: "100000", email: "bench@example.gov.cn"}
site_code: "0000000000"
icp: 京ICP备00000000号
police_record: 京公网安备 11000000000000号
feed_limit: 50
"""
SITE_NAME_LINE = "name: 语料基准站"

NPC = "全国人民代表大会"
NPCSC = "全国人民代表大会常务委员会"
STATE_COUNCIL = "国务院"
SPC = "最高人民法院"
SPP = "最高人民检察院"
MUNICIPALITIES = ("北京", "上海", "重庆", "天津")

# Real organisation code where the corpus shows one (gov.cn 索引号 prefix).
FIXED_CODES = {"国务院办公厅": "000014349"}
# 发文机关代字, only where it is certain.
SHORT_NAMES = {"国务院": "国", "国务院办公厅": "国办", SPC: "法", SPP: "高检"}
# Folder or issuer spelling → full official name.
FULL_NAMES = {
    "公安部": "中华人民共和国公安部",
    "国家安全部": "中华人民共和国国家安全部",
    "人力资源社会保障部": "中华人民共和国人力资源和社会保障部",
    "市场监督管理总局": "国家市场监督管理总局",
    "中央军委": "中央军事委员会",
    "中央军委办公厅": "中央军事委员会办公厅",
}
# ASCII folder names for the law folders (unknown ones get a hash).
FOLDER_SLUGS = {
    "宪法": "constitution",
    "宪法相关法": "constitution-related",
    "民法典": "civil-code",
    "民法商法": "civil-commercial",
    "行政法": "administrative-law",
    "经济法": "economic-law",
    "社会法": "social-law",
    "刑法": "criminal-law",
    "诉讼与非诉讼程序法": "procedure-law",
    "行政法规": "administrative-regulations",
    "部门规章": "departmental-rules",
    "司法解释": "judicial-interpretations",
    "其他": "other",
    "地方性法规": "local-regulations",
    "上海": "shanghai",
    "北京": "beijing",
    "山东": "shandong",
    "广东": "guangdong",
    "河南": "henan",
    "浙江": "zhejiang",
    "重庆": "chongqing",
    "公安部": "mps",
    "市场监督管理总局": "samr",
    "人力资源社会保障部": "mohrss",
    "国家安全部": "mss",
}
LEVEL_BY_FOLDER = {
    "宪法": "宪法",
    "行政法规": "行政法规",
    "部门规章": "部门规章",
    "司法解释": "司法解释",
    "地方性法规": "地方性法规",
    "其他": "其他",
}

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
EFFECTIVE_RE = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起?\s*(?:施行|实施|生效)")
ONLY_EFFECTIVE_RE = re.compile(r"^\s*(?:起|自)?\s*(?:施行|实施|生效)\s*[。，,）)]*\s*$")
FILENAME_DATE_RE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)\.md$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BRACKETED_NUMBER = r"([\u4e00-\u9fff]{1,12})[〔\[【（(［]((?:19|20)\d{2})[〕\]】）)］](\d{1,5})号"
DOC_NUMBER_LINE_RE = re.compile(BRACKETED_NUMBER)
DOC_NUMBER_AFTER_YI_RE = re.compile("以" + BRACKETED_NUMBER)
STATE_COUNCIL_ORDER_RE = re.compile(r"国务院令第(\d+)号")
CLEAN_DOC_NUMBER_RE = re.compile(r"^(?:[\u4e00-\u9fff]+〔\d{4}〕\d+号|国令第\d+号)$")
ARTICLE_RE = re.compile(r"^第[一二三四五六七八九十百千零〇两]+条")
YAML_UNSAFE_RE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
SUMMARY_CHARS = 100


@dataclass
class Record:
    """One document to write: its output folder, front-matter values and body."""

    folder: str
    title: str
    agencies: list[str]
    written: str
    published: str
    category: str
    body: str
    index_number: str = ""
    doc_number: str | None = None
    summary: str | None = None
    validity_date: str | None = None


@dataclass
class LawFile:
    """A law file split into its parts: H1 lines, history lines and body."""

    headings: list[str]
    history: list[str]
    body: str


# --------------------------------------------------------------------------- helpers


def yaml_str(value: str) -> str:
    """Return ``value`` as a double-quoted YAML scalar (a JSON string, made YAML-safe)."""
    text = json.dumps(value, ensure_ascii=False)
    return YAML_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def iso_date(year: str, month: str, day: str) -> str | None:
    """Return ``YYYY-MM-DD`` for the given parts, or None when they are no real date."""
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def clean_iso(value: str | None) -> str | None:
    """Return ``value`` when it is a valid ``YYYY-MM-DD`` date, else None."""
    value = (value or "").strip()
    if not ISO_DATE_RE.match(value):
        return None
    return iso_date(*value.split("-"))


def dates_in(text: str) -> list[str]:
    """Return every valid ``YYYY年M月D日`` date in ``text`` (full-width digits too), in order."""
    found = (iso_date(*m.groups()) for m in DATE_RE.finditer(text.translate(FULLWIDTH_DIGITS)))
    return [d for d in found if d]


def spread(items: list, limit: int | None) -> list:
    """Return at most ``limit`` items, evenly spread over ``items`` (all when no limit)."""
    if limit is None or limit >= len(items):
        return items
    if limit <= 0:
        return []
    return [items[i * len(items) // limit] for i in range(limit)]


def make_summary(body: str) -> str | None:
    """Return the first article (or first prose paragraph) of ``body``, cut to ~100 chars."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body)]
    paragraphs = [p for p in paragraphs if p]
    chosen = next((p for p in paragraphs if ARTICLE_RE.match(p)), None)
    if chosen is None:
        chosen = next(
            (p for p in paragraphs if len(p) >= 40 and p[0] not in "#|<!>-*" and not p.endswith("：")),
            None,
        )
    if chosen is None:
        return None
    return chosen if len(chosen) <= SUMMARY_CHARS else chosen[:SUMMARY_CHARS] + "……"


def slug(name: str) -> str:
    """Return an ASCII folder name for a corpus folder name."""
    return FOLDER_SLUGS.get(name) or "f" + hashlib.sha256(name.encode()).hexdigest()[:8]


# --------------------------------------------------------------------------- laws


def read_law_metadata(corpus: Path) -> dict[str, dict[str, str]]:
    """Return ``laws-metadata.csv`` rows keyed by ``path`` (empty when the file is missing)."""
    path = corpus / "laws-metadata.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["path"]: row for row in csv.DictReader(f)}


def split_law_file(text: str) -> LawFile:
    """Return the H1 lines, history lines and body of a law file's text."""
    head, marker, body = text.partition(INFO_END)
    if not marker:  # no header block: leading H1 lines, then body
        lines = text.splitlines()
        count = next(
            (i for i, line in enumerate(lines) if line.strip() and not line.startswith("# ")),
            len(lines),
        )
        head, body = "\n".join(lines[:count]), "\n".join(lines[count:])
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    headings = [line[2:].strip() for line in lines if line.startswith("# ")]
    history = [line for line in lines if not line.startswith("# ")]
    return LawFile(headings, history, body.strip("\n"))


def law_level(row: dict[str, str], category: str) -> str:
    """Return the law's level (法律, 行政法规, …), from the metadata or its folder."""
    if category == "其他":
        return "其他"
    return row.get("level") or LEVEL_BY_FOLDER.get(category, "法律")


def npc_organ(history: list[str]) -> str:
    """Return 全国人民代表大会 or its standing committee, whichever enacted the law."""
    for line in history:
        if "全国人民代表大会常务委员会" in line or "全国人大常委会" in line:
            return NPCSC
        if re.search(r"全国人民代表大会第.{1,4}次会议", line):
            return NPC
    return NPCSC


def local_organ(province: str, history: list[str]) -> str:
    """Return the provincial people's congress (or its standing committee) for a local law."""
    suffix = "市" if province in MUNICIPALITIES else "省"
    pattern = re.compile(rf"{province}{suffix}第.{{1,4}}届人民代表大会(常务委员会)?第")
    plenary = False
    for line in history:
        match = pattern.search(line)
        if match:
            plenary = match.group(1) is None
            break
    organ = f"{province}{suffix}人民代表大会"
    return organ if plenary else organ + "常务委员会"


def court_organ(headings: list[str], history: list[str]) -> str:
    """Return 最高人民法院 or 最高人民检察院, whichever the header mentions first."""
    header = "\n".join(headings + history)
    positions = [(header.find(name), name) for name in (SPC, SPP) if name in header]
    return min(positions)[1] if positions else SPC


def law_agency(level: str, parts: list[str], law: LawFile) -> str:
    """Return the issuing organ's full name for a law file."""
    if level == "行政法规" or level == "其他":
        return STATE_COUNCIL
    if level == "司法解释":
        return court_organ(law.headings, law.history)
    if level == "部门规章":
        department = parts[1] if len(parts) > 1 else STATE_COUNCIL
        return FULL_NAMES.get(department, department)
    if level == "地方性法规" and len(parts) > 1:
        return local_organ(parts[1], law.history)
    return npc_organ(law.history)


def dated_lines(history: list[str]) -> list[tuple[str, str]]:
    """Return ``(date, rest of line)`` for each history line that starts with a date."""
    result = []
    for line in history:
        converted = line.translate(FULLWIDTH_DIGITS)
        match = DATE_RE.match(converted)
        day = iso_date(*match.groups()) if match else None
        if day:
            result.append((day, converted[match.end() :]))
    return result


def enactment_lines(history: list[str]) -> list[tuple[str, str]]:
    """Return the dated history lines that record an act (not a bare 施行 date)."""
    return [(day, rest) for day, rest in dated_lines(history) if not ONLY_EFFECTIVE_RE.match(rest)]


def law_dates(row: dict[str, str], path: Path, law: LawFile) -> tuple[str, str]:
    """Return ``(written, published)`` for a law, with ``published`` ≥ ``written``."""
    events = enactment_lines(law.history)
    header_dates = dates_in("\n".join(law.history))
    file_date = FILENAME_DATE_RE.search(path.name)
    published = (
        clean_iso(row.get("version_date"))
        or clean_iso(row.get("publish"))
        or clean_iso(file_date.group(1) if file_date else None)
        or (max(day for day, _ in events) if events else None)
        or (max(header_dates) if header_dates else None)
        or effective_date(law.body)
        or FALLBACK_DATE
    )
    written = header_dates[0] if header_dates else published
    return min(written, published), published


def effective_date(body: str) -> str | None:
    """Return the first ``自…起施行`` date in a body, or None."""
    for match in EFFECTIVE_RE.finditer(body.translate(FULLWIDTH_DIGITS)):
        day = iso_date(*match.groups())
        if day:
            return day
    return None


def law_doc_number(level: str, law: LawFile, written: str, published: str) -> str | None:
    """Return a clean 文号 stated in the history lines, or None.

    A bracketed 文号 whose year is not the year of ``written`` is dropped: the file's dates
    then belong to another version than the number.
    """
    for line in law.history:
        converted = line.translate(FULLWIDTH_DIGITS).strip(" ，。,;；")
        match = DOC_NUMBER_LINE_RE.fullmatch(converted) or DOC_NUMBER_AFTER_YI_RE.search(converted)
        if match:
            prefix, year, serial = match.groups()
            return f"{prefix}〔{year}〕{serial}号" if year == written[:4] else None
    if level == "行政法规":
        events = enactment_lines(law.history)
        order = STATE_COUNCIL_ORDER_RE.search(events[-1][1]) if events else None
        if order and events[-1][0] == published:
            return f"国令第{order.group(1)}号"
    return None


def law_title(row: dict[str, str], law: LawFile, path: Path) -> str:
    """Return the full title: the H1 (plus the 民法典 part), else the file name."""
    title = row.get("title") or (law.headings[0] if law.headings else "")
    subtitle = row.get("subtitle") or (law.headings[1] if len(law.headings) > 1 else "")
    title = title or FILENAME_DATE_RE.sub("", path.name).removesuffix(".md")
    return f"{title}·{subtitle}" if subtitle else title


def law_record(laws: Path, path: Path, row: dict[str, str]) -> Record:
    """Return the record for one law file."""
    parts = list(path.relative_to(laws).parent.parts)
    law = split_law_file(path.read_text(encoding="utf-8-sig"))
    level = law_level(row, parts[0] if parts else "其他")
    written, published = law_dates(row, path, law)
    history = "\n".join(law.history)
    body = "\n\n".join(part for part in (history, law.body) if part)
    return Record(
        folder="/".join(["laws", *(slug(p) for p in parts)]),
        title=law_title(row, law, path),
        agencies=[law_agency(level, parts, law)],
        written=written,
        published=published,
        category="/".join(parts) or "其他",
        body=body,
        doc_number=law_doc_number(level, law, written, published),
        summary=make_summary(law.body),
        validity_date=published if row.get("expired", "").strip() == "1" else None,
    )


def load_laws(corpus: Path, limit: int | None) -> list[Record]:
    """Return one record per law file (at most ``limit``), in path order."""
    laws = corpus / "laws"
    if not laws.is_dir():
        return []
    metadata = read_law_metadata(corpus)
    files = sorted(laws.rglob("*.md"), key=lambda p: p.relative_to(laws).as_posix())
    return [
        law_record(laws, path, metadata.get(path.relative_to(laws).as_posix(), {}))
        for path in spread(files, limit)
    ]


# --------------------------------------------------------------------------- State Council


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return the YAML front matter (a dict, empty when absent) and the body of a file."""
    if text.startswith("---\n"):
        head, marker, body = text[4:].partition("\n---\n")
        if marker:
            data = yaml.safe_load(head) or {}
            return (data if isinstance(data, dict) else {}), body
    return {}, text


def sc_agencies(issuer: str) -> list[str]:
    """Return the full names of a State Council document's (joint) issuers, lead first."""
    names = [name.strip() for name in re.split(r"[、，,]", issuer) if name.strip()]
    return [FULL_NAMES.get(name, name) for name in names] or [STATE_COUNCIL]


def sc_category(topic: str) -> str:
    """Return a gov.cn 主题分类 (``a\\b``) as a category path (``a/b``)."""
    levels = [level.strip() for level in re.split(r"[\\/]", topic) if level.strip()]
    return "/".join(levels) or "其他"


def sc_record(path: Path) -> Record | None:
    """Return the record for one State Council document (None without an 索引号)."""
    meta, body = split_front_matter(path.read_text(encoding="utf-8-sig"))
    meta = {key: "" if value is None else str(value).strip() for key, value in meta.items()}
    index_number = meta.get("index_no", "")
    if not index_number:
        print(f"skipped (no index_no): {path.name}", file=sys.stderr)
        return None
    file_date = clean_iso(path.name[:10])
    published = clean_iso(meta.get("publish_date")) or file_date or FALLBACK_DATE
    written = clean_iso(meta.get("written_date")) or published
    doc_number = meta.get("doc_no", "")
    body = body.strip("\n")
    return Record(
        folder="state-council",
        title=meta.get("title") or path.stem,
        agencies=sc_agencies(meta.get("issuer", "")),
        written=min(written, published),
        published=published,
        category=sc_category(meta.get("topic", "")),
        body=body,
        index_number=index_number,
        doc_number=doc_number if CLEAN_DOC_NUMBER_RE.match(doc_number) else None,
        summary=make_summary(body),
    )


def load_state_council(corpus: Path, limit: int | None) -> list[Record]:
    """Return one record per State Council document (at most ``limit``), in file-name order."""
    folder = corpus / SC_FOLDER
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.md"), key=lambda p: p.name)
    records = (sc_record(path) for path in spread(files, limit))
    return [record for record in records if record]


# --------------------------------------------------------------------------- registries


def agency_codes(names: Iterable[str]) -> dict[str, str]:
    """Return a unique, deterministic 9-digit code for each agency name."""
    codes: dict[str, str] = {}
    taken = set(FIXED_CODES.values())
    for name in sorted(set(names)):
        if name in FIXED_CODES:
            codes[name] = FIXED_CODES[name]
            continue
        salt = 0
        while True:
            digest = hashlib.sha256(f"{name}#{salt}".encode()).hexdigest()
            code = f"{int(digest, 16) % 10**9:09d}"
            if code not in taken:
                break
            salt += 1
        codes[name] = code
        taken.add(code)
    return codes


def assign_index_numbers(records: list[Record], codes: dict[str, str]) -> None:
    """Give every record without one an 索引号 ``<code>/<year>-<serial>``, skipping used ones."""
    used = {record.index_number for record in records if record.index_number}
    serials: dict[tuple[str, str], int] = {}
    for record in records:
        if record.index_number:
            continue
        key = (codes[record.agencies[0]], record.published[:4])
        serial = serials.get(key, 0)
        while True:
            serial += 1
            candidate = f"{key[0]}/{key[1]}-{serial:05d}"
            if candidate not in used:
                break
        serials[key] = serial
        record.index_number = candidate
        used.add(candidate)


def category_tree(paths: Iterable[str]) -> list[dict]:
    """Return the category tree (``[{name, children}]``) holding every path, in first-seen order."""
    root: dict[str, dict] = {}
    for path in paths:
        level = root
        for name in path.split("/"):
            level = level.setdefault(name, {})
    return tree_list(root)


def tree_list(level: dict[str, dict]) -> list[dict]:
    """Return a nested dict of names as a list of ``{name, children}``."""
    return [{"name": name, "children": tree_list(children)} for name, children in level.items()]


def count_tree(nodes: list[dict]) -> int:
    """Return how many categories a tree holds, at every level."""
    return sum(1 + count_tree(node["children"]) for node in nodes)


# --------------------------------------------------------------------------- writing


def render_tree(nodes: list[dict], indent: str = "") -> list[str]:
    """Return the YAML lines for a category tree."""
    lines = []
    for node in nodes:
        lines.append(f"{indent}- name: {yaml_str(node['name'])}")
        if node["children"]:
            lines.append(f"{indent}  children:")
            lines.extend(render_tree(node["children"], indent + "    "))
        else:
            lines.append(f"{indent}  children: []")
    return lines


def render_agencies(codes: dict[str, str], order: list[str]) -> str:
    """Return agencies.yaml text: one entry per agency, in ``order``."""
    lines = []
    for name in order:
        lines.append(f"- name: {yaml_str(name)}")
        if name in SHORT_NAMES:
            lines.append(f"  short_name: {yaml_str(SHORT_NAMES[name])}")
        lines.append(f"  code: {yaml_str(codes[name])}")
        lines.append("  sample: true")
    return "\n".join(lines) + "\n"


def render_record(record: Record) -> str:
    """Return a record as Markdown with YAML front matter (DESIGN §3.1 keys)."""
    agency = (
        yaml_str(record.agencies[0])
        if len(record.agencies) == 1
        else "[" + ", ".join(yaml_str(a) for a in record.agencies) + "]"
    )
    fields = [
        ("title", yaml_str(record.title)),
        ("index_number", yaml_str(record.index_number)),
        ("agency", agency),
        ("doc_number", yaml_str(record.doc_number) if record.doc_number else None),
        ("written", yaml_str(record.written)),
        ("published", yaml_str(record.published)),
        ("category", yaml_str(record.category)),
        ("summary", yaml_str(record.summary) if record.summary else None),
        ("validity", yaml_str("失效" if record.validity_date else "有效")),
        ("validity_date", yaml_str(record.validity_date) if record.validity_date else None),
    ]
    head = "\n".join(f"{key}: {value}" for key, value in fields if value is not None)
    body = f"\n{record.body}\n" if record.body else ""
    return f"---\n{head}\n---\n{body}"


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with LF line endings, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_content(staging: Path, records: list[Record], codes: dict[str, str]) -> int:
    """Write the whole content folder into ``staging``; return how many categories it has."""
    write_text(staging / "site.yaml", SITE_YAML)
    order = list(dict.fromkeys(name for record in records for name in record.agencies))
    write_text(staging / "agencies.yaml", render_agencies(codes, order))
    tree = category_tree(record.category for record in records)
    write_text(staging / "categories.yaml", "\n".join(render_tree(tree)) + "\n")
    counters: dict[str, int] = {}
    for record in records:
        counters[record.folder] = counters.get(record.folder, 0) + 1
        name = f"{counters[record.folder]:04d}.md"
        write_text(staging / "documents" / record.folder / name, render_record(record))
    return count_tree(tree)


def replaceable(out: Path) -> bool:
    """Return True when ``out`` is absent, empty or an earlier import (safe to replace)."""
    if not out.exists():
        return True
    if not out.is_dir():
        return False
    if not any(out.iterdir()):
        return True
    site = out / "site.yaml"
    return site.is_file() and site.read_text(encoding="utf-8").startswith(SITE_NAME_LINE)


def swap_in(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``, replacing an earlier import there."""
    old = out.with_name(f".{out.name}.old")
    if out.exists():
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- main


def import_corpus(corpus: Path, out: Path, limit: int | None = None) -> dict[str, int]:
    """Import ``corpus`` into the content folder ``out``; return counts of what was written."""
    if not replaceable(out):
        raise SystemExit(f"refusing to overwrite {out}: not empty and not an earlier corpus import")
    records = load_laws(corpus, limit) + load_state_council(corpus, limit)
    if not records:
        raise SystemExit(f"no documents found in {corpus}")
    codes = agency_codes(name for record in records for name in record.agencies)
    assign_index_numbers(records, codes)
    staging = out.with_name(f".{out.name}.importing")
    shutil.rmtree(staging, ignore_errors=True)
    categories = write_content(staging, records, codes)
    swap_in(staging, out)
    return {
        "records": len(records),
        "laws": sum(r.folder.startswith("laws") for r in records),
        "state_council": sum(r.folder == "state-council" for r in records),
        "agencies": len(codes),
        "categories": categories,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the parsed command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="corpus folder (default: ../shared/corpus)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="content folder to write (replaced if an earlier import)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="import at most N laws and N State Council documents, evenly spread",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the importer; return the process exit code."""
    args = parse_args(argv)
    started = time.perf_counter()
    counts = import_corpus(args.corpus, args.out.resolve(), args.limit)
    seconds = time.perf_counter() - started
    c = counts
    print(
        f"wrote {c['records']} records ({c['laws']} laws, {c['state_council']} State Council),"
        f" {c['agencies']} agencies, {c['categories']} categories to {args.out}"
        f" in {seconds:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
