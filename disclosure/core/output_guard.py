"""Nothing is ever deleted that the build did not make.

Publishing replaces the output folder as a whole and deletes the previous one, so the
output folder (and the cache and staging folders beside it) must be a folder this tool
made, or a new or empty one. Every folder the tool makes carries a marker file,
`.yangguang-site`, naming what it is (`site` or `cache`); nothing is swapped out or
deleted without it.

Folders built by an earlier version of the tool carry no marker yet. They are accepted
when they are recognisably its output: a site has `index.html` and the incremental
manifest `.build/pages.json` (`{"global": …, "pages": {…}}`) and nothing at its top level
but what the build writes (`SITE_FOLDERS`, `SITE_FILES`: one user file such as
`thesis.docx` and it is refused); a cache holds only the tool's caches (`bodies.sqlite`,
`records.sqlite`, `search/`). A plain folder of user files is never either.

Paths are resolved (symlinks followed) before any comparison, so an alias of the content
folder or of the repository is refused like the folder itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

MARKER = ".yangguang-site"
REPOSITORY = Path(__file__).resolve().parents[2]  # the folder holding build.py
_MARKER_TEXT = "yangguang-gongkai {kind}\n阳光公开生成的目录：只有带此文件的目录才会被本工具替换或删除。\n"
# (and receipt.json: the receipt of its last build, disclosure/outputs/build_receipt.py)
_LEGACY_CACHE_NAMES = frozenset({"bodies.sqlite", "records.sqlite", "search", "search.sha256", "receipt.json"})
# Everything a build before the marker wrote at the top of a site (only unmarked sites are
# judged by it, so a kind's pages added since need no entry): the first segment of every URL of the
# app (disclosure/web), the mode prefixes (web/modes.MODES), the static files, the feeds,
# open data and search stages, and the build's own manifest. tests/test_output_safety.py
# checks it against the app's URL map and a real built site. `apply` (依申请公开) came after the
# marker but is not a kind's page folder, so it is listed: a site built now and unmarked is judged alike.
SITE_FOLDERS = frozenset(
    {
        "records", "catalog", "pages", "search", "feeds", "data", "static", "care", "a11y",
        "approvals", "powers", "risks", "disclosure", "guide", "rules", "statutory", "reports", "apply",
        "sitemap", "monitor", "news", "interpretations",
        ".build", ".search",
    }
)
SITE_FILES = frozenset({"index.html", "404.html", "sitemap.xml", "robots.txt", "opensearch.xml", "mode.css", MARKER})
_ADVICE = "已拒绝；请另选一个空目录或由本工具生成的目录（未改动任何文件）"


class OutputRefused(Exception):
    """The output, cache or staging folder is one the build must not replace or delete."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def mark(folder: Path, kind: str) -> None:
    """Write the marker that says `folder` was made by this tool as a `kind` folder."""
    (folder / MARKER).write_text(_MARKER_TEXT.format(kind=kind), encoding="utf-8")


def is_marked(folder: Path, kind: str) -> bool:
    """Return whether `folder` (not a symlink) carries the marker of a `kind` folder."""
    try:
        if folder.is_symlink() or (folder / MARKER).is_symlink():
            return False
        first = (folder / MARKER).read_text(encoding="utf-8").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError):
        return False
    return first == f"yangguang-gongkai {kind}"


def looks_like_old_site(folder: Path) -> bool:
    """Return whether `folder` is a site built by an earlier version (no marker yet)."""
    try:
        manifest = json.loads((folder / ".build" / "pages.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(manifest, dict)
        and {"global", "pages"} <= set(manifest)  # later versions add keys ("format", "keys")
        and isinstance(manifest["pages"], dict)
        and (folder / "index.html").is_file()
        and only_site_entries(folder)
    )


def only_site_entries(folder: Path) -> bool:
    """Return whether every top-level entry of `folder` is a folder or file the build writes there."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for entry in entries:
        if entry.is_symlink():
            return False
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SITE_FOLDERS:
                return False
        elif entry.name not in SITE_FILES:
            return False
    return True


def looks_like_old_cache(folder: Path) -> bool:
    """Return whether `folder` holds only the caches an earlier version wrote."""
    try:
        names = {entry.name for entry in folder.iterdir()}
    except OSError:
        return False
    sqlite_side = {f"{n}{s}" for n in ("bodies.sqlite", "records.sqlite") for s in ("-journal", "-wal", "-shm")}
    return bool(names & {"bodies.sqlite", "records.sqlite"}) and names <= _LEGACY_CACHE_NAMES | sqlite_side


def made_by_tool(folder: Path, kind: str) -> bool:
    """Return whether `folder` is a `kind` folder ("site" or "cache") this tool made."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    if is_marked(folder, kind):
        return True
    return looks_like_old_site(folder) if kind == "site" else looks_like_old_cache(folder)


def is_empty_folder(folder: Path) -> bool:
    """Return whether `folder` is a real (not symlinked) folder with nothing in it."""
    try:
        return not folder.is_symlink() and folder.is_dir() and next(folder.iterdir(), None) is None
    except OSError:
        return False


def remove_made(folder: Path, kind: str) -> bool:
    """Delete `folder` if this tool made it (or it is empty); return whether it is gone."""
    if made_by_tool(folder, kind):
        # the marker goes last: a build killed while deleting leaves a folder the next build still knows
        for entry in list(folder.iterdir()):
            if entry.name == MARKER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()
        with contextlib.suppress(OSError):
            (folder / MARKER).unlink()
            os.rmdir(folder)
    elif is_empty_folder(folder):
        os.rmdir(folder)
    return not os.path.lexists(folder)


def home_folders() -> set[Path]:
    """Return the home folders of this machine's users (and $HOME)."""
    homes = {Path.home().resolve()}
    try:
        import pwd  # lazy: Unix only (absent on Windows: ImportError below)

        homes |= {Path(entry.pw_dir).resolve() for entry in pwd.getpwall() if entry.pw_dir not in ("", "/")}
    except (ImportError, OSError):
        pass
    return homes


def git_work_tree(folder: Path) -> Path | None:
    """Return the git work tree holding `folder` (the nearest folder with `.git`), if any."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def path_refusal(path: Path, what: str, content: Path) -> str | None:
    """Return why `path` (resolved) may not be a folder the build replaces, or None.

    `what` names the folder in the message (输出目录, 缓存目录, 临时生成目录).
    """
    content = content.resolve()
    shown = f"{what} {path}"
    if path == Path(path.anchor):
        return f"{shown} 是根目录，生成时会被整体替换，{_ADVICE}。"
    if path in home_folders() or path in Path.home().resolve().parents:
        return f"{shown} 是用户主目录或其上级目录，生成时会被整体替换，{_ADVICE}。"
    if path == content or path in content.parents:
        return f"{shown} 是内容目录或其上级目录，生成时会被整体替换，{_ADVICE}。"
    if content in path.parents:
        return f"{shown} 位于内容目录 {content} 之内，生成结果会混入内容，{_ADVICE}。"
    for root in {REPOSITORY, git_work_tree(content)} - {None}:
        assert root is not None
        if path == root or path in root.parents:
            return f"{shown} 是代码仓库 {root} 或其上级目录，生成时会被整体替换，{_ADVICE}。"
    if ".git" in path.parts:
        return f"{shown} 位于 git 仓库数据目录 .git 之内，{_ADVICE}。"
    # the same folder under another name (a bind mount, a second mount of the disk): compare identities
    content_id, path_ids = _identity(content), {_identity(p) for p in (path, *path.parents)} - {None}
    if content_id is not None and content_id in path_ids:
        return f"{shown} 经另一个名字（如 bind 挂载）位于内容目录 {content} 之内，生成结果会混入内容，{_ADVICE}。"
    content_ids = {_identity(p) for p in (content, *content.parents)} - {None}
    if _identity(path) in content_ids:
        return f"{shown} 经另一个名字（如 bind 挂载）是内容目录或其上级目录，生成时会被整体替换，{_ADVICE}。"
    return None


def _identity(path: Path) -> tuple[int, int] | None:
    """Return (device, inode) of an existing folder, the same whatever name reaches it."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


MAX_NAME = 200  # bytes: room for ".<name>-staging-<8 hex>" under the usual 255-byte limit


def folder_refusal(path: Path, what: str, kind: str, content: Path) -> str | None:
    """Return why the build may not replace or fill `path`, or None when it may."""
    try:
        return _folder_refusal(path, what, kind, content)
    except OSError as exc:  # a name the file system refuses, a folder that cannot be read
        return f"{what} {path} 无法使用（{exc.strerror or exc}），{_ADVICE}。"


def _folder_refusal(path: Path, what: str, kind: str, content: Path) -> str | None:
    resolved = path.resolve()
    if len(resolved.name.encode("utf-8")) > MAX_NAME:
        return f"{what}的名称 {resolved.name[:40]}… 过长（最多 {MAX_NAME} 字节：旁边还要建临时目录和缓存目录），{_ADVICE}。"
    found = path_refusal(resolved, what, content)
    if found:
        return found
    if resolved.exists() and not resolved.is_dir():
        return f"{what} {resolved} 已存在且不是目录，{_ADVICE}。"
    if resolved.is_dir() and not is_empty_folder(resolved) and not made_by_tool(resolved, kind):
        return (
            f"{what} {resolved} 已存在、不是空目录，也不是由本工具生成的（没有标记文件 {MARKER}），"
            f"生成时会被整体替换，{_ADVICE}。"
        )
    return None


def cache_folder(output: Path) -> Path:
    """Return the cache folder beside the (resolved) output folder: `.site-cache` for `site`."""
    output = output.resolve()
    return output.parent / f".{output.name}-cache"


def check_output_folder(output: Path, content: Path, with_cache: bool = True) -> None:
    """Raise OutputRefused unless `output`, its cache and staging folders are safe to replace."""
    found = folder_refusal(output, "输出目录", "site", content)  # first: a name too long for its siblings
    if found:
        raise OutputRefused(found)
    staging = output.resolve().parent / f".{output.resolve().name}-staging-"
    checks = [(output, "输出目录", "site"), (staging, "临时生成目录", "site")]
    if with_cache:
        checks.append((cache_folder(output), "缓存目录", "cache"))
    for path, what, kind in checks:
        found = folder_refusal(path, what, kind, content)
        if found:
            raise OutputRefused(found)
