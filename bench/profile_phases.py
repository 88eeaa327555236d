"""cProfile of one sync, phase by phase, for bench/okta_sync.py --profile.

A fresh profiler starts at each phase the run announces, so each phase's hot spots are its
own. cProfile sees only the thread it runs in: while the member readers (threads) fetch and
parse, the main thread shows the wait (`future.result`), not their work. The run's writer
thread (sync.engine.pending) gets a profiler of its own, summarised as one more "phase".
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class PhaseProfiler:
    """Switch with `phase(name)`; `finish()` stops and returns a summary per phase."""

    def __init__(self, out_dir: Path, top: int = 6) -> None:
        self.out_dir, self.top = out_dir, top
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.current: tuple[str, cProfile.Profile, float] | None = None
        self.summary: dict[str, dict] = {}

    def phase(self, name: str) -> None:
        if self.current and self.current[0] == name:
            return
        self._stop()
        profile = cProfile.Profile()
        self.current = (name, profile, time.perf_counter())
        profile.enable()

    def finish(self) -> dict[str, dict]:
        self._stop()
        return self.summary

    def run_thread(self, name: str, work: Callable[..., Any], *args: Any) -> Any:
        """Run `work` (a thread's whole body) under its own profiler, summarised as `name`."""
        profile, started = cProfile.Profile(), time.perf_counter()
        try:
            return profile.runcall(work, *args)
        finally:
            self._record(name, profile, time.perf_counter() - started)

    def _stop(self) -> None:
        if not self.current:
            return
        name, profile, started = self.current
        profile.disable()
        self.current = None
        self._record(name, profile, time.perf_counter() - started)

    def _record(self, name: str, profile: cProfile.Profile, seconds: float) -> None:
        path = self.out_dir / f"{len(self.summary) + 1:02d}-{name.replace(' ', '_')}.prof"
        profile.dump_stats(path)
        self.summary[name] = {
            "seconds": round(seconds, 2),
            "file": str(path),
            "top": _top(profile, self.top),
        }


def _top(profile: cProfile.Profile, count: int) -> list[list]:
    """The functions with the most time of their own: (where, own seconds, cumulative)."""
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    return [
        [f"{Path(f).name}:{line}({fn})", round(tt, 2), round(ct, 2)]
        for (f, line, fn), (_, _, tt, ct, _) in rows
    ]
