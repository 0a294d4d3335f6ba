"""Personal data (《政府信息公开条例》第十五条): find unmasked ID, mobile and bank-card numbers.

Rules and test cases: reliability research §6. The scan runs on the raw text of every
content file (front matter, body, HTML comments, tables, link URLs), on file names, and
as a last gate on the generated output. A number is never shown in full: every message
carries the masked form (110105********002X), and allow-list entries name a number only
by the SHA-256 of its normalised value.

How a number is found, in linear time:
1. A regex finds runs of digits (any Unicode decimal digit, so full-width too) joined by
   at most 6 separators (space, `-`, `.`, `·` …) or zero-width characters, with `*`
   allowed after the first digit (masks) and an `X` at the end (ID check character).
2. A run splits into groups at visible separators; zero-width characters vanish inside
   a group. Candidates are whole groups or a few neighbouring groups (every group but the
   last at least 3 characters long), so `110105 19491231 002X` is one candidate while
   `010-12345678 13800138000` still yields the mobile on its own.
3. A candidate next to an ASCII letter (or a full-width one) is no number of ours.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from disclosure import strict_yaml
from disclosure.problems import ContentInvalid, Problem, Severity, error, warning

ALLOW_FILE = "personal_data_allow.yaml"
MAX_FINDINGS = 50  # per scanned text; a file with more is plainly a list of people
ARTICLE = "依《政府信息公开条例》第十五条不得公开"
GATE = "源文件检查未发现，可能由模板拼接或转义产生；本次未发布"

_ZW = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SEP = " \t\u00a0\u2000-\u200a\u202f\u205f\u3000\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d.\uff0e\u00b7\u2022\u30fb"
_STAR = "*\uff0a\u2217"
_X = "Xx\uff38\uff58"
_RUN = re.compile(rf"\d(?:[{_SEP}{_ZW}]{{0,6}}[\d{_STAR}])*(?:[{_SEP}{_ZW}]{{0,6}}[{_X}])?")
# a quick first pass: only stretches of 11+ digit-like characters reach the exact run pattern
_STRETCH = re.compile(rf"\d[\d{_STAR}{_SEP}{_ZW}{_X}]{{10,}}")
_GROUP = re.compile(rf"[\d{_STAR}{_X}{_ZW}]+")
_EDGE_STARS = re.compile(r"^\*{1,2}(?=[0-9X])|(?<=[0-9X])\*{1,2}$")

PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82, 83]
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CARD_WORDS = ("卡号", "银行卡", "账号", "帐号", "开户")
CREDIT_WORDS = ("信用代码", "社会信用", "统一代码", "机构代码", "登记证号")

KIND_NAMES = {
    "id": "身份证号",
    "id15": "旧版 15 位身份证号",
    "mobile": "手机号码",
    "card": "银行卡号",
}


# ---------------------------------------------------------------------------- checks


def id_number_valid(s: str, today: date | None = None) -> bool:
    """Return True for an 18-character GB 11643 number: province, real past date (1800 on), MOD 11-2."""
    if len(s) != 18 or not s[:17].isdigit() or s[17] not in "0123456789X":
        return False
    if int(s[:2]) not in PROVINCES or not "01" <= s[10:12] <= "12" or not _real_date(s[6:14], today):
        return False
    total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == s[17]


def legacy_id_valid(s: str) -> bool:
    """Return True for a 15-digit GB 11643-1989 number: province and a real 19YYMMDD date."""
    return len(s) == 15 and s.isdigit() and int(s[:2]) in PROVINCES and _real_date("19" + s[6:12], None)


EARLIEST_BIRTH_YEAR = 1800


def _real_date(yyyymmdd: str, today: date | None) -> bool:
    """Return True for a real calendar date, not in the future, from 1800 on.

    No 1900 floor: GB 11643's own example was born in 1880. Without any floor, random
    18-digit strings pass as IDs 26 times in 10⁵ (years 0001–0999 count); from 1800 on,
    about 3 times, which keeps number columns in tables quiet.
    """
    if int(yyyymmdd[:4]) < EARLIEST_BIRTH_YEAR:
        return False
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return born <= (today or date.today())


def credit_code_valid(s: str) -> bool:
    """Return True for a GB 32100-2015 unified social credit code with a correct mod-31 check."""
    if len(s) != 18 or any(c not in _CREDIT_CHARS for c in s):
        return False
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(s[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == s[17]


def luhn_valid(digits: str) -> bool:
    """Return True when `digits` pass the Luhn check (bank cards)."""
    total = sum(map(int, digits[-1::-2])) + sum(_LUHN_DOUBLE[c] for c in digits[-2::-2])
    return total % 10 == 0


_LUHN_DOUBLE = {str(n): (n * 2 - 9 if n > 4 else n * 2) for n in range(10)}


def _card_prefix(s: str) -> bool:
    """UnionPay 62 (16–19 digits), Visa 4 (16 or 19), Mastercard 5 (16)."""
    return (s.startswith("62") and 16 <= len(s) <= 19) or (s[0] == "4" and len(s) in (16, 19)) or (
        s[0] == "5" and len(s) == 16
    )


def mask(kind: str, s: str) -> str:
    """Return `s` masked the way inspection notices ask: 110105********002X, 138****8000."""
    if kind in ("id", "id_masked", "id_or_credit"):
        return s[:6] + "*" * 8 + s[14:]
    if kind == "id15":
        return s[:6] + "*" * 6 + s[12:]
    if kind in ("mobile", "mobile_masked"):
        head = s[:-11]
        return head + s[-11:-8] + "****" + s[-4:]
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def digest(value: str) -> str:
    """Return the SHA-256 of a normalised number: what allow-list entries carry."""
    return hashlib.sha256(value.encode("ascii")).hexdigest()


# ---------------------------------------------------------------------------- scanning


@dataclass(frozen=True, slots=True)
class Finding:
    """One suspicious number in a scanned text: where, what, how sure, and its hash."""

    start: int
    end: int
    kind: str  # id, id15, mobile, card, card_luhn, id_masked, mobile_masked, id_or_credit
    severity: Severity
    masked: str
    sha256: str

    def message(self, column: int | None = None, action: str = "请打码或删除") -> str:
        """Return the Chinese explanation, never containing the full number."""
        where = f"第 {column} 列" if column is not None else ""
        m = self.masked
        if self.kind in KIND_NAMES and self.severity == "error":
            return f"{where}有未打码的{KIND_NAMES[self.kind]} {m}，{ARTICLE}；{action}"
        if self.kind == "id15":
            return f"{where}疑似{KIND_NAMES['id15']} {m}，请核实；如是，{action}"
        if self.kind == "card_luhn":
            return f"{where}的 {len(m)} 位数字 {m} 符合银行卡号校验，请核实；如是银行卡号，{action}"
        if self.kind == "id_masked":
            return f"{where}的身份证号 {m} 打码不足：应至少遮盖出生日期（第 7–14 位）"
        if self.kind == "mobile_masked":
            return f"{where}的手机号码 {m} 打码不足：应遮盖中间 4 位（第 4–7 位）"
        return f"{where}的 {m} 既符合身份证号校验，也符合统一社会信用代码校验；如是身份证号，{action}"


_Group = tuple[int, int, str]  # raw start, raw end, normalised text
_FOLD = {ord(c): None for c in _ZW} | {ord(c): "*" for c in _STAR} | {ord(c): "X" for c in _X}


def _normalise(raw: str) -> str:
    """Return a group as ASCII digits, `*` and `X`: zero-width gone, full-width and other digits folded."""
    text = raw.translate(_FOLD)
    if not text.isascii():
        text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    return _EDGE_STARS.sub("", text) if "*" in text else text


def _is_letter_or_digit(c: str) -> bool:
    """Return True for an ASCII or full-width letter or digit: what closes a number's edge."""
    if c.isascii():
        return c.isalnum()
    return "\uff10" <= c <= "\uff5a" and unicodedata.normalize("NFKC", c).isalnum()


def scan_text(text: str, today: date | None = None, limit: int = MAX_FINDINGS) -> list[Finding]:
    """Return the personal numbers found in `text`, ordered by position (at most `limit`)."""
    found: list[Finding] = []
    for run in (r for m in _STRETCH.finditer(text) for r in _RUN.finditer(text, m.start(), m.end())):
        s, e = run.span()
        if e - s < 11:
            continue
        raw = run.group()
        if raw.isdigit() and raw.isascii():  # the common case: one plain group
            groups: list[_Group] = [(s, e, raw)]
        else:
            groups = [(g.start(), g.end(), _normalise(g.group())) for g in _GROUP.finditer(text, s, e)]
            groups = [g for g in groups if g[2]]
            if sum(len(g[2]) for g in groups) < 11:
                continue
        closed_left = s > 0 and _is_letter_or_digit(text[s - 1])
        closed_right = e < len(text) and _is_letter_or_digit(text[e])
        found += _scan_groups(text, groups, closed_left, closed_right, today, limit)
        if len(found) >= limit:
            break
    return found[:limit]


def _scan_groups(
    text: str, groups: list[_Group], closed_left: bool, closed_right: bool, today: date | None, limit: int
) -> list[Finding]:
    candidates: list[Finding] = []
    last = len(groups) - 1
    for i in range(len(groups)):
        if (i == 0 and closed_left) or len(candidates) > 2 * limit:
            continue
        value = ""
        for j in range(i, min(len(groups), i + 6)):
            if j > i and len(groups[j - 1][2]) < 3:
                break
            value += groups[j][2]
            if len(value) > 19:
                break
            if len(value) < 11 or (j == last and closed_right) or "X" in value[:-1]:
                continue
            lengths = [len(g[2]) for g in groups[i : j + 1]]
            finding = _classify(value, text, groups[i][0], groups[j][1], lengths, today)
            if finding is not None:
                candidates.append(finding)
    # errors first, then longer spans; drop anything overlapping what was kept
    candidates.sort(key=lambda f: (f.severity != "error", -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in candidates:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _classify(s: str, text: str, start: int, end: int, lengths: list[int], today: date | None) -> Finding | None:
    def make(kind: str, severity: Severity, value: str) -> Finding:
        return Finding(start, end, kind, severity, mask(kind, value), digest(value))

    n = len(s)
    if "*" in s:
        return _classify_masked(s, start, end)
    if n == 18 and id_number_valid(s, today):
        if credit_code_valid(s):
            if _near(text, start, end, CREDIT_WORDS, before=20, after=0):
                return None
            return make("id_or_credit", "warning", s)
        return make("id", "error", s)
    if not s.isdigit():
        return None
    mobile = s[2:] if n == 13 and s.startswith("86") else s[4:] if n == 15 and s.startswith("0086") else s
    if len(mobile) == 11 and mobile[0] == "1" and mobile[1] in "3456789":
        return Finding(start, end, "mobile", "error", mask("mobile", s), digest(mobile))
    if n == 15 and legacy_id_valid(s):
        return make("id15", "warning", s)
    if 16 <= n <= 19 and luhn_valid(s):
        if len(lengths) > 1 and not _card_grouping(lengths):
            return None
        keyword = _near(text, start, end, CARD_WORDS, before=10, after=10)
        if keyword or _card_prefix(s):
            return make("card", "error", s)
        if n == 18 and credit_code_valid(s):
            return None
        return make("card_luhn", "warning", s)
    return None


def _card_grouping(lengths: list[int]) -> bool:
    """Return True for the ways cards are printed: 4-4-4-4(-1…4) or 6-rest."""
    return all(n == 4 for n in lengths[:-1]) or (len(lengths) == 2 and lengths[0] == 6)


def _classify_masked(s: str, start: int, end: int) -> Finding | None:
    """Return a warning for a masked number that still shows too much, else None."""
    shown = s.replace("*", "")
    if not shown.isdigit() and not (shown[:-1].isdigit() and shown[-1] == "X"):
        return None
    if len(s) == 11 and s[0] == "1" and s[1] in "3456789" and s[-1] != "X":
        if set(s[3:7]) == {"*"}:
            return None
        return Finding(start, end, "mobile_masked", "warning", mask("mobile", s), digest(s))
    if len(s) == 18 and s[:2].isdigit() and int(s[:2]) in PROVINCES:
        if set(s[6:14]) == {"*"}:
            return None
        return Finding(start, end, "id_masked", "warning", mask("id", s), digest(s))
    return None


def _near(text: str, start: int, end: int, words: tuple[str, ...], before: int, after: int) -> bool:
    window = text[max(0, start - before) : start] + " " + text[end : end + after]
    return any(w in window for w in words)


def redact(text: str) -> str:
    """Return `text` with every number the scanner would report replaced by its masked form."""
    findings = scan_text(text, limit=10_000)
    for f in reversed(findings):
        text = text[: f.start] + f.masked + text[f.end :]
    return text


# ---------------------------------------------------------------------------- allow-list


class AllowEntry(BaseModel):
    """One number published on purpose (a 值班手机 …), named only by its hash."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    sha256: str
    reason: str
    reviewer: str
    file: str | None = None

    @field_validator("sha256")
    @classmethod
    def _hash_only(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
            raise ValueError("应为号码的 SHA-256 摘要（64 位十六进制），请用 python build.py allow-number 计算；不要写号码本身")
        return value.lower()

    @field_validator("reason", "reviewer")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("不能为空")
        return value


@dataclass(frozen=True)
class AllowList:
    """The reviewed numbers of content/personal_data_allow.yaml."""

    root: Path | None = None
    entries: tuple[AllowEntry, ...] = ()

    def admits(self, finding: Finding, path: Path | None) -> bool:
        """Return True when an entry names this number (for this file, if the entry says one)."""
        for entry in self.entries:
            if entry.sha256 != finding.sha256:
                continue
            if entry.file is None or path is None or self.root is None:
                return True
            try:
                if path.resolve().relative_to(self.root.resolve()).as_posix() == entry.file.strip("/"):
                    return True
            except ValueError:
                continue
        return False


def load_allow_list(root: Path) -> tuple[AllowList, list[Problem]]:
    """Return the allow-list of content folder `root` (empty when the file is absent) and its problems."""
    from disclosure.content import read_yaml_file  # content imports this module

    path = root / ALLOW_FILE
    if not path.is_file():
        return AllowList(root), []
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = [
        error(path, line, "file", f.message(column, "允许名单只能写号码的 SHA-256 摘要（用 python build.py allow-number 计算），不能写号码本身"))
        for f, line, column in locate(text, scan_text(text), 1)
        if f.severity == "error"
    ]
    located, found = read_yaml_file(path)
    problems += found
    if located is None or located.value is None:
        return AllowList(root), problems
    if not isinstance(located.value, list):
        return AllowList(root), [*problems, error(path, located.line_of(()), "file", "应为列表：每项以 - 开头，写 sha256、reason、reviewer")]
    from disclosure.validation import validate_model

    entries: list[AllowEntry] = []
    for i, value in enumerate(located.value):
        sub = strict_yaml.Located(value, {p[1:]: line for p, line in located.lines.items() if p[:1] == (i,)})
        entry, found = validate_model(AllowEntry, sub, path, f"第 {i + 1} 项")
        for p in found:
            key = p.key if p.key not in ("front_matter", "yaml") else ""
            problems.append(Problem(p.path, p.line, f"[{i}]" + (f".{key}" if key else ""), p.message, p.severity))
        if entry is not None:
            entries.append(entry)
    return AllowList(root, tuple(entries)), problems


# ---------------------------------------------------------------------------- files


def locate(text: str, findings: list[Finding], first_line: int) -> Iterator[tuple[Finding, int, int]]:
    """Yield each finding with its file line and 1-based column, counted on the raw text."""
    for f in findings:
        line_start = text.rfind("\n", 0, f.start) + 1
        yield f, first_line + text.count("\n", 0, f.start), f.start - line_start + 1


def _problem(path: Path | str, line: int, key: str, f: Finding, column: int | None, note: str = "") -> Problem:
    make = error if f.severity == "error" else warning
    return make(path, line, key, f.message(column) + note)


def scan_piece(
    text: str, path: Path, first_line: int, key_of_line: Any, allow: AllowList, today: date | None = None
) -> tuple[list[Problem], set[str]]:
    """Return problems for a piece of a file starting at `first_line`, and the hashes found."""
    findings = scan_text(text, today)
    problems, hashes = [], set()
    for f, line, column in locate(text, findings, first_line):
        hashes.add(f.sha256)
        if not allow.admits(f, path):
            problems.append(_problem(path, line, key_of_line(line), f, column))
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
    found, more = scan_piece(source.body, path, source.body_line, lambda _line: "body", allow, today)
    problems += found
    hashes |= more
    # YAML escapes ("\x31\x33…") hide digits from the raw text; their values are checked too
    if located is not None:
        for keys, value in _strings(located.value, ()):
            for f in scan_text(value, today):
                if f.sha256 not in hashes and not allow.admits(f, path):
                    hashes.add(f.sha256)
                    problems.append(_problem(path, located.line_of(keys), strict_yaml.key_text(keys) or "front_matter", f, None))
    return problems


def _strings(value: Any, keys: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield keys, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*keys, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*keys, i))


TEXT_SUFFIXES = {".yaml", ".yml", ".csv", ".tsv", ".txt", ".json", ".md", ".html", ".htm", ".xml", ".js", ".svg"}


def scan_other_files(
    root: Path, allow: AllowList, handled: Collection[Path] = (), today: date | None = None
) -> list[Problem]:
    """Return problems in every content file not scanned elsewhere: YAML, CSV, guide parts, attachment names.

    Records and pages (`handled`) are scanned where they are validated; the allow-list by
    `load_allow_list`.
    """
    problems: list[Problem] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file() or path in handled:
            continue
        if rel.as_posix() == ALLOW_FILE:
            continue
        problems += scan_name(path, allow)
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES and path.stat().st_size <= 5_000_000:
            text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
            problems += scan_piece(text, path, 1, lambda _line: "file", allow, today)[0]
        elif suffix in OFFICE_SUFFIXES:
            problems += scan_office_file(path, allow, today)
    return problems


OFFICE_SUFFIXES = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}
MAX_OFFICE_BYTES = 50_000_000
# a cell, shared string, row or paragraph ends: a line break; any other tag (a Word run) joins
_OFFICE_BREAK = re.compile(r"</(?:\w+:)?(?:si|c|row|p|tc|tr|table-cell|table-row)>")
_OFFICE_TAG = re.compile(r"<[^>]*>")


def scan_office_file(path: Path, allow: AllowList, today: date | None = None) -> list[Problem]:
    """Return problems in the text of a Word/Excel/OpenDocument attachment (zipped XML).

    PDF, OFD, images and the old binary formats cannot be read here: they need a person.
    """
    import html
    import zipfile

    problems: list[Problem] = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.endswith(".xml")]
            if sum(m.file_size for m in members) > MAX_OFFICE_BYTES:
                return [warning(path, 1, "file", "附件解压后过大，未能检查其中的个人信息；请人工核查后再发布")]
            for member in members:
                xml = archive.read(member).decode("utf-8", errors="replace")
                text = html.unescape(_OFFICE_TAG.sub("", _OFFICE_BREAK.sub("\n", xml)))
                for f in scan_text(text, today):
                    if not allow.admits(f, path):
                        make = error if f.severity == "error" else warning
                        message = f"附件内容中{f.message().removeprefix('的')}（{member.filename}）"
                        problems.append(make(path, 1, "file", message))
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError):
        problems.append(warning(path, 1, "file", "附件无法作为 Office 文档打开，未能检查其中的个人信息；请人工核查"))
    return problems


# ---------------------------------------------------------------------------- last gate


def check_output(staging: Path, output_dir: Path, content_dir: Path) -> None:
    """Raise ContentInvalid when generated pages, feeds or data show a number the source scan missed.

    Templates may join fields, and HTML entities may hide digits in the source; so the
    output is scanned as text once more, after unescaping, before the swap.
    """
    import html

    allow, _ = load_allow_list(content_dir)
    allow = AllowList(None, allow.entries)  # output files are not content files: hashes only
    problems: list[Problem] = []
    for path in sorted(staging.rglob("*")):
        if not path.is_file():
            continue
        shown = output_dir / path.relative_to(staging)
        for f in scan_text(path.name):
            if f.severity == "error" and not allow.admits(f, None):
                problems.append(error(shown, 1, "file", f"生成结果的文件名中{f.message(action=GATE).removeprefix('的')}"))
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        text = html.unescape(raw) if path.suffix.lower() not in (".csv", ".tsv", ".txt") else raw
        for f, line, column in locate(text, scan_text(text), 1):
            if f.severity == "error" and not allow.admits(f, None):
                problems.append(error(shown, line, "file", f"生成结果{f.message(column, GATE)}"))
    if problems:
        raise ContentInvalid(problems)


# ---------------------------------------------------------------------------- allow-number


def allow_number_command(stream: Any = None) -> int:
    """Read a number from stdin (not echoed on a terminal) and print an allow-list entry for it."""
    import getpass

    stream = stream or sys.stdin
    raw = getpass.getpass("请输入要登记的号码（输入不回显）：") if stream.isatty() else stream.read()
    found = [f for f in scan_text(raw.strip()) if f.kind in KIND_NAMES or f.kind == "card_luhn"]
    if len(found) != 1:
        print("未能识别为一个身份证号、手机号码或银行卡号；请只输入一个号码。", file=sys.stderr)
        return 1
    f = found[0]
    name = KIND_NAMES.get(f.kind, "银行卡号")
    print(f"已识别为{name} {f.masked}。把下面几行加到 content/{ALLOW_FILE}，并填写理由和审核人：", file=sys.stderr)
    print(f"- sha256: {f.sha256}\n  reason: 请填写公开理由（如：值班手机，按规定公开）\n  reviewer: 请填写审核人")
    return 0
