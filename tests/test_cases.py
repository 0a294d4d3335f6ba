"""权力运行记录 (DESIGN §3.6), built for real from tests/fixtures/cases.

The fixture's one case list (建设工程规划许可证核发, 行政许可: promised 12, legal 20 working
days; steps 受理 1, 审查 7, 集体会审 3, 决定 2, 送达 1) holds five cases counted by hand on
the 2025 calendar, across the 国庆 holiday and its 调休 weekend days (Sun 28 Sep and Sat 11 Oct
were working days, 1–8 Oct were not):

| case   | 受理 → 办结            | working days | card | why |
|--------|------------------------|---|------|-----|
| XK-001 | 09-25 → 10-09          | 5  | —    | 26, 28 (Sun, worked), 29, 30, 9 Oct |
| XK-002 | 09-01 → 09-19          | 14 | 黄牌 | over the promised 12; 审查 took 10 of 7 |
| XK-003 | 08-01 → 09-05          | 25 | 红牌 | over the legal 20 (and 审查 20 of 7, 决定 4 of 2) |
| XK-004 | 10-20 → (在办, 10-31)  | 9  | —    | as of the list's last update |
| XK-005 | 10-09 → 10-13          | 3  | —    | 10, 11 (Sat, worked), 13 |

The list was published on 16 Oct: XK-002 (decided 19 Sep) and XK-003 (5 Sep) were made
public 15 and 25 working days after the decision: two 双公示 warnings.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import feedparser
import pytest
from werkzeug.test import Client

import build as cli
from conftest import read_page
from disclosure.kinds.case import mask_name
from disclosure.pipeline import Settings, build_site
from search.index.static_query import StaticSite
from search.service.app import create_search_app

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cases"
DAY = date(2025, 12, 1)
LIST = "130600014-2025-00031"
POWER = "130600014-2020-00011"
CHECK_POWER = "130600013-2020-00022"  # no case list
CSV_NAME = "cases/2025/licence-2025-q4.csv"
NAMES = ("张三丰", "欧阳娜娜", "李思远")  # natural persons: never published
MASKED = ("张**", "欧阳**", "李**")

Run = Callable[..., tuple[int, str]]


def build(content: Path, output: Path) -> Path:
    build_site(Settings(content_dir=content, output_dir=output, today=DAY, progress=False, use_cache=False))
    return output


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("cases") / "site")


def text_of(html: str) -> str:
    """Return the visible text of a page's <main>, tags dropped, spaces collapsed."""
    main = html[html.find("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#34;", '"')


def page(site: Path, *parts: str) -> str:
    return read_page(site.joinpath(*parts) / "index.html", site)


def copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "content"))


def test_names_are_masked_keeping_compound_surnames() -> None:
    assert [mask_name(n) for n in NAMES] == list(MASKED)
    assert mask_name("王五") == "王*"
    assert mask_name("司马 相如") == "司马**"
    assert mask_name("买买提·艾力") == "买*****"


def test_the_valid_fixture_warns_of_late_double_publicity_only(run: Run) -> None:
    status, err = run("check", "--content", FIXTURE, "--today", DAY.isoformat())
    assert status == 0
    cases = [line for line in err.splitlines() if ".csv:" in line]
    where = f"tests/fixtures/{FIXTURE.name}/{CSV_NAME}"
    assert cases == [
        f"{where}:3: 办结日期（cases.finished）: 警告：双公示：行政许可办件“XK-002”于 2025-09-19 办结，2025-10-16 才公开，"
        "晚了 15 个工作日（应在 7 个工作日内公开）",
        f"{where}:4: 办结日期（cases.finished）: 警告：双公示：行政许可办件“XK-003”于 2025-09-05 办结，2025-10-16 才公开，"
        "晚了 25 个工作日（应在 7 个工作日内公开）",
    ]


def test_monitor_figures_match_the_hand_count(site_dir: Path) -> None:
    text = text_of(page(site_dir, "monitor"))
    assert "办件数 5 件（办结 4 件，在办 1 件）" in text
    assert "按时办结率 60.0%" in text  # XK-001, XK-004, XK-005 of five
    assert "法定时限内办结率 80.0%" in text
    assert "平均用时 11.8 个工作日" in text  # (5 + 14 + 25 + 3) / 4
    assert "最长用时 25 个工作日" in text
    assert "黄牌 1 红牌 1" in text
    assert "准予许可 3 件 不予许可 1 件 在办 1 件" in text
    assert "130600013-JC-001，行政检查 保定市市场监督管理局 尚未公开办件记录" in text  # every power has its row
    cards = text[text.find("黄牌、红牌（") :]
    assert cards.index("XK-002") < cards.index("XK-003")  # newest first (decided 19 Sep, then 5 Sep)
    assert "环节“审查”用时 10 个工作日，超过环节时限 7 个工作日" in cards
    assert "用时 25 个工作日，超过法定时限 20 个工作日" in cards


def test_working_days_cross_the_holiday_and_its_adjusted_weekend(site_dir: Path) -> None:
    data = json.loads((site_dir / "data" / "cases.json").read_text("utf-8"))
    rows = data["rows"] if isinstance(data, dict) else data
    days = {r["number"]: (r["working_days"], r["card"]) for r in rows}
    assert days == {"XK-001": (5, None), "XK-002": (14, "黄牌"), "XK-003": (25, "红牌"), "XK-004": (9, None), "XK-005": (3, None)}


def test_the_power_page_shows_how_it_ran(site_dir: Path) -> None:
    html = page(site_dir, "records", POWER)
    section = html[html.find('<section class="power-run"') :]
    section = section[: section.find("</section>")]
    assert "<svg" in section and 'role="img"' in section
    assert "<th scope=\"row\">2025-08</th><td>0</td><td>0</td><td>1</td>" in section  # the chart's table
    assert f'href="/records/{LIST}/#case-XK-004"' in section  # the latest case first
    assert "权力运行记录" in html and f'href="/records/{LIST}/"' in html  # the list is linked from the power
    assert "本事项尚未公开办件记录" in page(site_dir, "records", CHECK_POWER)


def test_the_case_list_page_has_every_case_and_its_steps(site_dir: Path) -> None:
    html = page(site_dir, "records", LIST)
    assert len(re.findall(r'<tr id="case-XK-00\d">', html)) == 5
    text = text_of(html)
    assert "审查 10/7 超时" in text
    assert f'href="/records/{POWER}/"' in html


def test_agency_page_shows_the_evaluations(site_dir: Path) -> None:
    data = json.loads((site_dir / "data" / "evaluations.json").read_text("utf-8"))
    rows = data["rows"] if isinstance(data, dict) else data
    assert [(r["year"], r["agency"], r["score"], r["max"]) for r in rows] == [
        (2025, "保定市自然资源和规划局", 92.5, 100), (2025, "保定市市场监督管理局", 88, 100)
    ]
    text = text_of(page(site_dir, "monitor", "agencies"))
    assert "2025年评议考核结果" in text
    assert "保定市自然资源和规划局 民主评议 92.5 / 100 群众满意度测评" in text
    assert "保定市市场监督管理局 机关效能考核 88 / 100" in text


def test_natural_persons_names_never_reach_any_output(site_dir: Path) -> None:
    found = []
    for path in site_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(site_dir)}: {name}" for name in NAMES if name.encode() in data]
    assert found == []
    client = Client(create_search_app(site_dir / ".search"))
    for name in (*NAMES, "张三"):
        found_json = json.loads(client.get("/api/search", query_string={"q": name}).get_data(as_text=True))
        results = json.dumps(found_json["results"], ensure_ascii=False)  # the query itself is echoed back
        assert not any(n in results for n in NAMES)
    rows = list(csv.DictReader(io.StringIO((site_dir / "data" / "cases.csv").read_text("utf-8-sig"))))
    assert sorted(r["applicant"] for r in rows if r["applicant_type"] == "自然人") == sorted(MASKED)


def test_feeds_announce_the_list_and_its_red_cards(site_dir: Path) -> None:
    red = feedparser.parse((site_dir / "feeds" / "case" / "red-cards.xml").read_bytes())
    assert not red.bozo
    assert [e.title for e in red.entries] == ["【红牌】建设工程规划许可证核发办件记录（2025年第四季度）"]
    assert "XK-003" in red.entries[0].summary and "超过法定时限 20 个工作日" in red.entries[0].summary
    kind = feedparser.parse((site_dir / "feeds" / "kind" / "case.atom").read_bytes())
    assert [e.title for e in kind.entries][-1] == "建设工程规划许可证核发办件记录（2025年第四季度）"
    assert 'href="/feeds/case/red-cards.xml"' in page(site_dir, "monitor")


def test_monitor_json_carries_the_figures(site_dir: Path) -> None:
    data = json.loads((site_dir / "data" / "monitor.json").read_text("utf-8"))
    rows = data["rows"] if isinstance(data, dict) else data
    assert len(rows) == 1
    row = rows[0]
    assert (row["power_code"], row["cases"], row["finished"], row["in_progress"]) == ("130600014-XK-001", 5, 4, 1)
    assert (row["on_time_rate"], row["within_legal_rate"], row["average_days"], row["longest_days"]) == (60.0, 80.0, 11.8, 25)
    assert (row["yellow_cards"], row["red_cards"]) == (1, 1)


def test_search_finds_case_lists_by_power_name_and_result(site_dir: Path) -> None:
    client = Client(create_search_app(site_dir / ".search"))
    for query in ("不予许可", "130600014-XK-001"):
        found = json.loads(client.get("/api/search", query_string={"q": query, "kind": "case"}).get_data(as_text=True))
        assert [r["url"] for r in found["results"]] == [f"/records/{LIST}/"], query
    static = StaticSite(site_dir)
    assert [r["slug"] for r in static.search("不予许可", {"kind": "case"})] == [LIST]


def test_every_case_problem_is_reported_at_its_csv_line(tmp_path: Path, run: Run) -> None:
    content = copy(tmp_path)
    path = content / CSV_NAME
    rows = path.read_text("utf-8").splitlines()
    rows[0] += ",审核"  # not a step of the power
    rows[1] = rows[1].replace("2025-09-25,2025-10-09", "2025-02-30,2025-10-09")  # no such day
    rows[2] = rows[2].replace("2025-09-01,2025-09-19", "2025-09-20,2025-09-19")  # decided before received
    rows[4] = rows[4].replace("XK-004,自然人", "XK-001,个人")  # a repeated number, an unknown applicant type
    path.write_text("\n".join(rows) + "\n", "utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    where = f"{content}/{CSV_NAME}"
    lines = [line.replace(str(tmp_path), "T") for line in err.splitlines() if ".csv:" in line]
    where = f"T/content/{CSV_NAME}"
    assert f"{where}:2: 受理日期（cases[0].received）: 日期“2025-02-30”无效：应为 YYYY-MM-DD 形式的真实日期，如 2025-03-05" in lines
    assert f"{where}:3: 办结日期（cases[1].finished）: 办结日期 2025-09-19 早于受理日期 2025-09-20" in lines
    assert f"{where}:3: 环节完成日期（cases[1].steps）: 环节“受理”的完成日期 2025-09-01 早于受理日期 2025-09-20" in lines
    assert f"{where}:5: 申请人类型（cases[3].applicant_type）: 申请人类型“个人”应为 自然人、法人、其他组织 之一" in lines
    # the step columns are checked against the power in the same run (issue 14: not after the rows are fixed)
    assert any(line.startswith(f"{where}:1: 办件表（CSV）（cases_csv）: 列“审核”不是权力事项") for line in lines), lines
    del where


def test_unknown_step_columns_power_codes_and_order_are_refused(tmp_path: Path, run: Run) -> None:
    content = copy(tmp_path)
    path = content / CSV_NAME
    text = path.read_text("utf-8")
    text = text.replace("决定,送达\n", "决定,发证\n", 1)
    path.write_text(text, "utf-8")
    other = content / "cases" / "2025" / "second.md"
    other.write_text(
        (content / "cases/2025/licence-2025-q4.md").read_text("utf-8")
        .replace("2025-00031", "2025-00032").replace('"130600014-XK-001"', '"130600014-XK-999"')
        .replace("licence-2025-q4.csv", "second.csv"),
        "utf-8",
    )
    (content / "cases" / "2025" / "second.csv").write_text(
        "办件编号,申请人类型,申请人,受理日期,办结日期,办理结果,决定文书号\nXK-101,法人,某公司,2025-10-09,2025-10-10,准予许可,\n", "utf-8"
    )
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    lines = [line.replace(str(tmp_path), "T") for line in err.splitlines()]
    assert "T/content/cases/2025/second.md:9: 权力事项（power）: 本站没有权力编码为“130600014-XK-999”的记录" in lines
    # the known power's list is checked against its steps once every link resolves
    (content / "cases" / "2025" / "second.md").unlink()
    (content / "cases" / "2025" / "second.csv").unlink()
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    lines = [line.replace(str(tmp_path), "T") for line in err.splitlines()]
    assert status == 1
    assert (f"T/content/{CSV_NAME}:1: 办件表（CSV）（cases_csv）: 列“发证”不是权力事项“建设工程规划许可证核发”的环节；"
            "环节列的表头应为环节名称之一：受理、审查、集体会审、决定、送达") in lines
    path.write_text(text.replace("决定,发证\n", "决定,送达\n").replace("2025-09-15,2025-09-17,2025-09-18", "2025-09-15,2025-09-17,2025-09-16"), "utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    lines = [line.replace(str(tmp_path), "T") for line in err.splitlines()]
    assert status == 1
    assert f"T/content/{CSV_NAME}:3: 环节完成日期（cases.steps）: 环节“决定”的完成日期 2025-09-16 早于前一环节“集体会审”的 2025-09-17" in lines


def test_duplicate_numbers_across_lists_and_bad_evaluations(tmp_path: Path, run: Run) -> None:
    content = copy(tmp_path)
    second = content / "cases" / "2025" / "second.md"
    second.write_text(
        (content / "cases/2025/licence-2025-q4.md").read_text("utf-8")
        .replace("2025-00031", "2025-00032").replace("licence-2025-q4.csv", "second.csv"),
        "utf-8",
    )
    (content / "cases" / "2025" / "second.csv").write_text(
        "办件编号,申请人类型,申请人,受理日期,办结日期,办理结果,决定文书号\nXK-005,法人,某公司,2025-10-09,2025-10-10,准予许可,\n", "utf-8"
    )
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    lines = [line.replace(str(tmp_path), "T") for line in err.splitlines()]
    assert f"T/content/cases/2025/second.csv:2: 办件编号（cases.number）: 办件编号“XK-005”与 T/content/{CSV_NAME}:6 重复" in lines
    evaluations = content / "evaluations" / "2025.yaml"
    evaluations.write_text(evaluations.read_text("utf-8").replace("score: 88", "score: 108").replace("保定市市场监督管理局", "保定市市场监管局"), "utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    lines = [line.replace(str(tmp_path), "T") for line in err.splitlines()]
    assert "T/content/evaluations/2025.yaml:8: 得分（evaluations[1].score）: 得分 108 高于满分 100" in lines
    assert "T/content/evaluations/2025.yaml:6: 被考核机构（evaluations[1].agency）: 机构“保定市市场监管局”不在 agencies.yaml 中" in lines


def test_a_gbk_csv_is_read_with_a_warning(tmp_path: Path, run: Run) -> None:
    content = copy(tmp_path)
    path = content / CSV_NAME
    path.write_bytes(path.read_text("utf-8").encode("gbk"))
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 0
    assert any("CSV 文件是 GBK 编码" in line for line in err.splitlines())


def test_report_lists_the_double_publicity_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--content", str(FIXTURE), "--date", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    section = out[out.index("五、行政许可、行政处罚办结后超过 7 个工作日才公开的办件（双公示）：2 项") :]
    assert "“XK-002”于 2025-09-19 办结，2025-10-16 才公开" in section
    assert "“XK-003”于 2025-09-05 办结，2025-10-16 才公开" in section


def test_an_incremental_build_after_a_csv_edit_equals_a_cold_build(tmp_path: Path) -> None:
    content = copy(tmp_path)
    live = tmp_path / "live" / "site"
    build_site(Settings(content_dir=content, output_dir=live, today=DAY, progress=False))
    path = content / CSV_NAME
    path.write_text(path.read_text("utf-8").replace("2025-09-01,2025-09-19,准予许可", "2025-09-01,2025-09-18,准予许可")
                    .replace("2025-09-18,2025-09-19\n", "2025-09-18,2025-09-18\n"), "utf-8")
    build_site(Settings(content_dir=content, output_dir=live, today=DAY, progress=False))
    cold = build(content, tmp_path / "cold" / "site")
    for part in (("records", POWER), ("records", LIST), ("monitor",)):
        assert page(live, *part) == page(cold, *part), part
    assert "办件数 5 件" in text_of(page(live, "records", POWER))
    assert (live / "data" / "cases.json").read_bytes() == (cold / "data" / "cases.json").read_bytes()


def test_case_lists_stay_off_the_home_pages_latest_records(site_dir: Path) -> None:
    home = (site_dir / "index.html").read_text("utf-8")
    latest = home[home.index('id="latest-heading"') :]
    latest = latest[: latest.index("</section>")]
    assert f"/records/{LIST}/" not in latest and f"/records/{POWER}/" in latest


def test_id_and_mobile_numbers_in_a_case_csv_are_refused(tmp_path: Path, run: Run) -> None:
    content = copy(tmp_path)
    path = content / CSV_NAME
    path.write_text(path.read_text("utf-8").replace("张三丰", "张三丰11010519491231002X").replace("李思远", "李思远 13912345678"), "utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    lines = [line for line in err.splitlines() if ".csv:" in line and "警告" not in line]
    assert len(lines) == 2
    assert lines[0].split(": ")[0].endswith(f"{CSV_NAME}:2") and "身份证号" in lines[0]
    assert lines[1].split(": ")[0].endswith(f"{CSV_NAME}:5") and "手机号" in lines[1]
    assert "11010519491231002X" not in err and "13912345678" not in err  # never echoed in full
