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
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"日期不存在：{text}") from None


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
