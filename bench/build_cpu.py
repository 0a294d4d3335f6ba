#!/usr/bin/env python3
"""`build.py` with the CPU time of every stage, for the benchmarks on a shared machine.

    python bench/build_cpu.py build --content DIR --output DIR      (any build.py arguments)

Runs build.py in this process and, after it, prints to stderr one line per stage of the build's
progress (disclosure/core/progress.py): `stage<TAB>wall seconds<TAB>CPU seconds` and a last line
`合计` (the whole run, start-up included). CPU is user + sys of this process and of the workers
it has waited for (the pools of a stage are closed within it): on a machine other jobs share,
wall time measures the load, CPU time the work.
"""

from __future__ import annotations

import resource
import runpy
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from disclosure.core.progress import Progress  # noqa: E402

PREFIX = "CPU\t"  # the lines bench/scale_bench.py reads


def cpu_seconds() -> float:
    """Return user + sys seconds of this process and its waited-for children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str]) -> int:
    stages: list[tuple[str, float, float]] = []
    start, close = Progress.start, Progress._close_stage
    began: dict[int, tuple[float, float]] = {}

    def timed_start(self: Progress, stage: str, total: int = 0) -> None:
        start(self, stage, total)
        began[id(self)] = (time.monotonic(), cpu_seconds())

    def timed_close(self: Progress) -> None:
        if self.stage and id(self) in began:
            wall, cpu = began.pop(id(self))
            stages.append((self.stage, time.monotonic() - wall, cpu_seconds() - cpu))
        close(self)

    Progress.start, Progress._close_stage = timed_start, timed_close  # type: ignore[method-assign]  # timing wraps the real methods for this run only
    wall, cpu = time.perf_counter(), cpu_seconds()
    sys.argv = [str(REPO / "build.py"), *argv]
    code: Any = 0
    try:
        runpy.run_path(str(REPO / "build.py"), run_name="__main__")
    except SystemExit as done:
        code = done.code
    for name, stage_wall, stage_cpu in stages:
        print(f"{PREFIX}{name}\t{stage_wall:.2f}\t{stage_cpu:.2f}", file=sys.stderr)
    print(f"{PREFIX}合计\t{time.perf_counter() - wall:.2f}\t{cpu_seconds() - cpu:.2f}", file=sys.stderr)
    return code if isinstance(code, int) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
