"""Hosting anywhere (issue 14, item 5): a site under a sub-path (`base_url` https://host/gkml/)
and a `build --relative` site opened from disk. Every internal link of every page of the real
build resolves to a file of the output; the service's results take the same path."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as html_module
from werkzeug.test import Client

import build
from conftest import FIXTURES, read_page, run_build
from disclosure.cli import serve
from disclosure.core.reading_modes import shared_page, switch_html
from disclosure.core.site_links import absolute_links, base_path, rebase, relative_link, relative_links
from search.service import modes as service_modes
from search.service.app import create_search_app

BASE = "/gkml/"
_ATTR = re.compile(r'<[a-zA-Z][^>]*?\s(?:href|src|action)="([^"]*)"')


def sub_path_content(target: Path, base_url: str = "https://test.example.gov.cn/gkml/") -> Path:
    """Copy the valid fixture site to `target` with `base_url` under a sub-path."""
    shutil.copytree(FIXTURES / "valid", target)
    config = target / "site.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^base_url: .*$", f"base_url: {base_url}", text), encoding="utf-8")
    with (target / "documents" / "2018" / "new-rules.md").open("a", encoding="utf-8") as record:
        record.write(f"\n{BODY_LINKS}\n")  # links as staff write them: to a sibling file, to the site's root
    return target


BODY_LINKS = "见[主动公开目录](new-rules-annex.csv)和[政府信息公开目录](/catalog/)。"


def build_both(root: Path) -> dict[str, Path]:
    """Build the fixture site under /gkml/ into `root`: as it is deployed ("sub") and with --relative ("rel")."""
    content = sub_path_content(root / "content")
    run_build(content, root / "sub")
    assert build.main(["build", "--relative", "--content", str(content), "--output", str(root / "rel")]) == 0
    return {"content": content, "sub": root / "sub", "rel": root / "rel"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_both(tmp_path_factory.mktemp("hosting"))


def pages(site: Path) -> list[Path]:
    """Every HTML page of a built site (not the build's own folders)."""
    return [
        p
        for p in sorted(site.rglob("*.html"))
        if not any(part.startswith(".") for part in p.relative_to(site).parts)
    ]


_SWITCH = re.compile(r'<ul class="modes[^"]*".*?</ul>', re.S)


def internal_links(page: Path) -> list[str]:
    """Every href, src and action of a page that stays on the site (no scheme, host or bare
    fragment), its mode switch aside: which of its links a reader sees depends on the folder the
    page is read in (test_the_relative_mode_switch_leads_where_it_says checks them)."""
    text = _SWITCH.sub("", page.read_text(encoding="utf-8"))
    links = [link.replace("&amp;", "&") for link in _ATTR.findall(text)]
    return [link for link in links if not urlsplit(link).scheme and not link.startswith(("//", "#"))]


def broken_links(site: Path, base: str | None) -> dict[str, str]:
    """Return {link: page} for every internal link that names no file of `site`.

    `base`: the sub-path root-relative links must start with (a folder is its index.html, as a
    web server serves it); None for a relative build, where a root-relative link is broken and
    a folder link too (file:// shows a folder as a listing, not its index.html)."""
    broken: dict[str, str] = {}
    top = site.resolve()
    for page in pages(site):
        for link in internal_links(page):
            path = unquote(urlsplit(link).path)
            if path.startswith("/"):
                if base is None or not path.startswith(base):
                    broken.setdefault(link, str(page.relative_to(site)))
                    continue
                target = site / path.removeprefix(base)
                target = target / "index.html" if path.endswith("/") else target
            else:  # document-relative (a page's page links): a folder too, served by a web server
                target = page.parent / path
                target = target / "index.html" if path.endswith("/") and base is not None else target
            target = target.resolve()
            if not target.is_file() or top not in target.parents:
                broken.setdefault(link, str(page.relative_to(site)))
    return broken


def test_the_base_path_is_the_path_of_base_url() -> None:
    assert base_path("https://www.example.gov.cn") == "/"
    assert base_path("https://www.example.gov.cn/gkml") == "/gkml/"
    assert base_path("https://www.example.gov.cn/a/gkml/") == "/a/gkml/"


def test_rebase_moves_root_relative_links_only() -> None:
    page = (
        '<link rel="stylesheet" href="/static/site.css"><a href="/catalog/?page=2#x">目录</a>'
        '<a href="//cdn.example.org/x">外</a><a href="https://example.org/">外</a><a href="#main">跳</a>'
        '<a href="a.pdf">附件</a><form action="/search/" method="get"></form><script src="/static/a.js"></script>'
        '<img alt="" src="/records/a/x.png"><a data-href="/no/">x</a>'
    )
    assert rebase(page, "/") == page
    assert rebase(page, BASE) == (
        '<link rel="stylesheet" href="/gkml/static/site.css"><a href="/gkml/catalog/?page=2#x">目录</a>'
        '<a href="//cdn.example.org/x">外</a><a href="https://example.org/">外</a><a href="#main">跳</a>'
        '<a href="a.pdf">附件</a><form action="/gkml/search/" method="get"></form><script src="/gkml/static/a.js"></script>'
        '<img alt="" src="/gkml/records/a/x.png"><a data-href="/no/">x</a>'
    )


def test_relative_links_name_files_from_the_page() -> None:
    assert relative_link("/", "index.html") == "index.html"
    assert relative_link("/", "catalog/index.html") == "../index.html"
    assert relative_link("/catalog/", "catalog/index.html") == "../catalog/index.html"
    assert relative_link("/static/site.css", "records/a/index.html") == "../../static/site.css"
    assert (
        relative_link("/search/?q=%E5%AE%A1#r", "care/records/a/index.html")
        == "../../../search/index.html?q=%E5%AE%A1#r"
    )
    assert relative_link("/records/a/x.pdf", "404.html") == "records/a/x.pdf"
    html = '<a href="/catalog/">目录</a><a href="https://example.org/">外</a>'
    assert (
        relative_links(html, "news/index.html")
        == '<a href="../catalog/index.html">目录</a><a href="https://example.org/">外</a>'
    )


def test_a_page_under_a_sub_path_stays_in_the_mode_it_is_read_in() -> None:
    page = rebase(
        '<html lang="zh-CN" class="mode-std"><head><meta charset="utf-8"><link rel="stylesheet" href="/static/site.css">'
        f'</head>{switch_html("/catalog/")}<a href="/catalog/">目录</a><a href="/feeds/all.xml">订阅</a>',
        BASE,
    )
    shared = shared_page(page, "/catalog/", BASE)
    assert '<a href="../catalog/">目录</a>' in shared  # read at /gkml/care/catalog/: /gkml/care/catalog/
    assert 'href="/gkml/feeds/all.xml"' in shared and 'href="/gkml/static/site.css"' in shared
    assert '<link rel="stylesheet" href="../mode.css">' in shared
    assert 'class="mode-exit" href="/gkml/catalog/"' in shared and '<a href="/gkml/a11y/catalog/">' in shared


def test_every_link_of_the_sub_path_build_resolves(built: dict[str, Path]) -> None:
    site = built["sub"]
    assert len(pages(site)) > 50
    assert sum(len(internal_links(p)) for p in pages(site)) > 1000
    assert broken_links(site, BASE) == {}
    home = read_page(site / "index.html", site, BASE)
    assert 'href="/gkml/static/site.css"' in home and 'action="/gkml/search/"' in home
    care = (site / "care" / "catalog" / "index.html").read_text(encoding="utf-8")
    assert 'href="../"' in care and 'class="mode-exit" href="/gkml/catalog/"' in care
    assert 'href="/gkml/a11y/catalog/"' in care and 'href="../mode.css"' in care
    not_found = (site / "404.html").read_text(encoding="utf-8")  # served at any depth: only /gkml/… links
    assert 'href="/gkml/catalog/"' in not_found and 'href="/catalog/"' not in not_found


def test_absolute_addresses_carry_the_sub_path(built: dict[str, Path]) -> None:
    site, root = built["sub"], "https://test.example.gov.cn/gkml/"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all(loc.startswith(root) for loc in locations)
    feed = (site / "feeds" / "all.xml").read_text(encoding="utf-8")
    assert f"<link>{root}" in feed and "https://test.example.gov.cn/records/" not in feed
    record = next((site / "records").glob("*/index.html")).read_text(encoding="utf-8")
    assert f'rel="canonical" href="{root}records/' in record
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', record, re.S)
    assert found is not None
    ld = json.loads(found.group(1))
    assert ld["url"].startswith(f"{root}records/")
    data = json.loads((site / "data" / "index.json").read_text(encoding="utf-8"))
    assert root in json.dumps(data) and "https://test.example.gov.cn/data/" not in json.dumps(data)


def test_links_staff_write_in_a_body_work_on_the_page_and_in_feeds(built: dict[str, Path]) -> None:
    root = "https://test.example.gov.cn/gkml/"
    page = next(
        p
        for p in (built["sub"] / "records").glob("*/index.html")
        if "new-rules-annex.csv" in p.read_text("utf-8")
    )
    html = page.read_text(encoding="utf-8")
    assert 'href="new-rules-annex.csv"' in html  # document-relative: the same file in every mode
    assert 'href="/gkml/catalog/">政府信息公开目录</a>' in read_page(page, built["sub"], BASE)
    slug = page.parent.name
    feed = (built["sub"] / "feeds" / "all.atom").read_text(encoding="utf-8")
    assert f'&lt;a href="{root}records/{slug}/new-rules-annex.csv"' in feed  # the entry's HTML, escaped once
    assert f'&lt;a href="{root}catalog/"' in feed
    assert 'href="/' not in feed and 'href="new-rules' not in feed
    assert absolute_links(
        '<a href="#x">a</a><a href="mailto:a@b.cn">m</a><img src="f.png">', f"{root}r/a/", root
    ) == (f'<a href="{root}r/a/#x">a</a><a href="mailto:a@b.cn">m</a><img src="{root}r/a/f.png">')


def test_robots_txt_names_the_sub_path(built: dict[str, Path]) -> None:
    robots = (built["sub"] / "robots.txt").read_text(encoding="utf-8")
    assert "Allow: /gkml/\nDisallow: /gkml/api/\n" in robots
    assert "Sitemap: https://test.example.gov.cn/gkml/sitemap.xml" in robots


def test_base_url_with_a_query_is_refused(tmp_path: Path, run: Callable[..., tuple[int, str]]) -> None:
    content = sub_path_content(tmp_path / "content", "https://test.example.gov.cn/gkml/?from=1")
    status, err = run("check", "--content", content)
    assert status == 1
    assert f"{content / 'site.yaml'}:2: 网站地址（base_url）: 网站地址只能写到路径" in err


def test_every_link_of_the_relative_build_names_a_file(built: dict[str, Path]) -> None:
    site = built["rel"]
    assert broken_links(site, None) == {}
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="static/site.css"' in home and 'href="./catalog/index.html"' in home
    deep = next((site / "care" / "records").glob("*/index.html"))
    text = deep.read_text(encoding="utf-8")
    assert 'href="../../static/site.css"' in text and 'href="../../mode.css"' in text  # /care/static: a link
    assert 'href="../../catalog/index.html"' in text  # a page's own relative link, named as a file
    # made relative once: the page is still one file under /, /care/ and /a11y/
    assert os.path.samefile(deep, site / "a11y" / deep.relative_to(site / "care"))
    assert os.path.samefile(deep, site / deep.relative_to(site / "care"))


def test_the_relative_mode_switch_leads_where_it_says(built: dict[str, Path]) -> None:
    """Opened from disk, each item the stylesheet of the folder shows leads to the page itself in
    the mode it names (the relative build's switch: disclosure/core/reading_modes.py)."""
    site = built["rel"]
    shown = {  # folder the page is read in → items its stylesheets leave visible (templates/modes/)
        "": {"to-care": "care", "to-a11y": "a11y"},
        "care": {"exit-care": "", "to-a11y in-mode": "a11y"},
        "a11y": {"exit-a11y": "", "to-care in-mode": "care"},
    }
    checked = 0
    for file in [site / "index.html", site / "catalog" / "index.html", next((site / "records").glob("*/index.html"))]:
        relative = file.relative_to(site)
        switch = html_module.fromstring(_SWITCH.search(file.read_text(encoding="utf-8")).group())
        items = {li.get("class"): li.xpath("./a/@href")[0] for li in switch.xpath("//li")}
        for folder, visible in shown.items():
            here = (site / folder / relative).parent
            for item, mode in visible.items():
                target = os.path.normpath(here / items[item])  # the address, not the file it reaches
                assert target == os.path.normpath(site / mode / relative), (folder, relative, item)
                assert Path(target).is_file()
                checked += 1
    assert checked == 18

def test_a_relative_build_is_never_reused_by_one_that_is_not(built: dict[str, Path], tmp_path: Path) -> None:
    """The incremental build hard-links unchanged pages from the live site: a relative page
    must not turn up in a build for a web server, nor the other way round."""
    output = tmp_path / "site"
    shutil.copytree(built["rel"], output, symlinks=True)
    run_build(built["content"], output)
    assert broken_links(output, BASE) == {}
    assert (
        build.main(["build", "--relative", "--content", str(built["content"]), "--output", str(output)]) == 0
    )
    assert broken_links(output, None) == {}


def test_moving_the_site_under_a_sub_path_rebuilds_every_page(built: dict[str, Path], tmp_path: Path) -> None:
    """base_url changes every page: none may be reused from the build at the root."""
    content = sub_path_content(tmp_path / "content", "https://test.example.gov.cn")
    output = tmp_path / "site"
    run_build(content, output)
    assert broken_links(output, "/") == {}
    config = content / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "https://test.example.gov.cn", f"https://test.example.gov.cn{BASE}"
        ),
        "utf-8",
    )
    run_build(content, output)
    assert broken_links(output, BASE) == {}


def test_the_service_answers_under_the_sub_path_with_links_under_it(built: dict[str, Path]) -> None:
    client = Client(create_search_app(built["sub"]))
    answer = client.get("/gkml/search/?q=政府")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    links = [link for link in _ATTR.findall(html) if link.startswith("/")]
    assert links and all(link.startswith(BASE) for link in links), links
    assert any(link.startswith("/gkml/records/") for link in links)
    care = client.get("/gkml/care/search/?q=政府").get_data(as_text=True)
    assert 'action="/gkml/care/search/"' in care and 'href="/gkml/care/records/' in care
    assert client.get("/gkml/api/search?q=政府").status_code == 200
    assert client.get("/search/?q=政府").status_code == 200  # a proxy that strips the path


def test_the_preview_serves_the_site_under_its_sub_path(built: dict[str, Path]) -> None:
    state = serve.BuildState()
    serve.rebuild(serve.Settings(content_dir=built["content"], output_dir=built["sub"]), state)
    assert state.ok and state.base == BASE
    client = Client(serve.static_app(built["sub"], state, serve.search_service(built["sub"])))
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == BASE
    for url in ("/gkml/", "/gkml/catalog/", "/gkml/static/site.css", "/gkml/care/catalog/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/catalog/").status_code == 404
    found = client.get("/gkml/search/?q=政府").get_data(as_text=True)
    assert 'href="/gkml/records/' in found


def test_the_service_and_the_pages_put_the_path_the_same_way() -> None:
    fragment = (
        '<form action="/search/"><a href="/records/a/#x">标题</a><a href="/search/?q=1&amp;page=2">下一页</a>'
        '<link rel="alternate" href="/api/search.atom?q=1"><a href="//x.example/">外</a><a href="https://x/">外</a></form>'
    )
    for mode in ("std", "care"):
        moved = service_modes.move_links(fragment, mode)
        assert service_modes.rebase(moved, BASE) == rebase(moved, BASE)
