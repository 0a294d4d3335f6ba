"""Issue 13, parts 4 and 5: a search one can subscribe to (`/api/search.atom`), and the
result pages of the reading modes (`/care/search/?q=`, `/a11y/search/?q=`) answered by the
service without JavaScript. Built from tests/fixtures/search plus three 审批 records (one
with markup in its title), twice, to check the feed's ids hold across builds."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import feedparser
import pytest
from lxml import etree, html
from werkzeug.test import Client

from conftest import static_server
from disclosure.cli import serve
from disclosure.core.reading_modes import shared_page
from disclosure.pipeline import Settings, build_site
from search.service.app import create_search_app
from search.service.limits import Limits
from search.service.modes import move_links
from search.stored import SERVICE_FOLDER

FIXTURE = Path(__file__).parent / "fixtures" / "search"
ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT_TITLE = "保定市人民政府关于<script>alert(1)</script>审批 & 备案事项的通知（示例）"
# the 审批 records: slug, 索引号, published, agency
APPROVALS = [
    ("130600001-2021-00002", "130600001/2021-00002", "2021-06-01", "保定市人民政府", "保定市人民政府关于精简审批环节的通知（示例）"),
    ("130600001-2020-00001", "130600001/2020-00001", "2020-03-02", "保定市人民政府", SCRIPT_TITLE),
    ("000014349-2019-00010", "000014349/2019-00010", "2019-08-01", "国务院办公厅", "国务院办公厅关于审批制度改革的通知（示例）"),
]


def _content(folder: Path) -> Path:
    shutil.copytree(FIXTURE, folder)
    for slug, number, published, agency, title in APPROVALS:
        path = folder / "documents" / published[:4] / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            textwrap.dedent(f"""\
                ---
                title: '{title}'
                index_number: "{number}"
                agency: {agency}
                written: {published}
                published: {published}
                category: 综合政务/政务公开
                summary: 关于审批事项的示例通知。
                ---
                本通知是示例，说明审批事项的办理要求。
                """),
            "utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same content built twice into two folders."""
    base = tmp_path_factory.mktemp("feed")
    content = _content(base / "content")
    built = []
    for name in ("one", "two"):
        out = base / name / "site"
        build_site(Settings(content_dir=content, output_dir=out, progress=False, use_cache=False))
        built.append(out)
    return built[0], built[1]


@pytest.fixture(scope="module")
def site_dir(sites: tuple[Path, Path]) -> Path:
    return sites[0]


@pytest.fixture(scope="module")
def client(site_dir: Path) -> Client:
    return Client(create_search_app(site_dir / SERVICE_FOLDER, Limits()))


def feed(client: Client, **args: str) -> tuple[bytes, feedparser.FeedParserDict]:
    response = client.get("/api/search.atom", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    data = response.get_data()
    etree.fromstring(data, etree.XMLParser(recover=False, resolve_entities=False))  # strict XML
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return data, parsed


# --------------------------------------------------------------------------- the Atom feed


def test_the_feed_lists_the_query_s_results_newest_first(client: Client) -> None:
    data, parsed = feed(client, q="审批")
    assert parsed.feed.title == "检索测试站：检索“审批”"
    assert [e.link for e in parsed.entries] == [f"https://test.example.gov.cn/records/{a[0]}/" for a in APPROVALS]
    assert [e.updated for e in parsed.entries] == [f"{a[2]}T00:00:00+08:00" for a in APPROVALS]
    assert [e.id for e in parsed.entries] == [
        "tag:test.example.gov.cn,2021:130600001/2021-00002",
        "tag:test.example.gov.cn,2020:130600001/2020-00001",
        "tag:test.example.gov.cn,2019:000014349/2019-00010",
    ]
    assert [e.author for e in parsed.entries] == [a[3] for a in APPROVALS]
    assert parsed.feed.updated == "2021-06-01T00:00:00+08:00"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == "https://test.example.gov.cn/api/search.atom?q=%E5%AE%A1%E6%89%B9"
    assert links["alternate"] == "https://test.example.gov.cn/search/?q=%E5%AE%A1%E6%89%B9&sort=date"
    assert '<summary type="html">关于&lt;mark&gt;审批&lt;/mark&gt;事项' in data.decode()  # the snippet (feedparser drops <mark>)
    assert parsed.entries[0].summary_detail.type == "text/html"


def test_the_feed_applies_the_filters_and_names_them(client: Client) -> None:
    _, parsed = feed(client, q="审批", agency="保定市人民政府")
    assert parsed.feed.title == "检索测试站：检索“审批” · 发布机构：保定市人民政府"
    assert [e.link.rsplit("/", 2)[1] for e in parsed.entries] == [APPROVALS[0][0], APPROVALS[1][0]]
    self_link = next(link.href for link in parsed.feed.links if link.rel == "self")
    assert parse_qs(urlsplit(self_link).query) == {"q": ["审批"], "agency": ["保定市人民政府"]}
    _, parsed = feed(client, q="审批", year="2019", kind="document")
    assert parsed.feed.title == "检索测试站：检索“审批” · 年份：2019年 · 类别：政府文件"
    assert [e.link.rsplit("/", 2)[1] for e in parsed.entries] == [APPROVALS[2][0]]
    _, parsed = feed(client, q="审批", agency="国务院")
    assert parsed.entries == []
    assert parsed.feed.updated  # an empty feed still says when


def test_the_feed_sorts_by_date_and_keeps_to_twenty_whatever_is_asked(client: Client) -> None:
    _, parsed = feed(client, q="通知", sort="relevance", page="2", page_size="1")
    dates = [e.updated for e in parsed.entries]
    assert len(dates) == 7  # every record of the fixture whose title says 通知, on one page
    assert dates == sorted(dates, reverse=True)


def test_the_feed_escapes_titles_summaries_and_the_query(client: Client) -> None:
    q = '审批 <b>"&'
    data, parsed = feed(client, q="审批")
    assert b"<script>" not in data and b"&lt;script&gt;alert(1)&lt;/script&gt;" in data
    assert SCRIPT_TITLE in [e.title for e in parsed.entries]
    data, parsed = feed(client, q=q)
    assert b"<b>" not in data
    assert parsed.feed.title == f"检索测试站：检索“{q}”"
    root = etree.fromstring(data)
    assert root.find(f"{ATOM}title").text == f"检索测试站：检索“{q}”"


def test_the_feed_s_ids_are_the_same_in_another_build(sites: tuple[Path, Path]) -> None:
    ids = []
    for site in sites:
        _, parsed = feed(Client(create_search_app(site, Limits())), q="审批")
        ids.append([e.id for e in parsed.entries])
    assert ids[0] == ids[1] and len(ids[0]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "请输入检索词"),
        ({"q": "  "}, "请输入检索词"),
        ({"q": "审批", "year": "20x9"}, "year 应为四位年份"),
        ({"q": "审批", "validity": "x"}, "validity 只能是 有效、失效 或 废止"),
        ({"q": "税 " * 30}, "检索词过多：最多 8 个词"),
    ],
)
def test_a_bad_feed_query_is_400_json(client: Client, args: dict[str, str], message: str) -> None:
    response = client.get("/api/search.atom", query_string=args)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.get_json() == {"error": message, "status": 400}


def test_the_result_page_links_to_its_feed(client: Client) -> None:
    response = client.get("/search/", query_string={"q": "审批", "agency": "保定市人民政府"})
    page = html.fromstring(response.get_data(as_text=True))
    (head,) = page.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"][starts-with(@href, "/api/")]')
    assert head.get("title") == "检索测试站：检索“审批” · 发布机构：保定市人民政府"
    (link,) = page.xpath('//a[text()="订阅此检索（Atom）"]')
    assert link.get("href") == head.get("href")
    assert parse_qs(urlsplit(link.get("href")).query) == {"q": ["审批"], "agency": ["保定市人民政府"]}
    assert urlsplit(link.get("href")).path == "/api/search.atom"
    feed(client, **{k: v[0] for k, v in parse_qs(urlsplit(link.get("href")).query).items()})
    empty = html.fromstring(client.get("/search/").get_data(as_text=True))
    assert not empty.xpath('//link[starts-with(@href, "/api/")]') and not empty.xpath('//a[text()="订阅此检索（Atom）"]')


def _static_page(browser: Any, url: str) -> Any:
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    return page


def test_the_static_page_writes_the_same_feed_link(browser: Any, site_dir: Path, client: Client) -> None:
    with static_server(site_dir) as host:
        for prefix in ("", "/care"):
            page = _static_page(browser, f"{host}{prefix}/search/?q={quote('审批')}&agency={quote('保定市人民政府')}")
            hrefs = page.eval_on_selector_all(".search-feed a", "els => els.map(e => e.getAttribute('href'))")
            page.close()
            served = html.fromstring(client.get("/search/", query_string={"q": "审批", "agency": "保定市人民政府"}).get_data(as_text=True))
            assert [urlsplit(h).path for h in hrefs] == ["/api/search.atom"]
            assert parse_qs(urlsplit(hrefs[0]).query) == parse_qs(urlsplit(served.xpath('//p[@class="search-feed"]/a/@href')[0]).query)
    page = _static_page(browser, (site_dir / "search" / "index.html").as_uri() + "?q=" + quote("审批"))
    assert page.eval_on_selector_all(".search-results li", "els => els.length") == 3
    assert page.eval_on_selector_all(".search-feed a", "els => els.length") == 0  # no service behind file://
    page.close()


# --------------------------------------------------------------------------- the reading modes


@pytest.mark.parametrize(("mode", "name"), [("care", "长者模式"), ("a11y", "无障碍模式")])
def test_the_service_answers_a_mode_s_result_page_in_that_mode(client: Client, mode: str, name: str) -> None:
    response = client.get(f"/{mode}/search/", query_string={"q": "审批", "sort": "date", "page_size": "2"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    page = html.fromstring(text)
    assert page.get("class") == "mode-std" and "../mode.css" in page.xpath("//link[@rel='stylesheet']/@href")
    (exit_link,) = page.xpath(f'//li[@class="exit-{mode}"]/a[@class="mode-exit"]')  # the one its mode.css shows
    assert exit_link.text == f"退出{name}" and exit_link.get("href") == "/search/"
    # the results are in the HTML (no script needed), and every page link stays in the mode
    results = page.xpath('//div[@id="search-results"][@data-source="server"]//ol[@class="search-results"]/li/a')
    assert [a.get("href") for a in results] == [f"/{mode}/records/{APPROVALS[0][0]}/", f"/{mode}/records/{APPROVALS[1][0]}/"]
    (form,) = page.xpath('//form[@id="search-form"]')
    assert form.get("action") == f"/{mode}/search/"
    (following,) = page.xpath('//nav[@class="pagination"]//a[@rel="next"]')
    assert following.get("href").startswith(f"/{mode}/search/?q=")
    (subscribe,) = page.xpath('//a[text()="订阅此检索（Atom）"]')
    assert subscribe.get("href").startswith("/api/search.atom?")  # the feed has no mode
    # the results' links are absolute, the frame's document-relative: all in the mode
    inner = [urljoin(f"/{mode}/search/", a.get("href")) for a in page.xpath('//div[@id="search-results"]//a | //main//a')]
    assert all(h.startswith(f"/{mode}/") or h.startswith("/api/") for h in inner), inner
    nothing = html.fromstring(client.get(f"/{mode}/search/", query_string={"q": "金融危机"}).get_data(as_text=True))
    hrefs = {a.text: a.get("href") for a in nothing.xpath('//div[@id="search-results"]//a')}
    assert hrefs["政府信息公开目录"] == f"/{mode}/catalog/" and hrefs["申请政府信息公开"] == f"/{mode}/apply/"


def test_the_mode_frames_are_the_build_s_mode_pages(site_dir: Path) -> None:
    for mode in ("care", "a11y"):
        frame = (site_dir / SERVICE_FOLDER / f"page.{mode}.html").read_text("utf-8")
        assert frame == (site_dir / mode / "search" / "index.html").read_text("utf-8")


def test_the_service_moves_links_as_the_build_does(client: Client) -> None:
    text = client.get("/search/", query_string={"q": "通知", "page_size": "2"}).get_data(as_text=True)
    fragment = re.search(r'<div id="search-results".*?</div>', text, re.S)
    assert fragment and "/records/" in fragment.group()
    links = re.compile(r'(?:href|action)="([^"]*)"')
    shared = links.findall(shared_page(fragment.group(), "/search/"))  # document-relative: the same in both modes
    for mode in ("care", "a11y"):
        here = f"/{mode}/search/"
        moved = links.findall(move_links(fragment.group(), mode))
        assert [urljoin(here, h) for h in moved] == [urljoin(here, h) for h in shared]


@pytest.mark.parametrize("path", ["/search/", "/search/index.html", "/care/search/", "/a11y/search/index.html"])
def test_a_search_page_without_a_query_is_the_empty_search_page(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = html.fromstring(response.get_data(as_text=True))
    assert page.xpath('//form[@id="search-form"]')
    assert not page.xpath('//p[@class="search-count"]') and not page.xpath('//*[@class="search-error"]')
    if path.startswith("/care/"):
        assert page.get("class") == "mode-std" and "../mode.css" in page.xpath("//link[@rel='stylesheet']/@href")


def test_the_preview_sends_mode_searches_and_the_feed_to_the_service(site_dir: Path) -> None:
    preview = Client(serve.static_app(site_dir, serve.BuildState(), serve.search_service(site_dir)))
    for mode in ("care", "a11y"):
        page = html.fromstring(preview.get(f"/{mode}/search/?q=%E5%AE%A1%E6%89%B9").get_data(as_text=True))
        assert page.xpath('//div[@id="search-results"]/@data-source') == ["server"]
        assert "../mode.css" in page.xpath("//link[@rel='stylesheet']/@href") and page.xpath(f'//li[@class="to-{mode}"]')
        static = html.fromstring(preview.get(f"/{mode}/search/").get_data(as_text=True))
        assert static.xpath('//div[@id="search-results"]/@data-source') == ["static"]  # the frozen page, search.js
    response = preview.get("/api/search.atom?q=%E5%AE%A1%E6%89%B9")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/atom+xml")
    assert len(feedparser.parse(response.get_data()).entries) == 3


def test_the_documented_nginx_lines_send_every_search_to_the_service() -> None:
    # the shipped server block that docs/search.md points to (tests/test_deploy.py runs it in nginx)
    block = (Path(__file__).parents[1] / "deploy" / "nginx" / "yangguang.conf").read_text("utf-8")
    for location in ("location = /api/search.atom {", "location ~ ^/(care/|a11y/)?search/$ {"):
        assert block.split(location, 1)[1].split("}", 1)[0].count("include snippets/yangguang-search.conf;") == 1
    assert "rewrite ^ /search/index.html" not in block  # proxied, it answered 400 (issue 14)
