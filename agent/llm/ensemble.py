"""Several models behind one provider: each request goes to one member, picked by a `Choice`.

The pick is a deterministic function of the run's seed and its finished exchanges (with the verdicts of the
candidates they proposed, as stored), never of the clock or of a random state kept in memory: a run killed
and resumed asks the same member the same request, and a request already answered in the run is answered
from the store whoever would be picked now. Every exchange records the member that answered (its label), so
experiments can compare models. Two choices: fixed `Weights`, and a `Bandit` (UCB1) on accepted speedup per
second of model time, which is well defined for free local models too (as ShinkaEvolve weighs its models).
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from neurojit.agent.provider import Prompt, ProviderError, Strategy
from neurojit.agent.strategies import system_prompt

from .base import ChatModel, Completion, ModelCancelled, ModelError
from .parse import parse_answer
from .prices import cost_usd
from .provider import LLMProvider

__all__ = ["Bandit", "CHOICES", "Choice", "EnsembleProvider", "Member", "Outcome", "Weights"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Member:
    """One model of an ensemble. `label` is what its exchanges record as the model (its name, made unique in
    the ensemble); `weight` > 0 is its share under `Weights` and its exploration prior under `Bandit`."""
    label: str
    weight: float
    model: ChatModel


@dataclass(frozen=True)
class Outcome:
    """One finished exchange as a choice sees it: who answered, how long it took, what it gained (the best
    accepted speedup over 1 among the candidates first proposed in its answer, tuned variants included)."""
    label: str
    latency_s: float
    gain: float


class Choice(abc.ABC):
    """How an ensemble picks the member for the next request: the order in which to ask the members (the
    first, then the others should it fail for good). Must depend on its arguments only."""

    name: str

    @abc.abstractmethod
    def order(self, members: Sequence[Member], seed: int, outcomes: Sequence[Outcome]) -> list[int]:
        """Indexes into `members`, all of them, the one to ask first first."""


class Weights(Choice):
    """Each request goes to a member drawn with probability proportional to its weight."""

    name = "weights"

    def order(self, members, seed, outcomes):
        rng = random.Random(f"{seed}:{len(outcomes)}")
        first = rng.choices(range(len(members)), weights=[m.weight for m in members])[0]
        return [first] + sorted((i for i in range(len(members)) if i != first), key=lambda i: -members[i].weight)


class Bandit(Choice):
    """UCB1 on each member's accepted speedup per second of model time.

    A member not asked yet goes first (drawn by weight). After that the score is the member's gain rate
    (summed gains over summed latency), scaled so the best rate is 1, plus an exploration bonus
    `exploration * sqrt(weight / mean weight * ln(n) / asked)`; the highest score is asked."""

    name = "bandit"

    def __init__(self, exploration: float = 1.0):
        self.exploration = exploration

    def order(self, members, seed, outcomes):
        asked = {m.label: 0 for m in members}
        time = dict.fromkeys(asked, 0.0)
        gain = dict.fromkeys(asked, 0.0)
        for o in outcomes:
            if o.label in asked:  # an exchange of a member no longer in the ensemble is ignored
                asked[o.label] += 1
                time[o.label] += max(o.latency_s, 0.0)
                gain[o.label] += max(o.gain, 0.0)
        untried = [i for i, m in enumerate(members) if not asked[m.label]]
        if untried:
            rng = random.Random(f"{seed}:{len(outcomes)}")
            first = rng.choices(untried, weights=[members[i].weight for i in untried])[0]
            return [first] + [i for i in range(len(members)) if i != first]
        rate = {label: gain[label] / max(time[label], 1e-3) for label in asked}
        top = max(rate.values()) or 1.0
        n = sum(asked.values())
        mean_weight = sum(m.weight for m in members) / len(members)
        score = [rate[m.label] / top + self.exploration * math.sqrt(m.weight / mean_weight * math.log(n)
                                                                      / asked[m.label]) for m in members]
        return sorted(range(len(members)), key=lambda i: (-score[i], -members[i].weight, i))


CHOICES = {"weights": Weights, "bandit": Bandit}


class EnsembleProvider(LLMProvider):
    """An `LLMProvider` whose requests go to the members of an ensemble, one member per request.

    Its name joins the members' labels with "+"; its proposals carry that name, its exchanges the label of
    the member that answered. A member that fails for good (retries spent, refused) passes the request on to
    the next in the choice's order; the run stops only when all have failed."""

    def __init__(self, members: Sequence[Member], strategy: Strategy, store, run_id: str, prices: dict | None = None,
                 *, seed: int = 0, choice: Choice | None = None):
        if not members:
            raise ProviderError("an ensemble needs at least one model")
        labels = [m.label for m in members]
        if len(set(labels)) != len(labels):
            raise ProviderError(f"the ensemble's models must have distinct labels, not {labels}")
        super().__init__(members[0].model, strategy, store, run_id, prices)
        self.members = tuple(members)
        self.seed = seed
        self.choice = choice or Weights()
        self.name = "+".join(labels)

    def cancel(self) -> None:
        for m in self.members:
            m.model.cancel()

    def outcomes(self) -> list[Outcome]:
        """The run's finished exchanges, in order, with what each gained (see `Outcome`)."""
        best: dict[str, float] = {}
        for c in self.store.candidates(self.run_id):
            v = c.verdict
            if v is not None and v.accepted and v.speedup:
                best[c.text] = max(best.get(c.text, 0.0), v.speedup)
        seen: set[str] = set()
        out = []
        for e in self.store.exchanges(self.run_id):
            texts = [a.code for a in parse_answer(e.response) if a.code not in seen]
            seen.update(texts)
            out.append(Outcome(e.model, e.latency_s, max([best.get(t, 1.0) - 1.0 for t in texts] + [0.0])))
        return out

    def _answer(self, prompt: Prompt) -> tuple[Completion, float]:
        order = self.choice.order(self.members, self.seed, self.outcomes())
        failed: list[str] = []
        for i in order:
            m = self.members[i]
            try:
                c = m.model.complete(prompt.text, system=system_prompt())
            except ModelCancelled:
                raise
            except ModelError as exc:
                log.warning("ensemble: %s failed (%s); asking the next model", m.label, exc)
                failed.append(f"{m.label}: {exc}")
                continue
            cost = cost_usd(c.model or m.model.name, c.tokens_in, c.tokens_out, self.prices)
            return dataclasses.replace(c, model=m.label), cost
        raise ModelError("every model of the ensemble failed (" + "; ".join(failed) + ")")
