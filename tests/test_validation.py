"""Every bad input of issue 2 gets one exact `path:line: 字段（key）: 说明` line, all at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from disclosure.core import strict_yaml

HEADER = """---
title: 测试文件
index_number: "130600001/2020-00001"
agency: 保定市人民政府
written: 2020-01-02
published: 2020-01-03
category: 综合政务/政务公开
"""

CASES = {
    "duplicate-key": (
        HEADER + "title: 又一个标题\n---\n正文\n",
        ["documents/x.md:8: 标题（title）: 键重复：第 2 行和第 8 行都写了 title，请只保留一个"],
    ),
    "impossible-date": (
        HEADER.replace("written: 2020-01-02", "written: 2024-02-30").replace("2020-01-03", "2024-03-01")
        + "---\n正文\n",
        ["documents/x.md:5: 成文日期（written）: 日期不存在：2024-02-30"],
    ),
    "bad-date-format": (
        HEADER.replace("published: 2020-01-03", "published: 2020/1/3") + "---\n",
        ["documents/x.md:6: 发布日期（published）: 日期格式应为 YYYY-MM-DD，如 2009-04-03（实为“2020/1/3”）"],
    ),
    "alias": (
        HEADER + "keywords: &k [a, b]\nsummary: *k\n---\n",
        [
            "documents/x.md:8: 主题词（keywords）: 不允许使用 YAML 锚点和别名（& 与 *），请直接写出内容",
            "documents/x.md:9: 内容概述（summary）: 不允许使用 YAML 锚点和别名（& 与 *），请直接写出内容",
        ],
    ),
    "python-tag": (
        HEADER + 'summary: !!python/object/apply:os.system ["id"]\n---\n',
        ["documents/x.md:8: 内容概述（summary）: 不允许使用 YAML 标签（tag:yaml.org,2002:python/object/apply:os.system），请去掉标签"],
    ),
    "fullwidth-colon": (
        HEADER + "标题：年度报告\n---\n",
        ["documents/x.md:8: YAML 格式（yaml）: 使用了全角冒号“：”：键和值之间请用半角冒号加空格，如 title: 标题"],
    ),
    "ideographic-indent": (
        HEADER + "attachments:\n\u3000- {file: a.pdf, title: 附件}\n---\n",
        ["documents/x.md:9: 附件（attachments）: 行首有全角空格（U+3000）：缩进请用半角空格"],
    ),
    "no-boolean": (
        HEADER + "disclosure: no\n---\n",
        ["documents/x.md:8: 公开方式（disclosure）: 应为以下之一：主动公开（实为“no”）"],
    ),
    "unknown-key": (
        HEADER + "titel: 错字\n---\n",
        ["documents/x.md:8: 字段（titel）: 未知字段“titel”，是否应为 title？"],
    ),
    "chinese-key": (
        HEADER + "发文字号: 保政〔2020〕1号\n---\n",
        ["documents/x.md:8: 字段（发文字号）: 未知字段“发文字号”：键请用英文，“发文字号”应写作 doc_number"],
    ),
    "missing-required": (
        "---\ntitle: 只有标题\n---\n",
        [
            "documents/x.md:2: 发布机构（agency）: 缺少必填字段",
            "documents/x.md:2: 主题分类（category）: 缺少必填字段",
            "documents/x.md:2: 索引号（index_number）: 缺少必填字段",
            "documents/x.md:2: 发布日期（published）: 缺少必填字段",
            "documents/x.md:2: 成文日期（written）: 缺少必填字段",
        ],
    ),
    "published-before-written": (
        HEADER.replace("published: 2020-01-03", "published: 2019-12-31") + "---\n",
        ["documents/x.md:6: 发布日期（published）: 发布日期 2019-12-31 早于成文日期 2020-01-02"],
    ),
    "unknown-agency": (
        HEADER.replace("agency: 保定市人民政府", "agency: 保定市人民政府办公厅") + "---\n",
        ["documents/x.md:4: 发布机构（agency）: “保定市人民政府办公厅”不在 agencies.yaml 中；最接近的是“保定市人民政府”"],
    ),
    "short-agency-name": (
        HEADER.replace("agency: 保定市人民政府", "agency: 保定市政府") + "---\n",
        ["documents/x.md:4: 发布机构（agency）: “保定市政府”是简称；发布机构请写全称“保定市人民政府”"],
    ),
    "unknown-category": (
        HEADER.replace("综合政务/政务公开", "综合政务/政府公开") + "---\n",
        ["documents/x.md:7: 主题分类（category）: “综合政务/政府公开”不在 categories.yaml 中；最接近的是“综合政务/政务公开”"],
    ),
    "duplicate-index-number": (
        HEADER.replace("130600001/2020-00001", "000014349/2018-00204") + "---\n",
        ["documents/x.md:3: 索引号（index_number）: 索引号“000014349/2018-00204”与 documents/2018/guobanhan-2018-71.md:3 重复"],
    ),
    "same-url": (
        HEADER.replace("130600001/2020-00001", "000014349-2018/00999") + "---\n",
        None,  # checked below: the pattern error comes first for this shape
    ),
    "missing-basis-ref": (
        HEADER + "---\n",
        None,
    ),
    "repealed-without-basis": (
        HEADER + "validity: 废止\nvalidity_date: 2021-01-01\n---\n",
        ["documents/x.md:8: 废止依据（repealed_by）: 有效性为“废止”时必须写废止依据（废止本件的记录的索引号或标题）"],
    ),
    "doc-number-with-di": (
        HEADER + "doc_number: 保政〔2020〕第1号\n---\n",
        ["documents/x.md:8: 发文字号（doc_number）: 发文字号“保政〔2020〕第1号”的序号前不加“第”（GB/T 9704），应写作 保政〔2020〕1号"],
    ),
    "javascript-link": (
        HEADER + "---\n正文\n\n[点击](javascript:alert(1))\n",
        ["documents/x.md:11: 正文（body）: 链接使用了不安全的协议“javascript:”，发布时会被移除；请改用 http(s) 链接"],
    ),
    "no-front-matter": (
        "标题：没有元数据\n正文\n",
        ["documents/x.md:1: 前置元数据（front_matter）: 文件必须以前置元数据开头：第一行写 ---，接着写 键: 值，再以 --- 结束"],
    ),
    "unclosed-front-matter": (
        HEADER + "正文\n",
        ["documents/x.md:1: 前置元数据（front_matter）: 前置元数据没有结束：请在元数据之后单独一行写 ---"],
    ),
    "control-character": (
        HEADER.replace("title: 测试文件", 'title: "测试\\u202e文件"') + "---\n",
        ["documents/x.md:2: 标题（title）: 含有不可见的控制字符 U+202E（RIGHT-TO-LEFT OVERRIDE），请删除（可能是从别处粘贴带入的）"],
    ),
    "missing-attachment": (
        HEADER + "attachments:\n  - {file: 不存在.pdf, title: 附件一}\n---\n",
        ["documents/x.md:9: 附件文件（attachments[0].file）: 附件文件“不存在.pdf”不存在（应放在 documents/ 目录下）"],
    ),
    "attachment-outside": (
        HEADER + "attachments:\n  - {file: ../../site.yaml, title: 附件一}\n---\n",
        ["documents/x.md:9: 附件文件（attachments[0].file）: 附件“../../site.yaml”必须是与本文件同一目录下的文件名，不能含路径"],
    ),
}


def errors_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": 警告：" not in line and line.count(":") >= 2 and "（" in line]


@pytest.mark.parametrize("case", [c for c, (_, expected) in CASES.items() if expected])
def test_bad_input_gets_the_exact_message(case: str, content: Path, run, monkeypatch) -> None:
    text, expected = CASES[case]
    (content / "documents" / "x.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    assert errors_of(err) == expected
    assert "Traceback" not in err
    assert err.splitlines()[-2].startswith(f"共 {len(expected)} 个错误")


def test_all_problems_of_a_run_are_listed_at_once(content: Path, run, monkeypatch) -> None:
    for name in ("impossible-date", "duplicate-key", "unknown-agency"):
        (content / "documents" / f"{name}.md").write_text(CASES[name][0].replace("2020-00001", f"2020-0000{len(name) % 9}"), encoding="utf-8")
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    assert len(errors_of(err)) == 3  # the unknown agency is checked though other files have errors (issue 14)
    (content / "documents" / "impossible-date.md").unlink()
    (content / "documents" / "duplicate-key.md").unlink()
    (content / "documents" / "unknown-agency.md").write_text(
        CASES["unknown-agency"][0] + "summary: 1\n".join(["", ""]), encoding="utf-8"
    )
    status, err = run("check", "--content", ".")
    assert status == 1 and len(errors_of(err)) == 1


def test_two_index_numbers_with_one_url(content: Path, run, monkeypatch) -> None:
    (content / "site.yaml").write_text(
        (content / "site.yaml").read_text(encoding="utf-8") + 'index_number_pattern: "^.+$"\n', encoding="utf-8"
    )
    (content / "documents" / "x.md").write_text(CASES["same-url"][0], encoding="utf-8")
    (content / "documents" / "y.md").write_text(
        HEADER.replace("130600001/2020-00001", "000014349/2018/00999") + "---\n", encoding="utf-8"
    )
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    assert errors_of(err) == [
        "documents/y.md:3: 索引号（index_number）: 与 documents/x.md:3 的记录会生成同一个网址 /records/000014349-2018-00999/，请更正索引号"
    ]


def test_basis_ref_must_name_a_record_on_the_site(content: Path, run, monkeypatch) -> None:
    founding = content / "decisions" / "2009" / "founding.md"
    founding.write_text(founding.read_text(encoding="utf-8").replace('ref: "130600001/2018-00012"', 'ref: "130600001/2018-00099"'), encoding="utf-8")
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    assert errors_of(err) == [
        "decisions/2009/founding.md:12: 依据链接（basis[1].ref）: 本站没有索引号为“130600001/2018-00099”的记录"
    ]


def test_gbk_file_is_reported_not_garbled(content: Path, run, monkeypatch) -> None:
    (content / "documents" / "gbk.md").write_bytes((HEADER + "---\n中文正文\n").encode("gbk"))
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    assert errors_of(err) == [
        "documents/gbk.md:2: 文件编码（encoding）: 文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码（中文 Windows 默认）；请用 UTF-8 另存后再提交"
    ]


def test_bom_and_crlf_are_tolerated(content: Path, run, monkeypatch) -> None:
    text = "\ufeff" + (HEADER + "---\r\n正文\r\n").replace("\n", "\r\n")
    (content / "documents" / "bom.md").write_bytes(text.encode("utf-8"))
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 0, err


def test_doc_number_variants_are_normalised_with_a_warning(content: Path, run, monkeypatch) -> None:
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 0
    assert (
        "decisions/2009/founding.md:5: 发文字号（doc_number）: 警告：发文字号“保发(2009)9号”已规范为“保发〔2009〕9号”"
        "（年份用六角括号〔〕，数字用半角），请在源文件中改正"
    ) in err.splitlines()


def test_yaml_1_1_values_keep_the_string_written() -> None:
    located, problems = strict_yaml.load(
        "a: no\nb: 0755\nc: 1.10\nd: 1:20\ne: yes\nf: 2024-01-05\ng: ~\nh: ''\n", "x.md"
    )
    assert problems == []
    assert located is not None
    assert located.value == {"a": "no", "b": "0755", "c": "1.10", "d": "1:20", "e": "yes", "f": "2024-01-05", "g": None, "h": ""}
    assert located.lines[("d",)] == 4


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(7)
    )
    located, problems = strict_yaml.load(bomb, "bomb.md")
    assert located is None
    assert [str(p) for p in problems] == ["bomb.md:1: 字段（a）: 不允许使用 YAML 锚点和别名（& 与 *），请直接写出内容"]


def test_check_never_writes(content: Path, run, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    status, _ = run("check", "--content", content)
    assert status == 0
    assert sorted(os.listdir(tmp_path)) == ["content"]


def test_a_bad_byte_after_a_bom_is_reported_on_its_own_line(content: Path, run, monkeypatch) -> None:
    text = (HEADER + "---\n正文第一段\n").encode("utf-8")
    (content / "documents" / "bom-gbk.md").write_bytes(b"\xef\xbb\xbf" + text + "第二段".encode("gbk") + b"\n")
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    assert errors_of(err)[0].startswith("documents/bom-gbk.md:10: 文件编码（encoding）: 文件不是 UTF-8 编码")


def test_a_yaml_error_leaves_the_other_keys_checked_but_a_huge_front_matter_is_not_read_in_pieces() -> None:
    from disclosure.core import strict_yaml

    text = "title: a: b\nwritten: 2024-02-30\nkeywords: [x\n"
    recovered = strict_yaml.recover(text, "x.md", 2)
    assert recovered.located.value == {"written": "2024-02-30"}
    assert recovered.broken == {"title", "keywords"}
    assert [(p.line, p.key) for p in recovered.problems] == [(2, "title"), (4, "keywords")]
    huge = "title: a: b\n" + "k: v\n" * (strict_yaml.MAX_BYTES // 4)
    assert strict_yaml.load(huge, "x.md")[0] is None
    assert strict_yaml.recover(huge, "x.md").located.value is None
