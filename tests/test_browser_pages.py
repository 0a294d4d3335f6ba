"""Every built page, read as a file (issue 7): structure for screen readers, weight, no
third-party requests, and the /care/ and /a11y/ copies that keep a reader in a mode.

These run without a browser, over every page of the sample site, so they also cover
pages that test_browser.py (one page per type) does not open.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import html as lxml_html

from disclosure.web.modes import MODES, apply_mode, is_page_link, page_files, switch_html

BUDGET = 50 * 1024  # bytes of HTML + CSS + JS a page loads, before images and the search index
LOCAL = re.compile(r"^(?:/(?!/)|\.\.?/)")  # root- or document-relative: this host


def pages(site: Path) -> list[tuple[Path, str, lxml_html.HtmlElement]]:
    """(file, URL path, parsed tree) of every standard page plus 404.html."""
    found = [(f, url, lxml_html.parse(str(f)).getroot()) for f, url in page_files(site)]
    found.append((site / "404.html", "/404.html", lxml_html.parse(str(site / "404.html")).getroot()))
    return found


@pytest.fixture(scope="module")
def parsed(sample_site: Path) -> list[tuple[Path, str, lxml_html.HtmlElement]]:
    return pages(sample_site)


def test_every_page_has_the_structure_screen_readers_need(parsed: list) -> None:
    """lang, one h1, landmarks, skip link first, captions and th scope, alt text (GB/T 37668)."""
    failures = []
    for _, url, root in parsed:

        def fail(what: str, url: str = url) -> None:
            failures.append(f"{url}: {what}")

        if root.get("lang") != "zh-CN":
            fail("html lang is not zh-CN")
        if len(root.xpath("//h1")) != 1:
            fail(f"{len(root.xpath('//h1'))} h1 elements")
        for landmark in ("header", "nav", "main", "footer"):
            if len(root.xpath(f"//{landmark}")) < 1:
                fail(f"no <{landmark}>")
        if len(root.xpath("//main")) != 1 or root.xpath("//main/@id") != ["main"]:
            fail('not exactly one <main id="main">')
        first = root.xpath("//body//a[@href] | //body//input | //body//button")
        if not first or first[0].get("href") != "#main":
            fail("the first focusable element is not the skip link to #main")
        # Tables staff wrote in a body (class "body") come from Markdown: their headers are theirs.
        for table in root.xpath("//main//table[not(ancestor::*[contains(@class, 'body')])]"):
            if not table.xpath("./caption") and not table.get("aria-label"):
                fail(f"table without caption: {lxml_html.tostring(table)[:80]!r}")
            if not table.xpath(".//th"):
                fail(f"table without header cells: {lxml_html.tostring(table)[:80]!r}")
            for th in table.xpath(".//th[not(@scope)]"):
                fail(f"th without scope: {th.text_content()[:20]}")
        for img in root.xpath("//img[not(@alt)]"):
            fail(f"img without alt: {img.get('src')}")
        for img in root.xpath("//figure//img | //img[contains(@src, '.svg')]"):
            if not (img.get("alt") or "").strip():  # a flowchart: its text alternative is required
                fail(f"figure or chart without a text alternative: {img.get('src')}")
        names = [n for n in root.xpath("//nav/@aria-label")]
        if len(names) != len(set(names)) or len(names) != len(root.xpath("//nav")):
            fail(f"nav landmarks without distinct names: {names}")
    assert not failures, "\n".join(failures)


def resources(site: Path, root: lxml_html.HtmlElement) -> list[str]:
    """Every URL a page loads by itself: stylesheets, scripts, images, frames, icons."""
    urls = root.xpath("//link[@rel='stylesheet' or contains(@rel, 'icon') or @rel='preload']/@href")
    urls += root.xpath(
        "//script/@src | //img/@src | //iframe/@src | //source/@src | //video/@src | //audio/@src"
    )
    return urls


def test_pages_load_nothing_from_other_hosts_and_no_web_fonts(sample_site: Path, parsed: list) -> None:
    failures = []
    for _, url, root in parsed:
        for src in resources(sample_site, root):
            if not LOCAL.match(src):
                failures.append(f"{url}: loads {src}")
        for style in root.xpath("//style/text() | //@style"):
            if "url(" in style and "url(data:" not in style.replace('"', "").replace("'", ""):
                failures.append(f"{url}: inline style loads a file")
    for css in (sample_site / "static").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        if "@font-face" in text or "@import" in text:
            failures.append(f"{css.name}: web font or @import")
        for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            if not target.startswith("data:"):
                failures.append(f"{css.name}: loads {target}")
    fonts = [
        p.name
        for p in sample_site.rglob("*")
        if p.suffix.lower() in {".woff", ".woff2", ".ttf", ".otf", ".eot"}
    ]
    assert not fonts, fonts
    assert not failures, "\n".join(failures)


def test_every_page_weighs_at_most_50_kb_before_images(sample_site: Path, parsed: list) -> None:
    """HTML + CSS + JS a page loads by itself; the search index shards it fetches are excluded."""
    weights = {}
    for file, url, root in parsed:
        total = file.stat().st_size
        for src in resources(sample_site, root):
            path = sample_site / unquote(src.split("?")[0].lstrip("/"))
            if path.suffix in (".css", ".js") and path.is_file():
                total += path.stat().st_size
        weights[url] = total
        for mode in MODES:  # the copies add a few bytes of attributes; check them too
            copy = sample_site / mode / file.relative_to(sample_site)
            if copy.is_file():
                weights[f"/{mode}{url}"] = total - file.stat().st_size + copy.stat().st_size
    heavy = {url: size for url, size in weights.items() if size > BUDGET}
    assert not heavy, "\n".join(f"{url}: {size} bytes" for url, size in sorted(heavy.items()))


def test_every_page_has_a_copy_in_each_mode_whose_links_stay_in_the_mode(sample_site: Path) -> None:
    failures = []
    standard = page_files(sample_site)
    assert len(standard) > 20
    for file, path in standard:
        for mode in MODES:
            copy = sample_site / mode / file.relative_to(sample_site)
            if not copy.is_file():
                failures.append(f"/{mode}{path}: missing")
                continue
            root = lxml_html.parse(str(copy)).getroot()
            if root.get("class") != f"mode-{mode}":
                failures.append(f"/{mode}{path}: <html class> is {root.get('class')}")
            exits = root.xpath("//a[@class='mode-exit']/@href")
            if exits != [path]:
                failures.append(f"/{mode}{path}: 退出 link goes to {exits}")
            for target in root.xpath("//a/@href | //form/@action"):
                if target in exits or not target.startswith("/") or target.startswith("//"):
                    continue
                bare = unquote(target.split("#")[0].split("?")[0])
                if bare.endswith("/"):
                    if not bare.startswith(f"/{mode}/") and not any(bare.startswith(f"/{m}/") for m in MODES):
                        failures.append(f"/{mode}{path}: link {target} leaves the mode")
                    elif not (sample_site / bare.lstrip("/") / "index.html").is_file():
                        failures.append(f"/{mode}{path}: link {target} goes nowhere")
                elif not (sample_site / bare.lstrip("/")).is_file():
                    failures.append(f"/{mode}{path}: link {target} goes nowhere")
    assert not failures, "\n".join(failures[:50])


def test_apply_mode_moves_page_links_only() -> None:
    page = (
        '<!doctype html>\n<html lang="zh-CN" class="mode-std">\n<head>\n<meta charset="utf-8">\n'
        '<link rel="stylesheet" href="/static/site.css">\n'
        '<link rel="alternate" type="application/rss+xml" href="/feeds/all.xml">\n'
        '<link rel="canonical" href="https://www.example.gov.cn/records/a/">\n</head>\n<body>\n'
        + switch_html("/records/a/")
        + '<a href="/">首页</a> <a href="/catalog/page/2/#top">下一页</a> <a href="#main">跳</a>'
        ' <a href="/records/a/file.pdf">附件</a> <a href="//cdn.example/x/">外</a>'
        ' <a href="https://www.gov.cn/">中国政府网</a> <form action="/search/" method="get"></form>'
        ' <a class="x" title="t" href="/search/?q=%E4%B8%AA%E7%A8%8E">检索</a>\n</body>\n</html>\n'
    )
    care = apply_mode(page, "care", "/records/a/")
    assert '<html lang="zh-CN" class="mode-care" data-prefix="/care">' in care
    assert '<meta name="robots" content="noindex, follow">' in care
    for kept in (
        "/static/site.css",
        "/feeds/all.xml",
        "https://www.example.gov.cn/records/a/",
        "#main",
        "/records/a/file.pdf",
        "//cdn.example/x/",
        "https://www.gov.cn/",
    ):
        assert f'="{kept}"' in care, kept
    for moved in (
        "/care/",
        "/care/catalog/page/2/#top",
        "/care/search/",
        "/care/search/?q=%E4%B8%AA%E7%A8%8E",
    ):
        assert f'="{moved}"' in care, moved
    assert '<a class="mode-exit" href="/records/a/">退出长者模式</a>' in care
    assert '<a href="/a11y/records/a/">无障碍模式</a>' in care
    assert apply_mode(page, "std", "/records/a/") == page
    assert not is_page_link("/care/x/") and not is_page_link("/static/x/") and is_page_link("/x/?a=1")
