"""The plain-text fast path renders exactly what Python-Markdown renders, on real documents."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from conftest import FIXTURES, REPO
from disclosure.core.markdown_html import EXTENSIONS, is_plain, plain_paragraphs, to_html

REAL_BODIES = sorted(
    [*(REPO / "content").rglob("*.md"), *(FIXTURES / "corpus").rglob("*.md")],
)
# the real documents among them (the sample's 政府文件 and the corpus), not the invented 示例 records
DOCUMENTS = [p for p in REAL_BODIES if "documents" in p.parts or FIXTURES in p.parents]
CRAFTED = [
    "第一条 为了规范……，制定本条例。\n第二条 本条例适用于……。",
    "## 第一章 总则\n\n第一条 总则。\n\n### 第一节 一般规定 ###\n正文",
    "#标题紧贴\n\n一段\n\n\n\n两段",
    "1.问题导向。针对政府网站存在的问题。\n2.开放融合。",
    "（一）指导思想。\n\n（二）基本原则。",
    "国务院办公厅\n\n2018年10月27日\n\n（此件公开发布）",
    "",
    "#",
    "####### 七级",
]


def python_markdown(body: str) -> str:
    return markdown.Markdown(extensions=EXTENSIONS, output_format="html").convert(body)


def body_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1] if text.startswith("---") else text.split("<!-- INFO END -->", 1)[-1]


@pytest.mark.parametrize("body", [body_of(p) for p in REAL_BODIES] + CRAFTED)
def test_fast_path_matches_python_markdown(body: str) -> None:
    if is_plain(body):
        assert plain_paragraphs(body) == python_markdown(body)
    assert to_html(body) == python_markdown(body)


@pytest.mark.parametrize(
    "body",
    ["有 *强调*", "列表\n\n- 一\n- 二", "1. 一\n2. 二", "行尾两空格  \n下一行", "标题\n====", "a & b", "<b>粗</b>", "\t缩进", " 前导空格", "表格 | 列"],
)
def test_anything_else_goes_through_python_markdown(body: str) -> None:
    assert not is_plain(body)
    assert to_html(body) == python_markdown(body)


def test_most_real_documents_take_the_fast_path() -> None:
    plain = [p for p in DOCUMENTS if is_plain(body_of(p))]
    assert len(plain) >= len(DOCUMENTS) // 2
