"""条例第十二条 (the 指南) and 国办发〔2017〕47号 (the footer): every item present or an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_support import copy_site, edit, load, problems_of

from disclosure.pipeline import Settings, build_site

ART_12 = "政府信息公开指南缺少此项（政府信息公开条例第十二条）"
FOOTER = "网站页面底部必须列明此项（国办发〔2017〕47号《政府网站发展指引》）；只有示例站（sample: true）可以不写"


def guide_and_footer(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("site.yaml")]


def test_complete_guide_and_footer_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    assert guide_and_footer(problems_of(root)) == []


def test_missing_fax_is_an_error_naming_the_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "site.yaml", '    fax: "0312-1234568"\n', "")
    assert guide_and_footer(problems_of(root)) == [f"site.yaml:17: 传真号码（guide.office.fax）: {ART_12}"]


def test_every_missing_item_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "site.yaml", "  updated: 2019-06-28\n", "")
    edit(root / "site.yaml", "  apply: 向政府信息公开工作机构提交书面申请\n", "")
    edit(root / "site.yaml", "    hours: 工作日 9:00—17:00\n", "")
    assert guide_and_footer(problems_of(root)) == [
        f"site.yaml:11: 依申请公开办理方式（guide.apply）: {ART_12}",
        f"site.yaml:11: 指南更新日期（guide.updated）: {ART_12}",
        f"site.yaml:15: 办公时间（guide.office.hours）: {ART_12}",
    ]


def test_missing_guide_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    text = (root / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(text[: text.index("guide:")], encoding="utf-8")
    assert guide_and_footer(problems_of(root)) == [
        "site.yaml:1: 政府信息公开指南（guide）: 缺少政府信息公开指南（政府信息公开条例第十二条）；请写 guide 一节："
        "指南更新日期、信息分类、编排体系、获取方式、依申请公开办理方式、机构名称、办公地址、办公时间、联系电话、传真号码、互联网联系方式"
    ]


def test_sample_site_is_warned_about_the_guide_not_the_footer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "site.yaml", "sample: false", "sample: true")
    edit(root / "site.yaml", "    internet: gk@example.gov.cn\n", "")
    edit(root / "site.yaml", "icp: 冀ICP备00000000号\n", "")
    assert guide_and_footer(problems_of(root)) == [
        f"site.yaml:16: 互联网联系方式（guide.office.internet）: 警告：{ART_12}"
    ]


def test_footer_items_are_errors_outside_sample_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    for line in ("organiser: 保定市人民政府办公室\n", 'site_code: "1306000000"\n', "icp: 冀ICP备00000000号\n",
                 "police_record: 冀公网安备 13060000000000号\n", "gov_mark: https://bszs.conac.cn/sitename?method=show&id=0\n"):
        edit(root / "site.yaml", line, "")
    edit(root / "site.yaml", 'contact: {phone: "0312-1234567", address: "河北省保定市", email: "gk@example.gov.cn"}',
         'contact: {address: "河北省保定市"}')
    assert guide_and_footer(problems_of(root)) == sorted([
        f"site.yaml:1: ICP备案号（icp）: {FOOTER}",
        f"site.yaml:1: 主办单位（organiser）: {FOOTER}",
        f"site.yaml:1: 公安机关备案号（police_record）: {FOOTER}",
        f"site.yaml:1: 党政机关网站标识（gov_mark）: {FOOTER}",
        f"site.yaml:1: 网站标识码（site_code）: {FOOTER}",
        f"site.yaml:5: 联系方式（contact）: {FOOTER}",
    ])


def test_guide_page_and_footer_are_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    build_site(Settings(content_dir=root, output_dir=tmp_path / "out", progress=False, use_cache=False))
    guide = (tmp_path / "out" / "guide" / "index.html").read_text(encoding="utf-8")
    # the later of site.yaml's guide.updated (2019-06-28) and guide.md's updated (2020-01-10)
    assert '更新日期：<time datetime="2020-01-10">2020年1月10日</time>' in guide
    for text in ("按主题分类、发布机构和年份分类", "按索引号编排，新的在前", "在本站查阅、检索和下载",
                 "向政府信息公开工作机构提交书面申请", "保定市人民政府办公室政务公开科", "工作日 9:00—17:00",
                 "0312-1234568", "依申请公开</h3>", "申请须以书面形式提出。"):
        assert text in guide
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for text in ("主办单位：保定市人民政府办公室", "网站标识码：1306000000", "冀ICP备00000000号",
                 "冀公网安备 13060000000000号", '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=0" rel="noopener">党政机关网站标识</a>'):
        assert text in home
    section = (tmp_path / "out" / "disclosure" / "index.html").read_text(encoding="utf-8")
    for name in ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报"):
        assert f">{name}</a>" in section


def test_guide_updated_comes_from_site_yaml_without_guide_md(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    (root / "guide.md").unlink()
    openness = load(root).site.openness
    assert openness is not None and openness.guide_page is None
    assert str(openness.guide_updated) == "2019-06-28"
