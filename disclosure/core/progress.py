"""Progress on a terminal (stage, done of total); silence elsewhere, so CI logs hold problems only."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Prints `阶段 … n/total` on one refreshed line when the stream is a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.stage = ""
        self._last = 0.0
        self._started = time.monotonic()
        self._stage_started = self._started
        self.timings: list[tuple[str, float]] = []  # (stage, seconds), for --timings and make bench

    def start(self, stage: str, total: int = 0) -> None:
        """Begin a stage; `total` is the number of steps, or 0 when unknown."""
        self._close_stage()
        self.stage, self.total = stage, total
        self._stage_started = time.monotonic()
        self.update(0, force=True)

    def update(self, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1 and done != self.total:
            return
        self._last = now
        count = f" {done}/{self.total}" if self.total else ""
        self.stream.write(f"\r\x1b[2K{self.stage}…{count}")
        self.stream.flush()

    def _close_stage(self) -> None:
        if self.stage:
            self.timings.append((self.stage, time.monotonic() - self._stage_started))

    def finish(self, message: str) -> None:
        self._close_stage()
        self.stage = ""
        if self.enabled:
            elapsed = time.monotonic() - self._started
            self.stream.write(f"\r\x1b[2K{message}（用时 {elapsed:.1f} 秒）\n")
            self.stream.flush()
