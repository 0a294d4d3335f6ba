"""Nothing is ever deleted that the build did not make; faults while writing give a message.

Every test runs the real command line (`build.main`, or `build.py` in a subprocess for
`serve`) on real folders in tmp_path and checks that the refused folders are byte-for-byte
as they were.
"""

from __future__ import annotations

import errno
import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, tree_digest
from disclosure.core.output_guard import MARKER, OutputRefused, check_output_folder
from disclosure.outputs.publish import BuildLocked, build_lock, remove_stale_staging, staging_directory

Run = Callable[..., tuple[int, str]]


def user_folder(folder: Path) -> Path:
    """Fill `folder` with files a user wrote (no marker): what a build must never delete."""
    (folder / "notes").mkdir(parents=True, exist_ok=True)
    (folder / "notes" / "会议纪要.txt").write_text("不可删除", encoding="utf-8")
    (folder / "index.html").write_text("<p>我自己的网页</p>", encoding="utf-8")
    return folder


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (symlinks not followed) with its bytes."""
    return tree_digest(root)


def assert_refused(status: int, err: str) -> None:
    assert status == 1
    assert "已拒绝" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "where",
    [
        "content",  # the content folder itself
        "content/documents",  # inside it
        "content/new-empty-folder",  # inside it, not there yet
        "parent",  # an ancestor of the content folder
        "alias",  # a symlink to the content folder
        "alias/sub",  # inside the content folder through a symlink
        "user",  # a folder of someone's files
        "user-alias",  # a symlink to that folder
        "file",  # a file, not a folder
    ],
)
def test_build_refuses_an_output_folder_it_did_not_make(tmp_path: Path, where: str, run: Run) -> None:
    work = tmp_path / "work"
    content = work / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "valid", content)
    user_folder(work / "user")
    (work / "alias").symlink_to(content, target_is_directory=True)
    (work / "user-alias").symlink_to(work / "user", target_is_directory=True)
    (work / "file").write_text("一个文件", encoding="utf-8")
    output = {"parent": work}.get(where, work / where)
    before = snapshot(tmp_path)
    names = sorted(os.listdir(work))
    status, err = run("build", "--content", content, "--output", output)
    assert_refused(status, err)
    assert snapshot(tmp_path) == before
    assert sorted(os.listdir(work)) == names  # no lock, staging or cache folder made either


def test_build_refuses_the_repository_of_the_content(tmp_path: Path, run: Run) -> None:
    repo = tmp_path / "repo"
    (repo / ".git" / "objects").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    content = repo / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "valid", content)
    before = snapshot(tmp_path)
    for output in (repo, repo / ".git", repo / ".git" / "site", tmp_path):
        status, err = run("build", "--content", content, "--output", output)
        assert_refused(status, err)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["repository", "repository-parent", "root", "home", "home-parent"])
def test_the_repository_the_root_and_home_folders_are_refused(tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    home = user_folder(tmp_path / "home" / "staff")
    monkeypatch.setenv("HOME", str(home))
    output = {
        "repository": REPO,
        "repository-parent": REPO.parent,
        "root": Path("/"),
        "home": home,
        "home-parent": home.parent,
    }[where]
    with pytest.raises(OutputRefused) as refused:
        check_output_folder(output, REPO / "content")
    assert "已拒绝" in refused.value.message and str(output.resolve()) in refused.value.message


def test_serve_refuses_the_content_folder_before_building(content: Path) -> None:
    before = snapshot(content)
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--content", str(content), "--output", str(content), "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1 and "输出目录" in result.stderr and "已拒绝" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(content) == before


def test_a_cache_folder_of_user_files_is_refused(content: Path, tmp_path: Path, run: Run) -> None:
    cache = user_folder(tmp_path / ".site-cache")
    before = snapshot(cache)
    status, err = run("build", "--content", content, "--output", tmp_path / "site")
    assert_refused(status, err)
    assert "缓存目录" in err
    assert snapshot(cache) == before
    assert not (tmp_path / "site").exists()


def test_a_built_site_is_marked_and_rebuilt(content: Path, tmp_path: Path, run: Run) -> None:
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    assert (out / MARKER).is_file() and (tmp_path / ".site-cache" / MARKER).is_file()
    assert run("build", "--content", content, "--output", out)[0] == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("build", "--content", content, "--output", empty)[0] == 0  # an empty folder is fine


def test_a_site_of_the_previous_version_without_marker_is_accepted(content: Path, tmp_path: Path, run: Run) -> None:
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    (out / MARKER).unlink()  # as the previous version left it: .build/pages.json, index.html
    (tmp_path / ".site-cache" / MARKER).unlink()
    assert run("build", "--content", content, "--output", out)[0] == 0
    assert (out / MARKER).is_file()


def test_a_folder_that_only_looks_built_is_refused(content: Path, tmp_path: Path, run: Run) -> None:
    out = user_folder(tmp_path / "site")
    (out / ".build").mkdir()
    (out / ".build" / "pages.json").write_text('{"mine": true}', encoding="utf-8")  # not the tool's manifest
    (out / MARKER).write_text("我的标记\n", encoding="utf-8")  # not the tool's marker
    before = snapshot(out)
    assert_refused(*run("build", "--content", content, "--output", out))
    assert snapshot(out) == before


def test_the_swap_never_retires_a_folder_the_tool_did_not_make(tmp_path: Path) -> None:
    out = user_folder(tmp_path / "site")
    before = snapshot(out)
    with pytest.raises(OutputRefused), staging_directory(out) as staging:
        (staging / "index.html").write_text("新", encoding="utf-8")
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["site"]  # staging removed


def test_leftovers_are_removed_only_when_the_tool_made_them(tmp_path: Path) -> None:
    out = tmp_path / "site"
    killed = tmp_path / ".site-staging-0badf00d"
    killed.mkdir()
    (killed / MARKER).write_text("yangguang-gongkai site\n", encoding="utf-8")
    (killed / "index.html").write_text("半成品", encoding="utf-8")
    foreign = user_folder(tmp_path / ".site-staging-mine")
    before = snapshot(foreign)
    remove_stale_staging(out, locked=True)  # the build lock is held: any staging of ours is a killed build's
    assert not killed.exists()
    assert snapshot(foreign) == before


def test_a_symlinked_alias_of_the_output_shares_its_lock(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (tmp_path / "alias").symlink_to(out, target_is_directory=True)
    with build_lock(out), pytest.raises(BuildLocked), build_lock(tmp_path / "alias"):
        pass
    with build_lock(tmp_path / "alias"):
        pass  # released when the holder finished


def test_new_never_overwrites_an_existing_record_file(content: Path, run: Run) -> None:
    target = content / "documents" / "2018" / "130600001-2018-00013.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("---\ntitle: 别人正在写的文件\n---\n尚未填写索引号\n", encoding="utf-8")
    before = target.read_bytes()
    status, err = run("new", "document", "--agency", "保定市政府", "--content", content, "--date", "2018-06-01")
    assert status == 1 and "已存在" in err and "未覆盖" in err
    assert target.read_bytes() == before


@pytest.mark.parametrize("day", ["2018-13-01", "2018-02-30", "昨天", "20180601", "2018-W01-1", "2018-6-1", "0000-01-01"])
def test_new_with_a_bad_date_gives_a_message(content: Path, run: Run, day: str) -> None:
    before = snapshot(content)
    status, err = run("new", "decision", "--agency", "保定市政府", "--content", content, "--date", day)
    assert status == 1 and "不是有效日期" in err and "YYYY-MM-DD" in err
    assert snapshot(content) == before


def touch_every_page(content: Path) -> None:
    """Change the site's configuration, so that the next build writes every page again."""
    config = content / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: ", "name: 新", 1), encoding="utf-8")


def _fail_in_staging(code: int, monkeypatch: pytest.MonkeyPatch, name: str, after: int) -> None:
    """Make `pathlib.Path.<name>` raise OSError(code) for files in a staging folder after `after` calls."""
    original = getattr(pathlib.Path, name)
    calls = {"n": 0}

    def failing(self: Path, *args: object, **kwargs: object) -> object:
        # not static files: Frozen-Flask leaves a static file's response open when its write fails
        if "-staging-" in str(self) and self.name != MARKER and "/static/" not in str(self):
            calls["n"] += 1
            if calls["n"] > after:
                raise OSError(code) if code == errno.ENOSPC else OSError(code, os.strerror(code), str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, name, failing)


@pytest.mark.parametrize(("name", "after"), [("write_bytes", 0), ("write_bytes", 40), ("write_text", 3), ("open", 2)])
def test_disk_full_while_writing_gives_a_message_and_keeps_the_site(
    content: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch, name: str, after: int
) -> None:
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    before = snapshot(out)
    touch_every_page(content)
    _fail_in_staging(errno.ENOSPC, monkeypatch, name, after)
    status, err = run("build", "--content", content, "--output", out)
    assert status == 1, err
    assert "磁盘空间不足" in err and str(tmp_path) in err and "剩余" in err
    assert "Traceback" not in err and "OSError" not in err
    assert snapshot(out) == before
    assert [p for p in os.listdir(tmp_path) if "staging" in p] == []


@pytest.mark.parametrize("code", [errno.EDQUOT, errno.EACCES, errno.EIO, errno.EROFS])
def test_other_write_errors_give_a_message_and_keep_the_site(
    content: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    before = snapshot(out)
    touch_every_page(content)
    _fail_in_staging(code, monkeypatch, "write_bytes", 5)
    status, err = run("build", "--content", content, "--output", out)
    assert status == 1 and "未发布" in err and str(out) in err
    assert ("磁盘配额已用完" in err and "剩余" in err) if code == errno.EDQUOT else errno.errorcode[code] in err
    assert "Traceback" not in err
    assert snapshot(out) == before
    assert [p for p in os.listdir(tmp_path) if "staging" in p] == []


def _git_repo(root: Path) -> Path:
    """A git work tree at `root` with one tracked file, `schema.json` (tracked: refused)."""
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "schema.json").write_text("{}\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "add", "schema.json"], check=True)
    return root


@pytest.mark.parametrize(
    "target",
    [
        "content/agencies.yaml",  # a content file
        "content/new.schema.json",  # a new file inside the content folder
        "content",  # a folder
        "missing/schema.json",  # a parent that does not exist
        "user.json",  # someone's JSON file
        "link.json",  # a symlink to a file we would otherwise replace
        "repo/schema.json",  # a file git tracks
        "repo/.git/config",  # git's own data
    ],
)
def test_schema_never_overwrites_a_file_it_did_not_write(content: Path, tmp_path: Path, run: Run, target: str) -> None:
    _git_repo(tmp_path / "repo")
    (tmp_path / "user.json").write_text('{"title": "我的数据"}\n', encoding="utf-8")
    assert run("schema", "--output", tmp_path / "own.json")[0] == 0
    (tmp_path / "link.json").symlink_to(tmp_path / "own.json")
    before = snapshot(tmp_path)
    status, err = run("schema", "--output", tmp_path / target, "--content", content)
    assert status == 1 and "已拒绝" in err and "Traceback" not in err, err
    assert snapshot(tmp_path) == before


def test_schema_replaces_its_own_output_atomically(content: Path, tmp_path: Path, run: Run) -> None:
    target = tmp_path / "front-matter.schema.json"
    assert run("schema", "--output", target, "--content", content)[0] == 0
    first = target.read_bytes()
    assert b'"x-generator": "yangguang-gongkai schema"' in first
    older = first.replace(b'  "x-generator": "yangguang-gongkai schema",\n', b"")  # an earlier version's output
    target.write_bytes(older)
    assert run("schema", "--output", target, "--content", content)[0] == 0
    assert target.read_bytes() == first
    assert sorted(os.listdir(tmp_path)) == ["content", "front-matter.schema.json"]  # no temporary file left


def test_an_unmarked_old_site_with_a_user_file_is_refused(content: Path, tmp_path: Path, run: Run) -> None:
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    (out / MARKER).unlink()  # an earlier version's site: index.html, .build/pages.json …
    (out / "thesis.docx").write_bytes(b"PK\x03\x04 my thesis")  # … and a user's file
    before = snapshot(out)
    assert_refused(*run("build", "--content", content, "--output", out))
    assert snapshot(out) == before
    (out / "thesis.docx").unlink()
    (out / "drafts").mkdir()  # a user's folder: refused too
    assert_refused(*run("build", "--content", content, "--output", out))
    (out / "drafts").rmdir()
    assert run("build", "--content", content, "--output", out)[0] == 0  # nothing but the site: accepted


def test_the_names_an_old_site_may_hold_are_what_the_build_writes(sample_site: Path) -> None:
    from disclosure.core.output_guard import SITE_FILES, SITE_FOLDERS

    # SITE_FOLDERS is what a site made before the marker file could hold (the heuristic
    # only ever judges such unmarked sites); a kind's pages added since live in its own folder.
    from disclosure.kinds import KINDS
    from disclosure.web.app import create_app
    from disclosure.web.modes import MODES

    kind_folders = {rule.strip("/").split("/", 1)[0] for kind in KINDS for page in kind.pages for rule in page.rules}
    for entry in sample_site.iterdir():
        assert entry.name in (SITE_FOLDERS | kind_folders if entry.is_dir() else SITE_FILES), entry.name
    site = pytest.importorskip("disclosure.pipeline").load_site(
        pytest.importorskip("disclosure.pipeline").Settings(REPO / "content", use_cache=False),
        pytest.importorskip("disclosure.core.progress").Progress(enabled=False),
        read_only=True,
    )[0]
    for rule in create_app(site).url_map.iter_rules():
        first = rule.rule.strip("/").split("/", 1)[0]
        assert first == "" or first in SITE_FOLDERS | SITE_FILES | kind_folders, rule.rule
    assert set(MODES) <= SITE_FOLDERS


def test_disk_full_names_the_folder_being_written_and_its_disk(
    content: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    touch_every_page(content)
    for name in ("write_text", "write_bytes"):
        original = getattr(pathlib.Path, name)

        def failing(self: Path, *args: object, _original: Callable[..., object] = original, **kwargs: object) -> object:
            if "-staging-" in str(self) and "records" in self.parts:  # a record's page, deep inside staging
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, name, failing)
    status, err = run("build", "--content", content, "--output", out)
    assert status == 1 and "Traceback" not in err, err
    line = next(line for line in err.splitlines() if line.startswith("磁盘空间不足"))
    written = line.split("在 ", 1)[1].split(" 中写入", 1)[0]
    assert "-staging-" in written and "records" in written  # the folder written, not the one above the output
    assert f"{tmp_path} 所在磁盘" in line  # its disk: the nearest folder still there, the output's parent


# Whoosh leaves the segment it was writing open when the disk fills (search/, not the build's files)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_small_disk_is_named_with_its_own_space(content: Path, tmp_path: Path, run: Run) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root on Linux)")
    try:
        (mount / "filler").write_bytes(b"\0" * 2_600_000)
        status, err = run("build", "--content", content, "--output", mount / "site")
        assert status == 1 and "Traceback" not in err, err
        assert "磁盘空间不足" in err and f"{mount} 所在磁盘" in err and "（共 3.0 MB）" in err, err
        assert not (mount / "site").exists() and not [p for p in os.listdir(mount) if "staging" in p]
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_new_never_writes_through_a_symlink_out_of_the_content_folder(content: Path, tmp_path: Path, run: Run) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (content / "documents" / "2025").symlink_to(elsewhere, target_is_directory=True)
    (content / "decisions").rename(tmp_path / "decisions-elsewhere")
    (content / "decisions").symlink_to(tmp_path / "decisions-elsewhere", target_is_directory=True)
    before = snapshot(tmp_path)
    for kind in ("document", "decision"):
        status, err = run("new", kind, "--agency", "保定市政府", "--content", content, "--date", "2025-03-01")
        assert status == 1 and "内容目录" in err and "之外" in err and "Traceback" not in err, err
    assert snapshot(tmp_path) == before and list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "options",
    [
        ["--date", "9999-12-31"],
        ["--date", "0001-01-01"],
        ["--date", "1899-12-31"],
        ["--title", "通知\u202e公告"],
        ["--title", "通知\u2066公告"],
        ["--title", "通知\x07公告"],
        ["--title", "通知\x1b[31m公告"],
        ["--title", "通知\n公告"],
        ["--title", "通知\r公告"],
        ["--title", "长" * 201],
        ["--agency", "不存在的机构"],
    ],
)
def test_new_refuses_what_check_refuses_and_leaves_no_file(content: Path, run: Run, options: list[str]) -> None:
    before = snapshot(content)
    folders = sorted(str(p) for p in content.rglob("*") if p.is_dir())
    args = ["new", "document", "--agency", "保定市政府", "--content", content, "--date", "2024-03-01", *options]
    status, err = run(*args)
    assert status == 1 and "Traceback" not in err, err
    if options[0] != "--agency":
        assert "未新建任何文件" in err and "130600001-" in err and ".md:" in err  # path:line: 字段（key）: 说明
    assert snapshot(content) == before
    assert sorted(str(p) for p in content.rglob("*") if p.is_dir()) == folders  # no empty year folder either


def test_a_deletion_cut_short_leaves_a_folder_the_next_build_still_removes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The marker is deleted last: a build killed while removing old staging leaves it marked."""
    from disclosure.core.output_guard import MARKER, mark, remove_made

    folder = tmp_path / ".site-staging-0001"
    folder.mkdir()
    for i in range(50):
        (folder / f"f{i:02d}.html").write_text("x", encoding="utf-8")
    mark(folder, "site")
    (folder / "records").mkdir()
    (folder / "records" / "a.html").write_text("x", encoding="utf-8")
    deleted: list[str] = []
    real_unlink = os.unlink

    def recording_unlink(path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> None:
        deleted.append(os.path.basename(os.fsdecode(path)))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", recording_unlink)
    assert remove_made(folder, "site")
    assert len(deleted) == 52 and deleted[-1] == MARKER


def test_a_bind_mounted_alias_of_the_content_is_refused(content: Path, tmp_path: Path, run: Run) -> None:
    """A second name for the content folder (mount --bind) is the content folder: compared by device and inode."""
    alias = tmp_path / "alias"
    alias.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(content), str(alias)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("bind mounts are not permitted here")
    try:
        before = snapshot(content)
        status, err = run("build", "--content", content, "--output", alias / "site")
        assert_refused(status, err)
        assert "bind" in err
        status, err = run("build", "--content", alias, "--output", content / "x")
        assert_refused(status, err)
        assert snapshot(content) == before
    finally:
        subprocess.run(["umount", str(alias)], check=False)


def test_an_output_name_too_long_for_its_siblings_is_refused_before_anything_is_made(content: Path, tmp_path: Path, run: Run) -> None:
    for length in (205, 245, 250, 300):
        output = tmp_path / "long" / ("s" * length)
        status, err = run("build", "--content", content, "--output", output)
        assert_refused(status, err)
        assert "过长" in err or "无法使用" in err
    assert not (tmp_path / "long").exists() or not any((tmp_path / "long").iterdir())


def test_a_symlinked_lock_creates_nothing_where_it_points(content: Path, tmp_path: Path, run: Run) -> None:
    target = tmp_path / "elsewhere"
    (tmp_path / ".site.lock").symlink_to(target)
    status, err = run("build", "--content", content, "--output", tmp_path / "site")
    assert status == 1 and "锁文件" in err and "Traceback" not in err
    assert not target.exists()


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "2026-2-1"])
def test_report_with_a_bad_date_gives_a_message(content: Path, run: Run, value: str) -> None:
    status, err = run("report", "--content", content, "--date", value)
    assert status == 1 and "--date 应为 YYYY-MM-DD" in err and "Traceback" not in err


def test_serve_on_a_port_in_use_or_out_of_range_says_so(content: Path, tmp_path: Path) -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        command = [sys.executable, str(REPO / "build.py"), "serve", "--content", str(content), "--output", str(tmp_path / "site")]
        done = subprocess.run([*command, "--port", str(port)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "端口可能已被占用" in done.stderr and "预览地址" not in done.stderr, done.stderr[-800:]
        done = subprocess.run([*command, "--port", "99999"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "端口应为 1–65535" in done.stderr
    finally:
        taken.close()
