"""Citizens on phones and the small things (issue 14, part 6), in Debian's Chromium at 360×780.

Every page type of the sample site (discovered from the built site as test_browser.py does):
no sideways scrolling, a record's title on the first screen (standard view and 长者模式),
list tables read as cards whose cells keep the table's roles for screen readers, the
favicon and the OpenSearch description, a meta description on every page, a sitemap.xml
of every page and a 网站地图 of every section, and HTML_CodeSniffer's WCAG2AA (the rules
pa11y runs) with no error.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import etree
from lxml import html as lxml_html
from test_browser import _DATA_PAGE, AXE, ROOT, TOOLS, Visit, page_url, std_pages

from conftest import page_files, read_page, require, static_server

PHONE = {"width": 360, "height": 780}
HTMLCS = TOOLS / "@pa11y" / "html_codesniffer" / "build" / "HTMLCS.js"
# list pages whose tables are cards on a phone, and the column each must show readably
CARD_PAGES = {
    "/approvals/": "实施机关",
    "/catalog/": "生成日期",
    "/powers/": "法定时限",
    "/risks/": "防控措施",
    "/monitor/": "实施机关",
    "/monitor/agencies/": "办件数",
}


@pytest.fixture(scope="module")
def site(sample_site: Path) -> Path:
    return sample_site


@pytest.fixture(scope="module")
def types(site: Path) -> dict[str, str]:
    """One URL per page type (the view, and the kind for records), as test_browser.page_types."""
    found: dict[str, str] = {}
    for file in std_pages(site):
        match = _DATA_PAGE.search(file.read_text(encoding="utf-8"))
        if match:
            found.setdefault(match.group(1), page_url(site, file))
    return found


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    with static_server(site) as address:
        yield address


def phone(browser: Any, server: str) -> Visit:
    visit = Visit(browser, server, width=PHONE["width"])
    visit.page.set_viewport_size(PHONE)
    return visit


@pytest.mark.parametrize("mode", ["std", "care", "a11y"])
def test_no_page_scrolls_sideways_and_a_records_title_is_on_the_first_screen(
    browser: Any, server: str, types: dict[str, str], mode: str
) -> None:
    failures = []
    visit = phone(browser, server)
    try:
        for kind, url in sorted(types.items()):
            if mode != "std" and not url.endswith("/"):
                continue
            page = visit.go(url if mode == "std" else f"/{mode}{url}")
            wide, screen = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
            if wide > screen:
                failures.append(f"{page.url} [{kind}] is {wide} px wide on a {screen} px screen")
            if kind.startswith("site.record-"):
                bottom = page.evaluate(
                    "() => document.querySelector('main h1').getBoundingClientRect().bottom"
                )
                if bottom > PHONE["height"]:
                    failures.append(
                        f"{page.url} [{kind}] title ends {bottom:.0f} px down (screen {PHONE['height']})"
                    )
                first = page.evaluate(
                    "() => document.querySelector('main h1').compareDocumentPosition("
                    "document.querySelector('table.metadata')) & Node.DOCUMENT_POSITION_FOLLOWING"
                )
                if not first:
                    failures.append(f"{page.url} [{kind}] 信息属性 comes before the title")
        failures += visit.problems
    finally:
        visit.close()
    assert not failures, "\n".join(failures)


def test_on_wide_screens_the_record_shows_its_metadata_above_the_title(
    browser: Any, server: str, types: dict[str, str]
) -> None:
    """The 中国政府网 layout on a desktop: 信息属性 first on screen, though the title is first in the page."""
    visit = Visit(browser, server)
    try:
        page = visit.go(types["site.record-document"])
        table, title = page.evaluate(
            "() => ['table.metadata', 'main h1'].map(s => document.querySelector(s).getBoundingClientRect().top)"
        )
        assert table < title
    finally:
        visit.close()


def roles(visit: Visit) -> list[str]:
    """The roles of Chromium's own accessibility tree (what a screen reader is given)."""
    cdp = visit.context.new_cdp_session(visit.page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return [n.get("role", {}).get("value", "") for n in nodes if not n.get("ignored")]


CARD_CELLS = """tables => tables.flatMap(table => {
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.replace(/\\s+/g, ''));
  return [...table.querySelectorAll('tbody td, tbody th')].filter(c => c.offsetParent).map(c => {
    const r = c.getBoundingClientRect(), label = getComputedStyle(c, '::before').content;
    return {left: r.left, right: r.right, width: r.width, text: c.textContent.trim().slice(0, 16),
            label: label === 'none' ? '' : label.replace(/^"|："$/g, ''), head: heads[c.cellIndex] || '',
            span: c.colSpan, name: getComputedStyle(c).order === '-1'};
  });
})"""


def test_list_tables_read_as_cards_on_a_phone_and_stay_tables(
    browser: Any, server: str, types: dict[str, str]
) -> None:
    """Every cell of a card is within the screen and labelled with its own column's header
    (the labels are in lists.css: they cannot drift from the headers unseen); the row's name
    is first and as wide as the card; Chromium's accessibility tree still has the table."""
    failures = []
    visit = phone(browser, server)
    pages = [
        *CARD_PAGES.items(),
        (types["site.record-approval"], "实施机关"),
        (types["site.record-case"], "申请人"),
    ]
    pages += [(types["site.record-power"], "防控措施")]
    try:
        for url, column in pages:
            page = visit.go(url)
            cells = page.eval_on_selector_all("table.cards", CARD_CELLS)
            if not any(c["label"] == column for c in cells):
                failures.append(f"{url}: no card shows {column}")
            for c in cells:
                where = f"{url}: {c['head']} “{c['text']}”"
                if c["left"] < 0 or c["right"] > PHONE["width"]:
                    failures.append(f"{where} cut off ({c['left']:.0f}–{c['right']:.0f} px)")
                if c["name"]:
                    if c["label"] or c["width"] < 280:
                        failures.append(f"{where}: the card's name is labelled or {c['width']:.0f} px wide")
                elif c["span"] == 1 and c["label"] != c["head"]:
                    failures.append(f"{where} is labelled {c['label']!r}, its column is {c['head']!r}")
                elif c["label"] == column and len(c["text"]) > 6 and c["width"] < 120:
                    failures.append(f"{where} is {c['width']:.0f} px wide")  # 1–4 characters a line
            found = roles(visit)
            for role in ("table", "row", "columnheader", "cell"):
                if role not in found:
                    failures.append(f"{url}: no {role} in the accessibility tree of the cards")
        failures += visit.problems
    finally:
        visit.close()
    assert not failures, "\n".join(failures)


def test_on_wide_screens_list_tables_are_tables(browser: Any, server: str) -> None:
    visit = Visit(browser, server)
    try:
        page = visit.go("/approvals/")
        shown = page.eval_on_selector_all(
            "table.cards tbody td",
            "cs => cs.map(c => [getComputedStyle(c).display, getComputedStyle(c, '::before').content])",
        )
        assert shown and all(display == "table-cell" and before == "none" for display, before in shown)
    finally:
        visit.close()


def test_the_approval_list_is_short_enough_to_read_on_a_phone(browser: Any, server: str) -> None:
    """/approvals/ was 15,000 px tall at 360 px: 20 items a page, one card each."""
    visit = phone(browser, server)
    try:
        page = visit.go("/approvals/")
        height = page.evaluate("() => document.scrollingElement.scrollHeight")
        assert height < 6500, height
        assert page.locator("nav.pagination a[rel=next]").count() == 1
    finally:
        visit.close()


def test_every_page_has_a_favicon_and_names_the_opensearch_description(
    browser: Any, server: str, types: dict[str, str]
) -> None:
    failures = []
    visit = Visit(browser, server)
    try:
        for kind, url in sorted(types.items()):
            page = visit.go(url)
            icon = page.get_attribute("link[rel=icon]", "href")
            search = page.get_attribute(
                "link[rel=search][type='application/opensearchdescription+xml']", "href"
            )
            if not icon or not search:
                failures.append(f"{url} [{kind}]: icon {icon}, OpenSearch {search}")
        failures += visit.problems  # a favicon.ico the page does not name would show as HTTP 404 here
    finally:
        visit.close()
    assert not failures, "\n".join(failures)
    with urllib.request.urlopen(server + "/static/favicon.svg") as answer:
        assert answer.status == 200
        assert etree.fromstring(answer.read()).tag == "{http://www.w3.org/2000/svg}svg"


def test_the_opensearch_description_offers_the_sites_search(server: str, site: Path) -> None:
    with urllib.request.urlopen(server + "/opensearch.xml") as answer:
        tree = etree.fromstring(answer.read())
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert tree.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    short = tree.findtext("os:ShortName", namespaces=ns)
    assert short and len(short) <= 16  # the specification's limit
    template = tree.xpath("os:Url[@type='text/html']/@template", namespaces=ns)[0]
    assert template == "https://www.example.gov.cn/search/?q={searchTerms}"
    assert tree.findtext("os:InputEncoding", namespaces=ns) == "UTF-8"


def test_every_page_has_a_meta_description(site: Path) -> None:
    failures = []
    files = [f for f, _ in page_files(site)] + [site / "404.html"]
    for mode in ("care", "a11y"):
        files += [f for f, _ in page_files(site / mode)]
    for file in files:
        root = lxml_html.parse(str(file)).getroot()
        if root.get("lang") != "zh-CN":
            continue  # an HTML attachment, not one of our pages
        content = root.xpath("//head/meta[@name='description']/@content")
        if len(content) != 1 or len(content[0].strip()) < 8:
            failures.append(f"{file.relative_to(site)}: {content}")
    assert not failures, "\n".join(failures[:20])


def test_sitemap_xml_lists_every_page_the_build_wrote(site: Path) -> None:
    tree = etree.parse(str(site / "sitemap.xml"))
    locs = tree.xpath("//sm:loc/text()", namespaces={"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    listed = [urlsplit(loc).path for loc in locs]
    assert len(listed) == len(set(listed))
    written = {path for file, path in page_files(site) if lxml_html.parse(str(file)).getroot().get("lang")}
    assert set(listed) == written
    assert {
        "/guide/",
        "/reports/",
        "/disclosure/",
        "/statutory/",
        "/approvals/",
        "/powers/",
        "/risks/",
    } <= written
    assert {
        "/data/",
        "/feeds/",
        "/monitor/",
        "/news/",
        "/interpretations/",
        "/apply/",
        "/sitemap/",
    } <= written


def test_the_sitemap_page_links_every_section_and_the_footer_links_it(site: Path) -> None:
    page = lxml_html.fromstring(read_page(site / "sitemap" / "index.html"))
    links = {a.get("href") for a in page.xpath("//main//a")}
    sections = {path.strip("/").split("/")[0] for _, path in page_files(site)}
    missing = []
    for first in sections - {""}:
        target = "/catalog/" if first == "records" else f"/{first}/"
        if not any(link.startswith(target) for link in links):
            missing.append(first)
    assert not missing, missing
    home = lxml_html.fromstring(read_page(site / "index.html"))
    assert home.xpath("//footer//a[.='网站地图']/@href") == ["/sitemap/"]


def test_home_has_one_search_box(site: Path) -> None:
    home = lxml_html.parse(str(site / "index.html")).getroot()
    assert len(home.xpath("//input[@type='search']")) == 1
    assert len(home.xpath("//form[@role='search']")) == 1


HTMLCS_RUN = """() => new Promise(done => HTMLCS.process('WCAG2AA', document, () => done(
  HTMLCS.getMessages().filter(m => m.type === HTMLCS.ERROR)
    .map(m => m.code.split('.').slice(-3).join('.') + ': ' + m.msg.slice(0, 90) + ' — '
         + (m.element.outerHTML || '').slice(0, 80)))))"""


@pytest.mark.parametrize("mode", ["std", "care", "a11y"])
def test_html_codesniffer_wcag2aa_finds_no_error(
    browser: Any, server: str, types: dict[str, str], mode: str
) -> None:
    """The checks `pa11y --standard WCAG2AA` runs (HTML_CodeSniffer), on every page type."""
    require(HTMLCS.exists(), f"HTML_CodeSniffer ({HTMLCS.relative_to(ROOT)})")
    failures = []
    visit = Visit(browser, server)
    try:
        for kind, url in sorted(types.items()):
            if mode != "std" and not url.endswith("/"):
                continue
            page = visit.go(url if mode == "std" else f"/{mode}{url}")
            page.add_script_tag(path=str(HTMLCS))
            failures += [f"{page.url} [{kind}] {m}" for m in page.evaluate(HTMLCS_RUN)]
    finally:
        visit.close()
    assert not failures, "\n".join(failures)


LAYOUT_SHIFTS = """window.__shifted = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifted += e.value; })
  .observe({type: 'layout-shift', buffered: true});"""


@pytest.mark.parametrize("width", [360, 1350])
def test_search_results_appear_without_moving_the_page(browser: Any, server: str, width: int) -> None:
    """Lighthouse measured a layout shift of 0.645 when the static search's results came in."""
    visit = Visit(browser, server, width=width)
    try:
        visit.page.add_init_script(LAYOUT_SHIFTS)
        page = visit.go("/search/?q=%E5%AE%A1%E6%89%B9")  # 审批
        page.wait_for_selector(".search-results li")
        page.wait_for_timeout(500)
        shifted = page.evaluate("() => window.__shifted")
        assert shifted < 0.05, shifted
    finally:
        visit.close()


AXE_ALL = """() => axe.run(document).then(r => r.violations.map(v => v.id + ' (' + v.impact + '): '
  + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"""


def test_axe_finds_no_violation_of_any_impact_on_a_phone(
    browser: Any, server: str, types: dict[str, str]
) -> None:
    """test_browser.py asks for no serious or critical one at 1280 px; on a phone none at all."""
    require(AXE.exists(), f"axe-core ({AXE.relative_to(ROOT)})")
    failures = []
    visit = phone(browser, server)
    try:
        for kind, url in sorted(types.items()):
            page = visit.go(url)
            page.add_script_tag(path=str(AXE))
            failures += [f"{url} [{kind}] {v}" for v in page.evaluate(AXE_ALL)]
    finally:
        visit.close()
    assert not failures, "\n".join(failures)
