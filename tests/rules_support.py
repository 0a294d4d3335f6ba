"""Helpers for the disclosure-rule tests: a copy of the rules fixture site, loaded for real."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from disclosure.core.problems import ContentInvalid
from disclosure.pipeline import Outcome, Settings, check_site

RULES = Path(__file__).parent / "fixtures" / "rules"
TODAY = date(2026, 11, 27)


def copy_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "site") -> Path:
    """Copy `fixtures/rules/<name>` to tmp_path and chdir there, so problems print as `site.yaml:3: …`."""
    target = tmp_path / name
    shutil.copytree(RULES / name, target)
    monkeypatch.chdir(target)
    return target


def load(root: Path, today: date = TODAY) -> Outcome:
    """Return the validated site of `root` (raises ContentInvalid on errors)."""
    return check_site(Settings(content_dir=root, today=today, progress=False, use_cache=False))


def problems_of(root: Path, today: date = TODAY) -> list[str]:
    """Return every problem line of a check of `root`, errors or warnings, sorted."""
    try:
        outcome = load(root, today)
    except ContentInvalid as invalid:
        return sorted(str(p) for p in invalid.problems)
    return sorted(str(p) for p in outcome.warnings)


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in the file at `path`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
