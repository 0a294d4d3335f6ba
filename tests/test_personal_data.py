"""Personal data (《政府信息公开条例》第十五条): every disguise blocks the build, no look-alike does.

Cases follow reliability research §6 "Test cases" 1–15 (case 14, address granularity, is
not implemented). Columns are counted in characters from 1 on the raw line, as editors
show them for Chinese text.

Policy decisions pinned here:
- Under-masked forms are warnings: a mobile is masked when its 4th–7th digits are `*`
  (138****8000), an ID when its birth date (7th–14th characters) is (110105********002X).
- Legacy 15-digit IDs, Luhn-only card numbers and 18-character strings that pass both the
  ID and the credit-code check (without 信用代码 nearby) are warnings.
- Word/Excel/OpenDocument, PDF, ZIP and text attachments (any encoding) are opened and their
  text scanned: an ID in 名单.xlsx blocks the build like one in the body. Images, OFD, old
  binary formats and scanned PDFs get a warning naming the file (tests/test_personal_data_output.py).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from disclosure.core.problems import ContentInvalid
from disclosure.kinds import KIND_BY_NAME
from disclosure.outputs.output_gate import check_output
from disclosure.rules import personal_data as pd
from disclosure.rules.personal_allow_list import AllowList, load_allow_list
from disclosure.rules.personal_numbers import (
    credit_code_valid,
    id_number_valid,
    luhn_valid,
    redact,
    scan_text,
)
from disclosure.site.content import validate_record_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path("tests/fixtures/personal_data")
RECORDS = FIXTURES / "records"
ARTICLE = "依《政府信息公开条例》第十五条不得公开；请打码或删除"
MINE = re.compile(r"未打码|打码不足|疑似|符合银行卡号校验|既符合身份证号|个人信息")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test from the repository root, so problems show `tests/fixtures/...` paths."""
    monkeypatch.chdir(ROOT)


def record_problems(name: str, allow: AllowList | None = None) -> list[str]:
    """Return the personal-data problems of one fixture record, as printed."""
    _, problems = validate_record_file(RECORDS / name, KIND_BY_NAME["document"], r"^.+/\d{4}-\d+$", allow)
    return [str(p) for p in problems if MINE.search(p.message)]


def _id(path: str, line: int, col: int, masked: str = "110105********002X", key: str = "正文（body）") -> str:
    return f"{path}:{line}: {key}: 第 {col} 列有未打码的身份证号 {masked}，{ARTICLE}"


R = str(RECORDS)


# ---------------------------------------------------------------- cases 1–3: each disguise blocks


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("id-body.md", [_id(f"{R}/id-body.md", 9, 6)]),  # case 1
        ("id-lowercase-x.md", [_id(f"{R}/id-lowercase-x.md", 9, 6)]),  # case 2
        ("id-fullwidth.md", [_id(f"{R}/id-fullwidth.md", 9, 6)]),
        ("id-spaced.md", [_id(f"{R}/id-spaced.md", 9, 6)]),
        ("id-zero-width.md", [_id(f"{R}/id-zero-width.md", 9, 6)]),
        ("id-html-comment.md", [_id(f"{R}/id-html-comment.md", 11, 12)]),
        ("id-table.md", [_id(f"{R}/id-table.md", 11, 8)]),
        ("id-link-url.md", [_id(f"{R}/id-link-url.md", 9, 47)]),
        ("id-front-matter.md", [_id(f"{R}/id-front-matter.md", 8, 23, key="内容概述（summary）")]),
        (
            "名单-11010519491231002X.md",
            [
                f"{R}/名单-11010519491231002X.md:1: 文件（file）: 文件名中有未打码的身份证号 110105********002X，"
                "依《政府信息公开条例》第十五条不得公开；请改名"
            ],
        ),
        ("id-born-1880.md", [_id(f"{R}/id-born-1880.md", 9, 6, "440524********0014")]),  # case 3: no year floor
        (
            "yaml-escape.md",  # "\x31\x33…" in YAML: found in the parsed value, reported at the key
            [f"{R}/yaml-escape.md:8: 内容概述（summary）: 有未打码的手机号码 138****8000，{ARTICLE}"],
        ),
    ],
)
def test_id_disguises_are_errors(name: str, expected: list[str]) -> None:
    assert record_problems(name) == expected


def test_wrong_checksum_is_no_id() -> None:
    """Case 4: 11010519491231002Y and …0021 are not ID numbers."""
    assert record_problems("id-wrong-checksum.md") == []


def test_mobile_forms_are_errors() -> None:
    """Case 5: plain, +86 with spaces, hyphens, full-width with 86."""
    path = f"{R}/mobile.md"
    assert record_problems("mobile.md") == [
        f"{path}:9: 正文（body）: 第 4 列有未打码的手机号码 138****8000，{ARTICLE}",
        f"{path}:11: 正文（body）: 第 8 列有未打码的手机号码 138****8000，{ARTICLE}",
        f"{path}:13: 正文（body）: 第 4 列有未打码的手机号码 138****8000，{ARTICLE}",
        f"{path}:15: 正文（body）: 第 4 列有未打码的手机号码 86138****8000，{ARTICLE}",
    ]


def test_lookalikes_are_not_flagged() -> None:
    """Case 6: landlines, hotlines, 400/800, dates, postcodes, 文号, 索引号, credit codes, order numbers."""
    assert record_problems("lookalikes.md") == []


@pytest.mark.parametrize(
    "text",
    [
        "010-12345678",
        "(0755)83456789",
        "12345",
        "12315",
        "400-810-1234",
        "800-810-1234",
        "20240105",
        "国办发〔2018〕23号",
        "索引号 000014349/2017-00110",
        "11100000000013127X",
        "91110000600037341L",
        "订单号 20240105138001380001",
        "邮编 100017",
        "电话 0312-0000000 传真 0312-0000001",
        "X13800138000",

    ],
)
def test_lookalike_strings(text: str) -> None:
    assert scan_text(text) == []


def test_masked_forms() -> None:
    """Case 7: masked is fine; under-masked is a warning (policy above)."""
    path = f"{R}/masked.md"
    assert record_problems("masked.md") == [
        f"{path}:10: 正文（body）: 警告：第 6 列的手机号码 138******** 打码不足：应遮盖中间 4 位（第 4–7 位）",
        f"{path}:11: 正文（body）: 警告：第 6 列的身份证号 110105************ 打码不足：应至少遮盖出生日期（第 7–14 位）",
    ]


def test_bank_cards() -> None:
    """Case 8: Luhn plus a keyword (or 62/4/5 prefix) is an error; Luhn alone a warning."""
    path = f"{R}/card.md"
    assert record_problems("card.md") == [
        f"{path}:9: 正文（body）: 第 6 列有未打码的银行卡号 6222***********0128，{ARTICLE}",
        f"{path}:11: 正文（body）: 警告：第 23 列的 19 位数字 3122***********0123 符合银行卡号校验，请核实；如是银行卡号，请打码或删除",
    ]
    assert [f.kind for f in scan_text("6222 0212 3456 7890 128")] == ["card"]


def test_legacy_id_and_credit_code_lookalike_are_warnings() -> None:
    assert record_problems("legacy-id.md") == [
        f"{R}/legacy-id.md:9: 正文（body）: 警告：第 7 列疑似旧版 15 位身份证号 110105******002，请核实；如是，请打码或删除"
    ]
    assert record_problems("credit-code-ambiguous.md") == [
        f"{R}/credit-code-ambiguous.md:9: 正文（body）: 警告：第 4 列的 110105********0279 既符合身份证号校验，"
        "也符合统一社会信用代码校验；如是身份证号，请打码或删除"
    ]


# ---------------------------------------------------------------- the algorithms


def test_checksums_match_the_standards() -> None:
    assert id_number_valid("11010519491231002X")
    assert id_number_valid("440524188001010014")
    assert id_number_valid("360426199101010071")
    assert id_number_valid("120103198806018241")
    assert id_number_valid("513101198201130014")  # the worked example: S = 184 → 4
    assert not id_number_valid("360426199101010072")
    assert not id_number_valid("110105194912310021")
    assert not id_number_valid("990105194912310026")  # no province 99
    assert not id_number_valid("110105203001010010", today=date(2026, 1, 1))  # born in the future
    assert credit_code_valid("91110000600037341L")
    assert not credit_code_valid("91110000600037341M")
    assert luhn_valid("6222021234567890128")
    assert not luhn_valid("6222021234567890127")


def test_random_18_digit_strings_rarely_look_like_ids() -> None:
    """Case 9: 10⁵ random 18-digit strings give fewer than 10 ID findings (measured 5 in 200,000)."""
    rng = random.Random(20240105)
    text = "\n".join(f"编号{rng.randrange(10**17, 10**18)}" for _ in range(100_000))
    findings = scan_text(text, limit=100_000)
    assert sum(f.kind == "id" for f in findings) < 10


def test_messages_never_contain_the_number() -> None:
    for text in ("11010519491231002X", "13800138000", "银行卡号 6222021234567890128", "110105491231002"):
        for finding in scan_text(text):
            assert text[-11:] not in finding.message(3)
            assert not re.search(r"\d{7,}", finding.message(3).replace("第 3 列", ""))
    assert redact("身份证号 11010519491231002X，手机 13800138000") == "身份证号 110105********002X，手机 138****8000"


# ---------------------------------------------------------------- attachments (case 10) and other files


def test_attachments_and_other_files() -> None:
    """Case 10: an ID inside 名单.xlsx blocks; so do numbers in file names and CSV attachments."""
    root = FIXTURES / "attachments"
    problems = [str(p) for p in pd.scan_other_files(root, AllowList(root))]
    assert problems == [
        f"{root}/名单.xlsx:1: 文件（file）: 附件内容中有未打码的身份证号 110105********002X，{ARTICLE}（xl/sharedStrings.xml）",
        f"{root}/张三-13800138000.pdf:1: 文件（file）: 文件名中有未打码的手机号码 138****8000，"
        "依《政府信息公开条例》第十五条不得公开；请改名",
        f"{root}/张三-13800138000.pdf:1: 文件（file）: 警告：PDF 无法解析（可能已损坏），无法提取文字，未能检查其中的个人信息；请人工核查后再发布",
        f"{root}/申请登记.csv:3: 文件（file）: 第 6 列有未打码的手机号码 138****8000，{ARTICLE}",
    ]


# ---------------------------------------------------------------- allow-list (case 11)


def test_allow_list_by_hash_admits_the_number() -> None:
    root = FIXTURES / "allow"
    allow, problems = load_allow_list(root)
    assert problems == []
    assert allow.entries[0].reviewer == "王五（政务公开科）"
    _, found = validate_record_file(root / "documents/duty.md", KIND_BY_NAME["document"], ".*", allow)
    assert [p for p in found if MINE.search(p.message)] == []


def test_allow_list_entry_for_another_file_does_not_admit() -> None:
    root = FIXTURES / "allow-file"
    allow, problems = load_allow_list(root)
    assert problems == []
    _, found = validate_record_file(root / "documents/duty.md", KIND_BY_NAME["document"], ".*", allow)
    assert [str(p) for p in found if MINE.search(p.message)] == [
        f"{root}/documents/duty.md:9: 正文（body）: 第 8 列有未打码的手机号码 138****8000，{ARTICLE}"
    ]


def test_allow_list_with_the_plain_number_is_rejected() -> None:
    path = FIXTURES / "allow-plain" / "personal_data_allow.yaml"
    allow, problems = load_allow_list(path.parent)
    assert allow.entries == ()
    assert [str(p) for p in problems] == [
        f"{path}:1: 文件（file）: 第 12 列有未打码的手机号码 138****8000，依《政府信息公开条例》第十五条不得公开；"
        "允许名单只能写号码的 SHA-256 摘要（用 python build.py allow-number 计算），不能写号码本身",
        f"{path}:1: 号码摘要（[0].sha256）: 应为号码的 SHA-256 摘要（64 位十六进制），"
        "请用 python build.py allow-number 计算；不要写号码本身",
        f"{path}:4: 审核人（[1].reviewer）: 缺少必填字段",
    ]


def test_allow_number_command_prints_the_hash_only() -> None:
    result = subprocess.run(
        [sys.executable, "build.py", "allow-number"],
        input="+86 138-0013-8000\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"sha256: {hashlib.sha256(b'13800138000').hexdigest()}" in result.stdout
    assert "138****8000" in result.stderr
    assert "13800138000" not in result.stdout + result.stderr


# ---------------------------------------------------------------- the build (cases 1, 12, 13)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failing_build_logs_no_number_and_keeps_the_site(tmp_path: Path) -> None:
    """Cases 1 and 12: exit 1, masked messages only (also where another rule echoes a value), site untouched."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    record = (RECORDS / "id-body.md").read_text(encoding="utf-8")
    record = record.replace("category:", "validity: 11010519491231002X\ncategory:")  # echoed by the validity check
    (content / "documents" / "2019" / "pd-test.md").write_text(record, encoding="utf-8")
    site = tmp_path / "site"
    (site / "records").mkdir(parents=True)
    (site / ".yangguang-site").write_text("yangguang-gongkai site\n", encoding="utf-8")  # a site the tool made
    (site / "index.html").write_text("<p>上一次发布的网站</p>", encoding="utf-8")
    (site / "records" / "a.html").write_bytes(b"\x00\x01previous")
    before = _tree(site)

    result = subprocess.run(
        [sys.executable, "build.py", "build", "--content", str(content), "--output", str(site)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert result.returncode == 1
    assert "110105********002X" in result.stderr
    assert not re.search(r"\d{17,}", result.stdout + result.stderr)
    assert "Traceback" not in result.stderr
    assert _tree(site) == before
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_last_gate_scans_generated_output(tmp_path: Path) -> None:
    """Case 13: a number hidden from the source scan (an HTML entity) is caught in staging."""
    staging = tmp_path / "staging"
    (staging / "records" / "x").mkdir(parents=True)
    (staging / "records" / "x" / "index.html").write_text("<p>手机：&#49;3800138000</p>\n", encoding="utf-8")
    (staging / "feeds").mkdir()
    (staging / "feeds" / "all.xml").write_text("<item>电话 010-12345678</item>", encoding="utf-8")
    assert scan_text("手机：&#49;3800138000") == []  # why the gate exists
    with pytest.raises(ContentInvalid) as caught:
        check_output(staging, Path("site"), FIXTURES / "attachments")
    assert [str(p) for p in caught.value.problems] == [
        "site/records/x/index.html:1: 文件（file）: 生成结果第 7 列有未打码的手机号码 138****8000，"
        "依《政府信息公开条例》第十五条不得公开；源文件检查未发现，可能由模板拼接或转义产生；本次未发布"
    ]
    check_output(staging, Path("site"), FIXTURES / "allow")  # the allow-list applies to the gate too


def test_last_gate_skips_pages_hard_linked_from_the_live_site(tmp_path: Path) -> None:
    """Unchanged pages the freezer links from the live site passed the gate when they were published."""
    live, staging = tmp_path / "site", tmp_path / "staging"
    live.mkdir()
    staging.mkdir()
    (live / "old.html").write_text("<p>&#49;3800138000</p>", encoding="utf-8")
    os.link(live / "old.html", staging / "old.html")
    check_output(staging, live, FIXTURES / "attachments")
    (staging / "new.html").write_text("<p>&#49;3800138000</p>", encoding="utf-8")
    with pytest.raises(ContentInvalid) as caught:
        check_output(staging, live, FIXTURES / "attachments")
    assert [Path(p.path).name for p in caught.value.problems] == ["new.html"]


def test_build_refuses_a_number_hidden_by_an_entity(tmp_path: Path) -> None:
    """Case 13 end to end: an entity no longer hides a number from the source scan (reported at its line)."""
    from disclosure.pipeline import Settings, build_site

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    record = (RECORDS / "id-body.md").read_text(encoding="utf-8")
    record = record.replace("身份证号：11010519491231002X", "值班电话：&#49;3800138000")
    (content / "documents" / "2019" / "pd-entity.md").write_text(record, encoding="utf-8")
    output = tmp_path / "site"
    with pytest.raises(ContentInvalid) as caught:
        build_site(Settings(content_dir=content, output_dir=output, progress=False, use_cache=False))
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        f"{content}/documents/2019/pd-entity.md:9: 正文（body）: 第 6 列有未打码的手机号码 138****8000，{ARTICLE}{pd.SPLIT}"
    ]
    assert not output.exists()


def test_sample_content_has_no_personal_data() -> None:
    """The product's own content/ passes, and never carries the standards' example numbers."""
    root = ROOT / "content"
    allow, problems = load_allow_list(root)
    records = {p for p in root.rglob("*.md")}
    assert problems == []
    assert pd.scan_other_files(root, allow) == []  # every file, Markdown included, scanned raw
    for path in records:
        text = path.read_text(encoding="utf-8")
        assert scan_text(text) == [], path
        for example in ("11010519491231002X", "440524188001010014", "13800138000"):
            assert example not in text


# ---------------------------------------------------------------- performance (case 15)


def _document_20kb() -> str:
    """Return 20 KB of real government text (the corpus fixtures) with a contact block and a table."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests/fixtures/corpus").rglob("*.md")))
    text += "\n联系电话：0312-0000000；传真：0312-0000001；邮编：071000；12345 热线。\n\n| 序号 | 项目 | 金额（万元） | 日期 |\n"
    text += "".join(f"| {i} | 项目{i} | {i * 1234.5:.1f} | 2024-01-{i:02d} |\n" for i in range(1, 21))
    while len(text.encode()) < 20_000:
        text += text
    return text.encode()[:20_000].decode(errors="ignore")


def test_scan_speed() -> None:
    """Case 15: 10,000 documents of 20 KB scan in ≤ 10 s (CPU time, so a busy machine does not fail it)."""
    doc = _document_20kb()
    started = time.process_time()
    for i in range(10_000):
        scan_text(doc[i % 100 :] + doc[: i % 100])
    assert time.process_time() - started <= 10


def test_one_megabyte_of_digits_and_separators_is_linear() -> None:
    """No catastrophic backtracking: 1 MB runs of digits and separators scan in well under 3 s each."""
    rng = random.Random(15)
    runs = [
        "1" * 1_000_000,
        "1 " * 500_000,
        "".join(rng.choice("0123456789") + rng.choice(["", " ", "-", ".", "  ", "·", "\u200b"]) for _ in range(400_000)),
        ("1" + " " * 7) * 125_000,
    ]
    for run in runs:
        started = time.process_time()
        scan_text(run)
        assert time.process_time() - started < 3
