"""Run budgets: candidates, wall time, tokens, dollars; the run stops cleanly at the first one reached."""

from __future__ import annotations

import time
from dataclasses import dataclass

FINALISTS = 5  # candidates a run's end times against each other before naming the best (agent/runoff.py)


@dataclass(frozen=True)
class Budget:
    candidates: int = 40
    seconds: float | None = 600.0
    tokens: int | None = None
    dollars: float | None = None

    def exhausted(self, *, candidates: int, started: float, tokens: int = 0, dollars: float = 0.0,
                  reserve_s: float = 0.0, next_s: float = 0.0, now: float | None = None) -> str | None:
        """The first budget reached, as words for the summary, or None. `reserve_s`: seconds of the time limit
        kept for the work after the search (the runoff), so that the run as a whole ends within it. `next_s`:
        seconds the next step (an evaluation) is expected to take; the time limit counts as reached when that
        step would end past it, since it is not cut short once started. `now`: the clock (time.monotonic's)."""
        if candidates >= self.candidates:
            return f"candidate budget reached ({candidates} of {self.candidates})"
        if self.seconds is not None:
            left = self.seconds - reserve_s - ((time.monotonic() if now is None else now) - started)
            if left <= 0:
                return f"time limit reached ({self.seconds:g} s)"
            if next_s > left:
                return (f"time limit reached ({self.seconds:g} s): {left:.0f} s left, less than an evaluation "
                        f"takes (~{next_s:.0f} s)")
        if self.tokens is not None and tokens >= self.tokens:
            return f"token budget reached ({tokens} of {self.tokens})"
        if self.dollars is not None and dollars >= self.dollars:
            return f"dollar budget reached (${dollars:.4f} of ${self.dollars:g})"
        return None

    def remaining_candidates(self, candidates: int) -> int:
        return max(0, self.candidates - candidates)
