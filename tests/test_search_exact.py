"""Digits and Latin words in bodies, and exact phrases first (issue 13, items 1–2), in both modes.

tests/fixtures/search_exact has four bodies:
- numbers: 国发〔1986〕97号, IPv6, 2019年12月底前, 1000元, 12345 (digits and letters in a body);
- phrase: the phrase 应当对本条第 as written;
- scattered: every trigram of that phrase (应当对其, 相当对本地, 针对本条, 依照本条第) but not the phrase;
- pieces: only its bigrams, apart (应当。当对。对本。本条。条第), and a title with 个人所得税法 … 税务.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from disclosure.pipeline import Settings, build_site
from search.index.static_query import StaticSite
from search.service.app import create_search_app

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "search_exact"
NUMBERS, PHRASE, SCATTERED, PIECES = (f"130600001-2020-0000{n}" for n in (1, 2, 3, 4))


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exact") / "site"
    build_site(Settings(content_dir=FIXTURE, output_dir=out, progress=False, use_cache=False))
    return out


def service(site: Path, q: str) -> list[str]:
    client = Client(create_search_app(site / ".search"))
    response = client.get("/api/search", query_string={"q": q, "page_size": 50})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["url"].split("/")[2] for r in json.loads(response.get_data(as_text=True))["results"]]


def static(site: Path, q: str) -> list[str]:
    return [r["slug"] for r in StaticSite(site).search(q)]


@pytest.mark.parametrize(
    "q",
    ["国发〔1986〕97号", "国发[1986]97号", "国发(1986)97号", "国发（1986）97号", "IPv6", "ipv", "12345", "1000元", "2019年",
     "2019年12月底前", "97"],
)
def test_digits_and_latin_words_in_a_body_are_found_in_both_modes(site_dir: Path, q: str) -> None:
    assert service(site_dir, q) == [NUMBERS]
    assert static(site_dir, q) == [NUMBERS]


def test_a_phrase_as_written_ranks_first_and_its_bigrams_apart_no_longer_match(site_dir: Path) -> None:
    assert service(site_dir, "应当对本条第") == [PHRASE, SCATTERED]  # the stored text tells them apart
    # the browser has no body: the positions of the trigrams tell them apart
    assert static(site_dir, "应当对本条第") == [PHRASE, SCATTERED]


def test_a_quoted_phrase_returns_only_records_holding_it(site_dir: Path) -> None:
    assert service(site_dir, '"应当对本条第"') == [PHRASE]
    assert static(site_dir, '"应当对本条第"') == [PHRASE]  # SCATTERED holds every trigram, apart
    # the title holds 个人所得税法 … 税务: every bigram of 个人所得税务, never the phrase
    assert service(site_dir, "个人所得税务") == [PIECES]
    assert static(site_dir, "个人所得税务") == [PIECES]
    assert service(site_dir, '"个人所得税务"') == []
    assert static(site_dir, '"个人所得税务"') == []
    assert service(site_dir, '"个人所得税"') == [PIECES] == static(site_dir, '"个人所得税"')


def test_the_service_snippet_marks_the_digits_it_found(site_dir: Path) -> None:
    client = Client(create_search_app(site_dir / ".search"))
    found = json.loads(client.get("/api/search", query_string={"q": "12345"}).get_data(as_text=True))
    assert "<mark>12345</mark>" in found["results"][0]["snippet"]


@pytest.mark.parametrize(
    "q", ["国发[1986]97号", "ipv", "2019年12月底前", "应当对本条第", '"应当对本条第"', '"个人所得税务"', '"个人所得税"']
)
def test_the_browser_finds_what_the_mirror_finds(browser: Any, site_dir: Path, q: str) -> None:
    """search.js in Chromium (file://) against its Python mirror, for the new grams and the exact check."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site_dir / "search" / "index.html").as_uri() + "?q=" + quote(q))
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    links = page.eval_on_selector_all(".search-results li > a", "els => els.map(e => e.getAttribute('href'))")
    page.close()
    assert errors == []
    assert [link.split("/records/")[1].split("/")[0] for link in links] == static(site_dir, q)


@pytest.fixture(scope="module")
def parts_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parts") / "site"
    build_site(Settings(content_dir=FIXTURE.parent / "search_parts", output_dir=out, progress=False, use_cache=False))
    return out


@pytest.mark.parametrize(("q", "found"), [('"户外广告设置审批"', 2), ('"价格听证会"', 1), ('"户外广告审批设置"', 0)])
def test_a_quoted_phrase_is_found_in_what_the_page_shows_beside_the_body(parts_site: Path, q: str, found: int) -> None:
    """An approval item or a decision stage holds the phrase: held as written in both modes."""
    assert len(service(parts_site, q)) == found
    assert len(static(parts_site, q)) == found


@pytest.mark.parametrize(("q", "meant"), [("门户网战", "门户网站"), ("通报批平", "通报批评"), ("通报比评", "通报批评")])
def test_a_wrong_character_of_a_body_phrase_gets_did_you_mean(site_dir: Path, q: str, meant: str) -> None:
    """Phrases no title holds are corrected from the body index's neighbours (service)."""
    client = Client(create_search_app(site_dir / ".search"))
    found = json.loads(client.get("/api/search", query_string={"q": q}).get_data(as_text=True))
    assert (found["total"], found.get("did_you_mean")) == (0, meant)


def test_the_static_exact_check_loads_one_check_gram_shard_per_five_characters(site_dir: Path) -> None:
    """The browser checks a phrase as written with its check grams (x/<n>.js: five characters at
    0, 5 … and the last five, with their positions), never a body: the download stays bounded."""
    for q, most in (('"应当对本条第"', 2), ("应当对本条第", 2), ('"国发〔1986〕97号文件的要求"', 2), ("应当", 0)):
        site = StaticSite(site_dir)
        site.search(q)
        loaded = [name for name in site.loaded if name.startswith("x/")]
        assert 0 < len(loaded) <= most if most else not loaded, (q, loaded)
        assert not any(name.startswith(".search") for name in site.loaded)
