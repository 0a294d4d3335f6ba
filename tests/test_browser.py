"""The citizen's experience in a real browser (issue 7).

The sample site is built once; one headless Chromium (Debian's, driven by Playwright)
visits one page of every page type it finds — in the standard view, 长者模式 and
无障碍模式 — with axe-core injected; the Nu HTML Checker reads every page in one JVM.
Page types are discovered from the built site (`<body data-page>`), so the pages other
issues add are covered without touching this file.

Tools: `make test` installs axe-core and vnu-jar from npm into .browser-tools/ and
`.ci/run` installs chromium and java. Where one is missing the tests fail under CI=true
and skip (saying what is missing) elsewhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import require, static_server
from disclosure.web.modes import MODES

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".browser-tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "tests" / "artifacts"
MODE_NAMES = ["std", *MODES]
BUDGET = 50 * 1024  # HTML + CSS + JS of one page, before images and the search index
_DATA_PAGE = re.compile(r'<body[^>]*\sdata-page="([^"]+)"')


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site_dir(sample_site: Path) -> Path:
    """The sample site, built once per session (conftest.py)."""
    return sample_site


def page_url(site: Path, file: Path) -> str:
    rel = file.relative_to(site).as_posix()
    return "/" + rel.removesuffix("index.html")


def std_pages(site: Path) -> list[Path]:
    """Every HTML page of the standard view (mode copies excluded)."""
    return sorted(
        p
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] not in (*MODES, "static")
        and not any(part.startswith(".") for part in p.relative_to(site).parts)
    )


@pytest.fixture(scope="module")
def page_types(site_dir: Path) -> dict[str, str]:
    """One URL per page type (the view, and the kind for records): the first in URL order."""
    types: dict[str, str] = {}
    for file in std_pages(site_dir):
        match = _DATA_PAGE.search(file.read_text(encoding="utf-8"))
        url = page_url(site_dir, file)
        key = match.group(1) if match else re.sub(r"[0-9a-f-]{6,}|\d+", "*", url)
        types.setdefault(key, url)
    return types


@pytest.fixture(scope="module")
def server(site_dir: Path) -> Iterator[str]:
    """The built site on a loopback port, as a static host serves it."""
    with static_server(site_dir) as address:
        yield address


class Visit:
    """A page opened in a fresh context, with every console error and outside request kept."""

    def __init__(self, browser: Any, server: str, width: int = 1280, javascript: bool = True) -> None:
        self.server = server
        self.problems: list[str] = []
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript, locale="zh-CN"
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.server) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def _failed(self, request: Any) -> None:
        # ERR_ABORTED: dropped by the page itself as the next page opened (the favicon, fetched after load)
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url}")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console {message.type}: {message.text}")

    def go(self, url: str) -> Any:
        self.page.goto(self.server + url, wait_until="load")
        return self.page

    def close(self) -> None:
        self.context.close()


def shot_name(kind: str, mode: str, width: int) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{kind.replace('.', '-')}-{mode}-{width}.png"


def in_mode(url: str, mode: str) -> str:
    return url if mode == "std" else f"/{mode}{url}"


# --------------------------------------------------------------------------- tests


def test_page_types_are_discovered(page_types: dict[str, str]) -> None:
    assert {
        "site.home",
        "site.catalog",
        "site.search",
        "site.record-document",
        "site.record-decision",
    } <= set(page_types), sorted(page_types)


AXE_RUN = """(rules) => axe.run(document, rules ? {runOnly: {type: 'rule', values: rules}} : {})
  .then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
       + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"""
# What a mode changes is the look: these are the rules its stylesheet can break.
MODE_RULES = ["color-contrast", "link-in-text-block", "scrollable-region-focusable", "target-size"]
# Page types also screenshot in the modes (every type is screenshot in the standard view).
SHOWCASE = ("site.home", "site.catalog", "site.record-document", "site.record-decision")


def mode_urls(page_types: dict[str, str], mode: str) -> list[tuple[str, str]]:
    """(type, URL) of every page type in `mode`; a mode has copies of directory pages only."""
    return [(k, in_mode(u, mode)) for k, u in sorted(page_types.items()) if mode == "std" or u.endswith("/")]


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_every_page_type_loads_cleanly_and_passes_axe(
    browser: Any, server: str, page_types: dict[str, str], mode: str
) -> None:
    """No console error, no outside request, no serious or critical axe violation."""
    require(AXE.exists(), f"axe-core ({AXE.relative_to(ROOT)})")
    failures: list[str] = []
    visit = Visit(browser, server)
    try:
        for kind, url in mode_urls(page_types, mode):
            visit.problems.clear()
            page = visit.go(url)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(AXE_RUN, None if mode == "std" else MODE_RULES)
            if mode == "std" or kind in SHOWCASE:
                page.screenshot(path=shot_name(kind, mode, 1280), full_page=True)
            failures += [f"{url} [{kind}] {p}" for p in visit.problems + found]
    finally:
        visit.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_narrow_phones_need_no_sideways_scrolling(
    browser: Any, server: str, page_types: dict[str, str], mode: str
) -> None:
    """At 320 px no page is wider than the screen (wide tables scroll inside); 360 px screenshots."""
    failures = []
    visit = Visit(browser, server, width=320)
    try:
        for kind, url in mode_urls(page_types, mode):
            page = visit.go(url)
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > 320:
                failures.append(f"{url} [{kind}] is {wide} px wide at 320 px")
            if mode == "std" or kind in SHOWCASE:
                page.set_viewport_size({"width": 360, "height": 800})
                page.screenshot(path=shot_name(kind, mode, 360), full_page=True)
                page.set_viewport_size({"width": 320, "height": 800})
        failures += visit.problems
    finally:
        visit.close()
    assert not failures, "\n".join(failures)


def test_keyboard_alone_reaches_main_content_and_search(browser: Any, server: str) -> None:
    visit = Visit(browser, server)
    try:
        page = visit.go("/")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "跳到正文"
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
        assert float(outline.removesuffix("px")) >= 2, "focus must be visible"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")

        page = visit.go("/")
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.type") == "search":
                break
        else:
            pytest.fail("twelve presses of Tab did not reach the search box")
        page.keyboard.type("并联审批")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/search/?q=" in page.url
        assert page.input_value("main input[type=search]") == "并联审批"
        assert not visit.problems, visit.problems
    finally:
        visit.close()


@pytest.mark.parametrize("mode", list(MODES))
def test_mode_switch_works_without_javascript_and_persists(
    browser: Any, server: str, page_types: dict[str, str], mode: str
) -> None:
    visit = Visit(browser, server, width=360, javascript=False)
    try:
        page = visit.go("/")
        page.get_by_role("link", name=MODES[mode], exact=True).click()
        page.wait_for_load_state("load")
        assert page.url == f"{server}/{mode}/"
        assert page.evaluate(
            "() => [...document.styleSheets].map(s => s.href).find(h => h && h.endsWith('mode.css'))"
        ) == f"{server}/{mode}/mode.css"  # the one page of every mode, with the look of the folder it is read in
        assert_in_mode(page, mode)
        assert px(page, "body") >= 18
        heights = page.eval_on_selector_all(
            ".site-nav a, .modes a, button",
            "es => es.filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect().height)",
        )
        assert min(heights) >= 44, f"targets smaller than 44 px: {heights}"

        # Into the catalog and a record: every internal link keeps the mode.
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="政府信息公开目录").click()
        page.wait_for_load_state("load")
        assert page.url == f"{server}/{mode}/catalog/"
        assert_in_mode(page, mode)
        page.locator("table.catalog a").first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith(f"{server}/{mode}/records/")
        assert_in_mode(page, mode)
        assert px(page, "body") >= 18
        assert px(page, "table.metadata td") >= 18
        record = page.url.removeprefix(f"{server}/{mode}")

        # From one mode into the other, and out
        (other,) = (m for m in MODES if m != mode)
        page.get_by_role("link", name=MODES[other], exact=True).click()
        page.wait_for_load_state("load")
        assert page.url == f"{server}/{other}{record}"
        assert_in_mode(page, other)
        page.get_by_role("link", name=f"退出{MODES[other]}").click()
        page.wait_for_load_state("load")
        assert page.url == server + record
        assert page.evaluate("() => document.documentElement.className") == "mode-std"
        assert px(page, "html") == 16 and visible_switch(page) == ["长者模式", "无障碍模式"]
        assert not visit.problems, visit.problems
    finally:
        visit.close()


def visible_switch(page: Any) -> list[str]:
    """Return the names of the mode switch's links as the accessibility tree has them."""
    return [link.inner_text() for link in page.get_by_role("list", name="浏览模式").get_by_role("link").all()]


def assert_in_mode(page: Any, mode: str) -> None:
    """The page has the look of `mode` (its /<mode>/mode.css) and its switch shows 退出 and the other mode only."""
    (other,) = (m for m in MODES if m != mode)
    assert visible_switch(page) == [f"退出{MODES[mode]}", MODES[other]]
    assert px(page, "html") == 20  # 长者模式 and 无障碍: larger type
    background = page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
    assert (background == "rgb(0, 0, 0)") == (mode == "a11y"), background  # 无障碍: light on black
    assert page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--ink').trim()"
    ) == ("#000" if mode == "care" else "#1f1f1f")


def test_search_results_keep_the_reader_in_the_mode(browser: Any, server: str) -> None:
    """The static search answers under /care/search/ too, and its result links stay in 长者模式."""
    visit = Visit(browser, server)
    try:
        page = visit.go("/care/search/?q=%E5%AE%A1%E6%89%B9")  # 审批
        page.wait_for_selector(".search-results a")
        links = page.eval_on_selector_all(".search-results a", "as => as.map(a => new URL(a.href).pathname)")
        assert links and all(link.startswith("/care/records/") for link in links), links
        assert not visit.problems, visit.problems
    finally:
        visit.close()


def px(page: Any, selector: str) -> float:
    """Return the computed font size of the first `selector` in CSS pixels."""
    return float(page.eval_on_selector(selector, "e => getComputedStyle(e).fontSize").removesuffix("px"))


def test_print_shows_metadata_and_body_and_url_but_no_navigation(
    browser: Any, server: str, page_types: dict[str, str]
) -> None:
    visit = Visit(browser, server)
    try:
        page = visit.go(page_types["site.record-decision"])
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => Object.fromEntries(['.site-nav', '.search-box', '.breadcrumb', '.modes',
                 'table.metadata', 'main h1', '.body', '.print-url', '.skip-link']
                 .map(s => [s, !!document.querySelector(s) &&
                            getComputedStyle(document.querySelector(s)).display !== 'none']))"""
        )
        assert shown == {
            ".site-nav": False,
            ".search-box": False,
            ".breadcrumb": False,
            ".modes": False,
            "table.metadata": True,
            "main h1": True,
            ".body": True,
            ".print-url": True,
            ".skip-link": False,
        }
        assert "https://" in page.inner_text(".print-url")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(ARTIFACTS / "record-decision-print.pdf"), format="A4")
    finally:
        visit.close()


def test_nu_html_checker_finds_no_error(site_dir: Path, page_types: dict[str, str]) -> None:
    """Every standard page, plus each page type in every mode, in one JVM."""
    java = shutil.which("java")
    require(java is not None, "java")
    require(VNU.exists(), f"vnu.jar ({VNU.relative_to(ROOT)})")
    files = [str(p) for p in std_pages(site_dir)]
    for url in page_types.values():
        for mode in MODES:
            files.append(str(site_dir / mode / url.lstrip("/") / "index.html"))
    files += [str(p) for p in (site_dir / "static").glob("*.css")]
    # -XX:TieredStopAtLevel=1: the quick JIT compiler only, which halves the CPU of a run this short
    # (the same checker and messages; the JVM's optimizing compiler never paid for itself here)
    jvm = ["-Xss4m", "-XX:TieredStopAtLevel=1"]
    done = subprocess.run(
        [java, *jvm, "-jar", str(VNU), "--errors-only", "--also-check-css", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or "{}").get("messages", [])
    errors = [
        f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)
    assert done.returncode == 0, done.stderr[-2000:]
