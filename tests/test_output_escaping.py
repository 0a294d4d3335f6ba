"""Every output channel escapes content for its own context (issue 10, section 4).

One real build of a site whose every text field holds markup; every feed is parsed with
lxml and feedparser (sanitising off), every CSV is read back with the csv module, and the
built pages are searched for images on other hosts.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from disclosure.core.markdown_html import TAGS, render
from disclosure.outputs.open_data import neutralise_formula
from disclosure.pipeline import Settings, build_site

FIXTURE = Path(__file__).parent / "fixtures" / "feeds"
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The feeds fixture plus records whose every field carries markup, built once."""
    root = tmp_path_factory.mktemp("escaping")
    content = root / "content"
    shutil.copytree(FIXTURE, content)
    shutil.copytree(HOSTILE / "escaping", content / "documents" / "hostile", dirs_exist_ok=True)
    build_site(Settings(content_dir=content, output_dir=root / "site", today=TODAY, progress=False, use_cache=False))
    return root / "site"


def _feeds(site: Path) -> list[Path]:
    return sorted((site / "feeds").rglob("*.xml")) + sorted((site / "feeds").rglob("*.atom"))


def _elements(fragment: str) -> list[str]:
    """Return the tag names an HTML reader would create from `fragment`."""
    if "<" not in fragment:
        return []
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [e.tag for e in tree.iter() if isinstance(e.tag, str)][1:]


HTML_FIELDS = {"{http://purl.org/rss/1.0/modules/content/}encoded", "{http://www.w3.org/2005/Atom}content"}


def test_no_feed_field_carries_live_markup_after_one_decode(hostile_site: Path) -> None:
    for path in _feeds(hostile_site):
        for element in etree.parse(str(path)).iter():
            text = element.text or ""
            values = [text, *element.attrib.values()]
            if element.tag in HTML_FIELDS:  # the full sanitised HTML: only allowed tags, no handlers
                assert set(_elements(text)) <= TAGS | {"br"}, (path, text[:200])
                assert "onerror" not in "".join(f"{k}" for e in lxml.html.fragment_fromstring(text, create_parent="div").iter() for k in e.attrib)
                continue
            for value in values:  # every plain-text field: no markup at all once XML is decoded
                assert _elements(value) == [], (path, element.tag, value)


def test_feedparser_unsanitised_sees_no_content_element(hostile_site: Path) -> None:
    for path in _feeds(hostile_site):
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
        assert not parsed.bozo, path
        for entry in parsed.entries:
            for value in (entry.title, entry.summary, *(a.get("name", "") for a in entry.get("authors", ())), *(t.term for t in entry.get("tags", ()))):
                assert not {"img", "script", "b"} & set(_elements(value)), (path, value)
            for content in entry.get("content", ()):
                tags = set(_elements(content.value))
                assert "script" not in tags and "onerror" not in content.value.replace("onerror=alert", ""), path


def test_feed_titles_read_back_as_written(hostile_site: Path) -> None:
    entry = next(
        e for e in feedparser.parse((hostile_site / "feeds" / "all.atom").read_bytes()).entries
        if "alert(1)" in e.title
    )
    assert lxml.html.fragment_fromstring(entry.title, create_parent="div").text_content().endswith("<img src=x onerror=alert(1)> ]]> &lt;script&gt;alert(5)&lt;/script&gt;")


def test_csv_cells_that_spreadsheets_evaluate_get_an_apostrophe(hostile_site: Path) -> None:
    dangerous = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
    seen = 0
    for path in sorted((hostile_site / "data").glob("*.csv")):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
            for cell in row:
                assert not cell.lstrip(" \u3000").startswith(dangerous), (path.name, cell)
                seen += cell.startswith("'=") or cell.startswith("'@")
    assert seen >= 2
    json_text = (hostile_site / "data" / "records.json").read_text(encoding="utf-8")
    assert '"=HYPERLINK(' in json_text  # JSON stays exact


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+cmd", "@SUM(A1)", "\t=1", "\r=1", " =1", "＝1", "\u3000@x"])
def test_neutralise_formula(value: str) -> None:
    assert neutralise_formula(value) == "'" + value


def test_ordinary_text_is_left_alone() -> None:
    assert neutralise_formula("国务院办公厅") == "国务院办公厅"


REMOTE = [
    r"![x](/\evil.example/a.png)",
    r"![x](https:\\evil.example/a.png)",
    r"![x](https:/\evil.example/a.png)",
    "![x](https:evil.example/a.png)",
    "![x](HTTPS://evil.example/a.png)",
    "![x](//evil.example/a.png)",
    '<img src="/\\evil.example/a.png">',
    '<img src="\\\\evil.example/a.png">',
    '<img src=" //evil.example/a.png">',
    '<img src="/&#10;/evil.example/a.png">',
    '<img src="&#x2f;&#x2f;evil.example/a.png">',
    '<img src="https:&#92;&#92;evil.example/a.png">',
    '<img src="h&#x74;tps://evil.example/a.png">',
    '<img src="\x01https://evil.example/a.png">',
]


@pytest.mark.parametrize("body", REMOTE)
def test_images_on_other_hosts_become_links_however_written(body: str) -> None:
    html = render(body)
    for img in lxml.html.fragment_fromstring(html, create_parent="div").iter("img"):
        src = img.get("src", "")
        assert "evil" not in src, html
    assert "evil.example" in html and "外部图片" in html


@pytest.mark.parametrize("body", ["[x](java&#115;cript:alert(1))", '<a href="jav&#9;ascript:alert(1)">x</a>', '<a href=" JAVASCRIPT:alert(1)">x</a>'])
def test_script_urls_are_removed_however_written(body: str) -> None:
    assert "alert" not in render(body)


def test_built_pages_load_no_image_from_another_host(hostile_site: Path) -> None:
    page = next((hostile_site / "records").glob("100000002-2020-0009*/index.html"))
    images = [i.get("src", "") for i in lxml.html.parse(str(page)).iter("img")]
    assert all(not s.replace("\\", "/").startswith(("//", "http")) for s in images), images
    assert "evil.example" in page.read_text(encoding="utf-8")


def test_search_shards_hold_no_raw_line_separator_or_closing_script(hostile_site: Path) -> None:
    """Shards are scripts: U+2028/U+2029 break old engines, `</script` would break an inlined copy."""
    from search.index.static_index import _js

    assert _js("docs", 0, ["a\u2028b\u2029c</script><!--"]) == 'YGSearch.docs(0,["a\\u2028b\\u2029c\\u003c/script>\\u003c!--"]);\n'
    shards = list((hostile_site / "search").rglob("*.js"))
    assert shards
    for shard in shards:
        text = shard.read_text(encoding="utf-8")
        assert "\u2028" not in text and "\u2029" not in text and "</script" not in text.lower(), shard
