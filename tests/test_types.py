"""Type checking: `make test` runs mypy over disclosure/ and search/ (pyproject.toml
[tool.mypy]); here, every type-ignore comment left in the repository names its error
code and says after it why it stays, and mypy stays wired into `make test`."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO

FOLDERS = ("disclosure", "search", "tests", "bench")
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z, -]+\])?(?P<after>.*)$")
REASON = re.compile(r"^\s+#\s*\S")


def python_files() -> list[Path]:
    """Return the repository's own Python files (build.py and the folders above)."""
    return [REPO / "build.py", *(p for folder in FOLDERS for p in sorted((REPO / folder).rglob("*.py")))]


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    bare = []
    for path in python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found = IGNORE.search(line)
            if found and (not found.group("codes") or not REASON.match(found.group("after"))):
                bare.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not bare, "type: ignore without [code] and a reason after it:\n" + "\n".join(bare)


def test_make_test_runs_mypy_over_the_packages() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "-m mypy disclosure search" in target
