"""Characters XML 1.0 cannot carry, found before any feed or data file is written.

Front-matter strings already refuse them (`fields.clean_text`); this checks the Markdown
body, which goes into every feed in full, and guards the feed stage itself.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from disclosure.core.problems import Problem, error

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def illegal_character(text: str) -> str | None:
    """Return a description of the first character XML cannot carry, or None."""
    found = XML_ILLEGAL.search(text)
    if not found:
        return None
    char = found.group()
    return f"U+{ord(char):04X}（{unicodedata.name(char, '控制字符')}）"


def body_problems(body: str, path: Path, first_line: int) -> list[Problem]:
    """Return one problem per body line holding a character no feed can carry."""
    problems: list[Problem] = []
    if not XML_ILLEGAL.search(body):
        return problems
    for offset, line in enumerate(body.split("\n")):
        bad = illegal_character(line)
        if bad:
            problems.append(
                error(path, first_line + offset, "body",
                      f"正文含有不可见的控制字符 {bad}，订阅源无法收录；请删除（可能是从别处粘贴带入的）")
            )
    return problems
