"""The LLM provider: a strategy builds the prompt, a chat model answers, the answer becomes proposals.

Every exchange is written to the results store before its candidates are evaluated, keyed by the request's
hash; a request already answered in this run (a resumed run re-running its propose step) is answered from
the store, so no call is billed twice. A replay model answers from recorded exchanges instead of a model;
an ensemble (ensemble.py) picks one of several models per request by overriding `_answer`.
"""

from __future__ import annotations

from neurojit.agent.proposal import Candidate, Proposal, space_of
from neurojit.agent.provider import Prompt, Provider, Request, Strategy
from neurojit.agent.strategies import system_prompt

from .base import ChatModel, Completion
from .parse import parse_answer
from .prices import cost_usd


class LLMProvider(Provider):
    """A `Provider` on a `ChatModel`: `strategy` builds each prompt, `store` records every exchange."""

    def __init__(self, model: ChatModel, strategy: Strategy, store, run_id: str, prices: dict | None = None):
        self.model, self.strategy, self.store, self.run_id = model, strategy, store, run_id
        self.prices = prices
        self.name = model.name

    def cancel(self) -> None:
        self.model.cancel()

    def propose(self, request: Request) -> list[Proposal]:
        prompt = self.strategy.next_prompt(request)
        if prompt is None:
            return []
        h = prompt.request_hash
        known = self.store.exchange_by_request(h, self.run_id)
        if known is not None:
            response = known.response
        else:
            c, cost = self._answer(prompt)
            self.store.add_exchange(self.run_id, h, model=c.model or self.model.name, prompt=prompt.text,
                                    response=c.text, tokens_in=c.tokens_in, tokens_out=c.tokens_out,
                                    latency_s=c.latency_s, cost_usd=cost)
            response = c.text
        return [_proposal(a, self.name, self.strategy.name, prompt.parent) for a in parse_answer(response)]

    def _answer(self, prompt: Prompt) -> tuple[Completion, float]:
        """The model's answer to a request not answered in this run yet, and its cost in USD."""
        if self.model.replays:  # recorded answers, nothing billed
            return self.model.answer(prompt.request_hash), 0.0
        c = self.model.complete(prompt.text, system=system_prompt())
        return c, cost_usd(c.model or self.model.name, c.tokens_in, c.tokens_out, self.prices)


def _proposal(answer, provider: str, strategy: str, parent: str | None) -> Proposal:
    """The answer's code as a candidate, its kind decided by its text; a kind the model declared that the
    text contradicts is noted (and stored), never used."""
    cand = Candidate.of(answer.code)
    note = ""
    if answer.declared is not None and answer.declared != cand.kind.value:
        note = (f"the model declared a {answer.declared!r} but the text is a {cand.kind.value}; "
                f"evaluated as a {cand.kind.value}")
    return Proposal(cand, provider, strategy, space=space_of(cand.text) if cand.is_schedule else (), parent=parent,
                    rationale=answer.rationale, note=note)
