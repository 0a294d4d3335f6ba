"""The build, as one function whose stages read top to bottom.

Rule (after MkDocs' build): first gather and check all data from all files, so that
everything is consistent across all pages; only then write, and only into staging.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from disclosure.core.output_guard import cache_folder, check_output_folder, made_by_tool, mark
from disclosure.core.problems import ContentInvalid, Problem
from disclosure.core.progress import Progress
from disclosure.core.site_links import base_path
from disclosure.outputs.application_form import write_application_form
from disclosure.outputs.build_receipt import (
    Receipt,
    fingerprint,
    problem_lines,
    site_state,
    withdraw,
    write_receipt,
)
from disclosure.outputs.feeds import write_feeds
from disclosure.outputs.open_data import write_open_data
from disclosure.outputs.output_gate import check_output
from disclosure.outputs.publish import build_lock, staging_directory, write_errors_as_messages
from disclosure.site.body_cache import (
    BodyCache,
    RecordCache,
    discard,
    seal_folder,
    sums_file,
    unseal_folder,
    verify_folder,
)
from disclosure.site.content import Content, read_content
from disclosure.site.model import Site, build_site_model
from disclosure.web.freeze import freeze_pages
from disclosure.web.modes import write_mode_pages
from disclosure.web.relative import write_relative_pages
from search.index.stage import write_search_indexes
from search.stored import SERVICE_FOLDER


@dataclass(frozen=True)
class Settings:
    """What one run of the build needs to know."""

    content_dir: Path
    output_dir: Path = Path("site")
    today: date = field(default_factory=date.today)
    progress: bool | None = None  # None: on a terminal only
    workers: int | None = None
    use_cache: bool = True
    relative: bool = False  # `build --relative`: links relative to each page, for file:// (web/relative.py)

    @property
    def cache_dir(self) -> Path:
        """Return the folder beside the (resolved) output where rendered bodies are kept between builds."""
        return cache_folder(self.output_dir)


@dataclass(frozen=True)
class Outcome:
    """What a successful run produced: the site model and the warnings to print."""

    site: Site
    warnings: list[Problem]
    timings: list[tuple[str, float]] = field(default_factory=list)


def load_site(settings: Settings, progress: Progress, read_only: bool = False) -> tuple[Site, list[Problem]]:
    """Read, validate and index all content; raise ContentInvalid with every problem."""
    content, problems = load_content(settings, progress, read_only)
    progress.start("建立站点模型")
    return model_of(content, problems, settings.today)


def load_content(settings: Settings, progress: Progress, read_only: bool = False) -> tuple[Content, list[Problem]]:
    """Read and validate all content files; return what validated and every problem found
    (errors too: the checks across records still run on it), ContentInvalid when there is no folder."""
    cache = BodyCache(settings.cache_dir / "bodies.sqlite" if settings.use_cache else None, read_only)
    records_cache = RecordCache(settings.cache_dir / "records.sqlite" if settings.use_cache else None, read_only)
    try:
        content, problems = read_content(settings.content_dir, cache, progress, records_cache)
    finally:
        cache.close()
        records_cache.close()
    if content is None:
        raise ContentInvalid(problems)
    return content, problems


def model_of(content: Content, problems: list[Problem], today: date) -> tuple[Site, list[Problem]]:
    """Return the site model of `content` (read with `problems`) and every problem; raise
    ContentInvalid with them all when any is an error."""
    site, found = build_site_model(content, today)
    problems = list(dict.fromkeys(problems + found))  # a file both stages read (a link out of content/): said once
    if site is None or any(p.is_error for p in problems):
        raise ContentInvalid(problems)
    return site, problems


def check_site(settings: Settings) -> Outcome:
    """Validate only; write nothing to the output folder."""
    progress = Progress(enabled=settings.progress)
    site, problems = load_site(settings, progress, read_only=True)
    progress.finish(f"校验完成：{len(site.records)} 条记录")
    return Outcome(site, problems)


def build_site(settings: Settings) -> Outcome:
    """Build the whole site into staging and swap it in; raise ContentInvalid on bad content."""
    check_output_folder(settings.output_dir, settings.content_dir, settings.use_cache)  # before anything is touched
    progress = Progress(enabled=settings.progress)
    # disk full, no permission…: a message naming the folder; staging removed, site kept
    with write_errors_as_messages(settings.output_dir, settings.cache_dir), build_lock(settings.output_dir):
        prepare_cache(settings)
        # what this build is made from, by stat, before it reads anything (build_receipt)
        made_from = fingerprint(settings.content_dir, settings.output_dir, settings.today, settings.relative)
        if settings.use_cache:
            withdraw(settings.cache_dir)  # no receipt vouches for a site while it is being replaced
        content, read_problems = load_content(settings, progress)
        progress.start("建立站点模型")
        site, problems = model_of(content, read_problems, settings.today)
        progress.start("准备输出目录")
        with staging_directory(settings.output_dir, background_cleanup=True, locked=True) as staging:
            # the path the site lives under ("/gkml/"), which every page link starts with
            base = "/" if settings.relative else base_path(site.config.root_url)
            freeze_pages(site, staging, progress, settings.workers, previous=settings.output_dir, relative=settings.relative)
            write_search(site, staging, settings, progress, base)
            progress.start("订阅")
            write_feeds(site, staging, previous=settings.output_dir)
            progress.start("开放数据")
            write_open_data(site, staging)
            write_application_form(site.config, staging)  # /apply/application-form.docx
            progress.start("长者模式与无障碍页面")
            write_mode_pages(staging, everything=settings.relative)  # after every stage that writes a top-level entry
            if settings.relative:
                write_relative_pages(staging)  # last: every page's links, the mode switch's too
            progress.start("生成结果的个人信息检查")
            check_output(staging, settings.output_dir, settings.content_dir)  # last gate: Art. 15, keep last
            progress.start("替换网站目录")
        if settings.use_cache:  # the next build with nothing changed stops at this receipt
            state = site_state(settings.output_dir, settings.cache_dir)  # stat only: never raises
            write_receipt(settings.cache_dir, Receipt(made_from, state, problem_lines(problems), len(site.records)))
    progress.finish(f"已生成 {len(site.records)} 条记录的网站：{settings.output_dir}")
    return Outcome(site, problems, progress.timings)


def prepare_cache(settings: Settings) -> None:
    """Create the cache folder with its marker (check_output_folder refused one not ours)."""
    if not settings.use_cache:
        return
    cache = settings.cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    if not made_by_tool(cache, "cache"):
        mark(cache, "cache")  # new, empty, or an earlier version's cache: marked from now on


def write_search(site: Site, staging: Path, settings: Settings, progress: Progress, base: str = "/") -> None:
    """Write the search indexes; a search cache that is damaged or fails them is discarded and rebuilt.

    The cache's files are sealed with their sums after each build and checked before the
    next: a damaged cache would otherwise be copied into the published index.
    """
    cache = settings.cache_dir if settings.use_cache else None
    if cache is None:
        write_search_indexes(site, staging, None, progress, base)
        return
    search_cache = cache / "search"
    damaged = verify_folder(search_cache)
    if damaged and discard(search_cache) and sums_file(search_cache).exists():
        print(f"警告：检索索引缓存 {search_cache} 已损坏（{damaged}），已丢弃并重新建立。", file=sys.stderr)
    unseal_folder(search_cache)
    try:
        write_search_indexes(site, staging, cache, progress, base)
    except Exception as exc:
        if not caused_by_cache(exc, search_cache) or not discard(search_cache):
            raise  # a fault of the output (disk full, no permission…), not of the cache: reported as such
        print(f"警告：检索索引缓存 {search_cache} 无法使用（{type(exc).__name__}: {exc}），已丢弃并重新建立。", file=sys.stderr)
        for written in (staging / SERVICE_FOLDER, staging / "search" / "data"):
            shutil.rmtree(written, ignore_errors=True)  # whatever the failed attempt left
        write_search_indexes(site, staging, cache, progress, base)
    seal_folder(search_cache)


def caused_by_cache(exc: Exception, search_cache: Path) -> bool:
    """Return whether `exc` may come from a damaged search cache rather than from writing the site.

    A damaged index raises anything (struct.error, EOFError, a missing segment file); an
    OSError is the cache's only when it names a file in it.
    """
    if not isinstance(exc, OSError):
        return True
    where = Path(os.fsdecode(exc.filename)).resolve() if exc.filename else None
    return where is not None and where.is_relative_to(search_cache.resolve())
