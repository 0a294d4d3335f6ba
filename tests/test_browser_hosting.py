"""Hosting anywhere in Chromium (issue 14, item 5): the fixture site built with `base_url`
https://…/gkml/ and served by a static host under /gkml/ only, and a `build --relative`
build opened from disk (file://). Pages are styled, every link and asset on them answers,
the reading modes and the static search work in both."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_sub_path import BASE, build_both

from conftest import static_server

# the label of the header's search box is visually hidden by site.css: unstyled, it is static
STYLED = "getComputedStyle(document.querySelector('label.visually-hidden')).position === 'absolute'"
# 长者模式's look (its /care/mode.css, loaded by a document-relative link) and its switch: 退出 and 无障碍 only
IN_CARE = """getComputedStyle(document.documentElement).fontSize === '20px'
  && [...document.querySelectorAll('.modes a')].filter(a => a.checkVisibility()).map(a => a.textContent).join() === '退出长者模式,无障碍模式'"""
LINKS = """() => [...document.querySelectorAll('a[href], link[href], script[src], img[src], form[action]')]
  .map(e => e.href || e.src || e.action)"""


class _UnderSubPath(SimpleHTTPRequestHandler):
    """A static host with the site under /gkml/ and nothing at its root; 404.html for what is missing."""

    def translate_path(self, path: str) -> str:
        if not urlsplit(path).path.startswith(BASE):
            return str(Path(self.directory) / ".nothing-here")
        return super().translate_path("/" + path[len(BASE) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_both(tmp_path_factory.mktemp("hosting-browser"))


@pytest.fixture(scope="module")
def host(sites: dict[str, Path]) -> Iterator[str]:
    """The sub-path build on a loopback port under /gkml/; returns the site's address."""
    with static_server(sites["sub"], _UnderSubPath) as address:
        yield address + BASE


class Tab:
    """One page in a fresh context; every failed request, HTTP error and console error kept."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}")
        )

    def _failed(self, request: Any) -> None:
        if request.failure != "net::ERR_ABORTED":  # dropped by the page itself as the next one opened
            self.problems.append(f"failed: {request.url} {request.failure}")

    def go(self, url: str) -> Any:
        self.page.goto(url, wait_until="load")
        return self.page

    def click(self, selector: str) -> Any:
        with self.page.expect_navigation(wait_until="load"):
            self.page.click(selector)
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    opened = Tab(browser)
    yield opened
    opened.close()


def test_pages_under_the_sub_path_are_styled_and_every_link_on_them_answers(tab: Tab, host: str) -> None:
    record = tab.go(host + "catalog/").eval_on_selector("main a[href*='/records/']", "a => a.href")
    pages = [
        host,
        host + "catalog/",
        record,
        host + "search/",
        host + "feeds/",
        host + "data/",
        host + "apply/",
        host + "care/catalog/",
        record.replace(BASE, f"{BASE}a11y/"),
        host + "records/no-such-record/deeper/",  # 404.html, served at any depth
    ]
    seen: set[str] = set()
    for url in pages:
        page = tab.go(url)
        assert page.evaluate(STYLED), f"unstyled: {url}"
        here = page.url.split("#")[0]  # "#main" and the like: the page itself
        seen.update(
            u.split("#")[0]
            for u in page.evaluate(LINKS)
            if u.startswith(host.removesuffix(BASE)) and u.split("#")[0] != here
        )
    # the missing page itself, twice (its answer, and Chromium's console line for it): nothing else
    assert tab.problems[0] == f"HTTP 404: {host}records/no-such-record/deeper/"
    assert tab.problems[1:] == [
        "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    assert len(seen) > 40 and all(urlsplit(u).path.startswith(BASE) for u in seen), sorted(seen)
    broken = [
        u
        for u in sorted(seen)
        if not u.split("?")[0].endswith("/api/search.atom") and tab.context.request.get(u).status != 200
    ]
    assert broken == []


def test_the_reading_modes_stay_under_the_sub_path(tab: Tab, host: str) -> None:
    tab.go(host)
    page = tab.click(".modes a:text-is('长者模式')")
    assert page.url == host + "care/"
    assert page.evaluate(IN_CARE) and page.evaluate(STYLED)
    page = tab.click(".site-nav a:text-is('政府信息公开目录')")
    assert page.url == host + "care/catalog/"
    page = tab.click("main a[href*='/records/']")
    assert page.url.startswith(host + "care/records/")
    page = tab.click("a.mode-exit")
    assert (
        page.url.startswith(host + "records/")
        and page.evaluate("document.documentElement.className") == "mode-std"
    )
    assert tab.problems == []


def test_the_static_search_works_under_the_sub_path(tab: Tab, host: str) -> None:
    page = tab.go(host)
    page.fill("#q-header", "政府")
    with page.expect_navigation(wait_until="load"):
        page.press("#q-header", "Enter")
    assert page.url.startswith(host + "search/?q=")
    page.wait_for_selector("#search-results a[href*='/records/']")
    first = page.eval_on_selector("#search-results a[href*='/records/']", "a => a.href")
    assert first.startswith(host + "records/")
    page = tab.click("#search-results a[href*='/records/']")
    assert page.url == first and page.evaluate(STYLED)
    page = tab.go(host + "care/search/?q=政府")
    page.wait_for_selector("#search-results a[href*='/records/']")
    assert page.eval_on_selector("#search-results a[href*='/records/']", "a => a.href").startswith(
        host + "care/records/"
    )
    assert tab.problems == []


def test_a_relative_build_works_opened_from_disk(tab: Tab, sites: dict[str, Path]) -> None:
    site = sites["rel"].resolve()
    page = tab.go((site / "index.html").as_uri())
    assert page.evaluate(STYLED)
    page = tab.click(".site-nav a:text-is('政府信息公开目录')")
    assert page.url == (site / "catalog" / "index.html").as_uri() and page.evaluate(STYLED)
    page = tab.click("main a[href*='records/']")
    assert page.url.startswith((site / "records").as_uri() + "/") and page.url.endswith("/index.html")
    assert page.evaluate(STYLED) and page.locator("h1").count() == 1
    page = tab.click(".modes a:text-is('长者模式')")
    assert page.url.startswith((site / "care" / "records").as_uri() + "/")
    assert page.evaluate(IN_CARE) and page.evaluate(STYLED)
    page = tab.click(".site-nav a:text-is('首页')")
    assert page.url == (site / "care" / "index.html").as_uri()
    assert tab.problems == []


def test_the_static_search_works_from_disk(tab: Tab, sites: dict[str, Path]) -> None:
    """The index is loaded with <script> tags (fetch() of file:// is refused): it works from disk."""
    site = sites["rel"].resolve()
    page = tab.go((site / "catalog" / "index.html").as_uri())
    page.fill("#q-header", "政府")
    with page.expect_navigation(wait_until="load"):
        page.press("#q-header", "Enter")
    assert page.url.startswith((site / "search" / "index.html").as_uri() + "?q=")
    page.wait_for_selector("#search-results a[href*='records/']")
    page = tab.click("#search-results a[href*='records/']")
    assert page.url.startswith((site / "records").as_uri() + "/") and page.url.endswith("/index.html")
    assert page.evaluate(STYLED)
    assert tab.problems == []
