"""Find ID, mobile and bank-card numbers in text, however disguised; pure functions, no I/O.

How a number is found, in linear time (reliability research §6):
1. A quick regex finds stretches of 11 or more digit-like characters; an exact one finds
   runs of digits (any Unicode decimal digit, so full-width too) joined by at most 6
   separators (space, `-`, `.`, `·` …) or zero-width characters, with `*` allowed after
   the first digit (masks) and an `X` at the end (ID check character).
2. A run splits into groups at visible separators; zero-width characters vanish inside
   a group. Candidates are whole groups or a few neighbouring groups (every group but the
   last at least 3 characters long), so `110105 19491231 002X` is one candidate while
   `010-12345678 13800138000` still yields the mobile on its own.
3. A candidate next to an ASCII letter or digit (or a full-width one) is no number of ours.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice

from disclosure.core.characters import SEPARATORS, ZERO_WIDTH
from disclosure.core.problems import Severity

MAX_FINDINGS = 50  # per scanned text; a file with more is plainly a list of people
ARTICLE = "依《政府信息公开条例》第十五条不得公开"

# Digits a reader reads as digits although Unicode files them elsewhere: super- and subscripts,
# circled and parenthesised digits (folded one to one, so positions stay), and Chinese numerals
# (一三八〇〇一三八〇〇〇) in runs long enough to be a number, never a date or a count.
_DIGIT_LIKE = str.maketrans(
    {
        **{c: str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
        **{c: str(i) for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")},
        **{c: str(i) for i, c in enumerate("⓪①②③④⑤⑥⑦⑧⑨")},
        **{c: str(i) for i, c in enumerate("⓿❶❷❸❹❺❻❼❽❾")},
        **{c: str(i + 1) for i, c in enumerate("⑴⑵⑶⑷⑸⑹⑺⑻⑼")},
        **{c: str(i + 1) for i, c in enumerate("⒈⒉⒊⒋⒌⒍⒎⒏⒐")},
        **{c: str(i + 1) for i, c in enumerate("➀➁➂➃➄➅➆➇➈")},
        **{c: str(i + 1) for i, c in enumerate("➊➋➌➍➎➏➐➑➒")},
    }
)
_DIGIT_LIKE_CHARS = re.compile("[" + "".join(chr(c) for c in _DIGIT_LIKE) + "]")
# 〇 and the ○ used for it, 零, 幺 (how 1 is said in phone numbers), and the financial 壹 … 玖
_CHINESE_DIGITS = str.maketrans(
    {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
    | {c: str(i) for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
    | {"○": "0", "幺": "1", "貳": "2", "參": "3", "陸": "6"}
)
_CHINESE_RUN = re.compile(r"[〇○零一幺二三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖]{11,}[Xx]?")


# The fewest digits any number this module reports has (a mobile number): a text with fewer
# characters that can stand for a digit cannot hold one, however it is disguised.
MIN_DIGITS = 11
_DIGIT_CHARACTER = re.compile(
    "[\\d" + "".join(chr(c) for c in _DIGIT_LIKE) + "〇○零一幺二三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖]"
)


def could_hold_number(text: str) -> bool:
    """Return whether `text` has at least MIN_DIGITS characters that can stand for a digit
    (Unicode decimal digits of every script, the digit-like signs, Chinese numerals).

    Each way a file can write a digit keeps one of them: an entity (&#49;) or escape
    (\\u0031, %31) writes digits of its own, and named entities are decoded before asking.
    """
    return next(islice(_DIGIT_CHARACTER.finditer(text), MIN_DIGITS - 1, None), None) is not None


def fold_digit_like(text: str) -> str:
    """Return `text` with digit-like characters as ASCII digits, same length (positions stay)."""
    if _DIGIT_LIKE_CHARS.search(text):
        text = text.translate(_DIGIT_LIKE)
    if _CHINESE_RUN.search(text):
        text = _CHINESE_RUN.sub(lambda m: m.group().translate(_CHINESE_DIGITS), text)
    return text
_INVISIBLE = re.compile(f"[{ZERO_WIDTH}]")
_STAR = "*\uff0a\u2217"
_X = "Xx\uff38\uff58"


def _number_patterns(separators: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Return (stretch, run) for numbers whose groups `separators` may split.

    The stretch is a quick first pass: only stretches of 11+ digit-like characters reach
    the exact run pattern.
    """
    between = f"[{separators}{ZERO_WIDTH}]{{0,6}}"
    stretch = re.compile(rf"\d[\d{_STAR}{separators}{ZERO_WIDTH}{_X}]{{10,}}")
    run = re.compile(rf"\d(?:{between}[\d{_STAR}])*(?:{between}[{_X}])?")
    return stretch, run


# In prose (bodies, front matter, text attachments) the ASCII comma and colon separate groups too
# (138,0013,8000), and so do quotes and the ellipsis (“138”“0013”, 138…0013…8000); in JSON, CSV
# and SVG output they separate values, so only prose reads them so.
_PLAIN = _number_patterns(SEPARATORS)
_PROSE = _number_patterns(SEPARATORS + ",:\"'\u2018\u2019\u201c\u201d\u2026")
_GROUP = re.compile(rf"[\d{_STAR}{_X}{ZERO_WIDTH}]+")
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
_FOLD = {ord(c): "*" for c in _STAR} | {ord(c): "X" for c in _X}


def _normalise(raw: str) -> str:
    """Return a group as ASCII digits, `*` and `X`: zero-width gone, full-width and other digits folded."""
    text = _INVISIBLE.sub("", raw).translate(_FOLD)
    if not text.isascii():
        text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    return _EDGE_STARS.sub("", text) if "*" in text else text


def _closed(text: str, at: int, step: int) -> bool:
    """Return whether the number's edge at `at` is part of a longer code (a digit, or letters mixed with digits).

    "Tel13800138000" and "13800138000ext" are numbers with a word beside them; "a3f13800138000",
    "13800138000b4" and "X13800138000" are parts of a code or hash.
    """
    if not 0 <= at < len(text) or not _is_letter_or_digit(text[at]):
        return False
    letters = 0
    while 0 <= at < len(text) and _is_letter_or_digit(text[at]):
        if text[at].isdigit():
            return True
        letters += 1
        at += step
    return letters == 1  # one letter: a code's prefix or check character (X…, credit codes' …L)


def _is_letter_or_digit(c: str) -> bool:
    """Return True for an ASCII or full-width letter or digit: what closes a number's edge."""
    if c.isascii():
        return c.isalnum()
    return "\uff10" <= c <= "\uff5a" and unicodedata.normalize("NFKC", c).isalnum()


def scan_text(text: str, today: date | None = None, limit: int = MAX_FINDINGS, prose: bool = False) -> list[Finding]:
    """Return the personal numbers found in `text`, ordered by position (at most `limit`).

    `prose`: text people wrote (not JSON, CSV or SVG), where an ASCII comma or colon inside a
    number is a separator too.
    """
    found: list[Finding] = []
    text = fold_digit_like(text)
    stretch, runs = _PROSE if prose else _PLAIN
    for run in (r for m in stretch.finditer(text) for r in runs.finditer(text, m.start(), m.end())):
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
        closed_left = _closed(text, s - 1, -1)
        closed_right = _closed(text, e, 1)
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
            if j > i and lengths[0] <= 3 and all(n == 3 for n in lengths[1:]) and any(
                "，" in text[a[1] : b[0]] or "," in text[a[1] : b[0]] for a, b in zip(groups[i:j], groups[i + 1 : j + 1], strict=True)
            ):
                continue  # 13,800,138,000 元: thousands, not a phone number
            bare = value.replace("*", "")
            if "*" in value and len(bare) >= 11:  # 138*00138000: every digit still there, the star hides none
                finding = _classify(bare, text, groups[i][0], groups[j][1], [len(bare)], today)
                if finding is not None and finding.severity == "error":
                    candidates.append(finding)
                    continue
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


def locate(text: str, findings: list[Finding], first_line: int) -> Iterator[tuple[Finding, int, int]]:
    """Yield each finding with its file line and 1-based column, counted on the raw text."""
    for f in findings:
        line_start = text.rfind("\n", 0, f.start) + 1
        yield f, first_line + text.count("\n", 0, f.start), f.start - line_start + 1


def line_and_column(text: str, offset: int, first_line: int) -> tuple[int, int]:
    """Return the file line and 1-based column of `offset` in `text`."""
    return first_line + text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1) + 1
