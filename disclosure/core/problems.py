"""Problems found in content, carried as data and printed as `path:line: 字段（key）: 说明`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from disclosure.core.labels import label_for

Severity = Literal["error", "warning"]


def display_path(path: str | Path) -> str:
    """Return `path` relative to the working directory when it lies below it, else as given."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if rel.startswith("..") else rel


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a warning) in one content file."""

    path: str
    line: int
    key: str
    message: str
    severity: Severity = "error"
    kind: str | None = None  # the kind of record it was found in: its keys are labelled from that kind's table

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "警告："
        return f"{self.path}:{self.line}: {label_for(self.key, self.kind)}（{self.key}）: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error(path: str | Path, line: int, key: str, message: str) -> Problem:
    """Return an error problem for `path` (shown relative to the working directory)."""
    return Problem(display_path(path), line, key, message, "error")


def warning(path: str | Path, line: int, key: str, message: str) -> Problem:
    """Return a warning problem for `path`."""
    return Problem(display_path(path), line, key, message, "warning")


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Return the problems ordered by file and line, errors and warnings interleaved."""
    return sorted(problems, key=lambda p: (p.path, p.line, p.key, p.message))


class ContentInvalid(Exception):
    """Raised by the pipeline when content has errors; carries every problem of the run."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{sum(p.is_error for p in problems)} 个错误")
        self.problems = problems


def summary_line(problems: Iterable[Problem]) -> str:
    """Return the closing count line, e.g. `共 3 个错误，1 个警告。`."""
    items = list(problems)
    errors = sum(p.is_error for p in items)
    return f"共 {errors} 个错误，{len(items) - errors} 个警告。"
