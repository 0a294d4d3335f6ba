#!/usr/bin/env python3
"""阳光公开 command line: build | check | serve | new | schema.

    python build.py build  [--content DIR] [--output DIR] [--today YYYY-MM-DD] [--relative]
    python build.py check  [--content DIR] [--today YYYY-MM-DD]
    python build.py serve  [--content DIR] [--output DIR] [--port 8000] [--today YYYY-MM-DD]
    python build.py new KIND --agency 机构全称 [--title 标题] [--date YYYY-MM-DD]
    python build.py schema [--output FILE] [--content DIR]
    python build.py allow-number < 号码文件   (登记有意公开的号码：只输出 SHA-256 摘要；终端输入不回显)
    python build.py report [--content DIR] [--date YYYY-MM-DD]
    python build.py cms    [--content DIR] [--output DIR] [--backend local|gitlab|gitea|forgejo …]  (网页编辑器 /admin/)
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

# Only what every command needs is imported here; the rest when its command runs, so that a
# `build` with nothing to do answers before Flask, Whoosh and the kinds are loaded (build_receipt).
from disclosure.core.fields import parse_iso_date
from disclosure.core.output_guard import OutputRefused, cache_folder, check_output_folder
from disclosure.core.problems import ContentInvalid, Problem
from disclosure.outputs.build_receipt import fingerprint, problem_lines, unchanged_since


def print_problems(problems: list[Problem]) -> None:
    """Print every problem, one per line, then the count (stderr); no full ID/mobile/card number."""
    for line in problem_lines(problems):
        print(line, file=sys.stderr)


def refuse_output(args: argparse.Namespace) -> int:
    """Return 1 after printing why `--output` (or its cache or staging folder) is refused, else 0."""
    try:
        check_output_folder(Path(args.output), Path(args.content))
    except OutputRefused as refused:
        print(refused.message, file=sys.stderr)
        return 1
    return 0


def port_number(text: str) -> int:
    """Return a TCP port (0–65535; 0: any free port) for argparse, or refuse it in Chinese."""
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"端口应为 1–65535 之间的整数，收到 {text!r}")
    return int(text)


def day_option(text: str | None, option: str = "--today") -> date:
    """Return the day a date option names (today when not given); raise ValueError with a Chinese message."""
    if text is None:
        return date.today()
    try:
        return parse_iso_date(text)  # the rule every date of the content follows
    except ValueError:
        raise ValueError(f"{option} 应为 YYYY-MM-DD 格式的真实日期，如 2026-12-01；收到 {text!r}") from None


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt, so a stopped build cleans up like Ctrl+C."""

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_build(args: argparse.Namespace, check_only: bool = False) -> int:
    """Check or build; a stop at any moment (Ctrl+C, SIGTERM, SIGHUP) is one line and exit 130."""
    try:
        with interruptible():
            return _run_build(args, check_only)
    except KeyboardInterrupt:  # staging, if any, was removed on the way out
        print("已中断：未发布，网站目录保持原样。", file=sys.stderr)
        return 130


def _run_build(args: argparse.Namespace, check_only: bool = False) -> int:
    try:
        today = day_option(args.today)
    except ValueError as bad:
        print(bad, file=sys.stderr)
        return 1
    content, output, relative = (
        Path(args.content),
        Path(getattr(args, "output", "site")),
        getattr(args, "relative", False),
    )
    if not check_only and refuse_output(args):
        return 1
    if not check_only and up_to_date(content, output, today, relative):
        return 0
    from disclosure.outputs.publish import BuildLocked, WriteFailed  # lazy: after the up-to-date check
    from disclosure.pipeline import Settings, build_site, check_site  # lazy: Flask, Whoosh, the kinds

    settings = Settings(content_dir=content, output_dir=output, today=today, relative=relative)

    try:
        outcome = check_site(settings) if check_only else build_site(settings)
    except ContentInvalid as invalid:
        print_problems(invalid.problems)
        print("未发布：请改正以上错误后重新运行。网站目录保持原样。", file=sys.stderr)
        return 1
    except BuildLocked as locked:
        print(f"另一个生成进程正在写入 {locked}，请稍后再试。", file=sys.stderr)
        return 1
    except (OutputRefused, WriteFailed) as failed:
        print(failed.message, file=sys.stderr)
        return 1
    print_problems(outcome.warnings)
    if getattr(args, "timings", False):
        for stage, seconds in outcome.timings:
            print(f"{stage}\t{seconds:.2f} 秒", file=sys.stderr)
    return 0


def up_to_date(content: Path, output: Path, today: date, relative: bool) -> bool:
    """Return whether the live site is what a build would write now (nothing it was made from has
    changed since the build that swapped it in), after printing that build's warnings again."""
    receipt = unchanged_since(cache_folder(output), fingerprint(content, output, today, relative), output)
    if receipt is None:
        return False
    for line in receipt.warnings:
        print(line, file=sys.stderr)
    if sys.stderr.isatty():  # like the build's own last line: silence in CI logs
        print(
            f"网站已是最新：内容、模板和程序自上次生成以来都没有改动（{receipt.records} 条记录）：{output}",
            file=sys.stderr,
        )
    return True


def add_other_commands(commands: Any) -> None:
    """Add new, allow-number, report, schema and cms: their options need the kinds and the editor's module."""
    from disclosure.cli.cms import add_cms_parser  # lazy: not needed by build
    from disclosure.kinds import KINDS  # lazy: not needed by build

    new = commands.add_parser("new", help="新建一条记录，自动分配下一个索引号")
    new.add_argument("kind", choices=[kind.name for kind in KINDS])
    new.add_argument("--agency", required=True, help="发布机构全称（agencies.yaml 中的 name）")
    new.add_argument("--title", default="", help="标题")
    new.add_argument("--content", default="content")
    new.add_argument("--date", default=None, help="发布日期 YYYY-MM-DD（默认今天）")

    commands.add_parser(
        "allow-number",
        help="从标准输入读取一个号码（不回显），输出登记到 personal_data_allow.yaml 的 SHA-256 摘要",
    )

    report = commands.add_parser(
        "report",
        help="政府信息公开自查：逾期公开的信息、超过 6 个月未更新的栏目、逾期未发布的年度报告、超过 14 天未更新的工作动态",
    )
    report.add_argument("--content", default="content")
    report.add_argument("--date", default=None, help="按此日期核查 YYYY-MM-DD（默认今天）")

    schema = commands.add_parser("schema", help="输出前置元数据的 JSON Schema（供编辑器校验）")
    schema.add_argument(
        "--output", default="-", help="写入文件（只替换本工具生成的 Schema 文件）；默认输出到屏幕"
    )
    schema.add_argument("--content", default="content", help="内容目录：不会写入其中")

    add_cms_parser(commands)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description="阳光公开：校验内容并生成静态网站")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="生成网站（全部校验通过才替换输出目录）")
    build.add_argument("--content", default="content", help="内容目录（默认 content）")
    build.add_argument("--output", default="site", help="输出目录（默认 site）")
    build.add_argument("--timings", action="store_true", help="最后列出各阶段用时")
    build.add_argument(
        "--today", default=None, help="按此日期生成：之后才发布的记录暂不发布（YYYY-MM-DD，默认今天）"
    )
    build.add_argument(
        "--relative",
        action="store_true",
        help="链接全部写成相对地址（目录链接到 index.html），可从本地磁盘（file://）或任一目录打开",
    )

    check = commands.add_parser("check", help="只校验内容，不写任何文件")
    check.add_argument("--content", default="content")
    check.add_argument(
        "--today", default=None, help="按此日期生成：之后才发布的记录暂不发布（YYYY-MM-DD，默认今天）"
    )

    preview = commands.add_parser("serve", help="生成后在本机预览，内容改动时自动重建并刷新浏览器")
    preview.add_argument("--content", default="content")
    preview.add_argument("--output", default="site")
    preview.add_argument("--port", type=port_number, default=8000)
    preview.add_argument("--host", default="127.0.0.1")
    preview.add_argument(
        "--admin", type=Path, default=None, help="在 /admin/ 提供网页编辑器（build.py cms 写入的目录）"
    )
    preview.add_argument(
        "--today", default=None, help="按此日期生成：之后才发布的记录暂不发布（YYYY-MM-DD，默认今天）"
    )

    argv = sys.argv[1:] if argv is None else argv
    # a build answers before the kinds are loaded when nothing changed (build_receipt)
    if argv[:1] != ["build"]:
        add_other_commands(commands)

    args = parser.parse_args(argv)
    if args.command == "build":
        return run_build(args)
    if args.command == "check":
        return run_build(args, check_only=True)
    if args.command == "serve":
        if refuse_output(args):
            return 1
        try:
            day_option(args.today)
        except ValueError as bad:
            print(bad, file=sys.stderr)
            return 1
        from disclosure.cli.serve import serve  # lazy: its command only

        return serve(args)
    if args.command == "new":
        from disclosure.cli.scaffold import new_record  # lazy: its command only

        return new_record(args)
    if args.command == "allow-number":
        from disclosure.cli.allow_number import allow_number_command  # lazy: its command only

        return allow_number_command()
    if args.command == "report":
        try:
            day = day_option(args.date, "--date")
        except ValueError as bad:
            print(bad, file=sys.stderr)
            return 1
        from disclosure.cli.report import run_report  # lazy: its command only

        return run_report(args, day)
    if args.command == "schema":
        from disclosure.cli.schema import write_schema  # lazy: its command only

        return write_schema(args.output, args.content)
    if args.command == "cms":
        from disclosure.cli.cms import write_admin  # lazy: its command only

        return write_admin(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
