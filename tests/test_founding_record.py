"""The founding decision 保发〔2009〕9号 in content/: its full text, as published, on its built page."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import html

from conftest import REPO

FOUNDING = REPO / "content" / "decisions" / "2009" / "baofa-2009-9.md"
ERRATA = "勘误说明（本站注）"


def _page(sample_site: Path) -> html.HtmlElement:
    return html.fromstring((sample_site / "records" / "130600001-2009-00009" / "index.html").read_bytes())


def _texts(doc: html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


def test_founding_page_carries_the_full_text_from_masthead_to_printing_note(sample_site: Path) -> None:
    page = _page(sample_site)
    body = "".join(_texts(page, "//section[contains(@class,'body')]"))
    paragraphs = _texts(page, "//section[contains(@class,'body')]/p")
    assert paragraphs[:3] == ["中共保定市委文件", "保发（2009）9号", "★"]
    assert paragraphs[7].startswith("为深入贯彻党的十七大精神，进一步落实省委、省政府《关于推进行政权力运行监控机制建设的意见》（冀发[2009]1号）")
    assert "公开透明原则，把公开透明作为行政权力运行的基本准则，让权力在阳光下运行。" in body
    assert "实行“关停并转放”。“关”：取消不适应经济社会发展的审批事项。" in body
    assert "4月份市举办惩治和预防腐败体系建设暨行政权力运行监控机制建设专题培训班。" in body
    last = paragraphs.index("（共印550份）")
    assert paragraphs[last - 4:last] == [
        "各县（市、区）和市直各部门要结合实际，制定具体的落实措施。",
        "（此件发至各县、市、区委和人民政府，开发区管委会，市直各部门，市属以上企事业单位，各人民团体）",
        "主题词：纪检监察工作 行政权力运行监控 机制建设 意见",
        "中共保定市委办公厅 2009年4月3日印",
    ]
    headings = _texts(page, "//section[contains(@class,'body')]/h2 | //section[contains(@class,'body')]/h3")
    assert headings == [
        "一、推进行政权力运行监控机制建设的重要性和必要性",
        "二、总体要求、基本原则和目标任务",
        "（一）总体要求",
        "（二）基本原则",
        "（三）目标任务",
        "三、工作重点",
        "四、2009年工作推进步骤",
        "三、加强组织领导",  # the fifth part, numbered 三 as published (see the errata)
        ERRATA,
    ]
    whole = page.text_content()
    assert not any(word in whole for word in ("不完整", "节选", "未能取得", "公开报道整理"))


def test_founding_decision_is_dated_and_summarised_from_the_text(sample_site: Path) -> None:
    page = _page(sample_site)
    basis = _texts(page, "//ul[@class='basis']/li")
    assert basis == [
        "中共河北省委 河北省人民政府《关于推进行政权力运行监控机制建设的意见》（冀发〔2009〕1号）",
        "中央《工作规则》",
        "中共保定市委《实施办法》",
    ]
    stages = [li.xpath("string(span[@class='stage'])") + " " + li.xpath("string(time/@datetime)")
              for li in page.xpath("//ol[@class='timeline']/li")]
    assert stages == ["决策公布 2009-04-03", "执行 2009-04-03"]
    assert "“关停并转放”" in _texts(page, "//p[@class='outcome']")[0]


def test_founding_text_keeps_its_typing_errors_and_the_errata_quote_it_exactly() -> None:
    text = FOUNDING.read_text(encoding="utf-8").split("---\n", 2)[2]
    published, errata = text.split(f"## {ERRATA}")
    for typo in ("乾地", "被运审批", "提高行政交通效能", "中发[008]号"):
        assert typo in published  # never silently corrected
    items = [line for line in errata.splitlines() if line.startswith("- ")]
    assert len(items) >= 10
    for item in items:
        quoted = re.search(r"“([^”]+)”", item)  # the first quotation: the text as published
        assert quoted, item
        assert quoted.group(1).replace("‘", "“").replace("’", "”") in published, item
