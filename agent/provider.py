"""The interfaces of the proposing side: what the loop asks a provider, and how a strategy builds a prompt.

This module holds interfaces only (Optuna's samplers are the model): a `Provider` is one method,
`propose(request) -> list[Proposal]`, plus a `name`; a `Strategy` is `next_prompt(request) -> Prompt | None`.
Optional abilities (`one_shot`, `cancel`) are declared here with defaults, so the loop never probes for them.
Implementations live in their own modules and `agent/registry.py` builds them from `--model` and
`--strategy` strings; nothing here imports either, so no implementation imports its own registry.
"""

from __future__ import annotations

import abc
import hashlib
import json
from dataclasses import dataclass, field

from neurojit.compiler.errors import NeuroJITError

from .proposal import Proposal

__all__ = ["Prompt", "Provider", "ProviderError", "Request", "Strategy"]


@dataclass(frozen=True)
class Request:
    """Everything a provider may use to propose: the kernel, the machine, and what was tried so far."""
    kernel_text: str
    kernel_name: str
    info: object  # agent.analyze.KernelInfo
    host: dict  # compiler.host.Host.to_json()
    baseline_ms: float | None
    round: int  # 0 for the first request of a run
    history: tuple = field(default_factory=tuple)  # this run's candidates (store CandidateRecords), in order
    examples: tuple = field(default_factory=tuple)  # verified candidates of earlier runs (records), best first


class Provider(abc.ABC):
    """Proposes candidates for a kernel: a rule book, a model behind a strategy, a third party's plugin.

    Subclass it and write `propose`; set `name` (stored with every proposal as its provider). The defaults
    of the optional abilities fit a provider that asks a model round after round."""

    name: str
    # True: everything is proposed in round 0, so the tuner may spend the rest of the budget on knobs
    # (otherwise it leaves budget for the provider's later rounds)
    one_shot: bool = False

    @abc.abstractmethod
    def propose(self, request: Request) -> list[Proposal]:
        """Candidates to evaluate next; an empty list means the provider has nothing more to offer."""

    def cancel(self) -> None:
        """End a call in flight and make later ones fail promptly (the run's time budget calls it, from
        another thread). Never raises; the default has nothing to end."""


@dataclass(frozen=True)
class Prompt:
    """A request to a model: its text, and `key`, what identifies it (hashed for replay and for the
    no-re-billing check). The key must not hold measured times, which move between runs."""
    text: str
    key: dict
    parent: str | None = None  # identity of the history candidate the answer derives from

    @property
    def request_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.key, sort_keys=True).encode()).hexdigest()[:32]


class Strategy(abc.ABC):
    """How a request to a model is built and what feedback goes back: one small class per strategy."""

    name: str

    @abc.abstractmethod
    def next_prompt(self, request: Request) -> Prompt | None:
        """The prompt for this round; None when there is nothing to ask."""


class ProviderError(NeuroJITError):
    """A provider, model or strategy cannot be built or used as asked (unknown name, missing key, ...)."""

