"""Reusable field types for the front-matter models: strict dates, clean text, lists."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# XML 1.0 cannot carry these; bidi overrides can disguise a title.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


def forbidden_character(text: str) -> str | None:
    """Return a description of the first control or disguising character in `text`, if any."""
    found = _FORBIDDEN.search(text)
    if not found:
        return None
    char = found.group()
    name = unicodedata.name(char, "控制字符")
    return f"U+{ord(char):04X}（{name}）"


def parse_iso_date(value: Any) -> date:
    """Return the date written as YYYY-MM-DD; raise ValueError with a Chinese message."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("应为日期，格式 YYYY-MM-DD，如 2009-04-03")
    text = value.strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"日期格式应为 YYYY-MM-DD，如 2009-04-03（实为“{text}”）")
    year, month, day = (int(x) for x in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise ValueError(f"日期不存在：{text}") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:  # 9999-12-31 + 20 working days overflowed (issue 10)
        raise ValueError(f"日期 {text} 超出合理范围（{EARLIEST_DATE} 至 {LATEST_DATE}），请核对年份")
    return parsed


EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)  # far enough from date.max that any working-day arithmetic is safe


def clean_text(value: Any) -> Any:
    """Return a string stripped of surrounding spaces; refuse control characters."""
    if isinstance(value, str):
        bad = forbidden_character(value)
        if bad:
            raise ValueError(f"含有不可见的控制字符 {bad}，请删除（可能是从别处粘贴带入的）")
        return value.strip()
    return value


def one_or_many(value: Any) -> Any:
    """Return a one-item list for a single string, so `agency: 国务院` and a list both work."""
    return [value] if isinstance(value, str) else value


_WORD_SEPARATORS = re.compile(r"[、，,；;\s\u3000]+")


def split_words(value: Any) -> Any:
    """Return keywords written as one string (`体育　运动会`) as a list."""
    if isinstance(value, str):
        return [w for w in _WORD_SEPARATORS.split(value) if w]
    return value


IsoDate = Annotated[
    date,
    BeforeValidator(parse_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
Text = Annotated[str, BeforeValidator(clean_text)]


# 索引号 → /records/<索引号 with / → ->/: one safe ASCII URL segment and one safe folder name,
# whatever `index_number_pattern` in site.yaml allows (DESIGN §5).
_INDEX_CHARS = re.compile(r"^[A-Za-z0-9._/-]+$")
INDEX_NUMBER_MAX = 100


def index_number_problem(value: str) -> str | None:
    """Return why the 索引号 `value` cannot become a URL segment, or None when it can."""
    if len(value) > INDEX_NUMBER_MAX:
        return f"超过 {INDEX_NUMBER_MAX} 个字符"
    if not _INDEX_CHARS.match(value):
        bad = next(c for c in value if not _INDEX_CHARS.match(c))
        shown = f"U+{ord(bad):04X}" if not bad.isprintable() or bad.isspace() else f"“{bad}”"
        return f"含有字符 {shown}"
    for part in value.split("/"):
        if not part:
            return "含有空的一段（开头、结尾或连续的 /）"
        if part.startswith(".") or part.endswith("."):
            return f"有一段“{part}”以 . 开头或结尾（. 和 .. 在网址中表示当前和上级目录）"
    return None


def check_index_number(value: str) -> str:
    """Return `value` when it maps to a safe URL segment; raise ValueError with a Chinese message."""
    problem = index_number_problem(value)
    if problem:
        raise ValueError(
            f"索引号“{value}”不能用作网址：{problem}；索引号只能由英文字母、数字和 - _ . 组成，用 / 分段，"
            "如 000014349/2018-00204"
        )
    return value
