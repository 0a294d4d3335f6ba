"""Fault injection: `kill -9` a real build of a few hundred records at random moments.

Every time: `site/` is the old or the new site by tree hash, no process of the killed
build survives (its process group and every descendant seen in /proc), the build lock is
free, and the next build succeeds. The content is the fixture corpus copied many times
with distinct 索引号 (as bench/import_corpus.py makes corpus records).

`YG_FAULT_KILLS` sets the number of kills (10 here; `make bench` runs more) and
`YG_FAULT_SEED` replays a run (the seed is printed when a check fails).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from disclosure.outputs.publish import BuildLocked, build_lock

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
KILLS = int(os.environ.get("YG_FAULT_KILLS", "10"))
SEED = int(os.environ.get("YG_FAULT_SEED", str(random.randrange(1 << 30))))
COPIES = 60  # × 5 corpus documents: enough pages that the build renders on every core
PER_ROUND = 5  # kills between two completed builds
CHANGES = ("site", "record", "site", "nothing")

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


def corpus_content(target: Path, copies: int) -> Path:
    """Import the fixture corpus into `target`, then add `copies` copies of each document."""
    spec = importlib.util.spec_from_file_location("import_corpus_for_faults", REPO / "bench" / "import_corpus.py")
    assert spec and spec.loader
    importer = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = importer  # dataclasses look their module up here
    spec.loader.exec_module(importer)
    importer.import_corpus(CORPUS, target)
    documents = sorted((target / "documents").rglob("*.md"))
    serial = 50000
    for copy in range(copies):
        for n, document in enumerate(documents):
            serial += 1
            text = document.read_text(encoding="utf-8")
            text = re.sub(r'^(index_number: "[^/"]+/\d{4}-)\d+"', rf'\g<1>{serial:05d}"', text, count=1, flags=re.M)
            text = re.sub(r'^(title: ".*)"$', rf'\g<1>（副本{copy}）"', text, count=1, flags=re.M)
            text = re.sub(r"^doc_number: .*\n", "", text, count=1, flags=re.M)  # 文号 stay unique
            path = target / "documents" / "copies" / f"{copy:03d}-{n}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return target


def change_content(content: Path, kind: str, round_number: int) -> None:
    """Change the site name (every page is rendered again), one record, or nothing."""
    if kind == "site":
        config = content / "site.yaml"
        text = config.read_text(encoding="utf-8")
        config.write_text(re.sub(r"^name: .*$", f"name: 基准站第{round_number}版", text, count=1, flags=re.M), encoding="utf-8")
    elif kind == "record":
        record = content / "documents" / "copies" / "000-0.md"
        record.write_text(record.read_text(encoding="utf-8") + f"\n第{round_number}次修订。\n", encoding="utf-8")


def site_hash(root: Path) -> str:
    """Return one hash of every file under `root` (paths and bytes).

    Whoosh names its segment files at random, so the search-service index counts by its
    stored documents instead of its file names.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(".search/whoosh/"):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    whoosh = root / ".search" / "whoosh"
    if whoosh.is_dir():
        from whoosh import index

        with index.open_dir(str(whoosh), readonly=True).searcher() as searcher:
            digest.update(repr(sorted(sorted(d.items()) for d in searcher.documents())).encode())
    return digest.hexdigest()


def proc_stat(pid: int) -> tuple[str, int, int, int] | None:
    """Return (state, parent pid, process group, start time) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19])


def all_processes() -> dict[int, tuple[str, int, int, int]]:
    """Every process of the machine with its /proc stat fields."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := proc_stat(int(entry))) is not None:
            found[int(entry)] = stat
    return found


def descendants(pid: int) -> set[tuple[int, int]]:
    """Return (pid, start time) of every process below `pid`."""
    table = all_processes()
    below: set[tuple[int, int]] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, stat in table.items() if stat[1] in frontier and (p, stat[3]) not in below}
        below |= {(p, table[p][3]) for p in frontier}
    return below


def survivors(group: int, seen: set[tuple[int, int]]) -> set[int]:
    """Return the live (not zombie) processes of the killed build's group or seen below it."""
    alive = set()
    for pid, (state, _parent, pgid, start) in all_processes().items():
        if state != "Z" and (pgid == group or (pid, start) in seen):
            alive.add(pid)
    return alive


def wait_until_gone(group: int, seen: set[tuple[int, int]], limit: float = 5.0) -> set[int]:
    """Wait up to `limit` seconds for the killed build's processes to go; return those left."""
    deadline = time.monotonic() + limit
    left = survivors(group, seen)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = survivors(group, seen)
    return left


def build_command(content: Path, output: Path) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "build", "--content", str(content), "--output", str(output)]


def complete_build(content: Path, output: Path) -> float:
    """Run a build to the end (it must succeed); return how long it took."""
    started = time.monotonic()
    result = subprocess.run(build_command(content, output), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"seed {SEED}: the build after a kill failed:\n{result.stderr[-3000:]}"
    return time.monotonic() - started


def has_workers(pid: int) -> bool:
    """Return whether the build `pid` has forked worker processes right now."""
    return any(stat[1] == pid and stat[0] != "Z" for stat in all_processes().values())


def kill_build(content: Path, output: Path, delay: float, at_workers: bool, limit: float) -> tuple[bool, bool, set[int]]:
    """Start a build and kill -9 it after `delay` s (or once it has workers); return
    (killed before it ended, workers were running, processes left afterwards)."""
    process = subprocess.Popen(
        build_command(content, output), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    started = time.monotonic()
    if at_workers:
        while process.poll() is None and not has_workers(process.pid) and time.monotonic() - started < limit:
            time.sleep(0.01)
        time.sleep(delay)
    else:
        time.sleep(delay)
    workers = has_workers(process.pid)
    seen = descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.returncode == -signal.SIGKILL, workers, wait_until_gone(process.pid, seen)


def test_kill_9_at_random_moments_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    content = corpus_content(tmp_path / "content", COPIES)
    output = tmp_path / "site"
    duration = complete_build(content, output)
    kills = with_workers = rounds = 0
    while kills < KILLS:
        change_content(content, CHANGES[rounds % len(CHANGES)], rounds)
        rounds += 1
        old = site_hash(output)
        observed = []
        for n in range(PER_ROUND):
            at_workers = n == 0  # one kill per round while the workers run; the others at any moment
            delay = rng.uniform(0.0, 0.3) if at_workers else rng.uniform(0.05, duration * 1.05)
            killed, workers, left = kill_build(content, output, delay, at_workers, duration)
            assert not left, f"seed {SEED}: processes of the killed build survive: {sorted(left)}"
            try:
                with build_lock(output):
                    pass  # a dead build's lock never blocks the next one
            except BuildLocked:
                pytest.fail(f"seed {SEED}: the build lock is still held after kill -9")
            observed.append(site_hash(output))
            kills += killed
            with_workers += killed and workers
            if kills >= KILLS:
                break
        duration = complete_build(content, output)  # the next build succeeds
        new = site_hash(output)
        assert set(observed) <= {old, new}, f"seed {SEED}: after kill -9, site/ was neither the old nor the new site"
    assert with_workers >= 1, f"seed {SEED}: no kill landed while workers ran"
    print(f"kill -9: {kills} builds killed ({with_workers} while workers ran), site/ always old or new; seed {SEED}")


ORPHAN_SCRIPT = """
import ctypes, multiprocessing, os, signal, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import disclosure.pipeline  # what a build imports: the pools and the at-fork hooks
from disclosure.outputs.publish import build_lock

def linger(keep_alive):
    if keep_alive:  # a child that does not die with its parent: it must still not hold the lock
        ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)
    time.sleep(30)

with build_lock(Path(sys.argv[2])):
    forked = multiprocessing.get_context("fork").Process(target=linger, args=(sys.argv[3] == "keep",))
    forked.start()
    started = subprocess.Popen(["sleep", "30"], close_fds=False)  # a program, fds not closed
    Path(sys.argv[4]).write_text(f"{forked.pid} {started.pid}")
    os.kill(os.getpid(), signal.SIGKILL)
"""


def run_and_kill_itself(tmp_path: Path, mode: str) -> tuple[int, int]:
    """Run ORPHAN_SCRIPT (it takes the build lock, starts children, kill -9s itself); return the children."""
    pids = tmp_path / "pids.txt"
    command = [sys.executable, "-c", ORPHAN_SCRIPT, str(REPO), str(tmp_path / "site"), mode, str(pids)]
    # no pipes: the children would hold them open
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    assert result.returncode == -signal.SIGKILL
    forked, started = (int(x) for x in pids.read_text().split())
    return forked, started


def gone(pid: int, limit: float = 5.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        stat = proc_stat(pid)
        if stat is None or stat[0] == "Z":
            return True
        time.sleep(0.05)
    return False


def test_a_forked_child_dies_with_the_build(tmp_path: Path) -> None:
    forked, started = run_and_kill_itself(tmp_path, "plain")
    try:
        assert gone(forked), "a forked child (as Whoosh's writer processes) outlived the killed build"
    finally:
        for pid in (forked, started):
            if not gone(pid, 0):
                os.kill(pid, signal.SIGKILL)


def test_no_child_keeps_the_lock_of_a_killed_build(tmp_path: Path) -> None:
    forked, started = run_and_kill_itself(tmp_path, "keep")
    try:
        assert not gone(forked, 0) and not gone(started, 0)  # both still run…
        with build_lock(tmp_path / "site"):
            pass  # …and neither holds the dead build's lock
    finally:
        for pid in (forked, started):
            os.kill(pid, signal.SIGKILL)


def staging(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if "-staging-" in p.name]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stopped_build_says_so_removes_staging_and_keeps_the_site(tmp_path: Path, sig: signal.Signals) -> None:
    """Ctrl+C, SIGTERM (systemd, CI) and SIGHUP (a closed terminal): one Chinese line, exit 130, nothing left."""
    content = corpus_content(tmp_path / "content", 2)
    output = tmp_path / "site"
    complete_build(content, output)
    before = site_hash(output)
    change_content(content, "site", 1)
    process = subprocess.Popen(build_command(content, output), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not staging(tmp_path) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)  # stopped while it writes: the worst moment
    time.sleep(0.2)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the build finished before the signal arrived")
    assert process.returncode == 130, err
    assert "已中断：未发布，网站目录保持原样。" in err and "Traceback" not in err, err[-2000:]
    assert site_hash(output) == before
    assert not staging(tmp_path)
