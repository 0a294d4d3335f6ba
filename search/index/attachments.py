"""The text of attachments for search: their start, extracted once per file content.

An attachment's text is read by the personal-data scan's extractor
(`disclosure.rules.attachment_text`: text files by their encoding, Word/Excel/ODF XML, PDF
text layers) for the kinds of file a reader opens as a document, not archives. Only the
first `TEXT_CHARS` characters are searched (spaces folded), so that a long annex weighs on
the index no more than a page. Texts are kept by the sha256 of the file's bytes in the
build cache (`<cache>/search/attachments.json`): a PDF is parsed again only when it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from disclosure.core.records import AttachmentFile
from disclosure.rules.attachment_text import OFFICE_SUFFIXES, PDF_SUFFIXES, TEXT_KINDS, Text, extract

TEXT_CHARS = 3_000  # searched per attachment
MAX_BYTES = 20_000_000  # larger files are searched by title only
SUFFIXES = frozenset(TEXT_KINDS) | OFFICE_SUFFIXES | PDF_SUFFIXES
_SPACE = re.compile(r"\s+")
# the parts of an Office/ODF file a reader sees as its content (not properties, styles, settings)
_CONTENT_PARTS = re.compile(r"^(?:word/(?:document|footnotes|endnotes)|xl/(?:sharedStrings|worksheets/)|ppt/slides/|content\.xml)")


def file_text(name: str, data: bytes) -> str:
    """Return the start of the readable text of one attachment ("" when none can be read)."""
    pieces: list[str] = []
    size = 0
    for found in extract(name, data):
        if isinstance(found, Text) and (not found.member or _CONTENT_PARTS.match(found.member)):
            piece = _SPACE.sub(" ", found.text).strip()
            pieces.append(piece)
            size += len(piece)
            if size >= TEXT_CHARS:
                break
    return " ".join(p for p in pieces if p)[:TEXT_CHARS]


class AttachmentTexts:
    """The searched text of attachments, by content digest, kept in a JSON file between builds."""

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = cache
        self.texts: dict[str, str] = {}
        self.used: set[str] = set()
        if cache is not None:
            try:
                loaded = json.loads(cache.read_text("utf-8"))
                if loaded.get("chars") == TEXT_CHARS:
                    self.texts = dict(loaded["texts"])
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self.texts = {}

    def read(self, file: AttachmentFile) -> tuple[str, str]:
        """Return the digest of an attachment's bytes and its searched text."""
        suffix = file.source.suffix.lower()
        if suffix not in SUFFIXES or file.size > MAX_BYTES:
            return f"{file.size}", ""
        try:
            data = file.source.read_bytes()
        except OSError:
            return "", ""
        digest = hashlib.sha256(data).hexdigest()
        self.used.add(digest)
        if digest not in self.texts:
            self.texts[digest] = file_text(file.name, data)
        return digest, self.texts[digest]

    def save(self) -> None:
        """Write the texts of the attachments read in this build (none of older ones) to the cache."""
        if self.cache is None:
            return
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        kept = {d: t for d, t in self.texts.items() if d in self.used}
        partial = self.cache.with_suffix(".partial")
        partial.write_text(json.dumps({"chars": TEXT_CHARS, "texts": kept}, ensure_ascii=False), "utf-8")
        os.replace(partial, self.cache)
