"""Docs that cannot drift: every front-matter key is documented and labelled in Chinese."""

from __future__ import annotations

import re
import typing

from pydantic import BaseModel

from conftest import REPO
from disclosure.core.labels import LABELS, label_for
from disclosure.kinds import KINDS

GUIDE = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")


def models_of(model: type[BaseModel], prefix: str = "") -> list[tuple[str, type[BaseModel]]]:
    """Return (key path, model) for `model` and every model nested in its fields."""
    found = [(prefix, model)]
    for name, field in model.model_fields.items():
        key = field.alias or name
        for arg in typing.get_args(field.annotation) or (field.annotation,):
            for inner in typing.get_args(arg) or (arg,):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found += models_of(inner, f"{prefix}{key}.")
    return found


def test_every_key_of_every_kind_is_in_the_authoring_guide() -> None:
    missing = [
        f"{kind.name}: {prefix}{field.alias or name}"
        for kind in KINDS
        for prefix, model in models_of(kind.model)
        for name, field in model.model_fields.items()
        if f"`{field.alias or name}`" not in GUIDE
    ]
    assert missing == []


def test_every_key_has_a_chinese_label() -> None:
    unlabelled = [
        f"{kind.name}: {prefix}{field.alias or name}"
        for kind in KINDS
        for prefix, model in models_of(kind.model)
        for name, field in model.model_fields.items()
        if not field.title and label_for(f"{prefix}{field.alias or name}") == "字段"
    ]
    assert unlabelled == []
    assert all(label and label != "字段" for label in LABELS.values())


def test_readme_shows_the_two_commands_and_every_subcommand() -> None:
    assert "make run" in README and "make test" in README
    for command in ("build", "check", "serve", "new", "schema"):
        assert f"python build.py {command}" in README


def test_every_test_named_in_the_security_page_exists() -> None:
    page = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:tests/[\w/]+\.py::)?(test_\w+)", page))
    defined = {
        name for path in (REPO / "tests").glob("test_*.py") for name in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    assert len(named) > 40
    assert sorted(named - defined) == []
