"""法定主动公开内容: records mapped to 条例第二十条 (+ 第二十一条 by level); empty items warned."""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_support import copy_site, edit, load, problems_of

from conftest import read_page
from disclosure.pipeline import Settings, build_site
from disclosure.rules.statutory import items_for_level

EMPTY = "没有任何记录；法定主动公开内容不应留空"


def statutory(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("statutory.yaml")]


def test_items_by_level() -> None:
    assert [key for key, _, _ in items_for_level("省级")] == [f"20-{n}" for n in range(1, 16)]
    city = items_for_level("设区的市")
    assert city[-1] == ("21-7", "第二十一条", "社会救助") and len(city) == 22
    township = items_for_level("乡镇")
    assert township[15] == ("21-1", "第二十一条", "农业农村政策") and len(township) == 23
    assert items_for_level("县级")[0] == ("20-1", "第二十条第（一）项", "行政法规、规章和规范性文件")


def test_records_are_filed_by_category_and_genre(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    openness = load(root).site.openness
    assert openness is not None
    filed = {item.key: [r.meta.title for r in item.records] for item in openness.statutory if item.records}
    assert filed == {
        "20-1": ["保定市政府信息公开工作制度（2019年修订）", "保定市政府信息公开工作制度"],  # by genre
        "20-7": ["保定市2019年财政预算"],
        "20-15": ["逾期公开的通知", "按期公开的通知", "保定市政府信息公开工作制度（2019年修订）", "保定市政府信息公开工作制度"],
    }
    assert openness.statutory_item("20-1").current_count == 1  # type: ignore[union-attr]  # a missing item fails here too


def test_empty_items_are_warned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    (root / "statutory.yaml").write_text("20-7: [财政、金融、审计/财政]\n20-4: []\n", encoding="utf-8")
    lines = statutory(problems_of(root))
    assert len(lines) == 20  # 22 items of a 设区的市, two of them filled
    assert "statutory.yaml:2: 第二十条第（四）项（20-4）: 警告：第二十条第（四）项“国民经济和社会发展统计信息”" + EMPTY in lines
    assert "statutory.yaml:1: 第二十一条（21-7）: 警告：第二十一条“社会救助”" + EMPTY in lines
    assert not [line for line in lines if "（20-7）" in line or "（20-1）" in line]


def test_province_has_no_article_21(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "site.yaml", "level: 设区的市", "level: 省级")
    assert not [line for line in statutory(problems_of(root)) if "第二十一条" in line]


def test_bad_mapping_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "site.yaml", "level: 设区的市", "level: 省级")
    (root / "statutory.yaml").write_text("20-7: [财政、金融、审计/财政, 财政/预算]\n21-1: [综合政务]\n20-16: []\n", encoding="utf-8")
    errors = [line for line in statutory(problems_of(root)) if "警告" not in line]
    allowed = "、".join(f"20-{n}" for n in range(1, 16))
    assert errors == [
        "statutory.yaml:1: 第二十条第（七）项（20-7[1]）: 主题分类“财政/预算”不在 categories.yaml 中",
        f"statutory.yaml:2: 第二十一条（21-1）: “21-1”不是本级（省级）法定主动公开内容的项；可用：{allowed}",
        f"statutory.yaml:3: 字段（20-16）: “20-16”不是本级（省级）法定主动公开内容的项；可用：{allowed}",
    ]


def test_missing_mapping_file_is_one_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    (root / "statutory.yaml").unlink()
    assert statutory(problems_of(root)) == [
        "statutory.yaml:1: 文件（file）: 警告：缺少此文件：法定主动公开内容无法按主题分类归入条例第二十条各项"
    ]


def test_statutory_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    build_site(Settings(content_dir=root, output_dir=tmp_path / "out", progress=False, use_cache=False))
    tree = read_page(tmp_path / "out" / "statutory" / "index.html")
    assert '<a href="/statutory/20-7/">第二十条第（七）项</a>　财政预算、决算信息' in tree
    assert '<a href="/statutory/21-7/">第二十一条</a>　社会救助' in tree
    assert "（2 条，现行有效 1 条）" in tree
    item = read_page(tmp_path / "out" / "statutory" / "20-7" / "index.html")
    assert "<h1>第二十条第（七）项　财政预算、决算信息</h1>" in item
    assert "共 1 条，现行有效 0 条" in item and "保定市2019年财政预算" in item
    rules = read_page(tmp_path / "out" / "rules" / "index.html")
    assert "共 2 件，现行有效 1 件" in rules
    assert "保定市政府信息公开工作制度（2019年修订）" in rules


def test_power_items_fill_items_five_and_six_by_their_type(tmp_path) -> None:
    """The sample's 行政许可 and 行政处罚 power items publish what 第二十条（五）（六） ask for."""
    from conftest import REPO
    from disclosure.core.progress import Progress
    from disclosure.pipeline import Settings, load_site

    site, problems = load_site(Settings(REPO / "content", tmp_path / "site", use_cache=False), Progress(enabled=False))
    assert site.openness is not None
    items = {item.key: item for item in site.openness.statutory}
    assert {r.meta.power_type for r in items["20-5"].records if r.kind == "power"} >= {"行政许可"}
    assert {r.meta.power_type for r in items["20-6"].records if r.kind == "power"} >= {"行政处罚", "行政强制"}
    assert not [p for p in problems if p.key in ("20-5", "20-6")]
