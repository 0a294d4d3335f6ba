"""Shared fixtures: real content folders on disk, the real build, its real output."""

from __future__ import annotations

import fcntl
import functools
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

import build
from disclosure.core.reading_modes import MODES

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files, as a plain host serves them, without a log line a request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(folder: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """Serve `folder` on a loopback port as a static host does (no search service); yield its address."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the valid fixture site that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", target)
    return target


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    """Run the command line in-process; return (exit status, stderr)."""

    def _run(*args: str | Path) -> tuple[int, str]:
        status = build.main([str(a) for a in args])
        return status, capsys.readouterr().err

    return _run


def tree_digest(root: Path) -> dict[str, bytes]:
    """Return every file under `root` with its bytes: compares two output trees exactly."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site (content/) built once per test run into a temporary folder; read only.

    Under pytest-xdist (`make test`) the workers share one build: the first to need it builds
    it, under a lock in the run's common temporary folder, and the others wait and read it.
    """
    from disclosure.pipeline import Settings, build_site

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder of this run that holds every worker's own
    output, done = shared / "sample" / "site", shared / "sample" / "built"
    with open(shared / "sample.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if not done.exists():
            build_site(Settings(content_dir=REPO / "content", output_dir=output, progress=False))
            done.touch()
    return output


def run_build(content: Path, output: Path) -> None:
    """Build `content` into `output` in-process; fail the test on any error."""
    status = build.main(["build", "--content", str(content), "--output", str(output)])
    assert status == 0


# Debian's Chromium, driven by Playwright (no browser download); flags for a closed network.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(ok: bool, what: str) -> None:
    """Fail under CI when a browser tool is missing; skip, saying what is missing, elsewhere."""
    if ok:
        return
    message = f"{what} is missing: run `make test` (tools) or `.ci/run` (chromium, java)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the test run (one a worker under pytest-xdist), started
    when a test first needs it; Playwright drives it and downloads no browser. Each test opens a
    context of its own (its own cookies, storage and cache) and closes it."""
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency
        require(False, "the playwright Python package")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


_LINK = re.compile(r'(<[a-zA-Z][^\s>]*\s(?:[^>]*?\s)?(?:href|src|action)=")([^"]*)"')


def rooted(html: str, url: str) -> str:
    """Return the HTML of the page at URL path `url` with each document-relative link written
    from the root, as a browser resolves it there ("../../catalog/" at /records/a/ →
    "/catalog/"): a page's page links are document-relative (the one file of every reading
    mode, disclosure/core/reading_modes.py), and tests say where a link leads."""

    def place(target: str) -> str:
        if not target or target.startswith(("/", "#")) or urlsplit(target).scheme:
            return target
        return urljoin(url, target)

    return _LINK.sub(lambda m: f'{m.group(1)}{place(m.group(2))}"', html)


def read_page(file: Path, site: Path | None = None, base: str = "/") -> str:
    """Return the page `file` of the output folder `site` (default: the folder above it that
    holds the build's `.build/`), its links `rooted`; `base`: the path the site lives under."""
    root = site or next(folder for folder in file.parents if (folder / ".build").is_dir())
    relative = file.relative_to(root).as_posix()
    return rooted(file.read_text(encoding="utf-8"), base + relative.removesuffix("index.html"))


def page_files(root: Path) -> list[tuple[Path, str]]:
    """Return (file, standard URL path) for every index.html page under `root`, modes excluded."""
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in MODES and d != "static" and not d.startswith(".")]
        if "index.html" in files:
            rel = here.relative_to(root).as_posix()
            found.append((here / "index.html", "/" if rel == "." else f"/{rel}/"))
    return found
