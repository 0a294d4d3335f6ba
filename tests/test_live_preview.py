"""`serve` shows a save before its build: pages rendered from the model it holds (disclosure/web/live_pages.py).

The preview's promise is that it never shows a page the build would write otherwise: every
HTML file of the built sample site, its mode pages too, is compared byte for byte with the
live answer for its path.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from werkzeug.test import Client

from disclosure.cli import serve
from disclosure.core.progress import Progress
from disclosure.core.reading_modes import MODES

CARE, A11Y = list(MODES)
from disclosure.pipeline import Settings, build_site, load_site
from disclosure.web.live_pages import LivePages, is_page_path

REPO = Path(__file__).resolve().parents[1]


def _html_files(site: Path) -> list[tuple[str, Path]]:
    """Return (URL path, file) for every HTML file under `site` (hidden folders aside)."""
    found = []
    for folder, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".html"):
                relative = (Path(folder) / name).relative_to(site).as_posix()
                found.append(("/" + relative.removesuffix("index.html"), Path(folder) / name))
    return found


def test_every_page_of_the_build_is_the_live_page_byte_for_byte(sample_site: Path) -> None:
    site, _ = load_site(Settings(content_dir=REPO / "content", output_dir=sample_site), Progress(enabled=False), read_only=True)
    live = LivePages()
    live.update(site)
    pages = _html_files(sample_site)
    assert len(pages) > 100 and any(path.startswith(f"/{CARE}/") for path, _ in pages)
    for path, file in pages:
        assert is_page_path(path), path  # every HTML file of the output is a page the live app answers
        answer = live.page(path)
        assert answer is not None and answer.status == 200, path
        assert answer.html == file.read_bytes(), path


def test_what_is_not_a_page_comes_from_the_build(sample_site: Path) -> None:
    site, _ = load_site(Settings(content_dir=REPO / "content", output_dir=sample_site), Progress(enabled=False), read_only=True)
    live = LivePages()
    assert live.page("/") is None  # before the first model: the output folder's files
    live.update(site)
    for path in ("/static/site.css", "/feeds/all.xml", f"/{CARE}/mode.css", f"/{CARE}", "/search/data/meta.js"):
        assert live.page(path) is None, path
    missing = live.page("/records/no-such-record/")
    assert missing is not None and missing.status == 404 and "<title>页面不存在".encode() in missing.html


def test_a_save_shows_in_the_preview_before_its_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "fixtures" / "valid", content)
    settings = Settings(content_dir=content, output_dir=tmp_path / "site", progress=False)
    state, live = serve.BuildState(), LivePages()
    serve.rebuild(settings, state, live=live)
    assert state.ok and state.id == 1
    preview = Client(serve.static_app(settings.output_dir, state, None, live=live))
    record = content / "documents" / "2018" / "guobanhan-2018-71.md"
    page = next(path for path, file in _html_files(settings.output_dir) if "国办函〔2018〕71号".encode() in file.read_bytes() and path.startswith("/records/"))
    built = (settings.output_dir / page.lstrip("/") / "index.html").read_bytes()

    record.write_text(record.read_text(encoding="utf-8") + "\n\n预览中的新句子。\n", encoding="utf-8")
    assert serve.preview_saved(settings, state, live)
    assert state.ok and state.id == 2  # the open tab reloads now
    assert (settings.output_dir / page.lstrip("/") / "index.html").read_bytes() == built  # no build has run
    for path in (page, f"/{CARE}{page}", f"/{A11Y}{page}"):
        shown = preview.get(path)
        assert shown.status_code == 200 and "预览中的新句子。" in shown.get_data(as_text=True), path
        assert b"/__reload.js" in shown.get_data()

    # a build begun before a later save reports nothing: the build after that save does
    started = state.saved
    record.unlink()
    assert serve.preview_saved(settings, state, live) and state.saved == started + 1
    assert preview.get(page).status_code == 404  # gone from the model: not served from the old output
    serve.rebuild(settings, state)
    assert state.ok and state.id == 4
    assert not (settings.output_dir / page.lstrip("/")).exists()


def test_a_save_that_does_not_validate_keeps_the_previous_pages(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "fixtures" / "valid", content)
    settings = Settings(content_dir=content, output_dir=tmp_path / "site", progress=False)
    state, live = serve.BuildState(), LivePages()
    serve.rebuild(settings, state, live=live)
    preview = Client(serve.static_app(settings.output_dir, state, None, live=live))
    record = content / "documents" / "2018" / "guobanhan-2018-71.md"
    page = next(path for path, file in _html_files(settings.output_dir) if "国办函〔2018〕71号".encode() in file.read_bytes() and path.startswith("/records/"))
    before = preview.get(page).get_data()
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("title:", "title_typo:", 1) + "\n\n不应出现的句子。\n", encoding="utf-8")
    assert not serve.preview_saved(settings, state, live)
    assert not state.ok and any("guobanhan-2018-71.md" in line for line in state.problems)
    assert preview.get(page).get_data() == before


def test_under_a_sub_path_the_preview_serves_the_built_pages(tmp_path: Path) -> None:
    """base_url https://host/gkml/: the live pages are the files the build writes for that path."""
    from tests.test_sub_path import BASE, sub_path_content

    content = sub_path_content(tmp_path / "content")
    settings = Settings(content_dir=content, output_dir=tmp_path / "site", progress=False)
    state, live = serve.BuildState(), LivePages()
    serve.rebuild(settings, state, live=live)
    assert state.ok and state.base == BASE
    preview = Client(serve.static_app(settings.output_dir, state, None, live=live))
    pages = _html_files(settings.output_dir)
    assert any(path.startswith(f"/{A11Y}/") for path, _ in pages)
    for path, file in pages:
        shown = preview.get(BASE + path.lstrip("/"))
        assert shown.status_code == 200, path
        assert shown.get_data() == serve.inject(file.read_bytes()), path
