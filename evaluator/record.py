"""What an evaluation takes and returns, as frozen records (DESIGN §2, §3).

`Candidate` is the one shape a rewrite has from the moment a provider proposes it to the moment it is
exported: its kind is decided from its text by the compiler's classifier and its identity computed, both
once, in `Candidate.of`. `Verdict` is what the evaluator says of it: an outcome and a reason (enums), the
checks run and the measurements.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Mapping

from neurojit.compiler.classify import CandidateKind, classify, identity_of


class Reason(enum.StrEnum):
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


class Outcome(enum.StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True)
class Candidate:
    """A rewrite to evaluate: a full replacement module, or a transform schedule applied to the baseline.

    Build it with `Candidate.of(text, knobs)`; `knobs` are the values for a schedule's knobs (empty for a
    module and for a schedule evaluated at its defaults)."""
    kind: CandidateKind
    text: str
    knobs: Mapping[str, int]
    identity: str

    @classmethod
    def of(cls, text: str, knobs: Mapping[str, int] | None = None) -> Candidate:
        """The one constructor: classifies the text, normalises the knobs, computes the identity."""
        values = {str(k): int(v) for k, v in sorted((knobs or {}).items())}
        return cls(classify(text), text, MappingProxyType(values), identity_of(text, values))

    def with_knobs(self, knobs: Mapping[str, int]) -> Candidate:
        return Candidate.of(self.text, knobs)

    @property
    def is_schedule(self) -> bool:
        return self.kind is CandidateKind.SCHEDULE

    def to_json(self) -> dict:
        return {"kind": self.kind.value, "text": self.text, "knobs": dict(self.knobs), "identity": self.identity}

    @classmethod
    def from_json(cls, d: Mapping) -> Candidate:
        """Rebuilt from its text and knobs (what is stored is never trusted for kind or identity)."""
        return cls.of(d["text"], d.get("knobs"))


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    verdict: Outcome
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", Outcome(self.verdict))  # "accept"/"reject" strings are accepted
        object.__setattr__(self, "reason", Reason(self.reason))

    @property
    def accepted(self) -> bool:
        return self.verdict is Outcome.ACCEPT

    def to_json(self) -> dict:
        d = asdict(self)
        d["verdict"] = self.verdict.value
        d["reason"] = self.reason.value
        d["checks"] = [{"name": c.name, "pass": c.passed, "detail": c.detail} for c in self.checks]
        d["speedup_ci"] = list(self.speedup_ci) if self.speedup_ci else None
        return d

    @classmethod
    def from_json(cls, d: Mapping) -> Verdict:
        """Read back what `to_json` wrote (fields a later version added and this one lacks are ignored)."""
        d = {k: v for k, v in d.items() if k in _VERDICT_FIELDS}
        d["checks"] = tuple(Check(c["name"], c["pass"], c.get("detail", "")) for c in d.get("checks", []))
        d["speedup_ci"] = tuple(d["speedup_ci"]) if d.get("speedup_ci") else None
        return cls(**d)


_VERDICT_FIELDS = {f for f in Verdict.__dataclass_fields__}


class Rejected(Exception):
    """Raised inside a worker by a check that fails; carries the reason and one human sentence."""

    def __init__(self, reason: Reason, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}")
