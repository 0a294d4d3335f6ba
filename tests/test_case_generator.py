"""Tests for bench/case_lists.py, the case-list generator, on the power items of tests/fixtures/lists."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "bench" / "case_lists.py"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lists"
HEADERS = ["办件编号", "申请人类型", "申请人", "受理日期", "办结日期", "办理结果", "决定文书号"]


def load_generator() -> ModuleType:
    """Return the generator script loaded as a module."""
    spec = importlib.util.spec_from_file_location("case_lists", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


generator = load_generator()


def generated(folder: Path, seed: int = 7) -> tuple[Path, dict[str, int]]:
    """Copy the fixture content folder to `folder`, generate its cases; return the folder and counts."""
    content = folder / "content"
    shutil.copytree(FIXTURE, content)
    counts = generator.write_case_lists(content, 40, date(2025, 1, 1), date(2025, 6, 30), seed=seed)
    return content, counts


def files(content: Path) -> dict[str, bytes]:
    """Return every file under content/cases/ by its relative path."""
    cases = content / "cases"
    return {p.relative_to(cases).as_posix(): p.read_bytes() for p in sorted(cases.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content folder with generated case lists."""
    return generated(tmp_path_factory.mktemp("a"))[0]


def test_same_seed_same_bytes_other_seed_other_cases(content: Path, tmp_path: Path) -> None:
    again, counts = generated(tmp_path / "again")
    assert files(again) == files(content)
    assert counts["cases"] == 80  # 40 for each of the two power items
    other, _ = generated(tmp_path / "other", seed=8)
    assert files(other) != files(content)


def test_csv_headers_are_the_contract_then_the_power_steps(content: Path) -> None:
    written = sorted((content / "cases").rglob("*.csv"))
    assert {p.name.rsplit("-", 2)[0] for p in written} == {"licence", "check"}
    steps = {"licence": ["受理", "审查", "集体会审", "决定", "送达"], "check": ["制定检查计划", "现场检查", "结果处理"]}
    for path in written:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == HEADERS + steps[path.name.split("-", 1)[0]], path.name
        assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows), path.name
        for row in rows[1:]:
            assert row[1] in ("自然人", "法人", "其他组织")
            assert row[1] == "自然人" or row[2].endswith("（示例）")


def test_the_generated_lists_pass_check_without_a_double_publicity_warning(content: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--content", str(content)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cases/" not in result.stdout + result.stderr
    assert "双公示" not in result.stdout + result.stderr
