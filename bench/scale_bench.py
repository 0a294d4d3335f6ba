#!/usr/bin/env python3
"""`make bench-scale`: the build at 100,000 records, against the corpus in the same run (issue 15).

    python bench/scale_bench.py [--records 100000] [--seed 15] [--no-corpus] [--json FILE] [--keep]

1. generate `--records` records from the corpus (bench/scale_records.py) and check them;
2. on them: a cold build (no output, no cache), a rebuild with nothing changed, a rebuild after
   one record's body changed; for each the wall time, the CPU time (user + sys) of the build
   and the processes it waited for, the peak memory (Pss of the process tree, bench/run.py)
   and the build's own stage timings (`build.py build --timings`);
3. the output's size and file count, and the bytes the static search downloads per query
   (the queries of bench/search_bench.py, plus titles and 索引号 of generated records);
4. the same on the corpus (bench/import_corpus.py), for the ratio (`--no-corpus` skips it).

The machine is shared: wall times are noisy, CPU times less so. Targets (issue 15, 100k
records): cold ≤ 15 min, one-record rebuild ≤ 5 s, peak ≤ 4 GB, static download ≤ 300 kB.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from build_cpu import PREFIX  # noqa: E402
from import_corpus import DEFAULT_CORPUS, import_corpus  # noqa: E402
from run import cold, run_sampled, touch_one_record  # noqa: E402
from scale_records import generate  # noqa: E402
from search_bench import NEW_QUERIES, QUERIES  # noqa: E402

from search.index.static_query import StaticSite  # noqa: E402

TARGETS = {
    "cold_build_s": 900.0,
    "one_record_rebuild_s": 5.0,
    "peak_memory_mb": 4096.0,
    "static_kb_per_query_max": 300.0,
}
SAMPLED_TITLES = 20  # generated titles (and as many 索引号) added to the query set


def wait_for_cleanup(output: Path, limit: float = 600.0) -> float:
    """Wait until the detached `rm` of the previous output is done (it would load the next build); return seconds."""
    started = time.perf_counter()
    prefix = f".{output.name}-previous-"
    while (
        any(p.name.startswith(prefix) for p in output.parent.iterdir())
        and time.perf_counter() - started < limit
    ):
        time.sleep(0.5)
    return time.perf_counter() - started


def measured_build(content: Path, output: Path) -> dict[str, Any]:
    """Run one build (bench/build_cpu.py); return its wall and CPU seconds, peak MB and each stage's wall and CPU."""
    command = [
        sys.executable,
        str(HERE / "build_cpu.py"),
        "build",
        "--content",
        str(content),
        "--output",
        str(output),
    ]
    err, wall, peak = run_sampled(command, every=0.2)
    stages = {}
    for line in err.splitlines():
        if line.startswith(PREFIX):
            name, stage_wall, stage_cpu = line.removeprefix(PREFIX).split("\t")
            stages[name] = {"wall_s": float(stage_wall), "cpu_s": float(stage_cpu)}
    total = stages.pop("合计")
    print(
        "    " + "；".join(f"{n} {v['wall_s']}/{v['cpu_s']}" for n, v in stages.items()) + "（秒，墙钟/CPU）",
        flush=True,
    )
    return {
        "wall_s": round(wall, 2),
        "cpu_s": total["cpu_s"],
        "peak_mb": round(peak / 1024),
        "stages": stages,
        "cleanup_wait_s": round(wait_for_cleanup(output), 1),
    }


def output_size(output: Path) -> dict[str, Any]:
    """Return the file count and size of a built site (each file once, hard links or not)."""
    files = [p for p in output.rglob("*") if p.is_file()]
    sizes = [p.stat().st_size for p in files]
    modes = sum(1 for p in files if p.relative_to(output).parts[0] in ("care", "a11y"))
    return {"files": len(files), "mb": round(sum(sizes) / 1024 / 1024, 1), "mode_files": modes}


def query_texts(site: Path, seed: int) -> list[tuple[str, str, str]]:
    """Return (class, query, expected slug or "") : the search bench's queries, then sampled titles and 索引号."""
    queries = [(category, q, "") for category, q, _ in QUERIES if q != "@index"]
    queries += [(group, q, "") for group, q, _ in NEW_QUERIES]
    static = StaticSite(site)
    count = static.meta["count"]
    rng = random.Random(seed)
    for number in sorted(rng.sample(range(count), min(SAMPLED_TITLES, count))):
        row = static.row(number)
        head, year, serial = row["slug"].rsplit("-", 2)
        queries.append(("生成记录机构+主题", typed_title(row["title"]), row["slug"]))
        queries.append(("生成记录索引号", f"{head}/{year}-{serial}", row["slug"]))
    return queries


def typed_title(title: str) -> str:
    """Return what a reader types for a title: its agency and the name inside 《》 (or the title's start), at most 40 characters."""
    agency, _, rest = title.partition("关于")
    named = re.search(r"《([^》]+)》", title)
    topic = named.group(1) if named else (rest or title)
    return f"{agency} {topic}"[:40] if rest else topic[:40]


def static_downloads(site: Path, seed: int) -> dict[str, Any]:
    """Return the kB the static search loads per query (index pieces, then the first page's rows).

    As bench/search_bench.py measures it: a fresh StaticSite per query (an empty browser cache),
    its index files, then the display rows of the first ten results. Also how often a sampled
    title or 索引号 finds its record in the first ten (a check that the index answers at this size).
    """
    sizes, found, asked, per_class = [], 0, 0, {}
    for group, q, wanted in query_texts(site, seed):
        static = StaticSite(site)
        ids = static.search_ids(q)
        slugs = [static.row(i)["slug"] for i in ids[:10]]
        kb = sum(static.loaded.values()) / 1024
        sizes.append(kb)
        per_class.setdefault(group, []).append(kb)
        if wanted:
            asked += 1
            found += wanted in slugs
    ordered = sorted(sizes)
    return {
        "queries": len(sizes),
        "median_kb": round(statistics.median(sizes), 1),
        "p90_kb": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "max_kb": round(max(sizes), 1),
        "max_by_class_kb": {group: round(max(values), 1) for group, values in per_class.items()},
        "sampled_found_at_10": f"{found}/{asked}",
    }


def bench_site(name: str, content: Path, output: Path, seed: int) -> dict[str, Any]:
    """Check, then build cold, unchanged and after one edit; measure the output and the static search."""
    results: dict[str, Any] = {}
    started = time.perf_counter()
    check = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--content", str(content)],
        capture_output=True,
        text=True,
    )
    results["check_s"] = round(time.perf_counter() - started, 1)
    results["check_ok"] = check.returncode == 0
    print(
        f"[{name}] check：{'通过' if check.returncode == 0 else '未通过'}，{results['check_s']} 秒",
        flush=True,
    )
    if check.returncode != 0:
        print(check.stdout[-3000:] + check.stderr[-3000:], flush=True)
        return results
    cold(output)
    for step, label in (
        ("cold", "冷启动全量生成"),
        ("unchanged", "无改动重新生成"),
        ("one_record", "修改一条记录后重新生成"),
    ):
        if step == "one_record":
            touch_one_record(content)
        figures = measured_build(content, output)
        results[step] = figures
        print(
            f"[{name}] {label}：{figures['wall_s']} 秒（CPU {figures['cpu_s']} 秒），峰值 {figures['peak_mb']} MB"
            f"（之后等待旧目录删除 {figures['cleanup_wait_s']} 秒）",
            flush=True,
        )
    results["output"] = output_size(output)
    print(f"[{name}] 输出：{results['output']}", flush=True)
    results["static_search"] = static_downloads(output, seed)
    print(f"[{name}] 静态检索每次下载：{results['static_search']}", flush=True)
    return results


def summary(results: dict[str, Any]) -> list[str]:
    """Return the figures against the targets, and the ratio to the corpus where both were measured."""
    scale, corpus = results["scale"], results.get("corpus")
    if "cold" not in scale:
        return ["生成的内容未通过校验：没有测量。"]
    values = {
        "cold_build_s": scale["cold"]["wall_s"],
        "one_record_rebuild_s": scale["one_record"]["wall_s"],
        "peak_memory_mb": max(scale[s]["peak_mb"] for s in ("cold", "unchanged", "one_record")),
        "static_kb_per_query_max": scale["static_search"]["max_kb"],
    }
    lines = []
    for key, target in TARGETS.items():
        verdict = "达标" if values[key] <= target else "未达标"
        lines.append(f"{key}: {values[key]}（目标 ≤ {target:g}）{verdict}")
    if corpus and "cold" in corpus:
        records = results["records"]["scale_total"] / results["records"]["corpus_total"]
        for step in ("cold", "unchanged", "one_record"):
            wall = scale[step]["wall_s"] / max(corpus[step]["wall_s"], 0.01)
            cpu = scale[step]["cpu_s"] / max(corpus[step]["cpu_s"], 0.01)
            lines.append(f"{step}: 记录数 {records:.1f} 倍，用时 {wall:.1f} 倍，CPU {cpu:.1f} 倍")
        for stage, seconds in scale["cold"]["stages"].items():
            base = corpus["cold"]["stages"].get(stage, {}).get("cpu_s")
            ratio = f"{seconds['cpu_s'] / base:.1f} 倍" if base else "—"
            lines.append(f"  冷启动阶段 {stage}: CPU {seconds['cpu_s']} 秒（语料 {base} 秒，{ratio}）")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="records to generate (default 100,000)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-corpus", action="store_true", help="skip the same figures on the corpus")
    parser.add_argument(
        "--work", type=Path, default=None, help="folder for the content and sites (default: a temporary one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="yangguang-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"records": {}}
    try:
        started = time.perf_counter()
        counts = generate(work / "scale-content", args.records, args.seed, args.corpus)
        results["records"]["scale"] = counts
        results["records"]["scale_total"] = sum(counts.values())
        results["generate_s"] = round(time.perf_counter() - started, 1)
        print(f"生成 {sum(counts.values()):,} 条记录：{counts}，{results['generate_s']} 秒", flush=True)
        results["scale"] = bench_site(
            f"{args.records:,} 条", work / "scale-content", work / "scale-site", args.seed
        )
        if not args.no_corpus:
            corpus_counts = import_corpus(args.corpus, work / "corpus-content")
            shutil.copy(REPO / "content" / "synonyms.yaml", work / "corpus-content" / "synonyms.yaml")
            results["records"]["corpus_total"] = corpus_counts["records"]
            results["corpus"] = bench_site(
                f"语料 {corpus_counts['records']:,} 条",
                work / "corpus-content",
                work / "corpus-site",
                args.seed,
            )
    finally:
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("\n".join(summary(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
