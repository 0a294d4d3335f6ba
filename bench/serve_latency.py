#!/usr/bin/env python3
"""From saving a record to the refreshed page in `build.py serve` (issue 15: ≤ 0.5 s on the corpus).

    python bench/serve_latency.py --content DIR --output DIR [--edits 3]

Starts the preview on a free port and waits for its first build; then, `--edits` times, appends
a sentence to the body of one record, asks `/__build?after=<id>` as an open tab does (a long
poll, answered when the new build is in) and fetches the record's page until it shows the
sentence. Reported: each save → refreshed page, in seconds (the watcher's 300 ms debounce
included: that is what a person waits), and the median.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
INDEX_NUMBER = re.compile(r'^index_number:\s*"?([^"\n]+)"?\s*$', re.M)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return bytes(answer.read())


def measure(content: Path, output: Path, edits: int = 3) -> dict[str, object]:
    """Run the preview and time `edits` saves to the refreshed page; return the figures."""
    port = free_port()
    command = [
        sys.executable,
        str(REPO / "build.py"),
        "serve",
        "--content",
        str(content),
        "--output",
        str(output),
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr or ()), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    seconds: list[float] = []
    try:
        deadline = time.monotonic() + 1800
        while not any("预览地址" in line for line in lines):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("预览没有启动：" + "".join(lines[-20:]))
            time.sleep(0.2)
        records = sorted((content / "documents").rglob("*.md"))
        record = records[len(records) // 3]
        found = INDEX_NUMBER.search(record.read_text("utf-8"))
        if found is None:
            raise SystemExit(f"{record} 没有索引号")
        page = f"{base}/records/{quote(found.group(1).replace('/', '-'))}/"
        seen = json.loads(get(f"{base}/__build"))["id"]
        for n in range(edits):
            time.sleep(2.5)  # the last build's writes settle; the watcher is idle
            marker = f"预览计时第 {n + 1} 次修改。"
            with record.open("a", encoding="utf-8") as file:
                file.write(f"\n\n{marker}\n")
            saved = time.perf_counter()
            while True:  # the open tab's long poll
                state = json.loads(get(f"{base}/__build?after={seen}"))
                if state["id"] != seen:
                    seen = state["id"]
                    break
            if not state["ok"]:
                raise SystemExit("重建失败：" + "\n".join(state["problems"]))
            while marker not in get(page).decode("utf-8"):  # the reload
                time.sleep(0.01)
            seconds.append(time.perf_counter() - saved)
            print(f"    保存 → 页面刷新（第 {n + 1} 次）：{seconds[-1]:.2f} 秒", flush=True)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    median = statistics.median(seconds)
    print(
        f"serve：保存一条记录到刷新页面，中位 {median:.2f} 秒（{', '.join(f'{s:.2f}' for s in seconds)}）",
        flush=True,
    )
    return {"serve_save_to_page_s": round(median, 2), "serve_runs_s": [round(s, 2) for s in seconds]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args(argv)
    measure(args.content, args.output, args.edits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
