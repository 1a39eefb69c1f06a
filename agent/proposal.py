"""What a provider hands the loop: a candidate rewrite, before any evaluation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from neurojit.compiler.kernel import ir_hash


@dataclass(frozen=True)
class Knob:
    """One tunable integer of a schedule: its name and valid range (inclusive), stepped or log-scaled."""
    name: str
    low: int
    high: int
    step: int = 1
    log: bool = False

    def clamp(self, value: int) -> int:
        v = min(max(int(value), self.low), self.high)
        return v if self.log else self.low + (v - self.low) // self.step * self.step


@dataclass(frozen=True)
class Proposal:
    """A full replacement module (`kind="module"`) or a transform schedule applied to the baseline.

    `knobs` are the values to evaluate first; `space` the knobs the tuner may vary (empty: nothing to tune).
    """
    kind: str  # "module" | "schedule"
    text: str
    provider: str
    strategy: str
    knobs: dict[str, int] = field(default_factory=dict)
    space: tuple[Knob, ...] = ()
    schedule: str | None = None  # the library name, when it comes from the schedule library
    parent: str | None = None  # identity of the candidate it was derived from
    rationale: str = ""

    def with_knobs(self, knobs: dict[str, int]) -> Proposal:
        return Proposal(self.kind, self.text, self.provider, self.strategy, dict(knobs), self.space,
                        self.schedule, self.parent, self.rationale)


def identity(text: str, knobs: dict | None = None) -> str:
    """A candidate's identity: hash of its text with whitespace and comments normalised, plus its knobs.

    Candidate text is untrusted, so it is not parsed here (MLIR may abort on malformed input); two texts
    that differ only in layout or comments get the same identity."""
    lines = (re.sub(r"//.*", "", line).strip() for line in text.splitlines())
    body = "\n".join(re.sub(r"\s+", " ", line) for line in lines if line)
    return ir_hash(body, sorted((knobs or {}).items()))
