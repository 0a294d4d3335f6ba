"""Forgiving input in headless Chromium (issue 13, item 3): the static search page finds pinyin and
offers a correction, and the search boxes suggest while typing (a WAI-ARIA combobox) on a plain
static host, where /api/suggest does not exist and search/data/g/*.js answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import static_server
from disclosure.pipeline import Settings, build_site
from search.index.static_query import StaticSite

FIXTURE = Path(__file__).parent / "fixtures" / "search_forgiving"
PERMITS = "130600001-2009-00010"


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("suggest") / "site"
    build_site(Settings(content_dir=FIXTURE, output_dir=out, progress=False))
    return out


@pytest.fixture(scope="module")
def host(site_dir: Path) -> Iterator[str]:
    with static_server(site_dir) as address:
        yield address


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None)
    page.goto(url)
    return page, errors


@pytest.mark.parametrize("q", ["shenpi", "xzxk", "shen pi"])
def test_the_static_page_finds_pinyin_as_the_mirror_does(browser: Any, host: str, site_dir: Path, q: str) -> None:
    page, errors = open_page(browser, f"{host}/search/?q={quote(q)}")
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    links = page.eval_on_selector_all(".search-results li > a", "els => els.map(e => e.getAttribute('href'))")
    expected = [r["slug"] for r in StaticSite(site_dir).search(q)]
    assert expected and [link.split("/records/")[1].split("/")[0] for link in links] == expected
    assert errors == []
    page.close()


def test_the_static_page_offers_the_corrected_query(browser: Any, host: str) -> None:
    page, errors = open_page(browser, f"{host}/search/?q={quote('行政许在')}")
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    assert page.inner_text(".did-you-mean") == "您是不是要找：行政许可"
    href = page.get_attribute(".did-you-mean a", "href")
    assert href == f"{host}/search/?q={quote('行政许可')}"
    links = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    assert links[1:3] == [f"{host}/catalog/", f"{host}/apply/"]
    page.click(".did-you-mean a")
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    assert page.eval_on_selector_all(".search-results li > a", "els => els.length") > 0
    assert errors == []
    page.close()


def test_the_search_pages_header_box_is_a_combobox_driven_by_the_keyboard(browser: Any, host: str) -> None:
    page, errors = open_page(browser, f"{host}/search/")
    box = page.locator("#q-header")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    listbox = box.get_attribute("aria-controls")
    box.click()
    box.type("保定市行")
    page.wait_for_selector(f"#{listbox} [role=option]", timeout=5_000)
    assert box.get_attribute("aria-expanded") == "true"
    options = page.eval_on_selector_all(f"#{listbox} [role=option]", "els => els.map(e => e.textContent)")
    assert options == ["保定市行政许可实施办法（示例）"]
    assert box.get_attribute("aria-activedescendant") is None
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == f"{listbox}-0"
    assert page.get_attribute(f"#{listbox}-0", "aria-selected") == "true"
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false" and page.is_hidden(f"#{listbox}")
    box.type("政")  # typing again opens the list; Enter on an option goes to its record
    page.wait_for_selector(f"#{listbox} [role=option]", timeout=5_000)
    box.press("ArrowDown")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == f"{host}/records/{PERMITS}/"
    assert errors == []
    page.close()


def test_without_a_choice_enter_submits_the_form(browser: Any, host: str) -> None:
    page, errors = open_page(browser, f"{host}/search/")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox"
    box.type("保政(2014")
    page.wait_for_selector("#" + str(box.get_attribute("aria-controls")) + " [role=option]", timeout=5_000)
    assert page.inner_text("#" + str(box.get_attribute("aria-controls"))) == "保政〔2014〕12号"
    with page.expect_navigation():
        box.press("Enter")
    assert "q=" in page.url
    assert errors == []
    page.close()
