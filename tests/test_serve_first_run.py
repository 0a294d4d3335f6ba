"""A newcomer's first `make run` (issue 14): the real `build.py serve` on a copy of the untouched
sample content prints a short summary and nothing else — no warning the sample itself causes, no
werkzeug/Flask development-server banner, no log line for the live-reload poll — and stops on
Ctrl+C with a line of its own, no traceback."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from conftest import REPO

BUILT = re.compile(r"^已生成 (\d+) 条记录的网站。$")
ADDRESS = re.compile(r"^预览地址：http://127\.0\.0\.1:(\d+)/  （按 Ctrl\+C 停止；修改 content/ 下的文件会自动重建并刷新浏览器）$")
REQUEST = re.compile(r'^127\.0\.0\.1 - - \[[^]]+\] "GET (\S+) HTTP/1\.1" (\d{3}) -$')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_make_run_on_the_sample_prints_a_summary_and_no_warning(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    # every record of the sample has an 索引号 (pages and the guide have none); none is a draft
    records = sum("\nindex_number:" in p.read_text(encoding="utf-8") for p in (tmp_path / "content").rglob("*.md"))
    port = free_port()
    # what `make run` runs, from the folder of the content
    command = [sys.executable, str(REPO / "build.py"), "serve", "--content", "content", "--output", "site", "--port", str(port)]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in process.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        while not any(ADDRESS.match(line) for line in lines):
            assert process.poll() is None and time.monotonic() < deadline, lines
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        for _ in range(5):  # an open tab polls once a second
            with urllib.request.urlopen(f"{base}/__build", timeout=10) as answer:
                assert answer.status == 200 and b'"ok": true' in answer.read()
        with urllib.request.urlopen(f"{base}/__reload.js", timeout=10) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(f"{base}/", timeout=10) as answer:  # an ordinary request is logged
            assert b"/__reload.js" in answer.read()
        deadline = time.monotonic() + 10
        while not any(REQUEST.match(line) for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C
        status = process.wait(timeout=30)
        reader.join(timeout=10)
        if process.stdout:
            process.stdout.close()
    assert status == 0, lines
    assert lines[-1] == "预览已停止。"
    requests = [REQUEST.match(line) for line in lines if REQUEST.match(line)]
    assert [(m.group(1), m.group(2)) for m in requests if m] == [("/", "200")]  # the reload channel is not logged
    # besides: one summary per build (a saved template elsewhere may rebuild), the address, the stop
    others = [line for line in lines if not REQUEST.match(line)]
    built = [m for m in map(BUILT.match, others) if m]
    assert built and all(int(m.group(1)) == records for m in built), others
    assert [line for line in others if not BUILT.match(line)] == [
        next(line for line in others if ADDRESS.match(line)),
        "预览已停止。",
    ], others
    text = "\n".join(lines)
    for noise in ("警告", "提示不影响发布", "WARNING", "development server", "Running on", "Traceback", "Serving Flask"):
        assert noise not in text, noise
