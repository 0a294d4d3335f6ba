"""The Content-Security-Policy holds in a real browser (issue 10, §6).

The sample site is served by the preview server (`build.py serve`'s app), which sends the
production headers (`search/service/http_headers.py`), once with the search service and once
as a static host would (static search in the browser). Debian's Chromium opens one page of
every page type — discovered from `<body data-page>` like tests/test_browser.py, in each
mode, plus the flowchart drawing, feeds, data, the 404 page and both kinds of search — and
every `securitypolicyviolation` event and console message about the policy is a failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from test_browser import page_types as page_types
from test_browser import site_dir as site_dir

from disclosure.cli import serve
from disclosure.web.modes import MODES
from search.service.http_headers import CONTENT_SECURITY_POLICY

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""
EXTRA = ["/feeds/", "/data/", "/no-such-page/", "/sitemap/", "/care/", "/a11y/", "/care/search/", "/a11y/search/"]


def _serve(site: Path, state: serve.BuildState, with_search: bool) -> Iterator[str]:
    app = serve.static_app(site, state, serve.search_service(site) if with_search else None)
    server = serve.preview_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def state() -> serve.BuildState:
    """The preview's build state (a test may mark the build failed)."""
    return serve.BuildState()


@pytest.fixture(scope="module")
def with_service(sample_site: Path, state: serve.BuildState) -> Iterator[str]:
    """The preview server with the search service, sending the CSP."""
    yield from _serve(sample_site, state, True)


@pytest.fixture(scope="module")
def static_host(sample_site: Path) -> Iterator[str]:
    """The preview server without the search service: search runs in the browser."""
    yield from _serve(sample_site, serve.BuildState(), False)


class Watch:
    """A page that records every CSP violation and every console error."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(locale="zh-CN")
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.console.append(f"page error: {e}"))

    def _console(self, message: Any) -> None:
        about_policy = message.type == "error" or "Content Security Policy" in message.text
        if about_policy and "404" not in message.text:  # the 404 page's own status
            self.console.append(f"console {message.type}: {message.text}")

    def open(self, url: str) -> list[str]:
        """Open `url`; return its problems (violations and console errors)."""
        self.console.clear()
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY
        self.page.wait_for_timeout(50)
        violations = self.page.evaluate("window.__violations || []")
        return [f"{url}: {p}" for p in violations + self.console]

    def close(self) -> None:
        self.context.close()


def _urls(page_types: dict[str, str], site: Path) -> list[str]:  # noqa: F811
    urls = list(page_types.values())
    urls += [f"/{mode}{url}" for mode in MODES for url in page_types.values()]
    drawing = next(site.glob("records/*/flowchart.svg"))
    urls += [f"/{drawing.relative_to(site).as_posix()}", *EXTRA]
    return list(dict.fromkeys(urls))


def test_page_types_cover_every_kind_the_issue_names(page_types: dict[str, str]) -> None:  # noqa: F811
    kinds = set(page_types)
    for wanted in ("site.home", "site.search", "site.catalog", "lists.approvals", "lists.powers", "lists.risks"):
        assert wanted in kinds, wanted
    assert {k for k in kinds if k.startswith("site.record-")} >= {
        "site.record-document", "site.record-decision", "site.record-approval", "site.record-power",
    }


def test_no_page_type_violates_the_policy(
    browser: Any, with_service: str, page_types: dict[str, str], sample_site: Path  # noqa: F811
) -> None:
    watch = Watch(browser)
    problems: list[str] = []
    try:
        for url in _urls(page_types, sample_site):
            problems += watch.open(with_service + url)
    finally:
        watch.close()
    assert problems == []


def test_search_works_under_the_policy_with_the_service(browser: Any, with_service: str) -> None:
    watch = Watch(browser)
    try:
        problems = watch.open(f"{with_service}/search/?q={quote('国务院')}")
        assert watch.page.get_attribute("#search-results", "data-source") == "server"
        assert watch.page.locator(".search-results li > a").count() > 0
    finally:
        watch.close()
    assert problems == []


@pytest.mark.parametrize("prefix", ["", "/care", "/a11y"])
def test_static_search_works_under_the_policy(browser: Any, static_host: str, prefix: str) -> None:
    watch = Watch(browser)
    try:
        problems = watch.open(f"{static_host}{prefix}/search/?q={quote('国务院')}")
        watch.page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
        assert watch.page.locator(".search-results li > a").count() > 0
        problems += watch.page.evaluate("window.__violations")
    finally:
        watch.close()
    assert problems == []


def test_the_preview_shows_a_failed_build_under_the_policy(browser: Any, with_service: str, state: serve.BuildState) -> None:
    watch = Watch(browser)
    try:
        problems = watch.open(with_service + "/")
        state.record(False, ["content/x.md:3: 标题（title）: 不能为空"])
        watch.page.wait_for_selector("#__build", timeout=5_000)
        assert "标题（title）" in watch.page.inner_text("#__build")
        assert watch.page.eval_on_selector("#__build", "e => getComputedStyle(e).position") == "fixed"
        problems += watch.page.evaluate("window.__violations")
    finally:
        state.record(True, [])
        watch.close()
    assert problems == []
