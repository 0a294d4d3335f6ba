"""Labels per kind: a key's label in a message is the title of that kind's field, as in the schema."""

from __future__ import annotations

import json
import re
import shutil
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from test_docs import models_of

from conftest import FIXTURES
from disclosure.kinds import KINDS

Run = Callable[..., tuple[int, str]]
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<label>.+?)（(?P<key>[A-Za-z0-9_.\[\]-]+)）: ")


def _inner(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """Return the model nested in a field's annotation (if any) and whether the field is a list."""
    is_list = typing.get_origin(annotation) is tuple
    for arg in typing.get_args(annotation) or (annotation,):
        for inner in typing.get_args(arg) or (arg,):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner, is_list or typing.get_origin(arg) is tuple
    return None, False


def wrong_everywhere(model: type[BaseModel]) -> dict[str, Any]:
    """Return front matter giving every key of `model`, nested ones too, a value of the wrong type."""
    value: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        inner, is_list = _inner(field.annotation)
        nested = wrong_everywhere(inner) if inner else None
        value[field.alias or name] = ([nested] if is_list else nested) if nested else {"错": 1}
    return value


def container_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Return the key paths of every field that holds a nested model (attachments, steps.risks …)."""
    found: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        inner, _ = _inner(field.annotation)
        if inner:
            found += [(*prefix, field.alias or name), *container_paths(inner, (*prefix, field.alias or name))]
    return found


def wrong_at(model: type[BaseModel], path: tuple[str, ...]) -> dict[str, Any]:
    """Return front matter whose field at `path` is a number where a mapping or list is expected."""
    field = next(f for n, f in model.model_fields.items() if (f.alias or n) == path[0])
    if len(path) == 1:
        return {path[0]: 7}
    inner, is_list = _inner(field.annotation)
    assert inner is not None
    nested = wrong_at(inner, path[1:])
    return {path[0]: [nested] if is_list else nested}


def schema_titles(kind: str, schema: dict[str, Any]) -> dict[str, str]:
    """Return key path → title from the JSON Schema `build.py schema` printed, for one kind."""
    titles: dict[str, str] = {}
    defs = schema["$defs"]

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, prop in node.get("properties", {}).items():
            titles[prefix + key] = prop["title"]
            refs = re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(prop))
            for ref in dict.fromkeys(refs):
                walk(defs[ref], f"{prefix}{key}.")

    walk(defs[kind], "")
    return titles


def test_every_key_of_every_kind_is_labelled_in_messages_as_in_its_schema(tmp_path: Path, run: Run) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    for kind in KINDS:
        folder = content / kind.folder / "2020"
        folder.mkdir(parents=True, exist_ok=True)
        front = json.dumps(wrong_everywhere(kind.model), ensure_ascii=False, indent=1)  # JSON is YAML
        (folder / "wrong.md").write_text(f"---\n{front}\n---\n正文\n", encoding="utf-8")
        for n, path in enumerate(container_paths(kind.model)):
            front = json.dumps(wrong_at(kind.model, path), ensure_ascii=False, indent=1)
            (folder / f"wrong-{n}.md").write_text(f"---\n{front}\n---\n正文\n", encoding="utf-8")
    assert run("schema", "--output", tmp_path / "schema.json")[0] == 0
    schema = json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))
    status, err = run("check", "--content", content)
    assert status == 1
    reported: dict[str, dict[str, str]] = {kind.name: {} for kind in KINDS}
    for match in filter(None, map(LINE.match, err.splitlines())):
        kind = next((k.name for k in KINDS if f"/{k.folder}/2020/wrong" in match["path"]), None)
        if kind:
            reported[kind][re.sub(r"\[\d+\]", "", match["key"])] = match["label"].strip()
    for kind in KINDS:
        titles = schema_titles(kind.name, schema)
        keys = [f"{prefix}{f.alias or n}" for prefix, model in models_of(kind.model) for n, f in model.model_fields.items()]
        model_titles = {key: title for key, title in zip(keys, [f.title for _, m in models_of(kind.model) for f in m.model_fields.values()], strict=True)}
        assert model_titles == titles, kind.name  # the schema is the models' titles
        missing = [key for key in keys if key not in reported[kind.name]]
        assert missing == [], (kind.name, err)
        wrong = {key: (reported[kind.name][key], title) for key, title in titles.items() if reported[kind.name][key] != title}
        assert wrong == {}, kind.name


def test_a_key_two_kinds_share_takes_each_kind_s_label(tmp_path: Path, run: Run) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "lists", content)
    power = content / "powers" / "licence.md"
    text = power.read_text(encoding="utf-8")
    power.write_text(text.replace("  - law: 中华人民共和国城乡规划法\n", "  - lawx: 中华人民共和国城乡规划法\n", 1).replace('code: "130600014-XK-001"\n', ""), encoding="utf-8")
    agencies = content / "agencies.yaml"
    agencies.write_text(re.sub(r"\n  code: [^\n]+", "", agencies.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    status, err = run("check", "--content", content)
    assert status == 1
    assert "设定依据（basis[0].lawx）" in err or "法律法规名称（basis[0].law）" in err
    assert "法律法规名称（basis[0].law）: 缺少必填字段" in err
    assert "权力编码（code）: 缺少必填字段" in err
    assert "机构代码（[0].code）: 缺少必填字段" in err or re.search(r"机构代码（\[\d+\]\.code）", err)
    assert "决策依据" not in err


def test_pages_show_each_kind_s_label(tmp_path: Path, run: Run) -> None:
    site = tmp_path / "site"
    assert run("build", "--content", FIXTURES / "feeds", "--output", site)[0] == 0
    power_kind = next(k for k in KINDS if k.name == "power")
    decision_kind = next(k for k in KINDS if k.name == "decision")
    pages = {p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert any(f"<th scope=\"row\">{power_kind.model.model_fields['basis'].title}</th>" in page for page in pages)
    assert any(f"<h2>{decision_kind.model.model_fields['basis'].title}</h2>" in page for page in pages)
