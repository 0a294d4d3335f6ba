"""This project's search side by side with Pagefind (issue 13, item 6) on the same built site.

    python bench/pagefind_bench.py --site DIR [--content DIR] [--index-seconds S]

Pagefind (npm `pagefind`, pinned below; its binary ships in the package) is installed into
`.browser-tools/pagefind/` (git-ignored) on first use, indexes the record pages of the built
site (`records/**/*.html`, the pages this project's search returns; the 长者/无障碍 copies
would only be duplicates) into `DIR/pagefind/`, and is timed. The bench's queries then run
through Pagefind's own JS API (`pagefind.search(q)`, then `result.data()` of the first 10, as
its UI does) in headless Chromium, the site served over a local HTTP server that counts the
bytes of every file it sends. Per query a fresh browser context (an empty cache) loads
Pagefind's entry files (`init()`: warm-up, not counted), then the query is counted; the first
query is also counted cold, entry files included. The recall@10 and MRR use the same
expectations and the same scoring as bench/search_bench.py (Pagefind has no did_you_mean: a
错字 query scores by its results). `DIR/pagefind/` is removed afterwards.

`run_pagefind_bench(site_dir, search, index_seconds)` returns the figures (bench/run.py);
`search` is what `search_bench.run_search_bench` returned on the same site.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_bench import (  # noqa: E402
    BenchQuery,
    by_class,
    precision_at_1,
    query_set,
    reciprocal_rank,
    run_search_bench,
    score,
)

PAGEFIND = "pagefind@1.6.0"
TOOLS = ROOT / ".browser-tools" / "pagefind"
BINARY = TOOLS / "node_modules" / ".bin" / "pagefind"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GLOB = "records/**/*.html"
BUNDLE = "pagefind"
BLANK = "/__pagefind_bench__.html"  # the empty page the queries run in (never counted)
ENGINES = {"service": "本项目服务", "static": "本项目静态索引", "pagefind": "Pagefind"}

# In the page: import Pagefind, init() (its entry files), and answer one query with the first 10 URLs.
INIT_JS = """async () => {
  window.pf = await import('/pagefind/pagefind.js');
  await window.pf.init();
  return true;
}"""
SEARCH_JS = """async (q) => {
  const search = await window.pf.search(q);
  const top = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  return {total: search.results.length, urls: top.map((d) => d.url)};
}"""


def missing_tools() -> str | None:
    """Return why Pagefind cannot run here (no npm, no Chromium, no playwright), or None."""
    if not BINARY.exists() and shutil.which("npm") is None:
        return "npm 不可用，无法安装 Pagefind"
    if not CHROMIUM.exists():
        return f"没有 Chromium（{CHROMIUM}）"
    try:
        import playwright.sync_api  # noqa: F401  # lazy: a dev dependency, asked only when the comparison runs
    except ImportError:
        return "没有 playwright（开发依赖）"
    return None


def install_pagefind() -> Path:
    """Install the pinned Pagefind into the git-ignored tools folder once; return its binary."""
    if not BINARY.exists():
        subprocess.run(
            ["npm", "install", "--prefix", str(TOOLS), "--no-save", "--no-audit", "--no-fund", "--loglevel=error", PAGEFIND],
            check=True,
        )
    return BINARY


def index_site(site_dir: Path) -> float:
    """Index the site's record pages with Pagefind's CLI into site/pagefind/; return the seconds."""
    binary = install_pagefind()
    shutil.rmtree(site_dir / BUNDLE, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [str(binary), "--site", str(site_dir), "--output-subdir", BUNDLE, "--glob", GLOB, "--root-selector", "main", "--silent"],
        check=True,
    )
    return time.perf_counter() - started


class CountingServer:
    """A local HTTP server over the site that adds up the bytes of the Pagefind files it sends."""

    def __init__(self, site_dir: Path) -> None:
        self.sent: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.split("?")[0] == BLANK:
                    body = b"<!doctype html><html lang=zh-CN><title>bench</title></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                super().do_GET()

            def copyfile(self, source: Any, outputfile: Any) -> None:
                data = source.read()
                outputfile.write(data)
                if self.path.startswith(f"/{BUNDLE}/"):
                    with server.lock:
                        server.sent.append((self.path, len(data)))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site_dir)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def take(self) -> int:
        """Return the bytes sent since the last call, and start counting afresh."""
        with self.lock:
            total = sum(n for _, n in self.sent)
            self.sent.clear()
        return total

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _slug(url: str) -> str:
    return url.split("#")[0].strip("/").split("/")[-1]


def search_pagefind(site_dir: Path, queries: list[BenchQuery]) -> dict[str, Any]:
    """Run every query through Pagefind in headless Chromium; return ranks, bytes and times."""
    from playwright.sync_api import sync_playwright  # lazy: a dev dependency, only when the comparison runs

    server = CountingServer(site_dir)
    ranked: list[list[str]] = []
    totals: list[int] = []
    query_bytes: list[int] = []
    warmup_bytes: list[int] = []
    seconds: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for query in queries:
                context = browser.new_context()  # an empty HTTP cache for every query
                page = context.new_page()
                page.goto(server.url + BLANK)
                page.evaluate(INIT_JS)
                warmup_bytes.append(server.take())
                started = time.perf_counter()
                answer = page.evaluate(SEARCH_JS, query.text)
                seconds.append(time.perf_counter() - started)
                query_bytes.append(server.take())
                ranked.append([_slug(url) for url in answer["urls"]])
                totals.append(int(answer["total"]))
                context.close()
            browser.close()
    finally:
        server.close()
    return {"ranked": ranked, "totals": totals, "bytes": query_bytes, "warmup": warmup_bytes, "seconds": seconds}


def _kb(values: list[int]) -> dict[str, Any]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(values) / 1024, 1),
        "p90": round(ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))] / 1024, 1),
        "max": round(max(values) / 1024, 1),
    }


def run_pagefind_bench(site_dir: Path, search: dict[str, Any], index_seconds: float | None = None) -> dict[str, Any]:
    """Index `site_dir` with Pagefind, run the bench's queries through it; return the figures.

    `search` is run_search_bench's result on the same site (the project's side of the table);
    `index_seconds` the project's search stage time of the build, when known.
    """
    site_dir = Path(site_dir)
    queries = query_set(site_dir)
    try:
        pagefind_index_s = index_site(site_dir)
        bundle_files = [p for p in (site_dir / BUNDLE).rglob("*") if p.is_file()]
        bundle_mb = round(sum(p.stat().st_size for p in bundle_files) / 1024 / 1024, 1)
        found = search_pagefind(site_dir, queries)
    finally:
        shutil.rmtree(site_dir / BUNDLE, ignore_errors=True)
    ranks = [reciprocal_rank(f, q.relevant, q.correct) for f, q in zip(found["ranked"], queries, strict=True)]
    rows = search["per_query"]  # in the order of query_set, like `queries`
    project = {engine: [row[f"{engine}_rr"] for row in rows] for engine in ("service", "static")}
    static_bytes = [row["static_bytes"] for row in rows]
    return {
        "version": PAGEFIND,
        "index_s": {"project_search_stage": index_seconds, "pagefind": round(pagefind_index_s, 2)},
        "index_mb": bundle_mb,
        "pagefind": score(ranks),
        "service": search["service"],
        "static": search["static"],
        "classes": by_class(queries, {"service": project["service"], "static": project["static"], "pagefind": ranks}),
        "exact_phrase_precision_at_1": {**search["exact_phrase_precision_at_1"], "pagefind": precision_at_1(queries, ranks)},
        "kb_per_query": {"static": _kb(static_bytes), "pagefind": _kb(found["bytes"])},
        "pagefind_first_query_cold_kb": round((found["warmup"][0] + found["bytes"][0]) / 1024, 1),
        "pagefind_entry_files_kb": round(statistics.median(found["warmup"]) / 1024, 1),
        "pagefind_query_ms": {
            "p50": round(statistics.median(found["seconds"]) * 1000, 1),
            "max": round(max(found["seconds"]) * 1000, 1),
        },
        "pagefind_misses": [f"{q.group} {q.text}" for q, r in zip(queries, ranks, strict=True) if not r],
        "pagefind_per_query": [
            {"q": q.text, "rr": round(r, 3), "bytes": b, "total": t}
            for q, r, b, t in zip(queries, ranks, found["bytes"], found["totals"], strict=True)
        ],
    }


def side_by_side(figures: dict[str, Any]) -> str:
    """Return the comparison as Markdown: the overall table, then recall@10 / MRR per class."""
    kb, index_s = figures["kb_per_query"], figures["index_s"]
    project_index = f"{index_s['project_search_stage']} 秒（检索索引阶段）" if index_s["project_search_stage"] else "—"
    p1 = figures["exact_phrase_precision_at_1"]
    lines = [
        "| | 本项目服务 | 本项目静态索引 | Pagefind |",
        "|---|---|---|---|",
        "| recall@10 | " + " | ".join(f"{figures[e]['recall_at_10']:.3f}" for e in ENGINES) + " |",
        "| MRR | " + " | ".join(f"{figures[e]['mrr']:.3f}" for e in ENGINES) + " |",
        "| 正文精确短语 precision@1 | " + " | ".join(f"{p1[e]:.2f}" for e in ENGINES) + " |",
        f"| 每次查询下载（中位 / p90 / 最大） | — | {kb['static']['median']} / {kb['static']['p90']} / {kb['static']['max']} kB"
        f" | {kb['pagefind']['median']} / {kb['pagefind']['p90']} / {kb['pagefind']['max']} kB |",
        f"| 建索引用时 | {project_index} | （同左） | {index_s['pagefind']} 秒（CLI，{figures['index_mb']} MB） |",
        "",
        f"Pagefind 首次查询（冷，含入口文件）{figures['pagefind_first_query_cold_kb']} kB；"
        f"入口文件 {figures['pagefind_entry_files_kb']} kB；查询用时中位 {figures['pagefind_query_ms']['p50']} ms。",
        "",
        "| 类别 | 查询数 | " + " | ".join(ENGINES.values()) + " |",
        "|---|---|---|---|---|",
    ]
    for group, row in figures["classes"].items():
        cells = [f"{row[e]['recall_at_10']:.2f} / {row[e]['mrr']:.3f}" for e in ENGINES]
        lines.append(f"| {group} | {row['count']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="a site built from the corpus")
    parser.add_argument("--content", type=Path, help="its content folder")
    parser.add_argument("--index-seconds", type=float, default=None, help="the build's search stage time")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    why = missing_tools()
    if why:
        print(f"跳过 Pagefind 对比：{why}", file=sys.stderr)
        return 0
    search = run_search_bench(args.site, args.content)
    figures = run_pagefind_bench(args.site, search, args.index_seconds)
    print(side_by_side(figures))
    if args.json:
        args.json.write_text(json.dumps({"search": search, "pagefind": figures}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
