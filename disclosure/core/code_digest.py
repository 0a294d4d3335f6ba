"""The program's own fingerprint: no cache and no unchanged page outlives a change of the code."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("disclosure", "search")  # the Python this process runs
TEMPLATES = "templates"  # templates and static files, read by every build


def code_digest() -> str:
    """Return a digest of the program: its Python packages, read once (the code this process
    loaded), and its templates, read on every call (`serve` rebuilds while they are edited)."""
    digest = hashlib.sha256(_packages_digest().encode())
    for part in _files(TEMPLATES):
        digest.update(part)
    return digest.hexdigest()[:32]


def python_digest() -> str:
    """Return a digest of the Python packages alone: what validating a record depends on (a
    template edit re-renders pages but leaves the record cache valid)."""
    return _packages_digest()[:32]


@cache
def _packages_digest() -> str:
    digest = hashlib.sha256()
    for folder in PACKAGES:
        for part in _files(folder):
            digest.update(part)
    return digest.hexdigest()


def _files(folder: str) -> Iterator[bytes]:
    """Yield the name and the bytes of every file under ROOT/`folder`, in name order."""
    for path in sorted((ROOT / folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield str(path.relative_to(ROOT)).encode()
            yield path.read_bytes()
