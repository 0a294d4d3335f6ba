"""The text inside attachments, for the personal-data scan: decoded, unzipped, extracted.

Text files are read by their real encoding (a BOM, UTF-16 found by its NUL bytes, UTF-8,
else GB 18030, which contains GBK). Word, Excel, PowerPoint and OpenDocument files are
zipped XML: runs and spans inside a paragraph or cell join, paragraphs and cells do not.
PDF text comes from pypdf. A `.zip` is opened member by member, recursively, within
bounds (depth, member count, total size, compression ratio), so a zip bomb costs a
warning, not the build. Whatever cannot be read (images, scanned PDFs, OFD, old binary
Office files, encrypted files) is returned as `Unreadable`, for a warning naming it.
"""

from __future__ import annotations

import codecs
import html
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

Kind = Literal["text", "markdown", "html", "xml", "csv"]

TEXT_KINDS: dict[str, Kind] = {
    ".txt": "text",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "text",
    ".yaml": "text",
    ".yml": "text",
    ".js": "text",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".svg": "html",
    ".xml": "xml",
}
OFFICE_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"})
ARCHIVE_SUFFIXES = frozenset({".zip"})
PDF_SUFFIXES = frozenset({".pdf"})
# what no library here reads: a person must look (name → what the reader is told it is)
UNREADABLE: dict[str, str] = {
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp", ".webp"), "图片"),
    ".ofd": "OFD 版式文件",
    **dict.fromkeys((".doc", ".xls", ".ppt", ".wps", ".et", ".dps"), "旧版二进制 Office/WPS 文件"),
    **dict.fromkeys((".rar", ".7z"), "RAR/7z 压缩包"),
    **dict.fromkeys((".mp4", ".mp3", ".avi", ".wmv", ".mov"), "音视频文件"),
}

MAX_DEPTH = 3  # a zip inside a zip inside a zip
MAX_MEMBERS = 2_000
MAX_TOTAL_BYTES = 200_000_000  # uncompressed, over all members of one attachment
MAX_RATIO = 200  # uncompressed / compressed of one member; zip bombs reach 1,000 and more
MAX_PDF_PAGES = 2_000
NOT_CHECKED = "无法提取文字，未能检查其中的个人信息；请人工核查后再发布"


@dataclass(frozen=True, slots=True)
class Text:
    """Text found in an attachment (`member`: "" for the file itself, else its path inside)."""

    member: str
    text: str
    kind: Kind
    lines: bool = True  # whether its line numbers mean something to a person (not in Office XML)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A file or member whose text could not be checked, and why (a Chinese sentence)."""

    member: str
    reason: str


@dataclass
class Budget:
    """What is left of the bounds while one attachment is opened."""

    members: int = MAX_MEMBERS
    total: int = MAX_TOTAL_BYTES
    exhausted: list[str] = field(default_factory=list)


def decode_text(data: bytes) -> str:
    """Return `data` decoded by its real encoding, line ends as "\\n".

    BOM first (UTF-8, UTF-32, UTF-16); then UTF-16 without a BOM, told by NUL bytes at
    every other position (Chinese Windows tools write it); then UTF-8; else GB 18030.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _lines(data.decode(encoding, errors="replace"))
    sample = data[:4096]
    if len(sample) >= 2 and sample.count(0) * 4 >= len(sample):
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        return _lines(data.decode("utf-16-le" if odd >= even else "utf-16-be", errors="replace"))
    try:
        return _lines(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _lines(data.decode("gb18030", errors="replace"))


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def extract(name: str, data: bytes, budget: Budget | None = None, depth: int = 0, member: str = "") -> Iterator[Text | Unreadable]:
    """Yield the texts of one attachment (by its file name's suffix) and what could not be read."""
    budget = budget or Budget()
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in TEXT_KINDS:
        yield Text(member, decode_text(data), TEXT_KINDS[suffix])
    elif suffix in OFFICE_SUFFIXES:
        yield from _office(data, member)
    elif suffix in PDF_SUFFIXES:
        yield from _pdf(data, member)
    elif suffix in ARCHIVE_SUFFIXES:
        yield from _archive(data, budget, depth, member)
    elif suffix in UNREADABLE:
        yield Unreadable(member, f"{UNREADABLE[suffix]}{NOT_CHECKED}")
    elif looks_like_text(data):  # a README, a .dat or .log: what a reader opens as text is scanned as text
        yield Text(member, decode_text(data), "text")
    else:
        yield Unreadable(member, f"未知格式的文件（{suffix or '无扩展名'}），{NOT_CHECKED}")


def looks_like_text(data: bytes) -> bool:
    """Return whether `data` reads as text: a BOM, UTF-16 by its NUL pattern, or NUL-free UTF-8/GB 18030."""
    sample = data[:8192]
    if sample.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if len(sample) >= 2 and sample.count(0) * 4 >= len(sample):
        return max(sample[1::2].count(0), sample[0::2].count(0)) * 2 >= len(sample) * 0.9
    if 0 in sample or any(b < 9 or 13 < b < 32 for b in sample[:1024] if b != 27):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as bad:
            if bad.start >= len(sample) - 4:  # the sample cut a character in two
                return True
    return False


def member_name(info: zipfile.ZipInfo) -> str:
    """Return a member's name as an unzipping tool shows it (Chinese Windows zips names in GBK)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _archive(data: bytes, budget: Budget, depth: int, member: str) -> Iterator[Text | Unreadable]:
    if depth >= MAX_DEPTH:
        yield Unreadable(member, f"压缩包嵌套超过 {MAX_DEPTH} 层，{NOT_CHECKED}")
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        yield Unreadable(member, f"压缩包无法打开，{NOT_CHECKED}")
        return
    with archive:
        for info in archive.infolist():
            inner = f"{member}/{info.filename}" if member else info.filename
            yield Text(inner, member_name(info), "text", lines=False)  # a name shows when unzipped
            if info.is_dir():
                continue
            problem = _member_problem(info, budget)
            if problem:
                yield Unreadable(inner, problem)
                if budget.exhausted:
                    return
                continue
            try:
                content = _read_bounded(archive, info)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError):
                yield Unreadable(inner, f"压缩包成员无法解压，{NOT_CHECKED}")
                continue
            if content is None:
                yield Unreadable(inner, f"压缩包成员解压后比声明的大（疑似压缩炸弹），{NOT_CHECKED}")
                continue
            yield from extract(info.filename, content, budget, depth + 1, inner)


def _member_problem(info: zipfile.ZipInfo, budget: Budget) -> str:
    """Return why a member is not opened ("" when it may be), charging it to the budget."""
    if info.flag_bits & 0x1:
        return f"压缩包成员已加密，{NOT_CHECKED}"
    budget.members -= 1
    if budget.members < 0:
        budget.exhausted.append("members")
        return f"压缩包成员超过 {MAX_MEMBERS} 个，其余成员{NOT_CHECKED}"
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return f"压缩比异常（{info.file_size // info.compress_size} 倍，疑似压缩炸弹），{NOT_CHECKED}"
    budget.total -= info.file_size
    if budget.total < 0:
        budget.exhausted.append("size")
        return f"压缩包解压后超过 {MAX_TOTAL_BYTES // 1_000_000} MB，其余成员{NOT_CHECKED}"
    return ""


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """Return a member's bytes, or None when it inflates past its declared size (a forged header)."""
    with archive.open(info) as stream:
        content = stream.read(info.file_size + 1)
    return None if len(content) > info.file_size else content


# a cell, shared string, row, paragraph, heading or list item ends: a line break; any
# other tag (a Word run, an ODF text:span) joins what is around it, as the reader sees it
_OFFICE_BREAK = re.compile(r"</(?:\w+:)?(?:si|c|row|p|h|tc|tr|table-cell|table-row|list-item|txbx|sp)>")
_OFFICE_SPACE = re.compile(r"<(?:\w+:)?(?:br|cr|tab|line-break|s)\b[^>]*/>")
_OFFICE_TAG = re.compile(r"<[^>]*>")


def office_xml_text(xml: str) -> str:
    """Return the text of one Office/ODF XML part: runs and spans joined, paragraphs and cells apart."""
    text = _OFFICE_TAG.sub("", _OFFICE_SPACE.sub(" ", _OFFICE_BREAK.sub("\n", xml)))
    return html.unescape(text)


def _office(data: bytes, member: str) -> Iterator[Text | Unreadable]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        yield Unreadable(member, f"附件无法作为 Office 文档打开（可能已加密或已损坏），{NOT_CHECKED}")
        return
    with archive:
        parts = [m for m in archive.infolist() if m.filename.endswith(".xml")]
        if sum(m.file_size for m in parts) > MAX_TOTAL_BYTES or any(
            m.compress_size and m.file_size / m.compress_size > MAX_RATIO for m in parts
        ):
            yield Unreadable(member, f"文档解压后过大或压缩比异常，{NOT_CHECKED}")
            return
        for part in parts:
            try:
                xml = archive.read(part).decode("utf-8", errors="replace")
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
                yield Unreadable(member, f"文档部件 {part.filename} 无法解压，{NOT_CHECKED}")
                continue
            if _SHEET_NUMBER.search(xml):  # Excel keeps 13800138000 as <v>1.3800138E10</v> and shows it whole
                xml = _SHEET_NUMBER.sub(_whole_number, xml)
            yield Text(f"{member}（{part.filename}）" if member else part.filename, office_xml_text(xml), "text", lines=False)


_SHEET_NUMBER = re.compile(r"<v>(-?\d+(?:\.\d+)?[Ee]\+?\d{1,2})</v>")


def _whole_number(match: re.Match[str]) -> str:
    """Return a spreadsheet number in exponent form as the digits a spreadsheet displays, when whole."""
    try:
        value = Decimal(match.group(1))
    except InvalidOperation:
        return match.group(0)
    if value == value.to_integral_value() and abs(value) < 10**20:
        return f"<v>{int(value)}</v>"
    return match.group(0)


def _pdf(data: bytes, member: str) -> Iterator[Text | Unreadable]:
    import pypdf  # lazy: pypdf takes a tenth of a second to import and only PDF attachments need it
    from pypdf.errors import PyPdfError  # lazy: as pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about small defects of real files
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                yield Unreadable(member, f"PDF 已加密，{NOT_CHECKED}")
                return
            if len(reader.pages) > MAX_PDF_PAGES:
                yield Unreadable(member, f"PDF 超过 {MAX_PDF_PAGES} 页，{NOT_CHECKED}")
                return
            pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, NotImplementedError):
        yield Unreadable(member, f"PDF 无法解析（可能已损坏），{NOT_CHECKED}")
        return
    text = "\n".join(pages)
    if not text.strip():
        yield Unreadable(member, f"PDF 没有文字层（可能是扫描件），{NOT_CHECKED}")
        return
    yield Text(member, _lines(text), "text", lines=False)
