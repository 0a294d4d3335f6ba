"""Whole-file YAML documents of content/ (site.yaml, holidays.yaml …) and their top-level lists.

One reader for every such file (`read_yaml_file`) and one way to validate a list whose
items are models (`validate_list`): every item is validated on its own, so one bad item
does not hide the others, and each problem's key is prefixed with the item's index
(`[2].name`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar, overload

from pydantic import BaseModel

from disclosure.core.problems import Problem, error
from disclosure.core.sources import read_text
from disclosure.core.strict_yaml import Located, load
from disclosure.core.validation import validate_model

M = TypeVar("M", bound=BaseModel)
NOT_A_LIST = "应为列表：每项以 - 开头"


def read_yaml_file(path: Path) -> tuple[Located | None, list[Problem]]:
    """Return a whole-file YAML document (site.yaml …), or None and the problems."""
    if not path.is_file():
        return None, [error(path, 1, "file", "缺少此文件")]
    text, problems = read_text(path)
    if text is None:
        return None, problems
    return load(text, str(path))


def list_item(located: Located, index: int) -> Located:
    """Return item `index` of a top-level list as a document of its own (key paths without the index)."""
    lines = {p[1:]: line for p, line in located.lines.items() if p[:1] == (index,)}
    return Located(located.value[index], lines)


@overload
def validate_list(
    model: type[M], located: Located, path: Path, not_a_list: str = ..., strings: Literal[False] = ...
) -> tuple[list[tuple[int, M]], list[Problem]]: ...


@overload
def validate_list(
    model: type[M], located: Located, path: Path, not_a_list: str = ..., *, strings: Literal[True]
) -> tuple[list[tuple[int, M | str]], list[Problem]]: ...


def validate_list(
    model: type[M], located: Located, path: Path, not_a_list: str = NOT_A_LIST, strings: bool = False
) -> tuple[list[tuple[int, M]], list[Problem]] | tuple[list[tuple[int, M | str]], list[Problem]]:
    """Return (index, item) for every valid item of a top-level YAML list, and the problems.

    A document that is no list is one problem (`not_a_list`, what the file should hold);
    with `strings`, an item written as plain text is kept as it is (a category's name).
    """
    if not isinstance(located.value, list):
        return [], [error(path, located.line_of(()), "file", not_a_list)]
    items: list[tuple[int, M | str]] = []
    problems: list[Problem] = []
    for i, value in enumerate(located.value):
        if strings and isinstance(value, str):
            items.append((i, value))
            continue
        item, found = validate_model(model, list_item(located, i), path, f"第 {i + 1} 项")
        problems += [_prefixed(p, i) for p in found]
        if item is not None:
            items.append((i, item))
    return items, problems


def _prefixed(problem: Problem, index: int) -> Problem:
    """Return `problem` of a list item with its key under the item's index (`name` → `[2].name`)."""
    key = problem.key if problem.key not in ("front_matter", "yaml") else ""
    return Problem(problem.path, problem.line, f"[{index}]" + (f".{key}" if key else ""), problem.message, problem.severity)
