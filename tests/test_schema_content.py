"""`build.py schema` accepts every record the build accepts and lists the content's agencies and
categories (issue 14: it rejected 32 of the 34 sample records and listed neither)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, REPO
from disclosure.cli.schema import front_matter_schema
from disclosure.core.sources import read_source
from disclosure.kinds import KINDS
from disclosure.site.content import read_config

SITES = [REPO / "content", FIXTURES / "valid", FIXTURES / "lists", FIXTURES / "cases", FIXTURES / "publishing"]


def schema_of(content: Path) -> dict:
    _, agencies, categories, _ = read_config(content)
    return front_matter_schema(tuple(a.name for a in agencies), tuple(c.path for c in categories))


def front_matter(path: Path) -> dict:
    """Return the front matter as an editor's YAML parser reads it (dates and numbers typed), as JSON."""
    source, _ = read_source(path)
    assert source is not None
    return json.loads(json.dumps(yaml.safe_load(source.front_matter), default=str))


@pytest.mark.parametrize("content", SITES, ids=lambda p: p.name)
def test_every_record_of_a_site_validates(content: Path) -> None:
    schema = schema_of(content)
    refused = []
    for kind in KINDS:
        validator = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{kind.name}"})
        for path in sorted((content / kind.folder).rglob("*.md")):
            errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(front_matter(path))]
            refused += [f"{path.relative_to(content)}: {e}" for e in errors]
    assert refused == []


def test_the_schema_lists_agencies_and_categories_and_refuses_others() -> None:
    content = REPO / "content"
    schema = schema_of(content)
    document = schema["$defs"]["document"]
    agency = json.dumps(document["properties"]["agency"], ensure_ascii=False)
    assert "保定市人民政府" in agency
    assert "综合政务/政务公开" in document["properties"]["category"]["enum"]
    validator = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/document"})
    record = front_matter(next((content / "documents").rglob("*.md")))
    assert not list(validator.iter_errors(record))
    for key, value in (("agency", "保定市政府"), ("agency", ["保定市政府"]), ("category", "综合政务/不存在")):
        assert list(validator.iter_errors({**record, key: value})), (key, value)
