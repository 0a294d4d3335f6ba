"""Search finds what a record's page shows beyond title and body (issue 13, item 1): approval
items, a decision's basis, stages and outcome, a power's steps, posts, risks and basis, and the
attachments' titles and text; a result matched in an item, a step, a stage or an attachment
says so in its snippet and links to that place. Built from tests/fixtures/search_parts (the
approval lists and the power item of tests/fixtures/lists, one 企业年度报告 item and one step
description added, a decision, a document with a .txt, a .pdf and a .docx attachment)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from disclosure.pipeline import Settings, build_site
from search.index.static_query import StaticSite
from search.service.app import create_search_app

FIXTURE = Path(__file__).parent / "fixtures" / "search_parts"
FIRST, SECOND = "130600001-2010-00003", "130600001-2014-00012"  # approval lists
LICENCE = "130600014-2020-00011"  # power item
PARKING = "130600001-2019-00031"  # decision
RULES = "130600001-2019-00030"  # document with attachments

# query → (the only record found, the anchor its link points to, its snippet in the service,
# the anchor in the static index: None where the match lies past the part's start it keeps)
PLACES: dict[str, tuple[str, str, str, str | None]] = {
    # approval items: name, action, implementing agency, basis, note
    "企业年度报告备案前置审核": (SECOND, "item-3", "事项：<mark>企业年度报告备案前置审核</mark>（取消）", "item-3"),
    "部分下放": (SECOND, "item-2-1", "事项：公共场所卫生许可证核发（小型场所）（<mark>部分下放</mark>，", "item-2-1"),
    "保定市卫生健康委员会": (SECOND, "item-2", "事项：公共场所卫生许可证核发（移交，保定市行政审批局）\u3000实施机关：<mark>保定市卫生健康委员会</mark>", "item-2"),
    "娱乐场所管理条例": (FIRST, "item-2", "设定依据：《<mark>娱乐场所管理条例</mark>》第九条", "item-2"),
    "改为企业自行公示": (SECOND, "item-3", "备注：<mark>改为企业自行公示</mark>年度报告", "item-3"),
    # a power's steps: name, post, description, risk point, measure, owner
    "集体会审": (LICENCE, "step-huishen", "环节：<mark>集体会审</mark>（局规划会审会）", "step-huishen"),
    "窗口受理岗": (LICENCE, "step-shouli", "环节：受理（<mark>窗口受理岗</mark>）", "step-shouli"),
    "容积率": (LICENCE, "step-shencha", "用地性质和<mark>容积率</mark>", "step-shencha"),
    "擅自改变规划条件": (LICENCE, "step-shencha", "廉政风险点（高）：<mark>擅自改变规划条件</mark>", "step-shencha"),
    "公开承诺不指定中介": (LICENCE, "step-shencha", "防控措施：<mark>公开承诺不指定中介</mark>", None),
    "审批结果公开": (LICENCE, "step-jueding", "环节：决定（分管副局长）\u3000廉政风险点（低）：违规批准；防控措施：<mark>审批结果公开</mark>", "step-jueding"),
    # a decision's basis, stages and outcome
    "河北省定价目录": (PARKING, "decision-basis", "决策依据：<mark>河北省定价目录</mark>（冀发改价格〔2018〕1号）", "decision-basis"),
    "冀发改价格〔2018〕1号": (PARKING, "decision-basis", "（<mark>冀发改价格〔2018〕1号</mark>）", "decision-basis"),
    "价格听证会": (PARKING, "stage-2019-09-20-hearing", "听证：举行<mark>价格听证会</mark>，十二名消费者代表参加。", "stage-2019-09-20-hearing"),
    "常务会议": (PARKING, "stage-2019-10-15-collective-discussion", "集体讨论：市政府<mark>常务会议</mark>集体讨论通过。", "stage-2019-10-15-collective-discussion"),
    "错峰差异化收费": (PARKING, "decision-outcome", "决策结果：自2020年1月1日起执行<mark>错峰差异化收费</mark>。", "decision-outcome"),
    # attachments: titles, and the text of a .txt, a .pdf and a .docx
    "停车泊位分布表": (RULES, "attachment-1", "附件：<mark>停车泊位分布表</mark>（文本）", "attachment-1"),
    "泊位申请表": (RULES, "attachment-3", "附件：<mark>泊位申请表</mark>（Word）", "attachment-3"),
    "朝阳大街": (RULES, "attachment-1", "竞秀区：<mark>朝阳大街</mark>东侧泊位一百二十个。", "attachment-1"),
    "overnight": (RULES, "attachment-2", "附件：英文摘要（PDF）\u3000…rking rules, tariff zones and <mark>OVERNIGHT</mark> permits.", None),
    "充电桩": (RULES, "attachment-3", "附件：泊位申请表（Word）\u3000泊位申请表 申请单位须提交新能源<mark>充电桩</mark>建设方案。", "attachment-3"),
}
LABELS = {"item": "事项", "step": "环节", "attachment": "附件"}  # decision-…: 决策依据, 决策结果  # stage-…: its name
# shown on the page with no place of its own to point to: found, linked to the record itself
FOUND = {
    "城乡规划法": LICENCE,  # a power's 设定依据
    "政务服务中心投诉窗口": LICENCE,  # its 监督地址
    "第二批清理的正文": SECOND,  # the body: the record, not an item
}


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search-parts") / "site"
    build_site(Settings(content_dir=FIXTURE, output_dir=out, progress=False))
    return out


@pytest.fixture(scope="module")
def client(site_dir: Path) -> Client:
    return Client(create_search_app(site_dir / ".search"))


def api(client: Client, q: str) -> dict[str, Any]:
    response = client.get("/api/search", query_string={"q": q, "page_size": "50"})
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize(("q", "expected"), PLACES.items())
def test_the_service_finds_it_says_where_and_links_there(client: Client, q: str, expected: tuple[str, str, str, str | None]) -> None:
    slug, anchor, snippet, _ = expected
    results = api(client, q)["results"]
    assert [r["url"] for r in results] == [f"/records/{slug}/#{anchor}"]
    assert snippet in results[0]["snippet"]


@pytest.mark.parametrize(("q", "expected"), PLACES.items())
def test_the_static_index_finds_it_and_links_there(site_dir: Path, q: str, expected: tuple[str, str, str, str | None]) -> None:
    slug, _, _, anchor = expected
    static = StaticSite(site_dir)
    rows = static.search(q)
    assert [r["slug"] for r in rows] == [slug]
    place = static.place(rows[0], q)
    assert (place[0] if place else None) == anchor
    if place:  # says where: 事项：…, 环节：…, 听证：…
        label = LABELS.get(anchor.split("-")[0], "") if anchor else ""
        assert place[1].startswith((label,) if label else ("听证", "集体讨论", "决策依据", "决策结果"))


@pytest.mark.parametrize(("q", "slug"), FOUND.items())
def test_what_has_no_place_links_to_the_record(site_dir: Path, client: Client, q: str, slug: str) -> None:
    assert [r["url"] for r in api(client, q)["results"]] == [f"/records/{slug}/"]
    rows = StaticSite(site_dir).search(q)
    assert [r["slug"] for r in rows] == [slug]
    assert StaticSite(site_dir).place(rows[0], q) is None


def test_a_match_in_the_title_or_summary_needs_no_place(client: Client, site_dir: Path) -> None:
    # 审批 is in both lists' titles and in a step's post (规划审批科审查岗): only the power points to the step
    results = {r["url"] for r in api(client, "审批")["results"]}
    assert results == {f"/records/{FIRST}/", f"/records/{SECOND}/", f"/records/{LICENCE}/#step-shencha"}
    static = StaticSite(site_dir)
    assert {(r["slug"], (static.place(r, "审批") or ("",))[0]) for r in static.search("审批")} == {
        (FIRST, ""), (SECOND, ""), (LICENCE, "step-shencha")
    }


def test_the_anchors_are_on_the_pages(site_dir: Path) -> None:
    for slug, anchor, _, _ in PLACES.values():
        page = (site_dir / "records" / slug / "index.html").read_text("utf-8")
        assert f'id="{anchor}"' in page, (slug, anchor)


def test_the_service_page_links_to_the_item(client: Client) -> None:
    page = client.get("/search/", query_string={"q": "户外广告"}).get_data(as_text=True)
    assert f'href="/records/{SECOND}/#item-1"' in page and f'href="/records/{FIRST}/#item-4"' in page
    assert "事项：<mark>户外广告</mark>设置审批（取消）" in page
    assert "事项：<mark>户外广告</mark>设置审批（转变管理方式，直接审批制）" in page


def test_a_changed_attachment_is_searched_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    build_site(Settings(content_dir=content, output_dir=out, progress=False))
    table = content / "documents" / "2019" / "parking-rules-table.txt"
    table.write_text(table.read_text("utf-8").replace("朝阳大街", "东风路"), "utf-8")
    build_site(Settings(content_dir=content, output_dir=out, progress=False))  # the record's file is unchanged
    client = Client(create_search_app(out / ".search"))
    assert api(client, "朝阳大街")["total"] == 0
    assert [r["url"] for r in api(client, "东风路")["results"]] == [f"/records/{RULES}/#attachment-1"]
    assert [r["slug"] for r in StaticSite(out).search("东风路")] == [RULES]
    assert StaticSite(out).search("朝阳大街") == []


@pytest.mark.parametrize("q", ["户外广告", "价格听证会", "窗口受理岗", "朝阳大街", "城乡规划法"])
def test_the_browser_says_where_and_links_there(browser: Any, site_dir: Path, q: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site_dir / "search" / "index.html").as_uri() + "?q=" + quote(q))
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    links = page.eval_on_selector_all(".search-results li > a", "els => els.map(e => e.getAttribute('href'))")
    snippets = page.eval_on_selector_all(".search-results .snippet", "els => els.map(e => e.innerHTML)")
    page.close()
    assert errors == []
    static = StaticSite(site_dir)
    rows = static.search(q)
    expected = []
    for row in rows:
        place = static.place(row, q)
        expected.append(f"/records/{row['slug']}/index.html" + (f"#{place[0]}" if place else ""))
        if place:
            assert any(s.replace("<mark>", "").replace("</mark>", "") == place[1] for s in snippets)
    assert [link.split("/records", 1)[1] for link in links] == [e.split("/records", 1)[1] for e in expected]
    if q != "城乡规划法":
        assert all("#" in link for link in links)
