"""Hostile content gets `path:line` messages from check and build alike, never a traceback
(issue 10, section 5): huge procedures, dates out of range, wrong types, pathological
Markdown, bidi controls in bodies, and records scheduled for a later day.
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from disclosure.core.problems import ContentInvalid, sort_problems
from disclosure.pipeline import Settings, build_site, check_site
from tests.conftest import tree_digest

FIXTURE = Path(__file__).parent / "fixtures" / "feeds"
TODAY = "2026-12-01"
HEAD = """---
title: {title}
index_number: "100000002/2020-00099"
agency: 测试市财政局
written: {written}
published: {published}
category: 财政、金融、审计/税务
{extra}---
{body}
"""


def document(title: str = "测试文件", written: str = "2020-03-10", published: str = "2020-03-12", extra: str = "", body: str = "正文。") -> str:
    return HEAD.format(title=title, written=written, published=published, extra=extra, body=body)


def power(steps: int, flow: str = "") -> str:
    text = (FIXTURE / "powers" / "tax-penalty.md").read_text(encoding="utf-8").split("steps:")[0]
    text = text.replace("100000003-XZCF-0001", "100000003-XZCF-0099").replace("2019-00001", "2019-00099")
    listed = "".join(f"  - id: s{i}\n    name: 步骤{i}\n    post: 科室\n    limit_days: 1\n" for i in range(steps))
    return f"{text}steps:\n{listed}{flow}---\n正文。\n"


HOSTILE = {
    "written-9999": ("documents/x.md", document(written="9999-12-31", published="9999-12-31"), ":5: "),
    "written-0001": ("documents/x.md", document(written="0001-01-01", published="0001-01-02"), ":5: "),
    "published-2099": ("documents/x.md", document(written="2020-01-01", published="2099-01-01"), ":6: "),
    "change-in-future": ("documents/x.md", document(extra="changes:\n  - date: 9999-01-01\n    note: 将来\n"), ":9: "),
    "change-after-build-day": ("documents/x.md", document(extra="changes:\n  - date: 2026-12-02\n    note: 明天\n"), ":9: "),
    "title-list": ("documents/x.md", document(title="[a, b]"), ":2: "),
    "title-dict": ("documents/x.md", document(title="{a: 1}"), ":2: "),
    "title-null": ("documents/x.md", document(title="null"), ":2: "),
    "title-300": ("documents/x.md", document(title="长" * 300), ":2: "),
    "written-int": ("documents/x.md", document(written=str(10**100)), ":5: "),
    "written-nan": ("documents/x.md", document(written=".nan"), ":5: "),
    "bidi-in-body": ("documents/x.md", document(body="第一行\n金额 \u202e0001\u202c 元"), ":10: "),
    "isolate-in-body": ("documents/x.md", document(body="\u2066隐藏\u2069"), ":9: "),
    "brackets-900k": ("documents/x.md", document(body="[" * 900_000), ":9: "),
    "emphasis-paragraph": ("documents/x.md", document(body="*a* " * 250_000), ":9: "),
    "brackets-many": ("documents/x.md", document(body="[a" * 5_000), ":9: "),
    "brackets-many-paragraphs": ("documents/x.md", document(body="\n\n".join(["[a" * 900 + "*b* _c_ <i" * 300] * 50)), "body"),
    "flow-self-loop": ("powers/x.md", power(3, "flow:\n  - {from: s0, to: s1}\n  - {from: s1, to: s1}\n"), "flow[1]"),
    "limit-negative": ("powers/x.md", power(2).replace("limit_days: 1\n", "limit_days: -5\n", 1), "limit_days"),
    "limit-huge": ("powers/x.md", power(2).replace("limit_days: 1\n", f"limit_days: {10**100}\n", 1), "limit_days"),
}


def _content(tmp_path: Path, name: str, text: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    target = content / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return content


def _run(capsys: pytest.CaptureFixture[str], command: str, _c: str, content: Path, *rest: str | Path) -> tuple[int, str]:
    """Run check or build as of the day after `--today` through the real pipeline; (status, messages)."""
    output = Path(rest[1]) if command == "build" else content.parent / "unused"
    today = date.fromisoformat(str(rest[-1]))
    settings = Settings(content_dir=content, output_dir=output, today=today, progress=False)
    try:
        outcome = (check_site if command == "check" else build_site)(settings)
    except ContentInvalid as invalid:
        return 1, "\n".join(str(p) for p in sort_problems(invalid.problems))
    return 0, "\n".join(str(p) for p in sort_problems(outcome.warnings))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_check_and_build_refuse_alike_with_a_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name, text, expected = HOSTILE[case]
    content = _content(tmp_path, name, text)
    output = tmp_path / "site"
    started = time.monotonic()
    checked, check_err = _run(capsys, "check", "--content", content, "--today", TODAY)
    built, build_err = _run(capsys, "build", "--content", content, "--output", output, "--today", TODAY)
    assert time.monotonic() - started < 60
    assert "Traceback" not in check_err + build_err
    assert checked == built == 1, (check_err, build_err)
    errors = [line for line in check_err.splitlines() if "x.md" in line and "警告" not in line]
    assert errors and all(expected in line or expected in check_err for line in errors[:1]), check_err
    assert not re.search(r"[A-Za-z]+ [a-z]+ [a-z]+", " ".join(errors)), errors  # Chinese, not pydantic's English
    assert [line for line in build_err.splitlines() if "x.md" in line] == [line for line in check_err.splitlines() if "x.md" in line]
    assert not output.exists()


def test_a_500_step_procedure_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = _content(tmp_path, "powers/x.md", power(500))
    status, err = _run(capsys, "build", "--content", content, "--output", tmp_path / "site", "--today", TODAY)
    assert status == 0, err
    assert "步骤499" in (tmp_path / "site" / "records" / "100000003-2019-00099" / "index.html").read_text(encoding="utf-8")


def test_a_scheduled_record_is_held_back_from_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = _content(tmp_path, "documents/x.md", document(title="定时发布的测试文件", written="2026-11-30", published="2026-12-20"))
    site = tmp_path / "site"
    status, err = _run(capsys, "build", "--content", content, "--output", site, "--today", TODAY)
    assert status == 0, err
    assert "x.md:6: 发布日期（published）: 警告" in err and "定时发布" in err
    for path, data in tree_digest(site).items():
        assert b"\xe5\xae\x9a\xe6\x97\xb6\xe5\x8f\x91\xe5\xb8\x83\xe7\x9a\x84" not in data, path  # 定时发布的
        assert b"2020-00099" not in data, path
    status, err = _run(capsys, "build", "--content", content, "--output", site, "--today", "2026-12-20")
    assert status == 0, err
    assert "定时发布的测试文件" in (site / "index.html").read_text(encoding="utf-8")


def test_a_planned_repeal_is_not_announced_before_its_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = "validity: 失效\nvalidity_date: 2027-06-30\n"
    content = _content(tmp_path, "documents/x.md", document(extra=extra))
    site = tmp_path / "site"
    status, err = _run(capsys, "build", "--content", content, "--output", site, "--today", TODAY)
    assert status == 0, err
    assert "expired-2027-06-30" not in (site / "feeds" / "all.xml").read_text(encoding="utf-8")


def test_a_huge_paragraph_costs_seconds_not_minutes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = _content(tmp_path, "documents/x.md", document(body="\n\n".join(["[a" * 900 + "*b* _c_ <i" * 300] * 4)))
    started = time.monotonic()
    status, err = _run(capsys, "build", "--content", content, "--output", tmp_path / "site", "--today", TODAY)
    assert status == 0, err
    assert time.monotonic() - started < 30


def test_today_setting_is_a_date() -> None:
    assert date.fromisoformat(TODAY)



COSTLY_SHAPES = ["*a* _b_ ", "[[[[", "<b>a</b> ", "段落文字。"]


@pytest.mark.parametrize("unit", COSTLY_SHAPES)
@pytest.mark.parametrize("lead", ["", "> "])
def test_no_body_under_the_bounds_costs_more_than_seconds(unit: str, lead: str) -> None:
    """The class: many blocks, dense inline markup, both. Past a bound: refused at once; under: renders fast."""
    from disclosure.core.markdown_html import (
        INLINE_MARKS,
        MAX_BLOCKS,
        MAX_BODY_CHARS,
        MAX_INLINE_MARKS,
        lint,
        render,
    )

    block = lead + unit * (400 // len(unit))
    marks = max(1, sum(block.count(m) for m in INLINE_MARKS))
    largest = min(MAX_BLOCKS, MAX_INLINE_MARKS // marks, MAX_BODY_CHARS // (len(block) + 2))
    for count, refused in ((largest, False), (max(largest * 2, MAX_BLOCKS + 1), True)):
        body = "\n\n".join([block] * count)
        started = time.process_time()
        errors = [p for p in lint(body, "x.md", 10) if p.is_error]
        assert time.process_time() - started < 1.0  # the guard itself is linear
        assert bool(errors) == refused
        if refused:
            assert errors[0].line == 10 and "上限" in errors[0].message
        else:
            render(body)
            assert time.process_time() - started < 8.0


def _bad_pattern(content: Path, pattern: str) -> None:
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + f"index_number_pattern: '{pattern}'\n", encoding="utf-8")


def _items_csv(content: Path, cell: str) -> None:
    record = content / "approvals" / "2019" / "cleanup.md"
    text = record.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    head = head.split("\nitems:")[0]
    record.write_text(f"{head}\nitems_csv: x.csv\n---\n{body}", encoding="utf-8")
    (record.parent / "x.csv").write_text(
        f'序号,项目名称,实施机关,设定依据,处理决定,承接单位,备注\n1,"{cell}",测试市财政局,某条例,取消,,\n', encoding="utf-8"
    )


def _attachment(content: Path, name: str) -> None:
    (content / "documents" / "x.md").write_text(
        document(extra=f"attachments:\n  - file: '{name}'\n    title: 附件\n"), encoding="utf-8"
    )


OTHER_FILES = {
    "pattern-unterminated": (lambda c: _bad_pattern(c, "(["), "site.yaml:"),
    "pattern-bad-escape": (lambda c: _bad_pattern(c, "a\\"), "site.yaml:"),
    "pattern-redos": (lambda c: _bad_pattern(c, "^(a+)+$"), "site.yaml:"),
    "csv-cell-200k": (lambda c: _items_csv(c, "项" * 200_000), ""),  # long, but a cell may be as long as its file
    "attachment-name-300-bytes": (lambda c: _attachment(c, "a" * 300 + ".txt"), "x.md:"),
    "attachment-name-100-hanzi": (lambda c: _attachment(c, "附" * 100 + ".txt"), "x.md:"),
}


@pytest.mark.parametrize("case", sorted(OTHER_FILES))
def test_odd_configuration_csv_and_names_get_a_line_not_a_traceback(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    change, where = OTHER_FILES[case]
    content = _content(tmp_path, "documents/placeholder.md", document().replace("2020-00099", "2020-00098"))
    change(content)
    checked, check_err = _run(capsys, "check", "--content", content, "--today", TODAY)
    built, build_err = _run(capsys, "build", "--content", content, "--output", tmp_path / "site", "--today", TODAY)
    assert checked == built == (1 if where else 0), (check_err, build_err)
    assert check_err.splitlines() == build_err.splitlines()
    if where:
        assert any(where in line and "警告" not in line for line in check_err.splitlines()), check_err
        assert not (tmp_path / "site").exists()
