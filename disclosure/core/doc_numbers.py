"""发文字号 in the GB/T 9704-2012 form `代字〔年份〕序号号`, and the variants staff paste."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Brackets seen around the year in real documents: (2009) [2009] 【2009】 （2009） ﹝2009﹞ 〔2009〕
_YEAR = re.compile(r"^(?P<prefix>[^\s\(\[（【〔﹝〖]+?)\s*[\(\[（【〔﹝〖]\s*(?P<year>\d{4})\s*[\)\]）】〕﹞〗]\s*(?P<rest>.*)$")
_SERIAL = re.compile(r"^(?P<di>第?)(?P<serial>\d+)号$")
_SHORT_YEAR = re.compile(r"^[^\s\(\[（【〔﹝〖]+?\s*[\(\[（【〔﹝〖]\s*\d{1,3}\s*[\)\]）】〕﹞〗]")


@dataclass(frozen=True, slots=True)
class DocNumber:
    """A parsed 发文字号: the normal form, and what staff should hear about the input."""

    text: str
    year: int | None
    warning: str | None = None
    error: str | None = None


def parse_doc_number(value: str) -> DocNumber:
    """Return `value` normalised to 代字〔YYYY〕N号, with a warning or error where needed.

    Numbers without a year in brackets (国令第707号, 公告2018年第5号) are kept as written.
    """
    digits = "".join(unicodedata.normalize("NFKC", c) if c.isdigit() else c for c in value.strip())
    match = _YEAR.match(digits)
    if not match and _SHORT_YEAR.match(digits):
        return DocNumber(value, None, error=f"发文字号“{value}”的年份应写全 4 位数字（GB/T 9704），如 保发〔2009〕9号")
    if not match:
        return DocNumber(digits, None, _changed(value, digits))
    prefix, year, rest = match.group("prefix"), int(match.group("year")), match.group("rest")
    serial = _SERIAL.match(rest.replace(" ", ""))
    if not serial:
        return DocNumber(value, year, error=f"发文字号“{value}”不是 代字〔年份〕序号号 的格式，如 保发〔2009〕9号")
    if serial.group("di"):
        return DocNumber(value, year, error=f"发文字号“{value}”的序号前不加“第”（GB/T 9704），应写作 {prefix}〔{year}〕{int(serial.group('serial'))}号")
    if serial.group("serial").startswith("0"):
        return DocNumber(value, year, error=f"发文字号“{value}”的序号不编虚位（不加前导 0），应写作 {prefix}〔{year}〕{int(serial.group('serial'))}号")
    text = f"{prefix}〔{year}〕{serial.group('serial')}号"
    return DocNumber(text, year, _changed(value, text))


def _changed(original: str, normal: str) -> str | None:
    if original.strip() == normal:
        return None
    return f"发文字号“{original.strip()}”已规范为“{normal}”（年份用六角括号〔〕，数字用半角），请在源文件中改正"


_FOLD = re.compile(r"[\s\(\)\[\]（）【】〔〕﹝﹞〖〗第号]")


def doc_number_key(value: str) -> str:
    """Return a search key that ignores bracket style, 第/号, spaces and full-width digits."""
    return _FOLD.sub("", unicodedata.normalize("NFKC", value))
