"""`serve` shows a save before its build: pages rendered from the model it holds (disclosure/web/live_pages.py).

The preview's promise is that it never shows a page the build would write otherwise: every
HTML file of the built sample site, read under the modes too, is compared byte for byte with the
live answer for its path.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.test import Client

from disclosure.cli import serve
from disclosure.core.problems import Problem
from disclosure.core.progress import Progress
from disclosure.core.reading_modes import MODES
from disclosure.pipeline import Settings, load_content, load_site
from disclosure.site.body_cache import BodyCache
from disclosure.site.content import Content, reread_records
from disclosure.web.live_pages import LivePages, is_page_path

REPO = Path(__file__).resolve().parents[1]
CARE, A11Y = list(MODES)


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


@dataclass
class Previewed:
    """The valid fixture site built as `serve` builds it first, and its preview."""

    settings: Settings
    state: serve.BuildState
    live: LivePages
    preview: Client
    record: Path  # guobanhan-2018-71.md
    page: str  # its page's path


@pytest.fixture
def previewed(tmp_path: Path) -> Previewed:
    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "fixtures" / "valid", content)
    settings = Settings(content_dir=content, output_dir=tmp_path / "site", progress=False)
    state, live = serve.BuildState(), LivePages()
    serve.rebuild(settings, state, live=live)
    assert state.ok and state.id == 1
    preview = Client(serve.static_app(settings.output_dir, state, None, live=live))
    pages = _html_files(settings.output_dir)
    page = next(path for path, file in pages if path.startswith("/records/") and "国办函〔2018〕71号".encode() in file.read_bytes())
    return Previewed(settings, state, live, preview, content / "documents" / "2018" / "guobanhan-2018-71.md", page)


def test_a_save_shows_in_the_preview_before_its_build(previewed: Previewed) -> None:
    p = previewed
    built = (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_bytes()
    p.record.write_text(p.record.read_text(encoding="utf-8") + "\n\n预览中的新句子。\n", encoding="utf-8")
    assert serve.preview_saved(p.settings, p.state, p.live)
    assert p.state.ok and p.state.id == 2  # the open tab reloads now
    assert (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_bytes() == built  # no build has run
    for path in (p.page, f"/{CARE}{p.page}", f"/{A11Y}{p.page}"):
        shown = p.preview.get(path)
        assert shown.status_code == 200 and "预览中的新句子。" in shown.get_data(as_text=True), path
        assert b"/__reload.js" in shown.get_data()

    p.record.unlink()
    assert serve.preview_saved(p.settings, p.state, p.live)
    assert p.preview.get(p.page).status_code == 404  # gone from the model: not served from the old output
    serve.rebuild(p.settings, p.state)
    assert p.state.ok and p.state.id == 4
    assert not (p.settings.output_dir / p.page.lstrip("/")).exists()


def test_a_build_overtaken_by_a_save_reports_nothing(previewed: Previewed, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build after the later save reports; the overtaken one would show an old outcome."""
    p = previewed
    real_build = serve.build_site

    def saved_meanwhile(settings: Settings) -> object:
        outcome = real_build(settings)
        p.record.write_text(p.record.read_text(encoding="utf-8") + "\n\n又一次保存。\n", encoding="utf-8")
        assert serve.preview_saved(p.settings, p.state, p.live)
        return outcome

    monkeypatch.setattr(serve, "build_site", saved_meanwhile)
    serve.rebuild(p.settings, p.state)
    assert p.state.id == 2  # the preview's reload only
    monkeypatch.setattr(serve, "build_site", real_build)
    serve.rebuild(p.settings, p.state)
    assert p.state.ok and p.state.id == 3
    assert "又一次保存。" in (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_text(encoding="utf-8")


def test_a_save_that_does_not_validate_keeps_the_previous_pages(previewed: Previewed) -> None:
    p = previewed
    before = p.preview.get(p.page).get_data()
    text = p.record.read_text(encoding="utf-8")
    p.record.write_text(text.replace("title:", "title_typo:", 1) + "\n\n不应出现的句子。\n", encoding="utf-8")
    assert not serve.preview_saved(p.settings, p.state, p.live)
    assert not p.state.ok and any("guobanhan-2018-71.md" in line for line in p.state.problems)
    assert p.preview.get(p.page).get_data() == before


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


def _read(content: Path) -> tuple[Content, list[Problem]]:
    settings = Settings(content_dir=content, output_dir=content.parent / "site", use_cache=False)
    return load_content(settings, Progress(enabled=False))


def _sample(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    return content.resolve()


def _edits(content: Path) -> list[tuple[str, Path, str, str]]:
    """(what, record, old text, new text): saves of one record that read alone as in the whole folder."""
    documents = sorted((content / "documents").rglob("*.md"))
    decision = sorted((content / "decisions").rglob("*.md"))[0]
    news = sorted((content / "news").rglob("*.md"))[0]
    return [
        ("a sentence added to a body", documents[-1], "\n---\n", "\n---\n新的第一段。\n\n"),
        ("a title changed (other pages list it)", documents[0], 'title: "', 'title: "（修订）'),
        ("a decision's body", decision, "\n---\n", "\n---\n补充说明。\n\n"),
        ("a news item with a warning (a doc number in ASCII brackets)", news, "\n---\n", "\n---\n见国办函(2018)71号。\n\n"),
    ]


@pytest.mark.parametrize("case", range(4))
def test_a_saved_record_read_alone_reads_as_the_whole_folder(tmp_path: Path, case: int) -> None:
    content = _sample(tmp_path)
    previous, problems = _read(content)
    what, record, old, new = _edits(content)[case]
    text = record.read_text(encoding="utf-8")
    assert old in text, what
    record.write_text(text.replace(old, new, 1), encoding="utf-8")
    reread = reread_records(previous, problems, {record}, BodyCache(None))
    assert reread is not None, what
    whole = _read(content)
    assert reread[0] == whole[0], what
    assert [str(p) for p in reread[1]] == [str(p) for p in whole[1]], what
    assert reread[0] != previous, what


def test_a_save_the_record_alone_cannot_decide_reads_the_whole_folder(tmp_path: Path) -> None:
    content = _sample(tmp_path)
    previous, problems = _read(content)
    document = sorted((content / "documents").rglob("*.md"))[0]
    approval = sorted((content / "approvals").rglob("*.md"))[0]  # its kind reads the CSV beside it
    text = document.read_text(encoding="utf-8")
    cache = BodyCache(None)
    assert reread_records(previous, problems, {content / "site.yaml"}, cache) is None
    assert reread_records(previous, problems, {document.with_name("new.md")}, cache) is None  # added
    assert reread_records(previous, problems, {approval}, cache) is None
    document.write_text(text.replace("title:", "titel:", 1), encoding="utf-8")  # an error
    assert reread_records(previous, problems, {document}, cache) is None
    document.write_text(text.replace("\n---\n", "\n---\n身份证号 11010519491231002X。\n\n", 1), encoding="utf-8")
    assert reread_records(previous, problems, {document}, cache) is None  # personal data: an error
    document.write_text(text.replace("\n---\n", "\n---\n\n", 1).replace("title:", "attachments: [{file: 附件.pdf, title: 附件}]\ntitle:", 1), encoding="utf-8")
    assert reread_records(previous, problems, {document}, cache) is None  # names another file
    document.unlink()
    assert reread_records(previous, problems, {document}, cache) is None  # removed
    other = sorted((content / "documents").rglob("*.md"))[1]
    document.symlink_to(other)  # now a link to another record: two records with one 索引号
    assert reread_records(previous, problems, {document}, cache) is None


def test_serve_reads_a_saved_record_alone(previewed: Previewed, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a save read with the whole folder the preview holds its content: the next save of one
    record reads that file (not the first build's content: a file saved while it ran, before the
    watcher, would be missed)."""
    p = previewed
    resident = serve.Resident()
    assert serve.preview_saved(p.settings, p.state, p.live, changed={p.record}, resident=resident)  # nothing held: the whole folder
    assert resident.content is not None
    monkeypatch.setattr(serve, "load_content", lambda *args, **kwargs: pytest.fail("the whole folder was read"))
    p.record.write_text(p.record.read_text(encoding="utf-8") + "\n\n单独读出的句子。\n", encoding="utf-8")
    assert serve.preview_saved(p.settings, p.state, p.live, changed={p.record}, resident=resident)
    assert "单独读出的句子。" in p.preview.get(p.page).get_data(as_text=True)
    p.record.write_text(p.record.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    monkeypatch.undo()
    assert not serve.preview_saved(p.settings, p.state, p.live, changed={p.record}, resident=resident)
    assert resident.content is None  # the next save reads the whole folder, where this error still is


def test_the_build_after_a_save_runs_in_a_process_of_its_own(previewed: Previewed) -> None:
    """It builds and reports as the build in the preview's own process does (a warning it brings
    printed once), at a lower CPU priority, the preview's interpreter left to the preview."""
    p = previewed
    p.record.write_text(p.record.read_text(encoding="utf-8").replace("国办函〔2018〕71号", "国办函(2018)71号") + "\n\n后台生成的句子。\n", encoding="utf-8")
    assert serve.preview_saved(p.settings, p.state, p.live)
    serve.rebuild(p.settings, p.state, background=serve.Background())
    assert p.state.ok and p.state.id == 3
    assert any("guobanhan-2018-71.md:5:" in line and "警告" in line for line in p.state.problems)
    assert "后台生成的句子。" in (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_text(encoding="utf-8")


def test_a_background_build_that_dies_leaves_the_site_and_says_so(previewed: Previewed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    p = previewed
    before = (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_bytes()
    p.record.write_text(p.record.read_text(encoding="utf-8") + "\n\n不会发布的句子。\n", encoding="utf-8")
    # the process killed at once (by the kernel when out of memory, by a person)
    monkeypatch.setattr(serve, "BACKGROUND", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    serve.rebuild(p.settings, p.state, background=serve.Background())
    assert not p.state.ok and "后台生成进程意外退出" in p.state.problems[0]
    assert "网站保持上一次的版本" in capsys.readouterr().err
    assert (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_bytes() == before


def test_stopping_the_preview_stops_its_background_build_which_reports_nothing(previewed: Previewed) -> None:
    """Ctrl+C reaches the preview only (the build runs in a session of its own), which stops the
    build: SIGTERM, its staging removed, the site as it was, nothing reported."""
    p = previewed
    before = (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_bytes()
    p.record.write_text(p.record.read_text(encoding="utf-8") + "\n\n停止时的句子。\n", encoding="utf-8")
    background = serve.Background()
    worker = threading.Thread(target=serve.rebuild, args=(p.settings, p.state), kwargs={"background": background})
    worker.start()
    deadline = time.monotonic() + 30
    while background.process is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # starting up, or building
    background.stop()
    worker.join(60)
    assert not worker.is_alive() and background.process is not None and background.process.returncode != 0
    assert p.state.id == 1  # nothing reported
    assert (p.settings.output_dir / p.page.lstrip("/") / "index.html").read_bytes() == before
    leftovers = [x.name for x in p.settings.output_dir.parent.iterdir() if x.name.startswith(".site-") and "cache" not in x.name]
    assert not leftovers
    assert background.build(p.settings) is None  # none started once stopped


def test_odd_paths_are_answered_as_the_output_folder_answers_them(previewed: Previewed) -> None:
    """The path is decoded once: ?, # and % in it are characters of the path, a folder's page
    is also its index.html, and a page that does not exist is the output's 404.html, status 404."""
    p = previewed
    files = Client(serve.static_app(p.settings.output_dir, p.state, None))
    not_found = (p.settings.output_dir / "404.html").read_bytes()
    for path in ("/%3F/", f"/{CARE}/%3F/", f"{p.page}%23/", "/%2572ecords/", "/%25/", "/%25zz/", "/records/none/", f"/{A11Y}/none/"):
        live, built = p.preview.get(path), files.get(path)
        assert live.status_code == built.status_code == 404, path
        assert live.get_data() == serve.inject(not_found), path
    for path in (f"{p.page}index.html", "/index.html", f"/{CARE}{p.page}index.html"):
        live, built = p.preview.get(path), files.get(path)
        assert live.status_code == built.status_code == 200, path
        assert live.get_data() == built.get_data(), path
