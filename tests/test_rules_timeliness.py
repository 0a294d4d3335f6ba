"""条例第二十六条: published within 20 working days of being formed or changed, on the real calendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rules_support import copy_site, edit, problems_of

import build
from disclosure.core.workdays import WorkCalendar

ART_26 = "（政府信息公开条例第二十六条）"


def timeliness(lines: list[str]) -> list[str]:
    return [line for line in lines if "工作日" in line and line.startswith("documents/")]


def test_calendar_counts_holidays_and_weekend_workdays() -> None:
    calendar = WorkCalendar()
    assert calendar.add_workdays(date(2025, 9, 26), 20) == date(2025, 10, 30)  # across 国庆
    assert calendar.is_workday(date(2025, 1, 26)) is True  # a 调休 Sunday
    assert calendar.is_workday(date(2025, 10, 1)) is False
    assert calendar.is_workday(date(2027, 1, 4)) is None  # unknown year: no exception
    assert calendar.add_workdays(date(2026, 12, 20), 20) is None


def test_late_record_and_late_change_are_warned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    assert timeliness(problems_of(root)) == [
        f"documents/2019/budget.md:9: 失效日期（validity_date）: 警告：失效日期 2020-06-01 的变更于 2020-07-15 才公开，"
        f"晚于变更后的第 20 个工作日 2020-06-30{ART_26}",
        f"documents/2025/late.md:6: 发布日期（published）: 警告：发布日期 2025-10-31 晚于成文日期 2025-09-26 后的第 20 个工作日 2025-10-30{ART_26}",
    ]


def test_unknown_year_is_unchecked_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "documents/2025/late.md", "written: 2025-09-26\npublished: 2025-10-31", "written: 2028-03-01\npublished: 2028-03-02")
    # built as of its publication day: before it, the record is held back (DESIGN §3.8)
    assert [line for line in timeliness(problems_of(root, date(2028, 3, 2))) if "late.md" in line] == [
        "documents/2025/late.md:6: 发布日期（published）: 警告：未核查是否及时公开：2028年的法定节假日未知"
        "（chinesecalendar 未收录，content/holidays.yaml 也没有），无法计算成文日期 2028-03-01 后的第 20 个工作日"
    ]


def test_holidays_yaml_supplies_an_unknown_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    # 2027 is in holidays.yaml (only 1 January off): 20 working days after 2026-12-25 is 2027-01-25
    edit(root / "documents/2025/late.md", "written: 2025-09-26\npublished: 2025-10-31", "written: 2026-12-25\npublished: 2027-01-26")
    assert [line for line in timeliness(problems_of(root, date(2027, 1, 26))) if "late.md" in line] == [
        f"documents/2025/late.md:6: 发布日期（published）: 警告：发布日期 2027-01-26 晚于成文日期 2026-12-25 后的第 20 个工作日 2027-01-25{ART_26}"
    ]


def test_bad_holidays_yaml_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    (root / "holidays.yaml").write_text("- year: 2027\n  holidays: [2028-01-01]\n- year: 二〇二八\n", encoding="utf-8")
    errors = [line for line in problems_of(root) if line.startswith("holidays.yaml")]
    assert errors == [
        "holidays.yaml:2: 法定节假日（[0].holidays[0]）: 日期 2028-01-01 不在 2027 年内",
        "holidays.yaml:3: 年份（[1].year）: 应为整数（实为“二〇二八”）",
    ]


def test_report_lists_overdue_records_stale_columns_and_missing_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_site(tmp_path, monkeypatch)
    assert build.main(["report", "--content", ".", "--date", "2026-11-27"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "政府信息公开自查报告（截至 2026年11月27日）"
    assert "一、未在 20 个工作日内公开的信息（条例第二十六条）：2 项" in out
    assert f"  documents/2025/late.md:6: 发布日期（published）: 警告：发布日期 2025-10-31 晚于成文日期 2025-09-26 后的第 20 个工作日 2025-10-30{ART_26}" in out
    assert "二、超过 6 个月没有新政策文件的栏目：4 项" in out
    assert ("  documents/2019/budget.md:6: 发布日期（published）: 警告：栏目“第二十条第（七）项　财政预算、决算信息”"
            "最近一次发布是 2019-07-02，已超过 6 个月没有新的政策文件（截至 2026-11-27）") in out
    assert "三、上一年度政府信息公开工作年度报告（条例第四十九条）：1 项" in out
    assert "  reports/2025.yaml:1: 文件（file）: 警告：2025年政府信息公开工作年度报告应于 2026-03-31 前公布（条例第四十九条，人民政府），尚未提供" in out


def test_report_deadline_depends_on_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_site(tmp_path, monkeypatch)
    edit(root / "site.yaml", "level: 设区的市", "level: 国务院部门")
    assert build.main(["report", "--content", ".", "--date", "2026-02-01"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  reports/2025.yaml:1: 文件（file）: 警告：2025年政府信息公开工作年度报告应于 2026-01-31 前公布（条例第四十九条，政府部门），尚未提供" in out
    edit(root / "site.yaml", "level: 国务院部门", "level: 县级")
    assert build.main(["report", "--content", ".", "--date", "2026-02-01"]) == 0
    assert "三、上一年度政府信息公开工作年度报告（条例第四十九条）：已按期提供或尚未到期" in capsys.readouterr().out


def test_information_formed_before_the_regulation_took_effect_has_no_day_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the 条例 took effect on 2008-05-01: a 2004 document first put online in 2018 was not late
    # (the sample's 国办发〔2004〕7号), and neither is a 1996 one whose year's holidays are unknown
    root = copy_site(tmp_path, monkeypatch)
    late = root / "documents/2025/late.md"
    edit(late, "written: 2025-09-26\npublished: 2025-10-31", "written: 2004-01-16\npublished: 2018-12-02")
    assert [line for line in timeliness(problems_of(root)) if "late.md" in line] == []
    edit(late, "written: 2004-01-16", "written: 1996-06-29")
    assert [line for line in timeliness(problems_of(root)) if "late.md" in line] == []
    # from the day it took effect the limit holds (on the 2008 calendar: 20 working days after 2008-05-04 is 2008-05-30)
    edit(late, "written: 1996-06-29\npublished: 2018-12-02", "written: 2008-05-04\npublished: 2008-06-03")
    assert [line for line in timeliness(problems_of(root)) if "late.md" in line] == [
        f"documents/2025/late.md:6: 发布日期（published）: 警告：发布日期 2008-06-03 晚于成文日期 2008-05-04 后的第 20 个工作日 2008-05-30{ART_26}"
    ]
