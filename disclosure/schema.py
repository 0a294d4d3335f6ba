"""`python build.py schema`: the JSON Schema of every kind's front matter, with Chinese titles.

Editors (VS Code's YAML extension and others) validate front matter while staff type.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from disclosure.kinds import KINDS


def front_matter_schema() -> dict[str, Any]:
    """Return one schema document: a definition per kind, selected by folder in `x-folders`."""
    kinds: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    for kind in KINDS:
        schema = kind.model.model_json_schema(mode="validation")
        # nested models (Attachment, Stage …) are referenced as #/$defs/<name>: hoist them
        shared.update(schema.pop("$defs", {}))
        kinds[kind.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "阳光公开 记录前置元数据",
        "description": "content/<类别目录>/ 下每个 .md 文件开头 --- 之间的 YAML。按目录选择对应的定义。",
        "x-folders": {kind.folder: f"#/$defs/{kind.name}" for kind in KINDS},
        "$defs": {**shared, **kinds},
        "anyOf": [{"$ref": f"#/$defs/{name}"} for name in kinds],
    }


def write_schema(output: str) -> int:
    """Write the schema to `output` ('-' for stdout); return the exit status."""
    text = json.dumps(front_matter_schema(), ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        print(f"已写入 {output}", file=sys.stderr)
    return 0
