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
        schema["title"] = f"{kind.label}（content/{kind.folder}/ 下的 .md 文件）"
        schema["description"] = f"{kind.label}的前置元数据：content/{kind.folder}/ 下每个 .md 文件开头两行 --- 之间的 YAML"
        kinds[kind.name] = schema
    shared = {name: lenient(node) for name, node in shared.items()}
    kinds = {name: lenient(node) for name, node in kinds.items()}
    _title_nested(shared, {**shared, **kinds})
    for node in (*shared.values(), *kinds.values()):
        described(node, shared)
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


def _title_nested(shared: dict[str, Any], models: dict[str, Any]) -> None:
    """Give each nested model (Step, Risk …) the Chinese title of the property that holds it: 办理环节（每项）."""
    for model in models.values():
        for prop in model.get("properties", {}).values():
            for alternative in _alternatives(prop):
                ref = (alternative.get("items") or {}).get("$ref") or alternative.get("$ref")
                name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
                if name in shared and not _is_chinese(shared[name].get("title", "")):
                    shared[name]["title"] = f"{prop['title']}（每项）" if "items" in alternative else prop["title"]
                    shared[name]["description"] = f"{prop['title']}的键: 值（写在 {prop['title']} 之下）"


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _alternatives(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the forms a property may take (one value or a list …), without `null`."""
    found = prop.get("anyOf", [prop])
    return [a for a in found if a.get("type") != "null"]


def described(model: dict[str, Any], shared: dict[str, Any]) -> None:
    """Give every property of `model` a Chinese description: what the kind says of it, then its rule
    (必填 or 可不写, the form of its value, its choices and limits, its default), as an editor shows it."""
    required = set(model.get("required", ()))
    for key, prop in model.get("properties", {}).items():
        forms = [_form(a, shared) for a in _alternatives(prop)]
        shown = forms[0] if len(forms) == 1 else f"{forms[1]}；或多项的列表" if len(forms) == 2 and "列表" in forms[0] else "；或".join(forms)
        parts = [prop.get("description"), "必填" if key in required else "可不写", shown]
        default = prop.get("default")
        if default not in (None, [], "", ()) and key not in required:
            parts.append(f"不写时为 {json.dumps(default, ensure_ascii=False).strip(chr(34))}")
        prop["description"] = "；".join(p for p in parts if p)
        for alternative in _alternatives(prop):
            if alternative is not prop and "title" not in alternative:
                alternative["title"] = prop["title"]


def _form(node: dict[str, Any], shared: dict[str, Any]) -> str:
    """Return the form of one value in Chinese: 日期, 整数, a choice, a list of …"""
    if "enum" in node:
        choices = node["enum"]
        return f"可选：{'、'.join(map(str, choices))}" if len(choices) <= 12 else f"从列表中选择（共 {len(choices)} 项）"
    if "const" in node:
        return f"只能是 {node['const']}"
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"键: 值 映射（{shared.get(name, {}).get('title', name)}）"
    types = _types(node)
    if "array" in types:
        items = node.get("items") or {}
        each = _form(items, shared) if items else "任意"
        limit = f"，至少 {node['minItems']} 项" if node.get("minItems", 0) > 1 else "，至少 1 项" if node.get("minItems") else ""
        return f"列表（每项一行，以 - 开头{limit}），每项：{each}"
    if node.get("format") == "date":
        return "日期，YYYY-MM-DD，如 2019-10-17"
    if types == ["boolean"]:
        return "true 或 false"
    if "integer" in types and "string" not in types:
        low, high = node.get("minimum"), node.get("maximum")
        return "整数" + (f"（{low}–{high}）" if low is not None and high is not None else "")
    if "number" in types and "string" not in types:
        return "数字"
    if "object" in types:
        return "键: 值 映射"
    longest = node.get("maxLength")
    return "文字" + (f"，最多 {longest} 字" if longest else "") + ("，不能为空" if node.get("minLength") else "")


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
