"""Every built page, read as a file (issue 7): structure for screen readers, weight, no
third-party requests, and the /care/ and /a11y/ copies that keep a reader in a mode.

These run without a browser, over every page of the sample site, so they also cover
pages that test_browser.py (one page per type) does not open.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from disclosure.core.reading_modes import mode_page, switch_html
from disclosure.outputs import publish
from disclosure.web.modes import MODES, is_page_link, page_files, write_mode_pages

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
        for mode in MODES:  # a mode page adds a few bytes and its mode's stylesheet; check them too
            copy = sample_site / mode / file.relative_to(sample_site)
            if copy.is_file():
                sheet = (sample_site / mode / "mode.css").stat().st_size
                weights[f"/{mode}{url}"] = total - file.stat().st_size + copy.stat().st_size + sheet
    heavy = {url: size for url, size in weights.items() if size > BUDGET}
    assert not heavy, "\n".join(f"{url}: {size} bytes" for url, size in sorted(heavy.items()))


def test_every_page_has_one_mode_page_under_both_modes_whose_links_stay_in_the_mode(
    sample_site: Path,
) -> None:
    failures = []
    standard = page_files(sample_site)
    assert len(standard) > 20
    for file, path in standard:
        care, a11y = (sample_site / mode / file.relative_to(sample_site) for mode in MODES)
        if not care.is_file() or not a11y.is_file():
            failures.append(f"{path}: a mode page is missing")
            continue
        if not os.path.samefile(care, a11y):  # one file under two names (a hard link)
            failures.append(f"{path}: /care/ and /a11y/ are two files")
        root = lxml_html.parse(str(care)).getroot()
        if root.get("class") != "mode-page" or root.xpath("//meta[@name='robots']/@content") != [
            "noindex, follow"
        ]:
            failures.append(f"{path}: <html class> {root.get('class')}, or not noindex")
        canonical = lxml_html.parse(str(file)).getroot().xpath("//link[@rel='canonical']/@href")
        if root.xpath("//link[@rel='canonical']/@href") != canonical:
            failures.append(f"{path}: canonical link is not the standard page's")
        switch = {li.get("class"): li.xpath("./a/@href")[0] for li in root.xpath("//ul[@class='modes']/li")}
        if switch != {
            "exit-care": path,
            "exit-a11y": path,
            "to-care": f"/care{path}",
            "to-a11y": f"/a11y{path}",
        }:
            failures.append(f"{path}: switch {switch}")
        sheets = root.xpath("//link[@rel='stylesheet']/@href")
        for mode in MODES:
            here = f"/{mode}{path}"
            if [urljoin(here, s) for s in sheets][:2] != [
                "/static/site.css",
                f"/{mode}/mode.css",
            ]:  # then lists.css …
                failures.append(f"{here}: stylesheets {sheets}")
            for target in root.xpath("//a/@href | //form/@action"):
                if (
                    target in switch.values()
                    or target.startswith(("#", "mailto:", "tel:"))
                    or urlsplit(target).scheme
                ):
                    continue
                bare = unquote(urlsplit(urljoin(here, target)).path)
                if bare.startswith("//"):
                    continue
                if bare.endswith("/"):
                    if not bare.startswith(f"/{mode}/"):
                        failures.append(f"{here}: link {target} leaves the mode")
                    elif not (sample_site / bare.lstrip("/") / "index.html").is_file():
                        failures.append(f"{here}: link {target} goes nowhere")
                elif not (sample_site / bare.lstrip("/")).is_file():
                    failures.append(f"{here}: link {target} goes nowhere")
    assert not failures, "\n".join(failures[:50])


def test_the_modes_cost_the_bytes_of_one_tree(sample_site: Path) -> None:
    """Both mode trees hold the same files: on disk (each file counted once, as du does) they
    weigh about what the standard pages do, not twice as much as they did."""
    pages = sum(file.stat().st_size for file, _ in page_files(sample_site))
    seen: dict[tuple[int, int], int] = {}
    names = 0
    for mode in MODES:
        for file in (sample_site / mode).rglob("*"):
            if file.is_file():
                status = file.stat()
                seen[(status.st_dev, status.st_ino)] = status.st_size
                names += status.st_size
    assert pages * 2 <= names <= pages * 2.3  # what a host that keeps no hard links stores
    assert pages <= sum(seen.values()) <= pages * 1.15  # what the output folder holds


def test_mode_page_moves_page_links_only() -> None:
    page = (
        '<!doctype html>\n<html lang="zh-CN" class="mode-std">\n<head>\n<meta charset="utf-8">\n'
        '<link rel="stylesheet" href="/static/site.css">\n'
        '<link rel="alternate" type="application/rss+xml" href="/feeds/all.xml">\n'
        '<link rel="canonical" href="https://www.example.gov.cn/records/a/">\n</head>\n<body>\n'
        + switch_html("/records/a/")
        + '<a href="/">首页</a> <a href="/catalog/page/2/#top">下一页</a> <a href="#main">跳</a>'
        ' <a href="/records/a/file.pdf">附件</a> <a href="//cdn.example/x/">外</a> <a href="b.pdf">乙</a>'
        ' <a href="https://www.gov.cn/">中国政府网</a> <form action="/search/" method="get"></form>'
        ' <a class="x" title="t" href="/search/?q=%E4%B8%AA%E7%A8%8E">检索</a> <a href="/records/a/">本页</a>\n</body>\n</html>\n'
    )
    shared = mode_page(page, "/records/a/")
    assert '<html lang="zh-CN" class="mode-page">' in shared and "care" not in shared.split("<body>")[0]
    assert '<meta name="robots" content="noindex, follow">' in shared
    assert (
        '<link rel="stylesheet" href="/static/site.css">\n<link rel="stylesheet" href="../../mode.css">'
        in shared
    )
    for kept in (
        "/static/site.css",
        "/feeds/all.xml",
        "https://www.example.gov.cn/records/a/",
        "#main",
        "/records/a/file.pdf",
        "/records/a/b.pdf",  # document-relative: written from the root, the same file in both modes
        "//cdn.example/x/",
        "https://www.gov.cn/",
    ):
        assert f'="{kept}"' in shared, kept
    for moved in (
        "../../",
        "../../catalog/page/2/#top",
        "../../search/",
        "../../search/?q=%E4%B8%AA%E7%A8%8E",
        "../../records/a/",
    ):
        assert f'="{moved}"' in shared, moved
    assert '<li class="exit-care"><a class="mode-exit" href="/records/a/">退出长者模式</a></li>' in shared
    assert '<li class="exit-a11y"><a class="mode-exit" href="/records/a/">退出无障碍模式</a></li>' in shared
    assert '<li class="to-care"><a href="/care/records/a/">长者模式</a></li>' in shared
    assert '<li class="to-a11y"><a href="/a11y/records/a/">无障碍模式</a></li>' in shared
    home = mode_page(page.replace(switch_html("/records/a/"), switch_html("/")), "/")
    assert 'href="mode.css"' in home and '<a href="./">首页</a>' in home and 'action="./search/"' in home
    assert not is_page_link("/care/x/") and not is_page_link("/static/x/") and is_page_link("/x/?a=1")


def test_a_mode_page_is_copied_where_the_file_system_refuses_a_hard_link(
    sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    for file in ("index.html", "catalog/index.html"):
        (site / file).parent.mkdir(parents=True, exist_ok=True)
        (site / file).write_bytes((sample_site / file).read_bytes())

    def refuse(source: object, target: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(publish.os, "link", refuse)
    assert write_mode_pages(site) == 2
    for file in ("index.html", "catalog/index.html"):
        care, a11y = site / "care" / file, site / "a11y" / file
        assert not os.path.samefile(care, a11y) and care.read_bytes() == a11y.read_bytes()
        assert care.read_bytes() == (sample_site / "care" / file).read_bytes()  # what the build wrote
