"""The LLM provider: a strategy builds the prompt, a chat model answers, the answer becomes proposals.

Every exchange is written to the results store before its candidates are evaluated, keyed by the request's
hash; a request already answered in this run (a resumed run re-running its propose step) is answered from
the store, so no call is billed twice. A replay model answers from recorded exchanges instead of a model.
"""

from __future__ import annotations

from neurojit.agent.proposal import Knob, Proposal
from neurojit.agent.provider import Request
from neurojit.agent.strategies import system_prompt
from neurojit.compiler.schedule import knobs_of

from .parse import parse_answer
from .prices import cost_usd


class LLMProvider:
    def __init__(self, model, strategy, store, run_id: str, prices: dict | None = None):
        self.model, self.strategy, self.store, self.run_id = model, strategy, store, run_id
        self.prices = prices
        self.name = model.name

    def propose(self, request: Request) -> list[Proposal]:
        prompt = self.strategy.next_prompt(request)
        if prompt is None:
            return []
        h = prompt.request_hash
        known = self.store.exchange_by_request(h, self.run_id)
        if known is not None:
            response = known.response
        else:
            if hasattr(self.model, "answer"):  # replay: recorded answers, nothing billed
                c = self.model.answer(h)
                cost = 0.0
            else:
                c = self.model.complete(prompt.text, system=system_prompt())
                cost = cost_usd(c.model or self.model.name, c.tokens_in, c.tokens_out, self.prices)
            self.store.add_exchange(self.run_id, h, model=c.model or self.model.name, prompt=prompt.text,
                                    response=c.text, tokens_in=c.tokens_in, tokens_out=c.tokens_out,
                                    latency_s=c.latency_s, cost_usd=cost)
            response = c.text
        return [Proposal(a.kind, a.code, self.name, self.strategy.name, space=_space(a.code) if a.kind == "schedule"
                         else (), parent=prompt.parent, rationale=a.rationale) for a in parse_answer(response)]


def _space(code: str) -> tuple[Knob, ...]:
    """Knobs a model wrote into its schedule, tuned within 4x of the default it gave."""
    return tuple(Knob(name, max(1, d // 4), max(2, d * 4), log=True)
                 for name, d in knobs_of(code).items() if d is not None and d > 0)
