"""`.pre-commit-config.yaml` runs `build.py check` before every commit (issue 14): the file parses as
pre-commit reads it, and its hook's command passes on the sample and refuses content with an error."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import FIXTURES, REPO


def hook() -> dict:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (found,) = repo["hooks"]
    return found


def run_entry(entry: str, cwd: Path, content: str = "content") -> subprocess.CompletedProcess[str]:
    """Run the hook's command as pre-commit does (from the repository's top), with this interpreter as `python`."""
    words = shlex.split(entry)
    assert words[:2] == ["python", "build.py"]
    words[words.index("--content") + 1] = content
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *words[2:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_hook_runs_check_on_the_whole_content_before_every_commit() -> None:
    found = hook()
    assert found["language"] == "system"
    assert found["pass_filenames"] is False and found["always_run"] is True
    assert shlex.split(found["entry"])[1:] == ["build.py", "check", "--content", "content"]
    checked = run_entry(found["entry"], REPO)
    assert checked.returncode == 0, checked.stderr


def test_the_hook_refuses_a_commit_whose_content_has_an_error(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    record = content / "documents/2018/new-rules.md"
    record.write_text(
        record.read_text(encoding="utf-8").replace("written: 2018-11-20", "written: 2018-11-31"),
        encoding="utf-8",
    )
    checked = run_entry(hook()["entry"], tmp_path)
    assert checked.returncode == 1
    assert (
        "content/documents/2018/new-rules.md:5: 成文日期（written）: 日期不存在：2018-11-31" in checked.stderr
    )
