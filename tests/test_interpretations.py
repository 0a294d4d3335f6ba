"""政策解读 (DESIGN §3.5), built for real from tests/fixtures/interpretations.

Two interpretations of the valid fixture's records: a 问答 of the 集约化 document and a
图解 of the founding decision. Each links to the record it explains, that record's page
lists it, and it is in /interpretations/, the catalogue, its feed, open data and search.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import feedparser
import pytest
from werkzeug.test import Client

from conftest import read_page, tree_digest
from disclosure.pipeline import Settings, build_site
from search.index.static_query import StaticSite
from search.service.app import create_search_app

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "interpretations"
DAY = date(2024, 1, 1)
QA = "130600001-2019-00101"  # 问答 of 000014349/2018-00204 (the 集约化 document)
CHART = "130600001-2019-00102"  # 图解 of 130600001/2009-00009 (the founding decision)
DOCUMENT = "000014349-2018-00204"
DECISION = "130600001-2009-00009"
RULES = "130600001-2018-00012"  # named by the decision's basis: a link that lists nothing back

Run = Callable[..., tuple[int, str]]


def build(content: Path, output: Path, use_cache: bool = False) -> Path:
    build_site(Settings(content_dir=content, output_dir=output, today=DAY, progress=False, use_cache=use_cache))
    return output


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("interpretations") / "site")


def page(site: Path, slug: str) -> str:
    return read_page(site / "records" / slug / "index.html", site)


def linked_from(html: str) -> list[tuple[str, list[str]]]:
    """Return (heading, hrefs) of every list of records that link to the page."""
    sections = re.findall(r'<section class="linked-from".*?<h2[^>]*>(.*?)</h2>(.*?)</section>', html, re.S)
    return [(heading, re.findall(r'href="([^"]+)"', body)) for heading, body in sections]


def test_the_record_page_links_to_what_it_explains(site_dir: Path) -> None:
    html = page(site_dir, QA)
    explains = re.search(r'<section class="interpretation".*?</section>', html, re.S)
    assert explains
    assert f'href="/records/{DOCUMENT}/"' in explains[0]
    assert "国务院办公厅关于印发《政府网站集约化试点工作方案》的通知" in explains[0]
    assert "解读形式：问答" in explains[0]
    assert "解读形式：图文解读" in page(site_dir, CHART)  # 图解 is read as 图文解读


def test_the_explained_records_list_their_interpretations(site_dir: Path) -> None:
    assert linked_from(page(site_dir, DOCUMENT)) == [("政策解读", [f"/records/{QA}/"])]
    assert linked_from(page(site_dir, DECISION)) == [("政策解读", [f"/records/{CHART}/"])]
    # a decision's basis links to the rules, but decisions are not listed on what they link to
    assert linked_from(page(site_dir, RULES)) == []
    assert linked_from(page(site_dir, QA)) == []


def test_the_explained_records_list_each_interpretation_with_its_form_and_date(site_dir: Path) -> None:
    def items(slug: str) -> list[str]:
        section = re.search(r'<section class="linked-from".*?</section>', page(site_dir, slug), re.S)
        assert section
        return [" ".join(re.sub(r"<[^>]+>", "", li).split()) for li in re.findall(r"<li>(.*?)</li>", section[0], re.S)]

    assert items(DOCUMENT) == ["（示例）政府网站集约化试点问答 （问答，2019年1月8日）"]
    assert items(DECISION) == ["（示例）一图读懂行政权力运行监控机制建设 （图文解读，2019年2月12日）"]


def test_the_list_page_is_newest_first_and_in_the_navigation(site_dir: Path) -> None:
    html = read_page(site_dir / "interpretations" / "index.html", site_dir)
    main = html.split('<main', 1)[1]
    rows = re.findall(r'<tr>\s*<td><a href="/records/([^/]+)/">', main)
    assert rows == [CHART, QA]  # 2019-02-12 before 2019-01-08
    assert f'href="/records/{DECISION}/"' in main and f'href="/records/{DOCUMENT}/"' in main
    assert '<a href="/interpretations/" aria-current="page">政策解读</a>' in html  # in the navigation, marked as here
    assert 'href="/feeds/kind/interpretation.xml"' in html
    assert not (site_dir / "interpretations" / "page").exists()


def test_the_catalogue_has_the_kind_facet(site_dir: Path) -> None:
    html = read_page(site_dir / "catalog" / "kind" / "interpretation" / "index.html", site_dir)
    assert "<h1>政府信息公开目录：类别 · 政策解读</h1>" in html
    assert f'href="/records/{QA}/"' in html and f'href="/records/{CHART}/"' in html
    assert f'href="/records/{DOCUMENT}/"' not in html.split("<tbody>", 1)[1]


def test_the_kind_has_its_feed(site_dir: Path) -> None:
    for name in ("interpretation.xml", "interpretation.atom"):
        parsed = feedparser.parse((site_dir / "feeds" / "kind" / name).read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert [e.title for e in parsed.entries] == ["（示例）一图读懂行政权力运行监控机制建设", "（示例）政府网站集约化试点问答"]
        bodies = [e.summary + "".join(c.value for c in e.get("content", [])) for e in parsed.entries]
        assert "解读对象：130600001/2009-00009" in bodies[0] and "解读形式：问答" in bodies[1]
    everything = feedparser.parse((site_dir / "feeds" / "all.xml").read_bytes())
    assert "（示例）政府网站集约化试点问答" in [e.title for e in everything.entries]


def test_the_open_data_table(site_dir: Path) -> None:
    table = json.loads((site_dir / "data" / "interpretations.json").read_text(encoding="utf-8"))
    assert table["count"] == 2
    assert table["rows"] == [
        {"index_number": "130600001/2019-00102", "title": "（示例）一图读懂行政权力运行监控机制建设", "form": "图文解读", "interprets": "130600001/2009-00009"},
        {"index_number": "130600001/2019-00101", "title": "（示例）政府网站集约化试点问答", "form": "问答", "interprets": "000014349/2018-00204"},
    ]
    rows = list(csv.reader(io.StringIO((site_dir / "data" / "interpretations.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["index_number", "title", "form", "interprets"] and len(rows) == 3
    records = json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))["rows"]
    assert {r["index_number"] for r in records if r["kind"] == "interpretation"} == {"130600001/2019-00101", "130600001/2019-00102"}


def test_search_finds_interpretations_in_both_modes(site_dir: Path) -> None:
    client = Client(create_search_app(site_dir / ".search"))
    found = json.loads(client.get("/api/search", query_string={"q": "集约化", "kind": "interpretation"}).get_data(as_text=True))
    assert [r["url"] for r in found["results"]] == [f"/records/{QA}/"]
    assert found["results"][0]["kind"] == "interpretation"
    static = StaticSite(site_dir)
    assert [r["slug"] for r in static.search("集约化", {"kind": "interpretation"})] == [QA]
    assert [r["slug"] for r in static.search("一图读懂")] == [CHART]


def test_a_missing_record_is_reported_in_chinese_at_its_line(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    path = content / "interpretations" / "2019" / "jiyuehua-wenda.md"
    path.write_text(path.read_text("utf-8").replace('"000014349/2018-00204"', '"000014349/2018-99999"'), "utf-8")
    status, err = run("check", "--content", content)
    assert status == 1
    line = next(n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if text.startswith("interprets:"))
    assert f"jiyuehua-wenda.md:{line}: 解读对象（interprets）: 本站没有索引号为“000014349/2018-99999”的记录" in err


def test_an_interpretation_of_itself_is_refused(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    path = content / "interpretations" / "2019" / "jiyuehua-wenda.md"
    path.write_text(path.read_text("utf-8").replace('"000014349/2018-00204"', '"130600001/2019-00101"'), "utf-8")
    status, err = run("check", "--content", content)
    assert status == 1
    assert "jiyuehua-wenda.md:10: 解读对象（interprets）: 政策解读不能解读自身" in err


APPROVAL_LIST = """---
title: （示例）保定市人民政府关于取消一批行政审批事项的决定
index_number: "130600001/2019-00201"
agency: 保定市人民政府
written: 2019-03-01
published: 2019-03-01
effective: 2019-03-01
category: 综合政务/政务公开
items:
  - number: 1
    name: （示例）户外广告设置审批
    implementing_agency: 保定市人民政府
    action: 取消
---
示例。
"""
POWER_ITEM = """---
title: （示例）政府信息公开申请的答复
index_number: "130600001/2019-00202"
agency: 保定市人民政府
written: 2019-03-01
published: 2019-03-01
category: 综合政务/政务公开
code: "SHILI-QT-0001"
power_type: 其他行政权力
basis:
  - law: 中华人民共和国政府信息公开条例
    article: 第三十三条
fee: 不收费
supervision:
  phone: "0000-12345"
steps:
  - id: shouli
    name: 受理
    post: 政务公开办公室
---
示例。
"""


@pytest.mark.parametrize(("target", "label"), [
    ("130600001/2019-00102", "政策解读"),  # the 图解 of the founding decision
    ("130600001/2019-00201", "审批事项清理"),
    ("130600001/2019-00202", "权力事项"),
])
def test_an_interpretation_of_a_record_of_another_kind_is_refused(tmp_path: Path, run: Run, target: str, label: str) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    (content / "approvals" / "2019").mkdir(parents=True)
    (content / "approvals" / "2019" / "quxiao.md").write_text(APPROVAL_LIST, "utf-8")
    (content / "powers").mkdir()
    (content / "powers" / "dafu.md").write_text(POWER_ITEM, "utf-8")
    assert run("check", "--content", content)[0] == 0  # both are valid records of their kinds
    path = content / "interpretations" / "2019" / "jiyuehua-wenda.md"
    path.write_text(path.read_text("utf-8").replace('"000014349/2018-00204"', f'"{target}"'), "utf-8")
    status, err = run("check", "--content", content)
    assert status == 1
    message = f"索引号为“{target}”的记录是{label}，这里只能写政府文件或重大行政决策的索引号"
    assert f"jiyuehua-wenda.md:10: 解读对象（interprets）: {message}\n" in err
    assert "共 1 个错误" in err


def test_an_unknown_form_is_refused(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    path = content / "interpretations" / "2019" / "jiyuehua-wenda.md"
    path.write_text(path.read_text("utf-8").replace("form: 问答", "form: 访谈"), "utf-8")
    status, err = run("check", "--content", content)
    assert status == 1
    assert "jiyuehua-wenda.md:11: 解读形式（form）:" in err


def test_moving_an_interpretation_rebuilds_both_pages_as_a_cold_build(tmp_path: Path) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    live = build(content, tmp_path / "site", use_cache=True)
    assert linked_from(page(live, DOCUMENT)) == [("政策解读", [f"/records/{QA}/"])]
    path = content / "interpretations" / "2019" / "jiyuehua-wenda.md"
    path.write_text(path.read_text("utf-8").replace('"000014349/2018-00204"', '"130600001/2009-00009"'), "utf-8")
    build(content, live, use_cache=True)  # incremental: unchanged pages linked from the live site
    cold = build(content, tmp_path / "cold")
    assert linked_from(page(live, DOCUMENT)) == []
    assert linked_from(page(live, DECISION)) == [("政策解读", [f"/records/{CHART}/", f"/records/{QA}/"])]

    def pages(root: Path) -> dict[str, bytes]:
        return {name: data for name, data in tree_digest(root).items() if not name.startswith((".build", ".search"))}

    warm, fresh = pages(live), pages(cold)
    assert sorted(warm) == sorted(fresh)
    assert [name for name in fresh if warm[name] != fresh[name]] == []


def test_the_list_is_paginated_like_the_catalogue(tmp_path: Path) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    model = (content / "interpretations" / "2019" / "jiyuehua-wenda.md").read_text("utf-8")
    for n in range(51):
        text = model.replace("130600001/2019-00101", f"130600001/2019-{200 + n:05d}").replace("试点问答", f"试点问答{n}")
        (content / "interpretations" / "2019" / f"more-{n}.md").write_text(text, "utf-8")
    site = build(content, tmp_path / "site")
    first = read_page(site / "interpretations" / "index.html", site)
    second = read_page(site / "interpretations" / "page" / "2" / "index.html", site)
    assert "共 53 篇，第 1 / 2 页" in first and 'href="/interpretations/page/2/"' in first
    assert len(re.findall(r"<tr>\s*<td><a href", first)) == 50
    assert len(re.findall(r"<tr>\s*<td><a href", second)) == 3
    assert not (site / "interpretations" / "page" / "3").exists()
    listed = linked_from(page(site, DOCUMENT))
    assert len(listed) == 1 and len(listed[0][1]) == 52
