"""Tests for bench/scale_records.py, the generator of `make bench-scale`, at 200 records of the small corpus copy."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
RECORDS = 200
FOLDERS = {
    "documents": "document",
    "interpretations": "interpretation",
    "news": "news",
    "decisions": "decision",
    "approvals": "approval",
    "powers": "power",
}


sys.path.insert(0, str(REPO / "bench"))  # the bench scripts import each other by name
import scale_records as generator  # noqa: E402


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    head = text.split("\n---\n", 1)[0].removeprefix("---\n")
    return yaml.safe_load(head)


def records(content: Path) -> list[tuple[str, dict]]:
    """Return (kind, front matter) of every generated record, by the folder it is in."""
    out = []
    for path in sorted(content.rglob("*.md")):
        folder = path.relative_to(content).parts[0]
        if folder in FOLDERS:
            out.append((FOLDERS[folder], front_matter(path)))
    return out


def files(content: Path) -> dict[str, bytes]:
    return {
        p.relative_to(content).as_posix(): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale") / "content"
    counts = generator.generate(out, RECORDS, seed=15, corpus=CORPUS)
    assert sum(counts.values()) == RECORDS
    return out


def test_the_generated_site_passes_check_without_a_warning(content: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "警告" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_the_mix_is_five_percent_decisions_approval_lists_and_power_items(content: Path) -> None:
    kinds = Counter(kind for kind, _ in records(content))
    assert sum(kinds.values()) == RECORDS
    assert kinds == {
        "document": 150,
        "interpretation": 24,
        "news": 16,
        "decision": 4,
        "approval": 3,
        "power": 3,
    }
    assert kinds["decision"] + kinds["approval"] + kinds["power"] == RECORDS * 5 // 100


def test_titles_and_index_numbers_are_distinct_dates_span_the_years_agencies_and_categories_vary(
    content: Path,
) -> None:
    metas = [meta for _, meta in records(content)]
    assert len({m["title"] for m in metas}) == RECORDS
    assert len({m["index_number"] for m in metas}) == RECORDS
    years = {str(m["written"])[:4] for m in metas}
    assert min(years) <= "2007" and max(years) >= "2024" and len(years) >= 15
    assert len({m["agency"] for m in metas}) >= 10
    assert len({m["category"] for m in metas}) >= 40
    numbers = [m["doc_number"] for m in metas if "doc_number" in m]
    assert numbers and len(set(numbers)) == len(numbers)
    explained = {m["interprets"] for m in metas if "interprets" in m}
    assert explained <= {m["index_number"] for kind, m in records(content) if kind == "document"}


def test_the_same_seed_gives_the_same_bytes_another_seed_other_records(content: Path, tmp_path: Path) -> None:
    generator.generate(tmp_path / "again", RECORDS, seed=15, corpus=CORPUS)
    assert files(tmp_path / "again") == files(content)
    generator.generate(tmp_path / "other", RECORDS, seed=16, corpus=CORPUS)
    assert files(tmp_path / "other") != files(content)
