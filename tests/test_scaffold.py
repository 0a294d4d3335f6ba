"""`build.py new KIND`: for every kind a file that passes every rule but the fields a person must
fill, each marked 【待填写：<label>】 and refused as 尚未填写 by check and build until filled."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import build
from conftest import FIXTURES, tree_digest
from disclosure.core.labels import label_for, labels_of
from disclosure.kinds import KIND_BY_NAME, KINDS

Run = Callable[..., tuple[int, str]]
DAY = "2024-03-01"
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<label>.+?)（(?P<key>[A-Za-z0-9_.\[\]-]+)）: (?P<message>.*)$")
MARKER = re.compile(r"【待填写：([^】]+)】")

# Values a person would write where a free text is not enough; a field with choices gets its
# first choice (from the kind's model), a link (解读对象) the 索引号 of a record of the fixture,
# any other label 示例<label>.
FILLED = {
    "监督电话": "0312-0000014",
    "权力编码": "130600001-XK-009",
    "解读对象": "000014349/2018-00204",
    "权力事项": "130600014-XK-001",  # a case list's power: in the lists fixture
    "办件表（CSV）": "cases.csv",  # written beside it by the test (header only)
}
CSV_BESIDE = {"case": "办件编号,申请人类型,申请人,受理日期,办结日期,办理结果,决定文书号\n"}
# records a kind's links need in the valid fixture: a case list names a power item by its code
NEEDED = {
    "case": (
        "powers/2020/licence.md",
        "---\ntitle: 建设工程规划许可证核发\nindex_number: \"130600001/2020-00901\"\nagency: 保定市人民政府\n"
        "written: 2020-03-02\npublished: 2020-03-02\ncategory: 综合政务\ncode: \"130600014-XK-001\"\n"
        "power_type: 行政许可\nbasis:\n  - {law: 中华人民共和国行政许可法, article: 第四十二条}\nfee: 不收费\n"
        "supervision: {phone: \"0312-0000014\"}\nsteps:\n  - {id: shouli, name: 受理, post: 窗口受理岗}\n---\n正文。\n",
    ),
}


def field_schema(kind: str, key: str) -> dict[str, Any]:
    """Return the JSON schema of the front-matter field `key` (items[0].action) of `kind`'s model."""
    schema = KIND_BY_NAME[kind].model.model_json_schema()
    defs = schema.get("$defs", {})

    def plain(node: dict[str, Any]) -> dict[str, Any]:
        while True:
            if "$ref" in node:
                node = defs[node["$ref"].rsplit("/", 1)[-1]]
            elif "anyOf" in node:
                node = next(n for n in node["anyOf"] if n.get("type") != "null")
            elif node.get("type") == "array" and "items" in node:
                node = node["items"]
            else:
                return node

    node = plain(schema)
    for part in re.sub(r"\[\d+\]", "", key).split("."):
        node = plain(node.get("properties", {}).get(part, {}))
    return node


def fill_value(kind: str, key: str, label: str) -> str:
    """Return what a person might write for `key`: its first choice, a known value or 示例<label>."""
    node = field_schema(kind, key)
    choices = node.get("enum") or ([node["const"]] if "const" in node else [])
    return str(choices[0]) if choices else FILLED.get(label, f"示例{label}")


def markers_of(text: str) -> list[tuple[int, str]]:
    """Return (line, label) of every 待填写 marker in a file, in file order."""
    return [(n, found) for n, line in enumerate(text.splitlines(), 1) for found in MARKER.findall(line)]


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
    markers = markers_of(text)
    assert (1 + text.splitlines().index("---", 1) + 1, labels_of(kind)["body"]) in markers  # the body
    assert any(label == labels_of(kind)["title"] for _, label in markers)
    status, err = run("check", "--content", content)
    assert status == 1
    errors = errors_of(err)
    # one 尚未填写 error per marker, at its line, with the marker's label; nothing else refused
    assert [(int(e["line"]), e["label"]) for e in errors] == markers, err
    for e in errors:
        assert Path(e["path"]).name == path.name
        assert e["message"].startswith("尚未填写")
        assert e["label"] == label_for(e["key"], kind)
    assert f"共 {len(markers)} 个错误" in err

    values = iter([fill_value(kind, e["key"], e["label"]) for e in errors])
    filled = MARKER.sub(lambda m: next(values), text)
    path.write_text(filled, encoding="utf-8")
    if kind in CSV_BESIDE:  # a file the record names beside it, which `new` leaves to the person
        (path.parent / FILLED["办件表（CSV）"]).write_text(CSV_BESIDE[kind], encoding="utf-8")
    if kind in NEEDED:  # the record its link names
        needed = content / NEEDED[kind][0]
        needed.parent.mkdir(parents=True, exist_ok=True)
        needed.write_text(NEEDED[kind][1], encoding="utf-8")
    status, err = run("check", "--content", content)
    assert status == 0, err
    site = tmp_path / "site"
    status, err = run("build", "--content", content, "--output", site)
    assert status == 0, err
    assert [p for p in site.rglob(f"{path.stem}*") if p.is_dir() or p.suffix == ".html"], "the record was not published"
    assert not [p for p in site.rglob("*") if p.is_file() and "待填写".encode() in p.read_bytes()]


def test_new_offers_every_kind_of_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build.main(["new", "no-such-kind", "--agency", "保定市政府"])
    offered = re.search(r"choose from (.*)\)", capsys.readouterr().err)
    assert offered, "new names its kinds"
    assert re.findall(r"'?([\w-]+)'?", offered[1]) == [kind.name for kind in KINDS]


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
