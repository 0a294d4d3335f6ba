"""发文字号 in the GB/T 9704-2012 form 代字〔年份〕序号号: normalised with a warning, or refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_support import copy_site, edit, load, problems_of

from disclosure.core.doc_numbers import doc_number_key, parse_doc_number

RECORD = "documents/2019/rules-2019.md"
FIXED = "（年份用六角括号〔〕，数字用半角），请在源文件中改正"

CASES = {
    "保政办(2019)5号": [f"{RECORD}:5: 发文字号（doc_number）: 警告：发文字号“保政办(2019)5号”已规范为“保政办〔2019〕5号”{FIXED}"],
    "保政办[2019]5号": [f"{RECORD}:5: 发文字号（doc_number）: 警告：发文字号“保政办[2019]5号”已规范为“保政办〔2019〕5号”{FIXED}"],
    "保政办【2019】5号": [f"{RECORD}:5: 发文字号（doc_number）: 警告：发文字号“保政办【2019】5号”已规范为“保政办〔2019〕5号”{FIXED}"],
    "保政办（2019）5号": [f"{RECORD}:5: 发文字号（doc_number）: 警告：发文字号“保政办（2019）5号”已规范为“保政办〔2019〕5号”{FIXED}"],
    "保政办〔２０１９〕５号": [f"{RECORD}:5: 发文字号（doc_number）: 警告：发文字号“保政办〔２０１９〕５号”已规范为“保政办〔2019〕5号”{FIXED}"],
    "保政办〔2019〕第5号": [f"{RECORD}:5: 发文字号（doc_number）: 发文字号“保政办〔2019〕第5号”的序号前不加“第”（GB/T 9704），应写作 保政办〔2019〕5号"],
    "保政办〔2019〕05号": [f"{RECORD}:5: 发文字号（doc_number）: 发文字号“保政办〔2019〕05号”的序号不编虚位（不加前导 0），应写作 保政办〔2019〕5号"],
    "保政办〔19〕5号": [f"{RECORD}:5: 发文字号（doc_number）: 发文字号“保政办〔19〕5号”的年份应写全 4 位数字（GB/T 9704），如 保发〔2009〕9号"],
    "保政办〔2019〕5": [f"{RECORD}:5: 发文字号（doc_number）: 发文字号“保政办〔2019〕5”不是 代字〔年份〕序号号 的格式，如 保发〔2009〕9号"],
    "保政办〔2018〕5号": [f"{RECORD}:5: 发文字号（doc_number）: 警告：发文字号年份 2018 与成文日期年份 2019 不一致"],
    "保政办〔2019〕5号": [],
    "保定市人民政府令第1号": [],  # 政府令 numbers carry no bracketed year and are kept as written
}


@pytest.mark.parametrize("value", list(CASES))
def test_doc_number(value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / RECORD, "doc_number: 保政办〔2019〕5号", f'doc_number: "{value}"')
    assert [line for line in problems_of(root) if "（doc_number）" in line] == CASES[value]


def test_normalised_number_is_what_the_site_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / RECORD, "doc_number: 保政办〔2019〕5号", 'doc_number: "保政办(2019)5号"')
    record = load(root).site.by_index["130600002/2019-00042"]
    assert record.meta.doc_number == "保政办〔2019〕5号"


def test_parse_and_search_key() -> None:
    assert parse_doc_number("冀发[2009]1号").text == "冀发〔2009〕1号"
    assert parse_doc_number("国令第707号").warning is None
    assert doc_number_key("保发(2009)9号") == doc_number_key("保发〔2009〕9号") == "保发20099"
