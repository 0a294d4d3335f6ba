"""`build.py schema` accepts every record the build accepts and lists the content's agencies and
categories (issue 14: it rejected 32 of the 34 sample records and listed neither)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, REPO
from disclosure.cli.schema import front_matter_schema
from disclosure.core.problems import ContentInvalid, display_path
from disclosure.core.sources import read_source
from disclosure.kinds import KINDS
from disclosure.pipeline import Settings, check_site
from disclosure.site.content import read_config

# every content folder of the repository: the sample and each fixture site
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SITES = [REPO / "content", *sorted(p.parent for p in FIXTURES.rglob("site.yaml"))]


def schema_of(content: Path) -> dict:
    _, agencies, categories, _ = read_config(content)
    return front_matter_schema(tuple(a.name for a in agencies), tuple(c.path for c in categories))


def front_matter(path: Path) -> dict:
    """Return the front matter as an editor's YAML parser reads it (dates and numbers typed), as JSON."""
    source, _ = read_source(path)
    assert source is not None
    return json.loads(json.dumps(yaml.safe_load(source.front_matter), default=str))


def refused_by_check(content: Path) -> set[str]:
    """Return the files `check` reports an error in (a fixture may hold a record refused on purpose)."""
    try:
        check_site(Settings(content_dir=content, progress=False, use_cache=False))
    except ContentInvalid as invalid:
        return {p.path for p in invalid.problems if p.is_error}
    return set()


@pytest.mark.parametrize("content", SITES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_record_check_accepts_validates(content: Path) -> None:
    schema = schema_of(content)
    refused = refused_by_check(content)
    wrong, checked = [], 0
    for kind in KINDS:
        validator = jsonschema.Draft202012Validator(
            {"$defs": schema["$defs"], "$ref": f"#/$defs/{kind.name}"}
        )
        for path in sorted((content / kind.folder).rglob("*.md")):
            if display_path(path) in refused:
                continue
            checked += 1
            errors = [
                f"{'.'.join(map(str, e.path))}: {e.message}"
                for e in validator.iter_errors(front_matter(path))
            ]
            wrong += [f"{path.relative_to(content)}: {e}" for e in errors]
    assert wrong == []
    assert checked or not any((content / k.folder).is_dir() for k in KINDS)


def test_the_sites_hold_records_of_every_kind_and_few_are_refused() -> None:
    """The test above is not empty: most records of most sites are checked, each kind somewhere."""
    kinds = {k.folder for site in SITES for k in KINDS if any((site / k.folder).rglob("*.md"))}
    assert kinds == {k.folder for k in KINDS}
    assert len(SITES) >= 10


def test_every_property_has_a_chinese_title_and_description() -> None:
    schema = schema_of(REPO / "content")
    missing = []
    for name, model in schema["$defs"].items():
        assert CHINESE.search(model["title"]) and CHINESE.search(model["description"]), name
        for key, prop in model["properties"].items():
            for field in ("title", "description"):
                if not CHINESE.search(prop.get(field, "")):
                    missing.append(f"{name}.{key}.{field}")
    assert missing == []
    written = schema["$defs"]["document"]["properties"]["written"]["description"]
    assert "必填" in written and "YYYY-MM-DD" in written
    assert "可不写" in schema["$defs"]["document"]["properties"]["validity"]["description"]


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
