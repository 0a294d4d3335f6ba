"""`check` lists every problem in one run (issue 14): one fixture folder with many mistakes in
several files, and the real command line run once as staff run it.

Before, a YAML error hid the rest of its file, a bad value hid the rules of its record, any
record error hid the checks across records (unknown agency, duplicate 索引号, dangling links)
and the timeliness warnings, and a CSV error hid an agency error in another file: the folder
below took one run per stage. Now every line below comes out of one run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO, tree_digest

TODAY = "2026-01-10"
ID_NUMBER = "110101199003074514"  # a valid check digit: the scan refuses it as a 居民身份证号码

# file → its text; the mistakes are listed in EXPECTED below
FILES = {
    # a YAML syntax error, a second one in another block, a bad date in a block that parses,
    # and an ID number in the body: all four from one file
    "documents/2025/broken-yaml.md": f"""---
title: 关于印发: 保定市政务公开工作要点的通知
index_number: "130600001/2025-00001"
agency: 保定市人民政府
written: 2025-02-30
published: 2025-03-03
category: 综合政务/政务公开
keywords: [政务公开, 工作要点
---
联系人身份证号 {ID_NUMBER}。
""",
    # three mistakes of three stages: a bad value, a rule across fields, a 简称 as agency
    "documents/2025/three-mistakes.md": """---
title: 保定市政府信息公开工作制度
index_number: "130600001/2025-00002"
agency: 保定市政府
written: 2025-03-05
published: 2025-03-01
category: 综合政务/政务公开
validity: 作废
---
正文。
""",
    # a duplicate 索引号 (the power check.md has it) and an unknown category
    "documents/2025/duplicate.md": """---
title: 保定市政务公开考核办法
index_number: "130600013/2020-00022"
agency: 保定市市场监督管理局
written: 2025-04-01
published: 2025-04-02
category: 综合政务/不存在
---
正文。
""",
    # a sound record published 37 working days after it was written: a timeliness warning
    "documents/2025/late.md": """---
title: 保定市市场监管领域政务公开目录
index_number: "130600013/2025-00003"
agency: 保定市市场监督管理局
written: 2025-01-06
published: 2025-03-04
category: 综合政务/政务公开
---
正文。
""",
    # an unknown agency and a link to a record the site does not have
    "interpretations/2025/dangling.md": """---
title: 《保定市政务公开考核办法》解读
index_number: "130600013/2025-00004"
agency: 保定市教育局
written: 2025-04-02
published: 2025-04-02
category: 综合政务/政务公开
interprets: "130600013/2025-09999"
---
解读正文。
""",
    # a bad value beside a kind's own rule: a flow to a step that does not exist
    "powers/broken-flow.md": """---
title: 食品生产许可
index_number: "130600013/2020-00023"
agency: 保定市市场监督管理局
written: 2020-04-01
published: 2020-04-01
category: 综合政务/政务公开
code: "130600013-XK-002"
power_type: 行政许可
basis:
  - law: 中华人民共和国食品安全法
    article: 第三十五条
legal_limit_days: 二十
fee: 不收费
supervision:
  phone: "0312-0000013"
steps:
  - id: shouli
    name: 受理
    post: 窗口
    limit_days: 1
  - id: shencha
    name: 审查
    post: 食品生产监管科
    limit_days: 10
flow:
  - from: shouli
    to: shencha
  - from: shencha
    to: shenpi
---
说明。
""",
    # a misspelled folder: nothing under it is read
    "decision/2025/plan.md": "---\ntitle: 放错文件夹的决策\n---\n",
}

EXPECTED = [
    "content/documents/2025/broken-yaml.md:2: 标题（title）: YAML 格式错误：此处不能出现“: ”",
    "content/documents/2025/broken-yaml.md:5: 成文日期（written）: 日期不存在：2025-02-30",
    "content/documents/2025/broken-yaml.md:8: 主题词（keywords）: YAML 格式错误",
    "content/documents/2025/broken-yaml.md:10: 正文（body）: ",
    "content/documents/2025/three-mistakes.md:8: 有效性（validity）: 应为以下之一：有效、失效、废止（实为“作废”）",
    "content/documents/2025/three-mistakes.md:6: 发布日期（published）: 发布日期 2025-03-01 早于成文日期 2025-03-05",
    "content/documents/2025/three-mistakes.md:4: 发布机构（agency）: “保定市政府”是简称；发布机构请写全称“保定市人民政府”",
    "content/powers/check.md:3: 索引号（index_number）: 索引号“130600013/2020-00022”与 content/documents/2025/duplicate.md:3 重复",
    "content/documents/2025/duplicate.md:7: 主题分类（category）: “综合政务/不存在”不在 categories.yaml 中",
    "content/documents/2025/late.md:6: 发布日期（published）: 警告：",
    "content/interpretations/2025/dangling.md:4: 发布机构（agency）: “保定市教育局”不在 agencies.yaml 中",
    "content/interpretations/2025/dangling.md:8: 解读对象（interprets）: 本站没有索引号为“130600013/2025-09999”的记录",
    "content/powers/broken-flow.md:13: 法定时限（legal_limit_days）: 应为整数（实为“二十”）",
    "content/powers/broken-flow.md:30: 终点步骤（flow[1].to）: 流程中的步骤编号“shenpi”不存在；已有的步骤：shouli、shencha",
    # the case list whose CSV has a bad row is still checked against its power: 双公示 of the other rows
    "content/cases/2025/licence-2025-q4.csv:4: 办结日期（cases.finished）: 警告：双公示：行政许可办件“XK-003”",
    "content/cases/2025/licence-2025-q4.csv:3: 办结日期（cases[1].finished）: 日期“2025-09-31”无效",
    "content/evaluations/2025.yaml:8: 得分（evaluations[1].score）: 得分 188 高于满分 100",
    "content/decision:1: 文件（file）: 警告：不认识的文件夹“decision/”",
]


def write_mistakes(content: Path) -> None:
    """Write the files above into a copy of the cases fixture, a CSV row and an evaluation wrong."""
    for name, text in FILES.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    csv = content / "cases/2025/licence-2025-q4.csv"
    csv.write_text(
        csv.read_text(encoding="utf-8").replace("2025-09-19,准予许可", "2025-09-31,准予许可", 1),
        encoding="utf-8",
    )
    evaluations = content / "evaluations/2025.yaml"
    evaluations.write_text(
        evaluations.read_text(encoding="utf-8").replace("score: 88", "score: 188"), encoding="utf-8"
    )


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `build.py` as staff do, in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_one_check_run_lists_every_problem_and_build_keeps_the_site(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "cases", content)
    built = run_cli("build", "--content", "content", "--output", "site", "--today", TODAY, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    before = tree_digest(tmp_path / "site")
    write_mistakes(content)

    checked = run_cli("check", "--content", "content", "--today", TODAY, cwd=tmp_path)
    lines = checked.stderr.splitlines()
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    missing = [want for want in EXPECTED if not any(line.startswith(want) for line in lines)]
    assert missing == [], checked.stderr
    assert len(EXPECTED) >= 15
    # each problem once: no line repeated, and the count line counts them all
    problems = [line for line in lines if line.startswith("content/")]
    assert len(problems) == len(set(problems)), checked.stderr
    errors = sum("警告：" not in line for line in problems)
    assert f"共 {errors} 个错误，{len(problems) - errors} 个警告。" in lines

    rebuilt = run_cli("build", "--content", "content", "--output", "site", "--today", TODAY, cwd=tmp_path)
    assert rebuilt.returncode == 1
    assert "Traceback" not in rebuilt.stderr
    assert sorted(rebuilt.stderr.splitlines()[: len(problems)]) == sorted(problems)  # the same list
    assert tree_digest(tmp_path / "site") == before


def test_the_sample_content_checks_clean() -> None:
    checked = run_cli("check", "--content", "content", cwd=REPO)
    assert checked.returncode == 0, checked.stderr
    assert "Traceback" not in checked.stderr
    assert checked.stderr == "" or "共 0 个错误" in checked.stderr.splitlines()[-1]  # warnings allowed
