"""Numbers hidden by characters a reader never sees, and the other disguises found by testing as an attacker.

Class: a number is what a reader sees. Unicode's Default_Ignorable_Code_Point characters
(direction marks, invisible operators, variation selectors, tag characters …) show as
nothing, so inside a number they count as nothing — literally or as an entity, in any field,
in the body, in attachments. Separators people type (`/`, brackets) do not hide a number
either. Archives show their members' names; a member of unknown type is read as text when
it is text, else named for review. Excel shows a number stored as `1.3800138E10` whole.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from disclosure.core.problems import ContentInvalid
from disclosure.outputs.output_gate import check_output
from disclosure.pipeline import Settings, build_site, check_site
from disclosure.rules import personal_data as pd
from disclosure.rules.personal_allow_list import AllowList

FIXTURES = Path(__file__).parent / "fixtures"
MASKED = "138****8000"
RECORD = """---
title: "{title}"
index_number: "000014349/2018-09901"
agency: 国务院办公厅
written: 2018-06-24
published: 2018-06-28
category: 综合政务/政务公开
summary: "这是内容概述。"
changes:
  - date: 2018-07-01
    note: "{note}"
{extra}---
联系方式如下。

{body}
"""
# one of each block of Default_Ignorable_Code_Point, astral ones included
INVISIBLE = ["\u2062", "\u2061", "\u200e", "\u200f", "\u061c", "\u034f", "\u180e", "\ufe0f", "\u17b4", "\U000e0020", "\u3164", "\U0001d173"]


def write(content: Path, *, title: str = "（测试）号码", note: str = "更正", body: str = "正文。", extra: str = "") -> Path:
    path = content / "documents" / "2018" / "hidden.md"
    path.write_text(RECORD.format(title=title, note=note, body=body, extra=extra), encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", target)
    return target


def errors_of_check(content: Path) -> list[str]:
    try:
        check_site(Settings(content_dir=content, progress=False, use_cache=False))
    except ContentInvalid as refused:
        return [str(p) for p in refused.problems if p.is_error]
    return []


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
@pytest.mark.parametrize("where", ["body", "body-entity", "title", "note"])
def test_an_invisible_character_inside_a_number_hides_nothing(content: Path, char: str, where: str) -> None:
    number = f"138{char}0013{char}8000"
    if where == "body":
        path = write(content, body=f"电话 {number}。")
    elif where == "body-entity":
        entity = f"&#x{ord(char):X};"
        path = write(content, body=f"电话 138{entity}0013{entity}8000。")
    elif where == "title":
        path = write(content, title=f"联系{number}")
    else:
        path = write(content, note=f"电话改为{number}")
    found = [e for e in errors_of_check(content) if MASKED in e]
    assert found and all(e.startswith(f"{path}:") for e in found), errors_of_check(content)


@pytest.mark.parametrize("body", ["电话 (138)0013-8000。", "电话 138/0013/8000。", "电话（138）0013 8000。", "电话 138／0013／8000。"])
def test_brackets_and_slashes_do_not_hide_a_number(content: Path, body: str) -> None:
    path = write(content, body=body)
    assert any(e.startswith(f"{path}:") and MASKED in e for e in errors_of_check(content))


@pytest.mark.parametrize("body", ["比例 1/2 与 3/4，2019/12/31 前完成。", "（2019）12 号，电话 (0312)5012345。", "第 1/13 页"])
def test_dates_fractions_and_landlines_stay_allowed(content: Path, body: str) -> None:
    write(content, body=body)
    assert errors_of_check(content) == []


@pytest.mark.parametrize("entity", ["&#x202E;", "&#8238;", "&#x2067;", "&#X202a;"])
def test_a_bidi_control_written_as_an_entity_is_refused_like_the_character(content: Path, entity: str) -> None:
    path = write(content, body=f"正文{entity}fdp.exe")
    assert any(e.startswith(f"{path}:15: 正文（body）: 正文含有不可见的控制字符") for e in errors_of_check(content))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx(cell: str) -> bytes:
    sheet = f'<worksheet><sheetData><row r="1"><c r="A1"><v>{cell}</v></c></row></sheetData></worksheet>'
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": sheet.encode()})


HIDDEN_ATTACHMENTS = [
    ("member-name.zip", _zip({"13800138000.txt": b"x"})),
    ("member-gbk-name.zip", _zip({"名单-13800138000.txt": b"x"})),
    ("no-suffix-member.zip", _zip({"README": "电话 13800138000".encode()})),
    ("dat-member.zip", _zip({"b.dat": "电话 13800138000".encode("gb18030")})),
    ("records.dat", "电话 13800138000".encode()),
    ("exponent.xlsx", _xlsx("1.3800138E10")),
    ("exponent-plus.xlsx", _xlsx("1.3800138E+10")),
    ("invisible.csv", "x,138\u20620013\u20628000\n".encode()),
]


@pytest.mark.parametrize(("name", "data"), HIDDEN_ATTACHMENTS, ids=[n for n, _ in HIDDEN_ATTACHMENTS])
def test_numbers_in_attachments_are_found_however_stored(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    problems = pd.scan_other_files(tmp_path, AllowList(tmp_path))
    assert any(p.is_error and MASKED in p.message for p in problems), [str(p) for p in problems]


def test_a_binary_member_of_unknown_type_is_named_for_review(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(_zip({"blob.bin": bytes(range(256)) * 4}))
    (tmp_path / "b.bin").write_bytes(bytes(range(256)) * 4)
    problems = pd.scan_other_files(tmp_path, AllowList(tmp_path))
    assert sorted((Path(p.path).name, p.is_error) for p in problems) == [("a.zip", False), ("b.bin", False)]
    assert all("无法提取文字" in p.message for p in problems)
    assert "blob.bin" in next(p.message for p in problems if p.path.endswith("a.zip"))


def test_an_invisible_character_in_a_number_never_reaches_the_site(content: Path, tmp_path: Path) -> None:
    write(content, body="电话 138\u20620013\u20628000。")
    with pytest.raises(ContentInvalid):
        build_site(Settings(content_dir=content, output_dir=tmp_path / "site", progress=False, use_cache=False))
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- second round of disguises

DISGUISED_BODIES = [
    "电话：<ruby>1380013<rt></rt></ruby>8000。",
    "电话：<acronym>1380013</acronym>8000。",
    "电话：<label>1380013</label>8000。",
    "电话：[1380013](https://example.gov.cn/)8000。",
    "电话：138[0013](/x/)8000。",
    "电话：[1380013][r]8000。\n\n[r]: https://example.gov.cn/",
    "电话：138，0013，8000。",
    "电话：138,0013,8000。",
    "电话：138:0013:8000。",
    "电话：138：0013：8000。",
    "电话：一三八〇〇一三八〇〇〇。",
    "电话：¹³⁸⁰⁰¹³⁸⁰⁰⁰。",
    "电话：①③⑧⓪⓪①③⑧⓪⓪⓪。",
    # third round: a word touching the number, keycaps and combining marks, look-alike separators, more numerals
    "联系Tel13800138000。",
    "联系13800138000ext。",
    "电话1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e31\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e3。",
    "电话1\u03013\u03018\u03010013\u03018000。",
    "电话138\u28000013\u28008000。",
    "电话138\u20440013\u20448000。",
    "电话【138】0013【8000】。",
    "电话➊➌➑⓪⓪➊➌➑⓪⓪⓪。",
    "电话幺三八零零幺三八零零零。",
    "电话一三八○○一三八○○○。",
    "电话壹叁捌零零壹叁捌零零零。",
    "电话“138”“0013”“8000”。",
    "电话138…0013…8000。",
]


@pytest.mark.parametrize("body", DISGUISED_BODIES)
def test_a_number_a_reader_reads_whole_is_refused_at_its_source_line(content: Path, body: str) -> None:
    path = write(content, body=body)
    assert any(e.startswith(f"{path}:15: 正文（body）") and MASKED in e for e in errors_of_check(content)), errors_of_check(content)


@pytest.mark.parametrize("title", ["联系电话138*00138000", "张三138*0013 8000的申请"])
def test_a_star_that_hides_no_digit_hides_no_number(content: Path, title: str) -> None:
    path = write(content, title=title)
    assert any(e.startswith(f"{path}:2: 标题（title）") and MASKED in e for e in errors_of_check(content))


def test_an_id_number_in_chinese_numerals_is_refused(content: Path) -> None:
    write(content, body="身份证号：一一〇一〇五一九四九一二三一〇〇二X。")
    assert any("110105********002X" in e for e in errors_of_check(content))


@pytest.mark.parametrize(
    "body",
    ["编码 a3f13800138000b4 与 ABC123DEF13800138000（代码中的数字）。", "共 13,800,138,000 元。", "二〇一九年十二月三十一日前完成，第一三八条。", "①本条 ②第二款", "1,380,013,800 人次", "10：30 至 12：00"],
)
def test_amounts_dates_and_list_marks_stay_allowed(content: Path, body: str) -> None:
    write(content, body=body)
    assert errors_of_check(content) == []


def test_a_keyword_list_the_page_joins_is_read_joined(content: Path) -> None:
    path = write(content, extra='keywords: ["联系1380013", "8000"]\n')
    assert any(e.startswith(f"{path}:12: 主题词（keywords") and MASKED in e for e in errors_of_check(content))


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("site.yaml", 'organiser: "办公室\\u0031\\u0033\\u0038\\u0030\\u0030\\u0031\\u0033\\u0038\\u0030\\u0030\\u0030"\n'),
        ("site.yaml", "organiser: |\n  联系人电话1380013\n  8000。\n"),
        ("site.yaml", 'organiser: "电话138**0013**8000"\n'),
    ],
)
def test_values_of_every_yaml_file_are_read_as_shown(content: Path, file: str, text: str) -> None:
    target = content / file
    target.write_text(target.read_text(encoding="utf-8").replace("organiser:", "old_organiser:") + text, encoding="utf-8")
    lines = target.read_text(encoding="utf-8").replace("old_organiser:", "#").splitlines()
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert any(e.startswith(f"{target}:") and MASKED in e for e in errors_of_check(content)), errors_of_check(content)


def test_the_output_gate_reads_atom_feeds(tmp_path: Path) -> None:
    staging, live = tmp_path / "staging", tmp_path / "live"
    (staging / "feeds").mkdir(parents=True)
    live.mkdir()
    entry = "&lt;p&gt;电话 138&lt;b&gt;0013&lt;/b&gt;8000&lt;/p&gt;"
    (staging / "feeds" / "all.atom").write_text(
        f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">{entry}</content></entry></feed>', encoding="utf-8"
    )
    with pytest.raises(ContentInvalid) as refused:
        check_output(staging, live, tmp_path / "content")
    assert any("all.atom" in p.path for p in refused.value.problems)


def test_two_footer_fields_are_never_read_as_one_number(content: Path, tmp_path: Path) -> None:
    """网站标识码 1306000000 and an ICP value starting with 1 once read as the mobile number 13060000001."""
    site = content / "site.yaml"
    lines = [line for line in site.read_text(encoding="utf-8").splitlines() if not line.startswith(("site_code:", "icp:"))]
    site.write_text("\n".join([*lines, 'site_code: "1306000000"', 'icp: "1号"']) + "\n", encoding="utf-8")
    assert errors_of_check(content) == []
    build_site(Settings(content_dir=content, output_dir=tmp_path / "site", progress=False, use_cache=False))
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<li>网站标识码：1306000000</li><li>1号</li>" in home


def test_csv_cells_stay_apart_although_prose_commas_join(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("编号,数量\n1380013,8000\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("电话 138,0013,8000\n", encoding="utf-8")
    problems = pd.scan_other_files(tmp_path, AllowList(tmp_path))
    assert [(Path(p.path).name, p.is_error) for p in problems] == [("b.txt", True)]


def test_a_reversed_number_in_bdo_is_published_as_written(tmp_path: Path) -> None:
    """<bdo dir=rtl> would show 00083100831 as 13800138000: the sanitiser drops the element, keeping its text."""
    from disclosure.core.markdown_html import render

    assert "bdo" not in render('电话<bdo dir="rtl">00083100831</bdo>。')
