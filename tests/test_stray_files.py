"""A file or folder under content/ that nothing reads is reported, never skipped in silence (issue 14)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES

Run = Callable[..., tuple[int, str]]


def test_every_file_nothing_reads_is_a_warning_with_the_nearest_folder(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURES / "valid", tmp_path / "content"))
    record = next((content / "documents").rglob("*.md"))
    (content / "decision").mkdir()
    shutil.copy(record, content / "decision" / "lost.md")  # a misspelled folder
    (record.parent / "notice.docx").write_bytes(b"PK")  # beside a record, named by none
    (content / "pages" / "logo.png").write_bytes(b"\x89PNG")
    (content / "agency.yaml").write_text("- name: x\n", "utf-8")
    (content / ".gitkeep").write_text("", "utf-8")  # hidden: left alone
    status, err = run("check", "--content", content)
    assert status == 0, err  # warnings: the rest still builds
    lines = [line.replace(str(content), "C") for line in err.splitlines() if "不会发布" in line and "正文" not in line]
    folders = "、".join(f"{name}/" for name in ("documents", "decisions", "interpretations", "news", "approvals", "powers", "cases", "evaluations", "pages", "reports"))
    assert sorted(lines) == sorted([
        "C/agency.yaml:1: 文件（file）: 警告：本站不读取这个文件，它不会发布；是不是“agencies.yaml”？",
        f"C/decision:1: 文件（file）: 警告：不认识的文件夹“decision/”：其中的文件都不会发布；是不是“decisions/”？可用的文件夹：{folders}",
        f"C/{record.parent.relative_to(content)}/notice.docx:1: 文件（file）: 警告：没有记录引用这个文件（附件要写进记录的 attachments，"
        "CSV 要写进 items_csv 或 cases_csv），它不会发布",
        "C/pages/logo.png:1: 文件（file）: 警告：pages/ 中只读取 .md 文件，它不会发布",
    ])


def test_the_sample_site_has_no_stray_file(run: Run) -> None:
    status, err = run("check", "--content", FIXTURES.parent.parent / "content")
    assert status == 0
    assert not [line for line in err.splitlines() if "它不会发布" in line or "不认识的文件夹" in line]
