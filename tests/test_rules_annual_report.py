"""年度报告 in the 2021 national format: tables 三/四 reconcile, table 二 from records, exact labels.

The three real reports of the shared corpus are entered as data under
fixtures/rules/annual_reports/. 淮安市 2024 and 洪泽区 2024 reconcile completely. 洪泽区 2023
does not: its published table 四 gives 总计 0 for 行政复议 (10 维持 + 1 纠正 = 11) and for
复议后起诉 (5 维持), so the 总计 cells of the original were left at 0 while the results were
filled in. The checks report exactly these two rows; every other sum of the three reports
(each row's 总计, （七）总计 per column, 第一项+第二项 = 第三项+第四项 per column, 现行有效件数
from 2023 to 2024) holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rules_support import RULES, copy_site, edit, load, problems_of

from conftest import read_page
from disclosure.pipeline import Settings, build_site
from disclosure.rules.annual_report import read_reports

REAL = RULES / "annual_reports"
REPORT = "reports/2019.yaml"


def real_reports(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    monkeypatch.chdir(REAL / name)
    reports, problems = read_reports(Path("."), (), "设区的市")
    return [r.title for r in reports], [str(p) for p in problems]


def report_problems(root: Path) -> list[str]:
    return [line for line in problems_of(root) if line.startswith("reports/")]


def test_huaian_2024_reconciles(monkeypatch: pytest.MonkeyPatch) -> None:
    assert real_reports("huaian", monkeypatch) == (["淮安市人民政府2024年政府信息公开工作年度报告"], [])


def test_hongze_2023_table_4_totals_do_not_add_up(monkeypatch: pytest.MonkeyPatch) -> None:
    titles, problems = real_reports("hongze", monkeypatch)
    assert titles == ["淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "淮安市洪泽区人民政府2023年政府信息公开工作年度报告"]
    # 2024 reconciles, and 2024's 现行有效件数 8 = 2023's 5 + 3 制发 − 0 废止 (no year-to-year warning)
    assert problems == [
        "reports/2023.yaml:50: 行政复议（reviews.reconsideration）: 表四“行政复议”：总计 0 不等于结果维持、结果纠正、其他结果、尚未审结之和 11",
        "reports/2023.yaml:52: 行政诉讼（复议后起诉）（reviews.litigation_after）: 表四“行政诉讼（复议后起诉）”：总计 0 不等于结果维持、结果纠正、其他结果、尚未审结之和 5",
    ]


def test_year_to_year_current_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "hongze"
    import shutil

    shutil.copytree(REAL / "hongze", root)
    edit(root / "reports/2024.yaml", "normative_documents: {issued: 3, repealed: 0, current: 8}",
         "normative_documents: {issued: 3, repealed: 0, current: 9}")
    monkeypatch.chdir(root)
    _, problems = read_reports(Path("."), (), "设区的市")
    assert str(problems[-1]) == (
        "reports/2024.yaml:10: 行政规范性文件现行有效件数（proactive.normative_documents.current）: "
        "警告：行政规范性文件现行有效件数 9 与上年 5 + 本年制发 3 − 本年废止 0 = 8 不一致"
    )


def test_sample_report_of_the_fixture_site_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    assert report_problems(root) == []


def test_row_total_and_balance_errors_name_row_and_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / REPORT, "new:            [40, 3, 0, 0, 2, 1, 46]", "new:            [40, 3, 0, 0, 2, 1, 47]")
    assert report_problems(root) == [
        "reports/2019.yaml:15: 一、本年新收政府信息公开申请数量（applications.new）: 表三“一、本年新收政府信息公开申请数量”：总计 47 不等于各类申请人之和 46",
        "reports/2019.yaml:43: 四、结转下年度继续办理（applications.carried_forward）: 表三“总计”列勾稽关系不符：第一项加第二项之和为 49（47+2），第三项加第四项之和为 48（46+2）",
    ]


def test_results_must_add_up_to_the_total_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / REPORT, "granted:        [18, 1, 0, 0, 1, 0, 20]", "granted:        [17, 1, 0, 0, 1, 0, 19]")
    assert report_problems(root) == [
        "reports/2019.yaml:42: （七）总计（applications.total）: 表三“（七）总计”的“总计”列：填报 46，（一）至（六）各项之和为 45",
        "reports/2019.yaml:42: （七）总计（applications.total）: 表三“（七）总计”的“自然人”列：填报 41，（一）至（六）各项之和为 40",
    ]


def test_table_4_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / REPORT, "reconsideration:   [1, 0, 0, 0, 1]", "reconsideration:   [1, 2, 0, 0, 1]")
    assert report_problems(root) == [
        "reports/2019.yaml:45: 行政复议（reviews.reconsideration）: 表四“行政复议”：总计 1 不等于结果维持、结果纠正、其他结果、尚未审结之和 3"
    ]


def test_wrong_row_shape_and_missing_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / REPORT, "granted:        [18, 1, 0, 0, 1, 0, 20]", "granted:        [18, 1, 0, 0, 1, 20]")
    edit(root / REPORT, "  partly_granted: [5, 0, 0, 0, 0, 0, 5]\n", "")
    edit(root / REPORT, "reconsideration:   [1, 0, 0, 0, 1]", "reconsideration:   [1, 0, 0, -1, 1]")
    assert report_problems(root) == [
        "reports/2019.yaml:14: （二）部分公开（区分处理的，只计这一情形，不计其他情形）（applications.partly_granted）: 缺少必填字段",
        "reports/2019.yaml:17: （一）予以公开（applications.granted）: 应为 7 个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计），实为 6 个",
        "reports/2019.yaml:44: 行政复议（reviews.reconsideration[3]）: 数值超出范围（实为 -1）",
    ]


def test_publication_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / REPORT, "published: 2020-03-20", "published: 2020-04-01")
    assert report_problems(root) == [
        "reports/2019.yaml:6: 发布日期（published）: 警告：发布日期 2020-04-01 晚于法定期限 2020-03-31（条例第四十九条）"
    ]
    edit(root / REPORT, "published: 2020-04-01", "published: 2019-12-31")
    assert report_problems(root) == ["reports/2019.yaml:6: 发布日期（published）: 发布日期 2019-12-31 早于统计期结束（2019年12月31日）"]
    (root / "reports" / "2019年.yaml").write_text("", encoding="utf-8")
    assert "reports/2019年.yaml:1: 文件（file）: 年度报告数据文件应以年份命名，如 reports/2024.yaml" in report_problems(root)


def test_table_2_is_computed_from_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    report = load(root).site.openness.report(2019)
    assert report is not None
    # 2019: rules-2019 issued, rules-2010 repealed (2019-06-28), one 行政规范性文件 current at year end
    assert [(row.label, row.values, row.computed) for row in report.documents] == [
        ("规章", (0, 0, 0), True),
        ("行政规范性文件", (1, 1, 1), True),
    ]


def test_table_2_given_numbers_win_but_a_mismatch_is_warned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / REPORT, "  licensing: 1200\n", "  licensing: 1200\n  normative_documents: {issued: 2}\n")
    assert report_problems(root) == [
        "reports/2019.yaml:11: 行政规范性文件本年制发件数（proactive.normative_documents.issued）: "
        "警告：填报 2，与本站记录统计的 1 不一致（体裁分类为“行政规范性文件”的记录）"
    ]
    report = load(root).site.openness.report(2019)
    assert report is not None and report.documents[1].values == (2, 1, 1)


def test_report_page_has_the_national_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    build_site(Settings(content_dir=root, output_dir=tmp_path / "out", progress=False, use_cache=False))
    html = read_page(tmp_path / "out" / "reports" / "2019" / "index.html")
    assert "<h1>保定市人民政府2019年政府信息公开工作年度报告</h1>" in html
    headings = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    positions = [html.index(f">{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    for label in ("第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项", "本年制发件数",
                  "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额（单位：万元）", "行政事业性收费",
                  "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", "法人或其他组织",
                  "商业企业", "科研机构", "社会公益组织", "法律服务机构", "三、本年度办理结果",
                  "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3.危及“三安全一稳定”", "8.属于行政查询事项",
                  "3.补正后申请内容仍不明确", "5.要求行政机关确认或重新出具已获取信息",
                  "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "（七）总计",
                  "四、结转下年度继续办理", "未经复议直接起诉", "复议后起诉", "结果维持", "尚未审结"):
        assert f">{label}</th>" in html or f"<caption>{label}</caption>" in html, label  # 第二十条's items: a table each
    assert "<tr><th scope=\"row\">行政规范性文件</th><td>1</td><td>1</td><td>1</td></tr>" in html
    cells = re.sub(r' headers="[^"]*"', "", html)  # every cell of the deep tables names its headers
    assert "<td>40</td><td>3</td><td>0</td><td>0</td><td>2</td><td>1</td><td>46</td>" in cells
    index = read_page(tmp_path / "out" / "reports" / "index.html")
    assert '<a href="/reports/2019/">保定市人民政府2019年政府信息公开工作年度报告</a>' in index
