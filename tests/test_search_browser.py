"""The static search page in headless Chromium: from file:// and from a plain static host.

It must find what the Python mirror of search.js (search.index.static_query) finds, in the same
order, so the service tests of test_search.py cover the browser too. Chromium comes from
Debian (`.ci/run` installs it), driven by the playwright package; where either is missing
the tests fail under CI=true and are skipped elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import static_server
from disclosure.pipeline import Settings, build_site
from search.index.static_query import StaticSite

FIXTURE = Path(__file__).parent / "fixtures" / "search"
QUERIES = ["税", "得税", '"专项附加扣除"', "个税", "個人所得稅", "国发(2018)41号", "000014349/2018-00204", "国务院", "保定市人民政府 监控", "金融危机", "<img src=x onerror=alert(1)>",
           # only in a body (documents/2009/permits.md): the body shards b/*.js
           "鳄", "养鳄", '"受理行政许可申请之日起二十日内"', "保定市人民政府 鳄鱼", "行政许可", "鳄鱼 集约化"]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content built once."""
    out = tmp_path_factory.mktemp("browser") / "site"
    build_site(Settings(content_dir=FIXTURE, output_dir=out, progress=False))
    return out


@pytest.fixture(scope="module")
def host(site_dir: Path) -> Iterator[str]:
    """The built site on a plain static server (no search service)."""
    with static_server(site_dir) as address:
        yield address


def results(browser: Any, url: str) -> tuple[list[str], str, list[str]]:
    """Open `url`; return the result links, the results' HTML and every request made."""
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append("dialog: " + d.message))
    page.goto(url)
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    links = page.eval_on_selector_all(".search-results li > a", "els => els.map(e => e.getAttribute('href'))")
    html = page.inner_html("#search-results")
    page.close()
    assert errors == []
    return links, html, requests


@pytest.mark.parametrize("q", QUERIES)
def test_file_url_finds_what_the_mirror_finds(browser: Any, site_dir: Path, q: str) -> None:
    url = (site_dir / "search" / "index.html").as_uri() + "?q=" + quote(q)
    links, html, requests = results(browser, url)
    expected = [r["slug"] for r in StaticSite(site_dir).search(q)][:10]
    assert [link.split("/records/")[1].split("/")[0] for link in links] == expected
    assert all(link.startswith("file://") and link.endswith("/index.html") for link in links)
    assert all(r.startswith("file://") for r in requests)  # no third-party requests
    assert "<img" not in html


def test_a_static_host_answers_with_highlights_and_filters(browser: Any, host: str, site_dir: Path) -> None:
    links, html, requests = results(browser, f"{host}/search/?q={quote('个税')}")
    assert links == [f"{host}/records/000014349-2018-00301/"]
    assert "<mark>个人所得税</mark>" in html and "共找到 <strong>1</strong> 条信息" in html
    assert all(r.startswith(host) for r in requests)
    links, _, _ = results(browser, f"{host}/search/?q={quote('国务院')}&agency={quote('国务院办公厅')}&sort=date")
    expected = [r["slug"] for r in StaticSite(site_dir).search("国务院", {"agency": "国务院办公厅"}, sort="date")]
    assert [link.split("/records/")[1].strip("/") for link in links] == expected


FILTERED = [
    ("国务院", {"year": "2019"}),
    ("国务院", {"year": "1999"}),  # a year no record has: nothing
    ("国务院", {"category": "综合政务"}),  # a category holds its sub-categories' records
    ("国务院", {"kind": "document", "sort": "date"}),
    ("国务院", {"validity": "有效"}),
    ("国务院", {"validity": "失效"}),
    ("国务院", {"agency": "没有这个机关"}),
    ("政务公开", {}),  # the name of a category: its records match
    ("国务院办公厅", {"sort": "date"}),  # names an agency
]


@pytest.mark.parametrize(("q", "filters"), FILTERED)
def test_filters_and_facets_match_the_mirror(browser: Any, host: str, site_dir: Path, q: str, filters: dict[str, str]) -> None:
    """Filters, the date order and the parts naming an agency or a category read v/<facet>.js, never a per-record table."""
    query = "&".join(f"{k}={quote(v)}" for k, v in {"q": q, **filters}.items())
    links, html, requests = results(browser, f"{host}/search/?{query}")
    static = StaticSite(site_dir)
    expected = static.search(q, {k: v for k, v in filters.items() if k != "sort"}, sort=filters.get("sort", "relevance"))
    assert [link.split("/records/")[1].strip("/") for link in links] == [r["slug"] for r in expected][:10]
    assert f"共找到 <strong>{len(expected)}</strong> 条信息" in html
    wanted = {name for name in static.loaded if name.startswith("v/")}
    assert wanted and {r.split("/search/data/")[1] for r in requests if "/search/data/v/" in r} == wanted
    labels = dict(static.meta["kinds"])  # the kind's label and the validity come from the display rows
    shown = expected[:10]
    assert html.count('<span class="meta">') == len(shown)
    assert all(f'<span class="meta">{labels[row["kind"]]}' in html for row in shown)
    assert html.count('<span class="validity">') == sum(row["validity"] != "有效" for row in shown)


def test_a_static_host_finds_words_deep_in_a_body(browser: Any, host: str) -> None:
    links, html, requests = results(browser, f"{host}/search/?q={quote('饲养鳄鱼')}")
    assert links == [f"{host}/records/130600001-2009-00010/"]
    assert "共找到 <strong>1</strong> 条信息" in html
    assert any("/search/data/b/" in r for r in requests)


def test_a_query_loads_little(browser: Any, host: str) -> None:
    page = browser.new_page()
    sizes: list[int] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if "/search/data/" in r.url else None)
    page.goto(f"{host}/search/?q={quote('个人所得税')}")
    page.wait_for_selector('#search-results[data-state="done"]')
    page.close()
    assert 0 < sum(sizes) < 300_000


def test_the_form_keeps_the_query(browser: Any, site_dir: Path) -> None:
    page = browser.new_page()
    page.goto((site_dir / "search" / "index.html").as_uri() + "?q=" + quote("集约化"))
    page.wait_for_selector('#search-results[data-state="done"]')
    assert page.input_value("#q") == "集约化"
    page.fill("#q", "放假")
    page.press("#q", "Enter")
    page.wait_for_selector("text=国务院办公厅关于2019年部分节假日安排的通知")
    assert page.url.startswith("file://")
    page.close()
