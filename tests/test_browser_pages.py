"""Every built page, read as a file (issue 7): structure for screen readers, weight, no
third-party requests, and the /care/ and /a11y/ folders that keep a reader in a mode.

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

from conftest import page_files
from disclosure.core.reading_modes import mode_of, shared_page, switch_html
from disclosure.web.modes import MODES, is_page_link, mode_links, write_mode_pages

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
        for mode in MODES:  # read in a mode, a page loads that mode's stylesheet too
            copy = sample_site / mode / file.relative_to(sample_site)
            if copy.is_file():
                sheet = (sample_site / mode / "mode.css").stat().st_size
                weights[f"/{mode}{url}"] = total - file.stat().st_size + copy.stat().st_size + sheet
    heavy = {url: size for url, size in weights.items() if size > BUDGET}
    assert not heavy, "\n".join(f"{url}: {size} bytes" for url, size in sorted(heavy.items()))


def test_every_page_is_one_file_in_every_mode_whose_links_stay_in_the_mode(sample_site: Path) -> None:
    """/care/x/ and /a11y/x/ are the file /x/ itself (the mode folders link to the standard tree);
    read in each folder it loads that folder's mode.css, its switch leads in and out, and every
    link stays in the folder it is read in and reaches a file."""
    failures = []
    standard = page_files(sample_site)
    assert len(standard) > 20
    for file, path in standard:
        root = lxml_html.parse(str(file)).getroot()
        for mode in MODES:
            copy = sample_site / mode / file.relative_to(sample_site)
            if not copy.is_file() or not os.path.samefile(copy, file):
                failures.append(f"/{mode}{path}: not the standard page's file")
        switch = {li.get("class"): li.xpath("./a/@href")[0] for li in root.xpath("//ul[@class='modes']/li")}
        if switch != {
            "exit-care": path,
            "exit-a11y": path,
            "to-care": f"/care{path}",
            "to-a11y": f"/a11y{path}",
        }:
            failures.append(f"{path}: switch {switch}")
        sheets = root.xpath("//link[@rel='stylesheet']/@href")
        for prefix in ("", *(f"/{mode}" for mode in MODES)):
            here = f"{prefix}{path}"
            if [urljoin(here, s) for s in sheets][:2] != ["/static/site.css", f"{prefix}/mode.css"]:  # then lists.css …
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
                    if mode_of(bare) != mode_of(here):
                        failures.append(f"{here}: link {target} leaves the mode")
                    elif not (sample_site / bare.lstrip("/") / "index.html").is_file():
                        failures.append(f"{here}: link {target} goes nowhere")
                elif not (sample_site / bare.lstrip("/")).is_file():
                    failures.append(f"{here}: link {target} goes nowhere")
    assert not failures, "\n".join(failures[:50])
    robots = (sample_site / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /care/" in robots and "Disallow: /a11y/" in robots  # the standard pages are the ones indexed


def test_the_modes_cost_no_page_of_their_own(sample_site: Path) -> None:
    """A mode's folder is its stylesheet and relative links: one per top-level folder and page of
    the site, or, for the folders whose other files pages load from the root (the static search
    index, the feeds, the data files), one per page of theirs. Its size does not grow with the
    site, and a host that copies what links point to stores no feed or index file once more."""
    links = mode_links(sample_site)
    assert {"records", "catalog", "static", "index.html", "search/index.html", "feeds/index.html"} <= links.keys()
    for mode in MODES:
        folder = sample_site / mode
        found = {
            str(p.relative_to(folder)): os.readlink(p) for p in folder.rglob("*") if p.is_symlink()
        }
        assert found == links
        assert {str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_symlink()} == {
            "mode.css",
            "search",
            "feeds",
            "data",
        }
        assert not (folder / "search" / "data").exists() and not list((folder / "feeds").glob("*.xml"))
        assert (folder / "records").resolve() == (sample_site / "records").resolve()
    assert (sample_site / "mode.css").stat().st_size < 100  # the standard site's adds nothing


def test_shared_page_moves_page_links_only() -> None:
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
    shared = shared_page(page, "/records/a/")
    assert '<html lang="zh-CN" class="mode-std">' in shared and "robots" not in shared
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
        "b.pdf",  # document-relative: the same file under every mode's link to records/
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
    home = shared_page(page.replace(switch_html("/records/a/"), switch_html("/")), "/")
    assert 'href="./mode.css"' in home and '<a href="./">首页</a>' in home and 'action="./search/"' in home
    assert not is_page_link("/care/x/") and not is_page_link("/static/x/") and is_page_link("/x/?a=1")


def test_the_mode_folders_follow_the_top_level_entries(tmp_path: Path) -> None:
    """Written over an earlier build's folder: a link that points elsewhere is made again, a new
    entry gets its link, and a second run changes nothing."""
    site = tmp_path / "site"
    (site / "catalog").mkdir(parents=True)
    (site / "index.html").write_text("<p>首页</p>", encoding="utf-8")
    (site / "care").mkdir()
    (site / "care" / "catalog").symlink_to("../elsewhere")
    assert write_mode_pages(site) == 4  # index.html and catalog, in both modes
    assert os.readlink(site / "care" / "catalog") == "../catalog"
    assert (site / "a11y" / "index.html").read_text(encoding="utf-8") == "<p>首页</p>"
    assert write_mode_pages(site) == 0
