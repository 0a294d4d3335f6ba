"""`python build.py schema`: the JSON Schema of every kind's front matter, with Chinese titles.

Editors (VS Code's YAML extension and others) validate front matter while staff type.

`--output FILE` replaces only a schema this tool wrote (its `x-generator` key says so), never
a content file, a file of the repository or any other file; the file is written whole to a
temporary file beside it and renamed into place, so it is never seen half written.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from disclosure.core.output_guard import REPOSITORY, git_work_tree
from disclosure.kinds import KINDS
from disclosure.site.content import read_config

GENERATOR = "yangguang-gongkai schema"
TITLE = "阳光公开 记录前置元数据"
_KEEP = "已拒绝，未改动任何文件；请另选一个新文件名，如 front-matter.schema.json"


SCALARS = ("string", "number", "integer", "boolean")


def front_matter_schema(agencies: tuple[str, ...] = (), categories: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return one schema document: a definition per kind, selected by folder in `x-folders`.

    It accepts what the build accepts (`lenient`), and with the content's agencies and
    category paths it lists them, so an editor can offer them.
    """
    kinds: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    for kind in KINDS:
        schema = kind.model.model_json_schema(mode="validation")
        # nested models (Attachment, Stage …) are referenced as #/$defs/<name>: hoist them
        shared.update(schema.pop("$defs", {}))
        properties = schema.get("properties", {})
        if agencies and "agency" in properties:
            properties["agency"]["items"]["enum"] = list(agencies)
        if categories and "category" in properties:
            properties["category"]["enum"] = list(categories)
        kinds[kind.name] = schema
    shared = {name: lenient(node) for name, node in shared.items()}
    kinds = {name: lenient(node) for name, node in kinds.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": TITLE,
        "x-generator": GENERATOR,  # how `schema --output` recognises a file it may replace
        "description": "content/<类别目录>/ 下每个 .md 文件开头 --- 之间的 YAML。按目录选择对应的定义。",
        "x-folders": {kind.folder: f"#/$defs/{kind.name}" for kind in KINDS},
        "$defs": {**shared, **kinds},
        "anyOf": [{"$ref": f"#/$defs/{name}"} for name in kinds],
    }


def lenient(node: Any) -> Any:
    """Return a schema node that accepts what strict YAML and the models accept: any scalar where
    text is asked (the build reads every scalar as text: `number: 1`, `title: 2019`), and one
    value where a list of scalars is asked (`agency: 保定市人民政府`, `keywords: 审批`)."""
    if isinstance(node, list):
        return [lenient(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: lenient(value) for key, value in node.items()}
    if node.get("type") == "string" and "enum" not in node and "const" not in node:
        node["type"] = list(SCALARS)
    items = node.get("items")
    if node.get("type") == "array" and isinstance(items, dict) and (items.get("enum") or set(_types(items)) <= set(SCALARS)):
        return {"anyOf": [node, items], **{k: node[k] for k in ("title", "description", "default") if k in node}}
    return node


def _types(node: dict[str, Any]) -> list[str]:
    found = node.get("type", [])
    return [found] if isinstance(found, str) else list(found) if found else ["?"]


def is_own_schema(path: Path) -> bool:
    """Return whether the file at `path` is a schema this tool wrote (now or by an earlier version)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and (
        document.get("x-generator") == GENERATOR or (document.get("title") == TITLE and "x-folders" in document)
    )


def is_tracked(path: Path) -> bool:
    """Return whether `path` is a file git tracks in the work tree holding it."""
    tree = git_work_tree(path.parent)
    if tree is None:
        return False
    try:
        found = subprocess.run(
            ["git", "-C", str(tree), "ls-files", "--error-unmatch", "--", str(path.relative_to(tree))],
            capture_output=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return False
    return found.returncode == 0


def target_refusal(output: Path, content: Path) -> str | None:
    """Return why the schema may not be written to `output`, or None when it may."""
    shown = f"输出文件 {output}"
    if output.is_symlink():
        return f"{shown} 是符号链接，{_KEEP}。"
    target = output.resolve()
    if target.is_dir():
        return f"{shown} 是一个目录，不是文件，{_KEEP}。"
    if not target.parent.is_dir():
        return f"{shown} 所在的目录 {target.parent} 不存在，{_KEEP}。"
    if target.is_relative_to(content.resolve()):
        return f"{shown} 位于内容目录 {content} 之内，会覆盖或混入内容文件，{_KEEP}。"
    if ".git" in target.parts:
        return f"{shown} 位于 git 仓库数据目录 .git 之内，{_KEEP}。"
    if target == REPOSITORY / "build.py" or (target.is_relative_to(REPOSITORY / "disclosure")):
        return f"{shown} 是本工具的程序文件，{_KEEP}。"
    if is_tracked(target):
        return f"{shown} 是 git 仓库中登记的文件，{_KEEP}。"
    if os.path.lexists(target) and not (target.is_file() and is_own_schema(target)):
        return f"{shown} 已存在，且不是本工具生成的 JSON Schema（没有 \"x-generator\": \"{GENERATOR}\"），{_KEEP}。"
    return None


def write_atomically(target: Path, text: str) -> None:
    """Write `text` to a temporary file beside `target`, then rename it into place."""
    temporary = target.parent / f".{target.name}.tmp-{secrets.token_hex(4)}"
    try:
        with temporary.open("x", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.lexists(temporary):
            temporary.unlink()


def write_schema(output: str, content: str = "content") -> int:
    """Write the schema to `output` ('-' for stdout); return the exit status."""
    _, agencies, categories, _ = read_config(Path(content)) if Path(content, "site.yaml").is_file() else (None, (), (), [])
    text = json.dumps(
        front_matter_schema(tuple(a.name for a in agencies), tuple(c.path for c in categories)), ensure_ascii=False, indent=2
    ) + "\n"
    if output == "-":
        sys.stdout.write(text)
        return 0
    refused = target_refusal(Path(output), Path(content))
    if refused:
        print(refused, file=sys.stderr)
        return 1
    try:
        write_atomically(Path(output).resolve(), text)
    except OSError as exc:
        print(f"写入 {output} 时出错：{exc.strerror or exc}。未改动原文件。", file=sys.stderr)
        return 1
    print(f"已写入 {output}", file=sys.stderr)
    return 0
