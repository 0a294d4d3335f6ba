"""工作动态 (DESIGN §3.7), built for real from tests/fixtures/publishing.

Six news items are published by 2024-06-14 (the newest on 2024-06-10), one is scheduled for
2024-06-20 and one is a draft. /news/ lists the six newest first, the home page's 工作动态
block the latest five with a link to /news/, the kind feed and open data hold them, and
`build.py report` warns when the newest is more than 14 days old or there is none.
A news item has no 发文字号: doc_number is refused, and `build.py new news` writes none.
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

import build
from conftest import read_page
from disclosure.pipeline import Settings, build_site

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "publishing"
DAY = date(2024, 6, 14)
NEWS = [  # (slug, title), newest first
    ("130600001-2024-00106", "市政府召开第六次政务公开协调会"),
    ("130600001-2024-00105", "市政府部署第五项年度报告工作"),
    ("130600001-2024-00104", "市政府通报第四批网站检查结果"),
    ("130600001-2024-00103", "市政府举办政务公开第三期培训"),
    ("130600001-2024-00102", "市政府开展权力运行监控第二次检查"),
    ("130600001-2024-00101", "市政府召开政务公开第一次推进会"),
]
HEADING = "四、超过 14 天没有更新的首页栏目（工作动态）"
NO_DOC_NUMBER = "工作动态不使用发文字号：请删除此行；有发文字号的文件请作为政府文件发布（content/documents/）"

Run = Callable[..., tuple[int, str]]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("news") / "site"
    build_site(Settings(content_dir=FIXTURE, output_dir=output, today=DAY, progress=False, use_cache=False))
    return output


def report(capsys: pytest.CaptureFixture[str], content: Path, day: str) -> tuple[int, str]:
    """Run `build.py report` as of `day`; return its status and what it printed."""
    status = build.main(["report", "--content", str(content), "--date", day])
    return status, capsys.readouterr().out


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_news_list_is_newest_first_and_in_the_navigation(site_dir: Path) -> None:
    html = read_page(site_dir / "news" / "index.html")
    main = main_of(html)
    assert "<h1>工作动态</h1>" in main and "共 6 条" in main
    assert re.findall(r'<td><a href="/records/([^/]+)/">([^<]+)</a></td>', main) == NEWS
    assert '<a href="/news/" aria-current="page">工作动态</a>' in html.split("<main", 1)[0]  # the main navigation, marked as here
    assert 'href="/feeds/kind/news.xml"' in html
    assert not (site_dir / "news" / "page" / "2").exists()  # six rows: one page


def test_the_home_page_shows_the_latest_five_and_links_to_the_list(site_dir: Path) -> None:
    home = main_of(read_page(site_dir / "index.html"))
    block = re.search(r'<section class="home-block".*?</section>', home, re.S)
    assert block
    assert re.search(r"<h2[^>]*>工作动态</h2>", block[0])
    items = re.findall(r'<li><a href="/records/([^/]+)/">([^<]+)</a> <span class="meta"><time datetime="([^"]+)">', block[0])
    assert [(slug, title) for slug, title, _ in items] == NEWS[:5]
    assert items[0][2] == "2024-06-10"
    assert '<a href="/news/">更多工作动态</a>' in block[0]
    for mode in ("care", "a11y"):
        assert "更多工作动态" in read_page(site_dir / mode / "index.html")


def test_a_site_without_news_has_no_block_and_no_list(tmp_path: Path) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    shutil.rmtree(content / "news")
    output = tmp_path / "site"
    build_site(Settings(content_dir=content, output_dir=output, today=DAY, progress=False, use_cache=False))
    home = read_page(output / "index.html")
    assert "home-block" not in home and 'href="/news/"' not in home
    assert not (output / "news").exists()


def test_a_news_page_is_a_record_page_under_the_news_list(site_dir: Path) -> None:
    html = read_page(site_dir / "records" / NEWS[0][0] / "index.html")
    crumbs = re.search(r'<nav class="breadcrumb.*?</nav>', html, re.S)
    assert crumbs and re.findall(r"<li>(.*?)</li>", crumbs[0]) == [
        '<a href="/">首页</a>', '<a href="/news/">工作动态</a>', f'<span aria-current="page">{NEWS[0][1]}</span>'
    ]
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data["@type"] == "NewsArticle" and data["headline"] == NEWS[0][1]
    assert '<th scope="row" id="meta-number">发文字号</th><td headers="meta-number">—</td>' in html


def test_the_news_feed_and_open_data_hold_the_published_items(site_dir: Path) -> None:
    feed = feedparser.parse((site_dir / "feeds" / "kind" / "news.xml").read_bytes())
    assert [e.title for e in feed.entries] == [title for _, title in NEWS]
    rows = list(csv.DictReader(io.StringIO((site_dir / "data" / "news.csv").read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["index_number", "title", "published", "agencies", "summary"]
    assert [(r["index_number"], r["published"]) for r in rows[:2]] == [
        ("130600001/2024-00106", "2024-06-10"), ("130600001/2024-00105", "2024-06-05")
    ]
    assert rows[0]["agencies"] == "保定市人民政府" and len(rows) == 6


@pytest.mark.parametrize(("day", "expected"), [
    ("2024-06-24", f"{HEADING}：无"),  # 14 days after the newest: still fresh
    ("2024-06-25", f"{HEADING}：1 项\n  news/2024/n6.md:6: 发布日期（published）: 警告：工作动态最近一次发布是 2024-06-10，"
                   "已 15 天没有更新（超过 14 天，截至 2024-06-25）"),
])
def test_report_warns_when_the_newest_item_is_more_than_14_days_old(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str, expected: str
) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    (content / "news" / "2024" / "scheduled.md").unlink()  # else published by then
    status, out = report(capsys, content, day)
    assert status == 0
    section = out.split("四、", 1)[1].split("\n\n", 1)[0].rstrip()
    assert ("四、" + section).replace(f"{content}/", "") == expected


def test_report_warns_when_there_is_no_news(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    shutil.rmtree(content / "news")
    status, out = report(capsys, content, DAY.isoformat())
    assert status == 0
    assert f"{HEADING}：1 项\n" in out
    assert "news:1: 文件（file）: 警告：还没有工作动态：首页的工作动态栏目为空（首页超过 14 天未更新即不合格）" in out


def test_a_news_item_with_a_doc_number_is_refused(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    item = content / "news" / "2024" / "n6.md"
    item.write_text(item.read_text(encoding="utf-8").replace("written:", "doc_number: 保政〔2024〕1号\nwritten:"), encoding="utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    assert f"news/2024/n6.md:5: 发文字号（doc_number）: {NO_DOC_NUMBER}" in err


def test_new_news_writes_no_doc_number_line(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    status, err = run("new", "news", "--agency", "保定市政府", "--content", content, "--date", "2024-06-13",
                      "--title", "市政府召开第七次政务公开协调会")
    assert status == 0, err
    made = content / "news" / "2024" / "130600001-2024-00911.md"
    text = made.read_text(encoding="utf-8")
    assert "doc_number" not in text
    assert text.startswith('---\ntitle: "市政府召开第七次政务公开协调会"\nindex_number: "130600001/2024-00911"\n')
    made.write_text(text.replace("【待填写：正文】", "第七次协调会的正文。"), encoding="utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 0, err
