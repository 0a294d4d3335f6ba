"""有效性: shown on every record and in the catalogue; 废止 ↔ repealing record linked; 现行有效 counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_support import copy_site, edit, load, problems_of

from conftest import read_page
from disclosure.pipeline import Settings, build_site


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rules fixture site, built."""
    root = copy_site(tmp_path, monkeypatch)
    build_site(Settings(content_dir=root, output_dir=tmp_path / "out", progress=False, use_cache=False))
    return tmp_path / "out"


def page(out: Path, url: str) -> str:
    return read_page(out / url.strip("/") / "index.html", out)


def test_current_count_excludes_expired_and_repealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = load(copy_site(tmp_path, monkeypatch)).site
    assert len(site.records) == 5
    assert site.current_count() == 3  # one 废止, one 失效
    assert site.all_records.current_count == 3
    assert site.facet("category", site.category_key("综合政务")).current_count == 3  # type: ignore[union-attr]  # a missing facet fails here too


def test_validity_on_every_record_page(built: Path) -> None:
    for slug, validity in (("130600002-2019-00042", "有效"), ("130600002-2010-00015", "废止"), ("130600002-2019-00050", "失效")):
        assert '<th scope="row" id="meta-validity">有效性</th><td headers="meta-validity"><span class="validity' in page(built, f"/records/{slug}/")
        assert f">{validity}</span>" in page(built, f"/records/{slug}/")


def test_catalog_shows_validity_and_current_count(built: Path) -> None:
    catalog = page(built, "/catalog/")
    assert "共 5 条，现行有效 3 条" in catalog
    assert catalog.count('<td class="nowrap">有效</td>') == 3
    assert catalog.count('<td class="nowrap">废止</td>') == 1
    assert catalog.count('<td class="nowrap">失效</td>') == 1
    assert "共 5 条，现行有效 3 条" in page(built, "/disclosure/")


def test_repealed_and_repealing_records_link_each_other(built: Path) -> None:
    repealed = page(built, "/records/130600002-2010-00015/")
    assert "<strong>本件已废止</strong>（自 2019年6月28日 起）" in repealed
    assert '废止依据：<a href="/records/130600002-2019-00042/">保定市政府信息公开工作制度（2019年修订）</a>' in repealed
    repealing = page(built, "/records/130600002-2019-00042/")
    assert "本件废止的文件" in repealing
    assert '<li><a href="/records/130600002-2010-00015/">保定市政府信息公开工作制度</a></li>' in repealing


def test_repeal_needs_date_and_existing_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "documents/2010/rules-2010.md", "validity_date: 2019-06-28\n", "")
    assert [p for p in problems_of(root) if "rules-2010" in p] == [
        "documents/2010/rules-2010.md:11: 失效日期（validity_date）: 有效性为“废止”时必须写失效日期"
    ]
    root = copy_site(tmp_path / "b", monkeypatch)
    edit(root / "documents/2010/rules-2010.md", 'repealed_by: "130600002/2019-00042"', 'repealed_by: "130600002/2019-99999"')
    assert [p for p in problems_of(root) if "rules-2010" in p] == [
        "documents/2010/rules-2010.md:13: 废止依据（repealed_by）: 找不到索引号或标题为“130600002/2019-99999”的记录"
    ]
