"""The allow list (`content/personal_data_allow.yaml`): numbers published on purpose, by hash only.

A 值班手机 or an office's public number may be published when a person has reviewed it:
the file names each such number only by the SHA-256 of its normalised value
(`python build.py allow-number` computes it, `disclosure/cli/allow_number.py`), with a
reason and a reviewer, optionally for one file. A number written in the file itself is
an error. The scans (`disclosure/rules/personal_data.py`) and the last gate over the
output (`disclosure/outputs/output_gate.py`) ask `AllowList.admits`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from disclosure.core.problems import Problem, error
from disclosure.core.yaml_files import read_yaml_file, validate_list
from disclosure.rules.personal_numbers import Finding, locate, scan_text

ALLOW_FILE = "personal_data_allow.yaml"


class AllowEntry(BaseModel):
    """One number published on purpose (a 值班手机 …), named only by its hash."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    sha256: str
    reason: str
    reviewer: str
    file: str | None = None

    @field_validator("sha256")
    @classmethod
    def _hash_only(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
            raise ValueError("应为号码的 SHA-256 摘要（64 位十六进制），请用 python build.py allow-number 计算；不要写号码本身")
        return value.lower()

    @field_validator("reason", "reviewer")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("不能为空")
        return value


@dataclass(frozen=True)
class AllowList:
    """The reviewed numbers of content/personal_data_allow.yaml."""

    root: Path | None = None
    entries: tuple[AllowEntry, ...] = ()

    def admits(self, finding: Finding, path: Path | None) -> bool:
        """Return True when an entry names this number (for this file, if the entry says one)."""
        for entry in self.entries:
            if entry.sha256 != finding.sha256:
                continue
            if entry.file is None or path is None or self.root is None:
                return True
            try:
                if path.resolve().relative_to(self.root.resolve()).as_posix() == entry.file.strip("/"):
                    return True
            except ValueError:
                continue
        return False


def load_allow_list(root: Path) -> tuple[AllowList, list[Problem]]:
    """Return the allow-list of content folder `root` (empty when the file is absent) and its problems."""
    path = root / ALLOW_FILE
    if not path.is_file():
        return AllowList(root), []
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = [
        error(path, line, "file", f.message(column, "允许名单只能写号码的 SHA-256 摘要（用 python build.py allow-number 计算），不能写号码本身"))
        for f, line, column in locate(text, scan_text(text), 1)
        if f.severity == "error"
    ]
    located, found = read_yaml_file(path)
    problems += found
    if located is None or located.value is None:
        return AllowList(root), problems
    entries, found = validate_list(AllowEntry, located, path, "应为列表：每项以 - 开头，写 sha256、reason、reviewer")
    return AllowList(root, tuple(entry for _, entry in entries)), problems + found
