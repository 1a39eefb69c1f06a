"""What an evaluation takes and returns, as frozen records (DESIGN §2, §3).

`Candidate` is the one shape a rewrite has from the moment a provider proposes it to the moment it is
exported: its kind is decided from its text by the compiler's classifier and its identity computed, both
once, in `Candidate.of`. `Verdict` is what the evaluator says of it: an outcome and a reason (enums), the
checks run and the measurements.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

from neurojit.compiler.errors import NeuroJITError
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
    # the O0 and O3 builds of the candidate disagree: its result depends on the optimiser
    UNDEFINED_BEHAVIOUR = "undefined_behaviour"
    # the candidate runs on more threads than the run allows (--threads)
    THREAD_LIMIT = "thread_limit"


class Outcome(enum.StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class Knobs(dict):
    """Knob values by name, sorted and read-only; hashable, and picklable for process pools and clusters."""

    def __init__(self, values: Mapping[str, int] | None = None):
        super().__init__(sorted((str(k), int(v)) for k, v in dict(values or {}).items()))

    def _readonly(self, *args, **kwargs):
        raise TypeError("a candidate's knobs are read-only; make another with Candidate.with_knobs")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _readonly  # type: ignore

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self):
        return (Knobs, (dict(self),))


@dataclass(frozen=True)
class Candidate:
    """A rewrite to evaluate: a full replacement module, or a transform schedule applied to the baseline.

    `Candidate(text, knobs)` is the only way to make one: the kind is decided from the text by the
    compiler's classifier and the identity computed, both here, so no caller can pair a text with another
    kind or identity. `knobs` are the values for a schedule's knobs (empty for a module, and for a schedule
    evaluated at its defaults)."""
    text: str
    knobs: Mapping[str, int] = field(default_factory=Knobs)
    kind: CandidateKind = field(init=False)
    identity: str = field(init=False)

    def __post_init__(self) -> None:
        knobs = Knobs(self.knobs)
        object.__setattr__(self, "knobs", knobs)
        object.__setattr__(self, "kind", classify(self.text))
        object.__setattr__(self, "identity", identity_of(self.text, knobs))

    @classmethod
    def of(cls, text: str, knobs: Mapping[str, int] | None = None) -> Candidate:
        return cls(text, knobs or {})  # __post_init__ makes the Knobs

    def with_knobs(self, knobs: Mapping[str, int]) -> Candidate:
        return Candidate(self.text, knobs)

    @property
    def is_schedule(self) -> bool:
        return self.kind is CandidateKind.SCHEDULE

    def to_json(self) -> dict:
        return {"kind": self.kind.value, "text": self.text, "knobs": dict(self.knobs), "identity": self.identity}

    @classmethod
    def from_json(cls, d: Mapping) -> Candidate:
        """Rebuilt from its text and knobs (what is stored is never trusted for kind or identity)."""
        return cls(d["text"], d.get("knobs") or {})


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
    # what the benchmark timed: cache state, buffers rotated, outputs reset, spot checks (see bench.py)
    timing: dict | None = None
    # where it was evaluated, when not in this process's pool: {"host", "cpu", "worker"} (evaluator/dask.py);
    # its baseline was timed there too, so speedups from different machines are never compared
    worker: dict | None = None

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


class EvaluationLost(NeuroJITError):
    """The cluster lost an evaluation (its workers died, or the scheduler went away) every time it was sent.

    No verdict exists for the candidate; a resumed run evaluates it again. `verdicts` holds the batch's
    verdicts, None where lost, so a caller can keep the evaluations that did finish."""

    def __init__(self, message: str, verdicts: Sequence[Verdict | None] = ()):
        super().__init__(message)
        self.verdicts = list(verdicts)
