"""`build.py new KIND`: for every kind a file that passes every rule but the fields a person must
fill, each marked 【待填写：<label>】 and refused as 尚未填写 by check and build until filled."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES, tree_digest
from disclosure.core.labels import label_for
from disclosure.kinds import KINDS

Run = Callable[..., tuple[int, str]]
DAY = "2024-03-01"
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<label>.+?)（(?P<key>[A-Za-z0-9_.\[\]-]+)）: (?P<message>.*)$")
MARKER = re.compile(r"【待填写：([^】]+)】")

# What a person must write in a new file of each kind (the keys reported as 尚未填写, in file order).
TO_FILL = {
    "document": ["title", "body"],
    "decision": ["title", "matter", "basis[0].title", "stages[0].summary", "body"],
    "approval": [
        "title",
        "items[0].name",
        "items[0].implementing_agency",
        "items[0].basis",
        "items[0].action",
        "body",
    ],
    "power": [
        "title",
        "code",
        "power_type",
        "basis[0].law",
        "basis[0].article",
        "fee",
        "supervision.phone",
        "steps[0].post",
        "steps[1].post",
        "steps[2].post",
        "body",
    ],
}
# Values a person would write; any other label gets 示例<label>.
FILLED = {"权力类型": "行政许可", "处理决定": "取消", "监督电话": "0312-0000014", "权力编码": "130600001-XK-009"}


def errors_of(err: str) -> list[re.Match[str]]:
    """Return the parsed error lines (not warnings) of a check's stderr."""
    found = [LINE.match(line) for line in err.splitlines()]
    return [m for m in found if m and not m["message"].startswith("警告")]


def new_file(run: Run, content: Path, kind: str) -> Path:
    status, err = run("new", kind, "--agency", "保定市政府", "--content", content, "--date", DAY)
    assert status == 0, err
    made = sorted((content / next(k.folder for k in KINDS if k.name == kind) / DAY[:4]).glob("*.md"))
    assert len(made) == 1
    return made[0]


@pytest.mark.parametrize("kind", [kind.name for kind in KINDS])
def test_new_file_of_every_kind_is_refused_only_for_what_a_person_must_fill(
    content: Path, run: Run, kind: str, tmp_path: Path
) -> None:
    path = new_file(run, content, kind)
    text = path.read_text(encoding="utf-8")
    status, err = run("check", "--content", content)
    assert status == 1
    errors = errors_of(err)
    assert [e["key"] for e in errors] == TO_FILL[kind], err
    lines = text.splitlines()
    for e in errors:
        assert Path(e["path"]).name == path.name
        assert e["message"].startswith("尚未填写")
        assert e["label"] == label_for(e["key"], kind)
        # the marker names the same label, on the line reported
        assert f"【待填写：{e['label']}】" in lines[int(e["line"]) - 1]
    assert f"共 {len(TO_FILL[kind])} 个错误" in err

    filled = MARKER.sub(lambda m: FILLED.get(m[1], f"示例{m[1]}"), text)
    path.write_text(filled, encoding="utf-8")
    status, err = run("check", "--content", content)
    assert status == 0, err
    site = tmp_path / "site"
    status, err = run("build", "--content", content, "--output", site)
    assert status == 0, err
    assert [p for p in site.rglob(f"{path.stem}*") if p.is_dir() or p.suffix == ".html"], "the record was not published"
    assert not [p for p in site.rglob("*") if p.is_file() and "待填写".encode() in p.read_bytes()]


# A marker anywhere a value or a body can be: (file, text to find, text to put instead, key reported).
HOSTILE = [
    ("documents/2018/*.md", "title: ", "title: 【待填写：标题】", "title"),
    ("documents/2018/*.md", "keywords: [政府网站, 集约化]", "keywords: [政府网站, 【待填写：主题词】]", "keywords[1]"),
    ("documents/2018/*.md", "summary: 确定", "summary: 【 待 填 写 】确定", "summary"),
    ("documents/2018/*.md", "written: 2018-10-27", "written: \"【待填写：成文日期】\"", "written"),
    ("documents/2018/*.md", "published: 2018-11-09\n", "published: 2018-11-09\nvalidity: 【待填写：有效性】\n", "validity"),
    ("documents/2018/new-rules.md", "title: 主动公开目录}", "title: 【待填写：附件名称】}", "attachments[0].title"),
    ("documents/2018/new-rules.md", "note: 更正", "note: 【待填写：更新说明】更正", "changes[0].note"),
    ("documents/2018/*.md", "title: ", "title: \"[待填写]\"\n# ", "title"),
    ("documents/2018/*.md", "title: ", "title: ［待\u200b填写：标题］", "title"),
    ("documents/2018/*.md", "title: ", "title: 〖待填写〗", "title"),
    ("documents/2018/*.md", "\n---\n", "\n---\n```\n【待填写：正文】\n```\n", "body"),
    ("documents/2018/*.md", "\n---\n", "\n---\n<!-- 【待填写：正文】 -->\n", "body"),
    ("documents/2018/*.md", "\n---\n", "\n---\n[链接](https://example.gov.cn/【待填写】)\n", "body"),
    ("pages/about.md", "\n---\n", "\n---\n（待填写：关于本站）\n", "body"),
    ("pages/about.md", "title: 关于本站", "title: 【待填写：标题】", "title"),
    ("site.yaml", "organiser: 测试单位", "organiser: 【待填写：主办单位】", "organiser"),
    ("decisions/2009/*.md", "outcome: 建立", "outcome: 【待填写：决策结果】建立", "outcome"),
]


def _edit(content: Path, pattern: str, find: str, put: str) -> Path:
    path = sorted(content.glob(pattern))[0]
    text = path.read_text(encoding="utf-8")
    assert find in text, (pattern, find)
    path.write_text(text.replace(find, put, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("pattern", "find", "put", "key"), HOSTILE)
def test_a_marker_in_any_field_or_body_is_refused(content: Path, run: Run, pattern: str, find: str, put: str, key: str) -> None:
    path = _edit(content, pattern, find, put)
    status, err = run("check", "--content", content)
    assert status == 1
    refused = [e for e in errors_of(err) if e["message"].startswith("尚未填写")]
    assert [(Path(e["path"]).name, e["key"]) for e in refused] == [(path.name, key)], err
    # the marker's line, not the file's first line
    line = int(refused[0]["line"])
    assert re.search(r"待.{0,3}填", path.read_text(encoding="utf-8").splitlines()[line - 1])


def test_a_marker_in_a_csv_item_is_refused(tmp_path: Path, run: Run) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "lists", content)
    csv = sorted(content.glob("approvals/**/*.csv"))[0]
    rows = csv.read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    cells = rows[1].split(",")
    cells[header.index("项目名称")] = "【待填写：项目名称】"
    csv.write_text("\n".join([rows[0], ",".join(cells), *rows[2:]]) + "\n", encoding="utf-8")
    status, err = run("check", "--content", content)
    assert status == 1
    refused = [e for e in errors_of(err) if e["message"].startswith("尚未填写")]
    assert [(Path(e["path"]).name, e["line"], e["key"], e["label"]) for e in refused] == [
        (csv.name, "2", "items[0].name", "项目名称")
    ], err


def test_build_with_a_marker_publishes_nothing_and_keeps_the_site(content: Path, run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run("build", "--content", content, "--output", site)[0] == 0
    before = tree_digest(site)
    new_file(run, content, "power")
    status, err = run("build", "--content", content, "--output", site)
    assert status == 1 and "尚未填写" in err and "未发布" in err
    assert tree_digest(site) == before
