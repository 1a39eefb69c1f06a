"""What an evaluation returns: reasons as an enum, checks and verdicts as frozen records (DESIGN §3)."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field


class Reason(str, enum.Enum):
    OK = "ok"
    INVALID_IR = "invalid_ir"
    SIGNATURE_MISMATCH = "signature_mismatch"
    FOREIGN_CALL = "foreign_call"
    UNSAFE_MEMORY = "unsafe_memory"
    WRITES_INPUT = "writes_input"
    WRONG_RESULT = "wrong_result"
    NONFINITE = "nonfinite"
    CACHES_RESULT = "caches_result"
    NONDETERMINISTIC = "nondeterministic"
    CRASH = "crash"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    COMPILE_ERROR = "compile_error"
    SCHEDULE_ERROR = "schedule_error"


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    verdict: str  # "accept" or "reject"
    reason: Reason
    detail: str
    baseline_ms: float | None = None
    candidate_ms: float | None = None
    speedup: float | None = None
    speedup_ci: tuple[float, float] | None = None
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    checks: tuple[Check, ...] = field(default_factory=tuple)
    candidate_hash: str | None = None
    timings: dict[str, float] | None = None  # seconds per evaluation stage, measured in the worker

    @property
    def accepted(self) -> bool:
        return self.verdict == "accept"

    def to_json(self) -> dict:
        d = asdict(self)
        d["reason"] = self.reason.value
        d["checks"] = [{"name": c.name, "pass": c.passed, "detail": c.detail} for c in self.checks]
        d["speedup_ci"] = list(self.speedup_ci) if self.speedup_ci else None
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Verdict":
        d = dict(d)
        d["reason"] = Reason(d["reason"])
        d["checks"] = tuple(Check(c["name"], c["pass"], c.get("detail", "")) for c in d.get("checks", []))
        d["speedup_ci"] = tuple(d["speedup_ci"]) if d.get("speedup_ci") else None
        return cls(**d)


class Rejected(Exception):
    """Raised inside a worker by a check that fails; carries the reason and one human sentence."""

    def __init__(self, reason: Reason, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}")
