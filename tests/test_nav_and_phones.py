"""The main navigation marks the section a page is in, and phone numbers dial (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, read_page
from disclosure.pipeline import Settings, build_site


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nav") / "site"
    build_site(Settings(content_dir=FIXTURES / "lists", output_dir=out, progress=False, use_cache=False))
    return out


def current(site: Path, page: str) -> list[tuple[str, str]]:
    html = read_page(site / page / "index.html")
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    return re.findall(r'<a href="([^"]+)" aria-current="(page|true)">', nav)


def test_the_navigation_marks_the_current_section(site_dir: Path) -> None:
    assert current(site_dir, ".") == [("/", "page")]
    assert current(site_dir, "catalog") == [("/catalog/", "page")]
    assert current(site_dir, "catalog/kind/power") == [("/catalog/", "true")]  # inside the section
    assert current(site_dir, "powers") == [("/powers/", "page")]
    assert current(site_dir, "care/powers") == [("/care/powers/", "page")]  # the same page, read in the mode


def test_phone_numbers_are_tel_links(site_dir: Path) -> None:
    home = (site_dir / "index.html").read_text("utf-8")
    assert '<a href="tel:0312-1234567">0312-1234567</a>' in home  # the footer's contact phone
    power = next(p for p in (site_dir / "records").glob("130600014-2020-00011/index.html"))
    assert '<a href="tel:0312-0000014">0312-0000014</a>' in power.read_text("utf-8")  # 监督电话
