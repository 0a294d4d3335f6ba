"""The receipt of the last build: when nothing it was made from has changed, there is nothing to do.

A build that swapped its site into place leaves a receipt in its cache folder
(`<cache>/receipt.json`): a fingerprint of everything the output depends on, taken by
`stat` alone before the build read anything, and the warnings it printed. The next `build`
takes the same fingerprint first, before the heavy modules are even imported; when it is
equal, the live site is already what a build would write, so the run prints the same
warnings and stops, touching no file (about 0.1 s on the 3,482-record corpus, where the
lightest real rebuild reads, hashes and links the whole tree for more than 10 s).

What the fingerprint covers (a change of any of these gives a real build):
- every entry under the content folder: path, type, size, modification and status-change
  times (nanoseconds), inode and mode; a symbolic link also with what it points at, and the
  state of its target — so an edit, an added, deleted, renamed or replaced file, or a
  `touch`, is seen; the status-change time cannot be set back by an editor or by `git`;
- the program: every file of `disclosure/`, `search/`, `templates/` and `build.py`, and the
  folders Python imports from (installing or removing a package changes them) and its version;
- the settings: the content and output folders (resolved), the day the build is for
  (validity and timeliness depend on it: a build on the next day is a real one), `--relative`;
- the live site and the build cache, taken after the swap: the site folder's inode, the
  stat of its folder `.build/`, which every build makes anew, and of its manifest
  `.build/pages.json` (linked from the last site when its text is the same) — a site removed,
  replaced or built by another run is seen — and the stat of every file of the cache, so a
  damaged or locked cache gets the real build that repairs it.

A fingerprint taken within 2 s of a change it covers is never matched (a second change in the
same timestamp tick would leave the same stat, as git's "racily clean" files): the build after
it is a real one.

The receipt is removed before a real build starts and written only after its swap, so an
interrupted or failed build never leaves a receipt that vouches for its output. The build
owns `site/`: an edit made by hand inside it is not looked for (the incremental build also
links unchanged pages from the live site as they are).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure.core.problems import Problem, sort_problems, summary_line
from disclosure.rules.personal_numbers import redact

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

RECEIPT = "receipt.json"
FORMAT = 1
ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ("disclosure", "search", "templates", "build.py")
# a change this close before the fingerprint may hide a second one (as body_cache.RACY_NS)
RACY_NS = 2_000_000_000
# disclosure.outputs.incremental.MANIFEST, not imported: that module is heavy
MANIFEST = Path(".build") / "pages.json"
BUILD_FOLDER = MANIFEST.parent  # made anew in every staging folder


@dataclass(frozen=True)
class Receipt:
    """What the last build was made from, what it printed, and how many records it published."""

    fingerprint: str
    site: str
    warnings: tuple[str, ...]
    records: int


def fingerprint(content: Path, output: Path, today: date, relative: bool, program: Path = ROOT) -> str:
    """Return the digest of the stat of everything a build's output is made from (see the module
    text), taken before the build reads it: a file changed while a build runs gives a real build next."""
    now = time.time_ns()
    tree = _Tree()
    # realpath, not resolve(): a link loop is then a path that does not exist, not a RuntimeError
    root = Path(os.path.realpath(content))  # the folder the build reads (sources.py resolves it too)
    settings = [FORMAT, str(root), os.path.realpath(output), today.isoformat(), relative, sys.version]
    tree.digest.update(json.dumps(settings).encode())
    tree.add(content)  # the link itself, when it is one …
    tree.add(root)  # … and what it leads to, walked
    for name in PROGRAM:
        tree.add(program / name, skip=lambda entry: entry == "__pycache__")
    for folder in sorted({p for p in sys.path if p}):
        tree.digest.update(b"\0import\0" + tree.line(Path(folder)))
    if now - tree.newest < RACY_NS:
        # changed within the timestamps' resolution of now: a second change in the same tick would
        # leave the same stat, so no later fingerprint equals this one (as git's "racily clean")
        return f"{tree.digest.hexdigest()}~{os.urandom(8).hex()}"
    return tree.digest.hexdigest()


def site_state(output: Path, cache_dir: Path) -> str:
    """Return the digest of what the next build would start from: the live site's identity (its
    folder and its `.build/`, new with every swap, and its manifest) and the state of every file of the build cache
    but the receipt (a damaged or locked cache is then seen, and repaired, by a real build)."""
    # without the status-change time: the cache's static shards are hard-linked into the site, and
    # removing the site before this one (in the background, after the swap) changes their link count
    tree = _Tree(ctime=False)
    tree.digest.update(tree.line(output) + tree.line(output / BUILD_FOLDER) + tree.line(output / MANIFEST))
    # the cache folder's own times change when the receipt is written into it: its entries only
    tree.add_entries(cache_dir, skip=lambda name: name == RECEIPT or name.startswith(f".{RECEIPT}."))
    return tree.digest.hexdigest()


def _state(st: os.stat_result, ctime: bool = True) -> str:
    changed = f" {st.st_ctime_ns}" if ctime else ""
    return f"{st.st_mode} {st.st_ino} {st.st_dev} {st.st_size} {st.st_mtime_ns}{changed}"


class _Tree:
    """A digest of the stat of files and folders, and the newest change time among them."""

    def __init__(self, ctime: bool = True) -> None:
        self.digest = hashlib.sha256()
        self.newest = 0
        self.ctime = ctime  # whether a status change (a link count, permissions) counts as a change

    def line(self, path: Path) -> bytes:
        """Return the identity and state of `path` as bytes (the symbolic link itself, then its target)."""
        return self._line(path)[0]

    def _line(self, path: Path | str) -> tuple[bytes, os.stat_result | None]:
        """Return the line of `path` and its lstat (None when it cannot be had).

        On strings: the cache's 20,000 files, walked twice a build, cost a `Path` each as much as their stat."""
        path = os.fspath(path)
        try:
            st = os.lstat(path)
        except OSError as exc:
            return f"{path}\0missing {exc.errno}\n".encode(errors="surrogateescape"), None
        self.newest = max(self.newest, st.st_mtime_ns, st.st_ctime_ns)
        line = f"{path}\0{_state(st, self.ctime)}"
        if stat.S_ISLNK(st.st_mode):  # what it points at, and the state of what that is (or why not)
            with contextlib.suppress(OSError):
                line += f" -> {os.readlink(path)}"
            try:
                target = os.stat(path)  # follows every link of a chain; a loop is an OSError (ELOOP)
                self.newest = max(self.newest, target.st_mtime_ns, target.st_ctime_ns)
                line += f" => {_state(target, self.ctime)}"
            except OSError as exc:
                line += f" => unreachable {exc.errno}"
        return (line + "\n").encode(errors="surrogateescape"), st

    def add(self, top: Path | str, skip: Callable[[str], bool] = lambda name: False) -> None:
        """Add the stat of `top` and of every entry under it, in name order (a folder is walked
        as its own lstat says: a folder that cannot be searched is a line, never an exception)."""
        line, st = self._line(top)
        self.digest.update(line)
        if st is not None and stat.S_ISDIR(st.st_mode):
            self.add_entries(top, skip)

    def add_entries(self, top: Path | str, skip: Callable[[str], bool] = lambda name: False) -> None:
        """Add the stat of every entry under the folder `top` (not of `top` itself), in name order."""
        try:
            entries = sorted(os.scandir(top), key=lambda e: e.name)
        except OSError as exc:
            self.digest.update(f"{top}\0unreadable {exc.errno}\n".encode(errors="surrogateescape"))
            return
        for entry in entries:
            if not skip(entry.name):
                self.add(entry.path, skip)  # the folder's name and the entry's, as str(Path(...)) would be


def problem_lines(problems: Sequence[Problem]) -> tuple[str, ...]:
    """Return the lines a build prints for `problems`: one each in path order, redacted (no full
    ID, mobile or card number in any log), then the count; nothing when there are none."""
    if not problems:
        return ()
    return (*(redact(str(p)) for p in sort_problems(list(problems))), summary_line(list(problems)))


def receipt_path(cache_dir: Path) -> Path:
    """Return where the receipt of the builds that use `cache_dir` is kept."""
    return cache_dir / RECEIPT


def read_receipt(cache_dir: Path) -> Receipt | None:
    """Return the last build's receipt, or None when there is none or it cannot be read."""
    try:
        data = json.loads(receipt_path(cache_dir).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        return Receipt(
            str(data["fingerprint"]),
            str(data["site"]),
            tuple(str(w) for w in data["warnings"]),
            int(data["records"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def unchanged_since(cache_dir: Path, now: str, output: Path) -> Receipt | None:
    """Return the last build's receipt when its fingerprint is `now` and `output` is the site it
    swapped in (nothing changed since), else None."""
    receipt = read_receipt(cache_dir)
    if receipt is None or receipt.fingerprint != now or receipt.site != site_state(output, cache_dir):
        return None
    return receipt


def withdraw(cache_dir: Path) -> None:
    """Remove the receipt: a build is about to change the site (or to fail)."""
    with contextlib.suppress(FileNotFoundError):
        receipt_path(cache_dir).unlink()


def write_receipt(cache_dir: Path, receipt: Receipt) -> None:
    """Write the receipt of a build that has just swapped its site into place (by rename: whole or
    absent). The site is live already: a receipt that cannot be written (disk full, no permission)
    is left out, and the next build is a real one."""
    path = receipt_path(cache_dir)
    data = {
        "format": FORMAT,
        "fingerprint": receipt.fingerprint,
        "site": receipt.site,
        "warnings": list(receipt.warnings),
        "records": receipt.records,
    }
    partial = path.with_name(f".{RECEIPT}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
