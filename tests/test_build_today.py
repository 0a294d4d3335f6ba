"""`build --today` (DESIGN §3.8): build as of another day; a record published later is held back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "feeds"
LATEST = "2020-02-12"  # the newest `published` date of the fixture (documents/2020/hostile.md)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_a_day_before_a_record_is_published_holds_it_back_from_the_whole_site(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "content")
    early = run("build", "--content", "content", "--output", "early", "--today", "2020-02-11", cwd=tmp_path)
    later = run("build", "--content", "content", "--output", "later", "--today", LATEST, cwd=tmp_path)
    assert early.returncode == 0, early.stderr
    assert later.returncode == 0, later.stderr
    assert "2020-02-12" in early.stderr and "Traceback" not in early.stderr  # check says so, as a warning
    early_files = {p.relative_to(tmp_path / "early") for p in (tmp_path / "early").rglob("*") if p.is_file()}
    later_files = {p.relative_to(tmp_path / "later") for p in (tmp_path / "later").rglob("*") if p.is_file()}
    held_back = {p for p in later_files - early_files if p.parts[0] == "records"}
    assert held_back  # the record's pages appear only on its day


@pytest.mark.parametrize("value", ["2020-13-01", "2020-02-30", "yesterday", "20200212", ""])
def test_a_bad_today_gives_a_message_and_writes_nothing(tmp_path: Path, value: str) -> None:
    shutil.copytree(FIXTURE, tmp_path / "content")
    for command in (["build", "--output", "site"], ["check"]):
        done = run(command[0], "--content", "content", *command[1:], "--today", value, cwd=tmp_path)
        assert done.returncode == 1
        assert "--today 应为 YYYY-MM-DD" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()
