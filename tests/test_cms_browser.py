"""A record created in the web editor, through its real UI, is a record the build publishes.

A temporary git repository holds a copy of the valid fixture site under `content/`;
decap-server (the CMS's local backend, from npm: `make cms`) runs in it in git mode, so
every save is a commit as with a git host; `build.py cms` writes the admin folder and the
preview server (`build.py serve`'s app) serves it at /admin/ under its own policy. Debian's
Chromium opens /admin/, logs in to the local backend, fills in a new 政府文件 (agency and
category from their choice lists, keywords, a 发文字号 typed and emptied again, an
attachment uploaded into the record's folder, body text) and publishes it. The file it
wrote must pass `build.py check` and be a page of the rebuilt site; nothing the policy of
/admin/ blocks may happen on the way.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import build
from conftest import FIXTURES, REPO, require
from disclosure.cli import cms, serve
from disclosure.core import strict_yaml

DECAP_SERVER = REPO / ".cms-tools" / "node_modules" / ".bin" / "decap-server"
TITLE = "（测试）网页编辑器新建的文件"
INDEX_NUMBER = "000014349/2026-00901"  # 国务院办公厅's code in the fixture's agencies.yaml
ATTACHMENT = "附件一.csv"

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def branches(repo: Path) -> list[str]:
    """Return the repository's branches, whichever is checked out."""
    return sorted(git(repo, "branch", "--format=%(refname:short)").split())


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose content/ is a copy of the valid fixture site, committed on main."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "valid", root / "content")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    git(root, "config", "user.name", "测试")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "fixture")
    return root


@pytest.fixture
def local_backend(repo: Path, tmp_path: Path) -> Iterator[int]:
    """decap-server in git mode in `repo`, on a free port; its port."""
    require(cms.script_files(cms.SCRIPT_FOLDER) != [], f"Decap CMS ({cms.SCRIPT_FOLDER}, make cms)")
    require(
        DECAP_SERVER.exists() and shutil.which("node") is not None, f"decap-server ({DECAP_SERVER}) and node"
    )
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "MODE": "git",
        "GIT_REPO_DIRECTORY": str(repo),
        "LOG_LEVEL": "error",
    }
    log = tmp_path / "decap-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(DECAP_SERVER)], cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
                assert time.monotonic() < deadline, "decap-server did not listen within 30 s"
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "error" not in log.read_text(encoding="utf-8", errors="replace").lower()


# a production configuration: on 127.0.0.1 the editor still uses decap-server (local_backend), now with review
GITLAB = (
    "--backend",
    "gitlab",
    "--repo",
    "gkml/site",
    "--git-url",
    "https://git.example.invalid",
    "--app-id",
    "test",
)


@pytest.fixture
def preview(
    request: pytest.FixtureRequest, tmp_path: Path, repo: Path, local_backend: int
) -> Iterator[tuple[str, Path]]:
    """The preview server over the built fixture site with the admin folder at /admin/: its URL and site folder.

    Parametrized indirectly with `build.py cms` options (GITLAB); by default the local backend.
    """
    site, admin = tmp_path / "site", tmp_path / "admin"
    options = ["--output", str(admin), "--local-port", str(local_backend), *getattr(request, "param", ())]
    assert build.main(["cms", "--content", str(repo / "content"), *options]) == 0
    assert build.main(["build", "--content", str(repo / "content"), "--output", str(site)]) == 0
    server = serve.preview_server("127.0.0.1", 0, serve.static_app(site, serve.BuildState(), None, admin))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", site
    server.shutdown()
    server.server_close()


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Return a record's front matter as the build reads it (every scalar as text) and its body."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    located, problems = strict_yaml.load(front, str(path))
    assert located is not None and problems == []
    return located.value, body


def editor(browser: Any) -> tuple[Any, list[str]]:
    """Return a new page for the editor and the list its script errors are collected in."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    return page, problems


def log_in(page: Any, url: str) -> None:
    """Open /admin/ and log in to the local backend (it needs no password)."""
    page.goto(f"{url}/admin/")
    page.get_by_role("button", name="登录").click(timeout=30_000)
    page.get_by_text("＋ 政府文件").wait_for(timeout=30_000)


def open_route(page: Any, url: str, route: str) -> None:
    """Open the editor at `#/collections/<route>` afresh (a hash change alone keeps the last form)."""
    page.goto("about:blank")
    page.goto(f"{url}/admin/#/collections/{route}")


def new_document(page: Any, url: str, index_number: str) -> None:
    """Log in to the local backend and fill in the required fields of a new 政府文件."""
    log_in(page, url)
    page.get_by_text("＋ 政府文件").click(timeout=30_000)
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("索引号").fill(index_number)
    page.get_by_label("发布机构").fill("国务院办公厅")  # a choice list: typed, then chosen
    page.keyboard.press("Enter")
    page.get_by_label("主题分类").fill("综合政务/政务公开")
    page.keyboard.press("Enter")


def test_a_document_created_in_the_editor_is_checked_and_published(
    browser: Any, preview: tuple[str, Path], repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, site = preview
    upload = tmp_path / ATTACHMENT
    upload.write_text("序号,事项\n1,网页编辑器上传的附件\n", encoding="utf-8")
    page, problems = editor(browser)
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(LISTEN)
    try:
        new_document(page, url, INDEX_NUMBER)
        doc_number = page.get_by_label("发文字号 (可选)")
        doc_number.fill("国办发〔2026〕1号")
        doc_number.fill("")  # emptied: must not be written as ""
        page.get_by_label("主题词 (可选)").fill("网页编辑, 测试")
        page.get_by_label("内容概述 (可选)").fill("经网页编辑器写入的一条记录。")
        page.get_by_role("button", name="新增附件").click()
        page.get_by_role("button", name="选择文件").click()
        page.set_input_files("input[type=file]", str(upload))
        page.get_by_role("button", name="选用已选中项目").click(timeout=30_000)
        page.get_by_label("附件名称").fill("附件一：网页编辑器上传")
        page.locator("[data-slate-editor]").click()
        page.keyboard.type("这是网页编辑器写的正文。")
        page.get_by_role("button", name="发布").first.click()
        page.get_by_text("立即发布").click()
        page.get_by_text("内容已保存").wait_for(timeout=30_000)
        problems += page.evaluate("window.__violations")
    finally:
        page.close()
    assert problems == []

    # the file, where `build.py new` would put it: content/documents/<year>/<索引号, / → ->.md
    folder = repo / "content" / "documents" / str(date.today().year)
    record = folder / "000014349-2026-00901.md"
    assert record.is_file(), sorted(p.name for p in folder.parent.rglob("*"))
    assert (folder / ATTACHMENT).read_text(encoding="utf-8") == upload.read_text(encoding="utf-8")
    assert "Create 政府文件" in git(repo, "log", "-1", "--format=%s")  # a commit, as on a git host
    assert git(repo, "status", "--porcelain") == ""
    meta, body = front_matter(record)
    assert body.strip() == "这是网页编辑器写的正文。"
    today = date.today().isoformat()
    assert meta["agency"] == ["国务院办公厅"] and meta["keywords"] == ["网页编辑", "测试"]
    assert (meta["written"], meta["published"]) == (today, today)
    assert meta["attachments"] == [{"file": ATTACHMENT, "title": "附件一：网页编辑器上传"}]
    assert "doc_number" not in meta

    capsys.readouterr()
    assert build.main(["check", "--content", str(repo / "content")]) == 0
    assert str(record.name) not in capsys.readouterr().err  # not even a warning about it
    assert build.main(["build", "--content", str(repo / "content"), "--output", str(site)]) == 0
    shown = (site / "records" / "000014349-2026-00901" / "index.html").read_text(encoding="utf-8")
    assert TITLE in shown and "这是网页编辑器写的正文。" in shown and "附件一：网页编辑器上传" in shown


def test_every_kinds_form_opens_with_every_field(
    browser: Any, preview: tuple[str, Path], tmp_path: Path
) -> None:
    """The editor accepts the generated configuration for every kind: each form shows each field, optional ones marked."""
    url, _site = preview
    config = yaml.safe_load((tmp_path / "admin" / "config.yml").read_text(encoding="utf-8"))
    page, problems = editor(browser)
    try:
        log_in(page, url)
        for collection in config["collections"]:
            open_route(page, url, f"{collection['name']}/new")
            page.get_by_text(f"正在集合“{collection['label']}”中编写").wait_for(timeout=30_000)
            shown = [label.inner_text().strip() for label in page.query_selector_all("label")]
            expected = [f["label"] if f["required"] else f"{f['label']} (可选)" for f in collection["fields"]]
            assert [label for label in shown if label in expected] == expected, collection["name"]
    finally:
        page.close()
    assert problems == []


@pytest.mark.parametrize("preview", [GITLAB], indirect=True)
def test_with_the_editorial_workflow_a_record_reaches_main_only_once_published(
    browser: Any, preview: tuple[str, Path], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """publish_mode: editorial_workflow (GitLab, Forgejo): a saved record waits on a branch of its own
    until a reviewer sets it 就绪 and publishes it; only then is it on main, checked and built."""
    url, site = preview
    branch = f"cms/document/{date.today().year}/000014349-2026-00902"
    path = f"content/documents/{date.today().year}/000014349-2026-00902.md"
    page, problems = editor(browser)
    page.on("dialog", lambda dialog: dialog.accept())  # 确定要发布吗？
    try:
        new_document(page, url, "000014349/2026-00902")
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("内容已保存").wait_for(timeout=30_000)
        # saved for review: on its branch, not on main, which the site is built from (refs only: the
        # local backend checks the branch out for a moment while the editor reads it back)
        assert branches(repo) == sorted(["main", branch])
        assert git(repo, "ls-tree", "--name-only", branch, path).strip() == path
        assert git(repo, "ls-tree", "--name-only", "main", path).strip() == ""
        page.get_by_text("状态: 草稿").click()
        page.get_by_text("就绪", exact=True).click()
        page.get_by_text("状态: 就绪").wait_for(timeout=30_000)
        page.get_by_role("button", name="发布", exact=True).click()
        page.get_by_text("立即发布").click()
        deadline = time.monotonic() + 30
        while branches(repo) != ["main"] and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        page.close()
    assert problems == []
    assert branches(repo) == ["main"]  # merged and removed
    assert git(repo, "ls-tree", "--name-only", "main", path).strip() == path
    while git(repo, "branch", "--show-current").strip() != "main" and time.monotonic() < deadline:
        time.sleep(0.2)  # the work tree back on main
    capsys.readouterr()
    assert build.main(["check", "--content", str(repo / "content")]) == 0
    assert "000014349-2026-00902" not in capsys.readouterr().err
    assert build.main(["build", "--content", str(repo / "content"), "--output", str(site)]) == 0
    assert TITLE in (site / "records" / "000014349-2026-00902" / "index.html").read_text(encoding="utf-8")


def test_an_existing_record_saved_in_the_editor_keeps_its_values(
    browser: Any, preview: tuple[str, Path], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The editor rewrites a record's YAML in its own style (flow lists as blocks, quotes dropped) but
    keeps every value: dates stay YYYY-MM-DD text, nested lists and the body stay as they were."""
    url, _site = preview
    records = {
        "decision/entries/2009/founding": "decisions/2009/founding.md",
        "document/entries/2018/new-rules": "documents/2018/new-rules.md",
    }
    before = {path: front_matter(repo / "content" / path) for path in records.values()}
    page, problems = editor(browser)
    try:
        log_in(page, url)
        for entry in records:
            open_route(page, url, entry)
            title = page.get_by_label("标题")
            title.fill(title.input_value(timeout=30_000) + "（修订）")
            page.get_by_role("button", name="发布", exact=True).click()
            page.get_by_text("立即发布").click()
            page.get_by_text("内容已保存").wait_for(timeout=30_000)
            page.get_by_text("内容已保存").wait_for(state="hidden", timeout=30_000)
    finally:
        page.close()
    assert problems == []
    for path, (meta, body) in before.items():
        after, after_body = front_matter(repo / "content" / path)
        assert after.pop("title") == meta.pop("title") + "（修订）"
        if isinstance(meta["agency"], str):  # one agency written as text: now a one-item list
            meta["agency"] = [meta["agency"]]
        assert (after, after_body) == (meta, body), path
    assert len(git(repo, "log", "--format=%s").splitlines()) == 3  # one commit per save
    capsys.readouterr()
    assert build.main(["check", "--content", str(repo / "content")]) == 0


def test_a_power_item_with_nested_steps_and_risks_is_written_as_the_model_asks(
    browser: Any, preview: tuple[str, Path], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The richest kind: required lists of groups (设定依据, 办理环节), a group (监督方式), numbers,
    a choice and a list of words inside a list inside a list (a step's 廉政风险点)."""
    url, site = preview
    page, problems = editor(browser)

    def choose(label: str, value: str) -> None:
        page.get_by_label(label).fill(value)
        page.keyboard.press("Enter")

    try:
        log_in(page, url)
        open_route(page, url, "power/new")
        page.get_by_label("标题").fill("（测试）网页编辑器新建的权力事项")
        page.get_by_label("索引号").fill("130600001/2026-00901")
        choose("发布机构", "保定市人民政府")
        choose("主题分类", "综合政务/政务公开")
        page.get_by_label("权力编码").fill("CMS-XK-001")
        choose("权力类型", "行政许可")
        page.get_by_role("button", name="新增设定依据").click()
        page.get_by_label("法律法规名称").fill("中华人民共和国行政许可法")
        page.get_by_label("条款").fill("第四十二条")
        page.get_by_label("法定时限 (可选)").fill("20")
        page.get_by_label("承诺时限 (可选)").fill("10")
        page.get_by_label("收费标准及依据").fill("不收费")
        page.get_by_label("监督电话").fill("0312-0000001")
        page.get_by_role("button", name="新增办理环节").click()
        page.get_by_label("步骤编号").fill("shouli")
        page.get_by_label("环节名称").fill("受理")
        page.get_by_label("承办岗位").fill("窗口受理岗")
        page.get_by_label("办理时限 (可选)").fill("1")
        page.get_by_role("button", name="新增廉政风险点").click()
        page.get_by_label("风险点").fill("对符合条件的申请不予受理")
        choose("风险等级", "中")
        page.get_by_label("防控措施").fill("一次性告知, 受理登记")
        page.get_by_label("责任人").fill("科室负责人")
        page.get_by_role("button", name="发布", exact=True).click()
        page.get_by_text("立即发布").click()
        page.get_by_text("内容已保存").wait_for(timeout=30_000)
    finally:
        page.close()
    assert problems == []
    meta, _body = front_matter(
        repo / "content" / "powers" / str(date.today().year) / "130600001-2026-00901.md"
    )
    assert meta["basis"] == [{"law": "中华人民共和国行政许可法", "article": "第四十二条"}]
    assert (meta["legal_limit_days"], meta["promised_limit_days"], meta["supervision"]) == (
        "20",
        "10",
        {"phone": "0312-0000001"},
    )
    assert meta["steps"] == [
        {
            "id": "shouli", "name": "受理", "post": "窗口受理岗", "limit_days": "1",
            "risks": [{"point": "对符合条件的申请不予受理", "level": "中", "measures": ["一次性告知", "受理登记"], "owner": "科室负责人"}],
        }
    ]  # fmt: skip
    capsys.readouterr()
    assert build.main(["check", "--content", str(repo / "content")]) == 0
    assert "130600001-2026-00901" not in capsys.readouterr().err
    assert build.main(["build", "--content", str(repo / "content"), "--output", str(site)]) == 0
    shown = (site / "records" / "130600001-2026-00901" / "index.html").read_text(encoding="utf-8")
    assert "对符合条件的申请不予受理" in shown and "窗口受理岗" in shown


@pytest.mark.parametrize(
    ("backend", "login"),
    [("gitlab", "使用 GitLab 登录"), ("gitea", "使用 Gitea 登录"), ("forgejo", "Login with Forgejo")],
)
def test_each_git_host_configuration_loads_and_decaps_gitea_backend_refuses_review(
    browser: Any, tmp_path: Path, backend: str, login: str
) -> None:
    """With no decap-server running, the editor loads the production configuration and offers the git
    host's login (no server is contacted before it is clicked). Decap's gitea backend refuses the
    editorial workflow, which is why `--backend gitea` writes none (docs/cms.md)."""
    require(cms.script_files(cms.SCRIPT_FOLDER) != [], f"Decap CMS ({cms.SCRIPT_FOLDER}, make cms)")
    admin = tmp_path / "admin"
    host = ["--repo", "gkml/site", "--git-url", "https://git.example.invalid", "--app-id", "test"]
    options = ["--output", str(admin), "--local-port", str(free_port()), "--backend", backend, *host]
    assert build.main(["cms", "--content", str(FIXTURES / "valid"), "--root", str(FIXTURES), *options]) == 0
    config = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    assert ("publish_mode" in config) == (backend != "gitea")
    server = serve.preview_server("127.0.0.1", 0, serve.static_app(tmp_path, serve.BuildState(), None, admin))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page(locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/admin/")
        page.get_by_role("button", name=login).wait_for(timeout=30_000)
        assert errors == []
        if backend == "gitea":
            config["publish_mode"] = "editorial_workflow"
            (admin / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
            page.reload()
            page.get_by_text("The Gitea backend does not support editorial workflow.").first.wait_for(
                timeout=30_000
            )
    finally:
        page.close()
        server.shutdown()
        server.server_close()
