"""What a provider hands the loop: a candidate with where it came from, before any evaluation.

`Proposal` = the evaluator's `Candidate` (kind, text, knobs, identity: decided once, from the text) plus
provenance (provider, strategy, sampler, parent, rationale) and, for schedules, the knob space the tuner
may explore and the knob values it tries first (`seeds`: a provider's model of the host ranks them). It
crosses every boundary of the agent whole; nothing downstream re-derives the kind or the identity from strings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping

from neurojit.compiler.classify import CandidateKind
from neurojit.evaluator.record import Candidate, Knobs

__all__ = ["Candidate", "CandidateKind", "Knob", "Proposal", "space_of"]


@dataclass(frozen=True)
class Knob:
    """One tunable integer of a schedule: its name and valid range (inclusive), stepped or log-scaled, or
    a set of `choices` (MLIR's tune.knob options, a tune.alternatives' region indices; low/high their
    bounds)."""
    name: str
    low: int
    high: int
    step: int = 1
    log: bool = False
    choices: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(int(c) for c in self.choices))  # from JSON: a list

    @classmethod
    def of(cls, name: str, choices) -> Knob:
        """A knob that takes one of `choices`."""
        c = tuple(sorted(set(int(x) for x in choices)))
        return cls(name, c[0], c[-1], choices=c)

    def clamp(self, value: int) -> int:
        if self.choices:  # the nearest choice (the lower on a tie)
            return min(self.choices, key=lambda c: (abs(c - int(value)), c))
        v = min(max(int(value), self.low), self.high)
        return v if self.log else self.low + (v - self.low) // self.step * self.step


@dataclass(frozen=True)
class Proposal:
    """A candidate and its provenance.

    `space` holds the knobs the tuner may vary (empty: nothing to tune); `sampler` names the tuner's sampler
    when the knob values came from it ("" when the provider chose them); `note` records anything the loop
    noticed about the answer, e.g. a kind the model declared that its text contradicts."""
    candidate: Candidate
    provider: str
    strategy: str
    space: tuple[Knob, ...] = ()
    schedule: str | None = None  # the library name, when it comes from the schedule library
    parent: str | None = None  # identity of the candidate it was derived from
    rationale: str = ""
    sampler: str = ""
    note: str = ""
    # knob values the tuner tries right after the proposal's own, in order, before its sampler's (random) start
    seeds: tuple[Knobs, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "seeds", tuple(Knobs(s) for s in self.seeds))  # from JSON: dicts
        if not isinstance(self.candidate, Candidate):
            raise TypeError(f"Proposal takes a Candidate, not {type(self.candidate).__name__}; "
                            "use Proposal.of(text, provider, strategy, ...)")

    @classmethod
    def of(cls, text: str, provider: str, strategy: str, *, knobs: Mapping[str, int] | None = None,
           **provenance) -> Proposal:
        return cls(Candidate.of(text, knobs), provider, strategy, **provenance)

    @property
    def kind(self) -> CandidateKind:
        return self.candidate.kind

    @property
    def text(self) -> str:
        return self.candidate.text

    @property
    def knobs(self) -> Mapping[str, int]:
        return self.candidate.knobs

    @property
    def identity(self) -> str:
        return self.candidate.identity

    def with_knobs(self, knobs: Mapping[str, int], sampler: str = "") -> Proposal:
        return dataclasses.replace(self, candidate=self.candidate.with_knobs(knobs), sampler=sampler or self.sampler)

    def to_json(self) -> dict:
        """Plain data for the graph's checkpoints (the candidate is rebuilt from text and knobs)."""
        return {"text": self.text, "knobs": dict(self.knobs), "provider": self.provider, "strategy": self.strategy,
                "space": [dataclasses.asdict(k) for k in self.space], "schedule": self.schedule,
                "parent": self.parent, "rationale": self.rationale, "sampler": self.sampler, "note": self.note,
                "seeds": [dict(k) for k in self.seeds]}

    @classmethod
    def from_json(cls, d: Mapping) -> Proposal:
        d = dict(d)  # also reads checkpoints written before the Candidate record (same keys, plus "kind")
        text, knobs = d.pop("text"), d.pop("knobs", None)
        d.pop("kind", None)  # never trusted: the text decides
        d.pop("identity", None)
        d["space"] = tuple(Knob(**k) for k in d.get("space", ()))
        return cls(Candidate(text, knobs), **{k: v for k, v in d.items() if k in _PROVENANCE})


_PROVENANCE = {f.name for f in dataclasses.fields(Proposal)} - {"candidate"}


def space_of(text: str) -> tuple[Knob, ...]:
    """The knobs a schedule's text declares, as a space for the tuner: MLIR's tune.knob / tune.alternatives
    take their choices; a `${name:default}` placeholder ranges within 4x of its default (one without a
    positive default is left alone)."""
    from neurojit.compiler.schedule import knobs_of
    from neurojit.compiler.tune import tunables_of

    tunables = tunables_of(text)
    out = []
    for name, d in knobs_of(text).items():
        if name in tunables:
            out.append(Knob.of(name, tunables[name].choices))
        elif d is not None and d > 0:
            out.append(Knob(name, max(1, d // 4), max(2, d * 4), log=True))
    return tuple(out)
