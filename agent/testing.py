"""Conformance suites that every provider and every strategy must pass (as optuna/testing checks storages).

Subclass a suite in your tests (pytest collects it when the class name starts with `Test`) and build the
implementation under test in its factory method; the suite's tests run on it unchanged:

    from neurojit.agent.testing import ProviderTestCase, StrategyTestCase

    class TestMyProvider(ProviderTestCase):
        def make_provider(self, context):
            return MyProvider(strategy=make_strategy("zero-shot"), store=context.store, run_id=context.run_id)

    class TestMyStrategy(StrategyTestCase):
        def make_strategy(self, seed):
            return MyStrategy(seed)

Each test gets a fresh `SuiteContext`: a results store (SQLite, in pytest's tmp_path) holding a run of a
small matmul kernel whose history has an accepted schedule, an accepted module and a module a model got
rejected, an earlier run of the same kernel, and the requests the suite asks (`context.requests`). A
provider that reads model answers must make its model answer every request with `context.answer`; that
answer declares its schedule a "module", and the suite checks that the text, not the model, decided.
Needs pytest (the `test` extra).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from neurojit.compiler.classify import classify
from neurojit.compiler.host import host
from neurojit.compiler.kernel import load_kernel
from neurojit.compiler.source import Source
from neurojit.evaluator.record import Candidate, Reason, Verdict

from .proposal import Proposal
from .provider import Prompt, Provider, Request, Strategy
from .store import ResultStore

__all__ = ["ANSWER", "KERNEL", "ProviderTestCase", "StrategyTestCase", "SuiteContext", "suite_context"]

KERNEL = """// C += A @ B: the kernel the conformance suites propose for.
module {
  func.func @matmul(%A: memref<32x16xf32>, %B: memref<16x24xf32>, %C: memref<32x24xf32>) {
    linalg.matmul ins(%A, %B : memref<32x16xf32>, memref<16x24xf32>) outs(%C : memref<32x24xf32>)
    return
  }
}
"""


def _schedule(body: str = "") -> str:
    return ("module attributes {transform.with_named_sequence} {\n"
            "  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {\n"
            f"{body}    transform.yield\n  }}\n}}")


ANSWER_MODULE = KERNEL.replace("%C", "%out").replace("// C += A @ B: the kernel", "// the model's module:")
ANSWER_SCHEDULE = _schedule('    %m = transform.structured.match ops{["linalg.matmul"]} in %root '
                            ': (!transform.any_op) -> !transform.any_op\n')
# The schedule is declared a "module": a provider must take the kind from the text (the kind bug of issue 11).
ANSWER = json.dumps({"candidates": [
    {"kind": "module", "code": ANSWER_MODULE, "rationale": "rename the output"},
    {"kind": "module", "code": ANSWER_SCHEDULE, "rationale": "match the matmul"}]})

# The history, as (text, knobs, provider, verdict).
_ACCEPTED_SCHEDULE = (_schedule('    %f = transform.structured.match ops{["linalg.fill"]} in %root '
                                ': (!transform.any_op) -> !transform.any_op\n'), {"tile": 8}, "heuristic",
                      Verdict("accept", Reason.OK, "", baseline_ms=2.0, candidate_ms=1.0, speedup=2.0))
_ACCEPTED_MODULE = (KERNEL.replace("%A", "%lhs"), {}, "gemini",
                    Verdict("accept", Reason.OK, "", baseline_ms=2.0, candidate_ms=1.25, speedup=1.6))
_REJECTED_MODULE = (KERNEL.replace("return", "return oops"), {}, "gemini",
                    Verdict("reject", Reason.INVALID_IR, "custom op 'oops' is unknown (line 5)"))
_EARLIER = (KERNEL.replace("%B", "%rhs"), {}, "gemini",
            Verdict("accept", Reason.OK, "", baseline_ms=2.0, candidate_ms=1.6, speedup=1.25))


@dataclass(frozen=True)
class SuiteContext:
    """What a suite gives a factory: where to write, the store and run to record into, and what it will ask.

    `requests`: round 0 with nothing tried yet; round 1 with the run's history; round 0 of a new run with
    verified candidates of the earlier run as `examples`."""
    tmp_path: Path
    store: ResultStore
    run_id: str
    answer: str
    requests: tuple[Request, ...]


def suite_context(tmp_path: Path, kernel_text: str = KERNEL, db: str = "suite.db") -> SuiteContext:
    """A store on `tmp_path / db` with the suites' runs and history, and the requests built from it. Two
    contexts built alike hold equal requests (same records, same identities)."""
    from .analyze import analyze

    source = Source(kernel_text, "suite_matmul.mlir")
    kernel = load_kernel(source)
    store = ResultStore(f"sqlite:///{tmp_path / db}")
    earlier = store.create_run(kernel, model="gemini", strategy="zero-shot", run_id="earlier")
    run = store.create_run(kernel, model="gemini", strategy="zero-shot", run_id="suite")
    for run_id, items in ((earlier.id, [_EARLIER]), (run.id, [_ACCEPTED_SCHEDULE, _ACCEPTED_MODULE, _REJECTED_MODULE])):
        for text, knobs, provider, verdict in items:
            [rec] = store.add_candidates(run_id, [Proposal.of(text, provider, "zero-shot", knobs=knobs)])
            store.set_verdict(run_id, rec.identity, verdict)
    info, machine = analyze(source), host().to_json()
    history = tuple(store.candidates(run.id))
    examples = tuple(c for c in store.candidates(earlier.id) if c.verdict and c.verdict.accepted)
    requests = (Request(kernel_text, source.name, info, machine, 2.0, 0),
                Request(kernel_text, source.name, info, machine, 2.0, 1, history),
                Request(kernel_text, source.name, info, machine, None, 0, (), examples))
    return SuiteContext(tmp_path, store, run.id, ANSWER, requests)


def _retimed(request: Request) -> Request:
    """The same request with every measured time changed (speedups kept): what a later run of it sees."""
    def retime(c):
        v = c.verdict
        if v is None:
            return c
        v = dataclasses.replace(v, baseline_ms=v.baseline_ms and v.baseline_ms * 3,
                                candidate_ms=v.candidate_ms and v.candidate_ms * 3)
        return dataclasses.replace(c, verdict=v)
    return dataclasses.replace(request, baseline_ms=(request.baseline_ms or 1.0) * 1.7,
                               history=tuple(map(retime, request.history)),
                               examples=tuple(map(retime, request.examples)))


class _Suite:
    kernel: str = KERNEL  # the kernel the requests are of; override for a provider specialised elsewhere

    @pytest.fixture
    def context(self, tmp_path: Path) -> SuiteContext:
        return suite_context(tmp_path, self.kernel)


class ProviderTestCase(_Suite):
    """The checks every `Provider` passes. Subclass and write `make_provider`.

    Set `reads_answers = False` for a provider that asks no model (a rule book), and `cancel_ends_calls =
    False` for one whose `cancel()` has nothing to end; both skip the checks that need them."""

    reads_answers: bool = True
    cancel_ends_calls: bool = True

    def make_provider(self, context: SuiteContext) -> Provider:
        raise NotImplementedError("subclass ProviderTestCase and build the provider under test in make_provider")

    def test_is_a_provider_with_a_name(self, context):
        provider = self.make_provider(context)
        assert isinstance(provider, Provider)
        assert isinstance(provider.name, str) and provider.name
        assert isinstance(provider.one_shot, bool)

    def test_proposals_are_candidates_decided_by_their_text(self, context):
        provider = self.make_provider(context)
        seen = 0
        for request in context.requests:
            proposals = provider.propose(request)
            assert isinstance(proposals, list)
            history = {c.identity for c in request.history}
            for p in proposals:
                assert isinstance(p, Proposal) and isinstance(p.candidate, Candidate)
                assert p.candidate.kind == classify(p.candidate.text)
                assert p.candidate.identity == Candidate.of(p.candidate.text, p.candidate.knobs).identity
                assert p.identity == p.candidate.identity
                assert p.provider == provider.name
                assert p.parent is None or p.parent in history, "a parent must be a candidate of the history"
                assert all(k.low <= k.high for k in p.space)
            seen += len(proposals)
        assert seen, "the provider proposed nothing for any request: the checks above never ran"

    def test_answers_become_the_candidates_in_them(self, context):
        if not self.reads_answers:
            pytest.skip("this provider reads no model answers")
        proposals = self.make_provider(context).propose(context.requests[0])
        expected = {Candidate.of(code).identity: kind for code, kind in
                    ((ANSWER_MODULE, "module"), (ANSWER_SCHEDULE, "schedule"))}
        assert {p.identity: p.kind.value for p in proposals} == expected

    def test_cancel_never_raises_and_ends_later_calls(self, context):
        provider = self.make_provider(context)
        provider.cancel()
        provider.cancel()  # idempotent
        if not self.cancel_ends_calls:
            assert isinstance(provider.propose(context.requests[0]), list)
            return
        from .llm.base import ModelCancelled

        with pytest.raises(ModelCancelled):
            provider.propose(context.requests[0])

    def test_proposals_are_deterministic(self, context):
        provider = self.make_provider(context)
        first = [provider.propose(r) for r in context.requests]
        assert [provider.propose(r) for r in context.requests] == first, "the same request twice differs"
        twin_context = suite_context(context.tmp_path, self.kernel, db="twin.db")
        twin = self.make_provider(twin_context)
        assert [twin.propose(r) for r in twin_context.requests] == first, "a provider built alike differs"


class StrategyTestCase(_Suite):
    """The checks every `Strategy` passes. Subclass and write `make_strategy`."""

    def make_strategy(self, seed: int) -> Strategy:
        raise NotImplementedError("subclass StrategyTestCase and build the strategy under test in make_strategy")

    def test_is_a_strategy_with_a_name(self):
        strategy = self.make_strategy(0)
        assert isinstance(strategy, Strategy)
        assert isinstance(strategy.name, str) and strategy.name

    def test_next_prompt_is_a_prompt_or_none(self, context):
        strategy = self.make_strategy(0)
        prompts = [strategy.next_prompt(r) for r in context.requests]
        for p in prompts:
            assert p is None or isinstance(p, Prompt)
            if p is not None:
                assert isinstance(p.text, str) and p.text.strip()
                json.dumps(p.key, sort_keys=True)  # the key is hashed as JSON
        assert any(p is not None for p in prompts), "no request got a prompt: the checks above never ran"

    def test_request_hash_is_stable_and_ignores_measured_times(self, context):
        strategy = self.make_strategy(0)
        for request in context.requests:
            prompt = strategy.next_prompt(request)
            if prompt is None:
                continue
            again = strategy.next_prompt(request)
            assert again == prompt, "the same request twice gives another prompt"
            assert self.make_strategy(0).next_prompt(request) == prompt, "a strategy built alike differs"
            retimed = strategy.next_prompt(_retimed(request))
            assert retimed is not None and retimed.request_hash == prompt.request_hash, (
                "the request hash moved with measured times: a replayed run would not find its answers")
            assert retimed.parent == prompt.parent

    def test_parent_is_a_candidate_of_the_history(self, context):
        strategy = self.make_strategy(0)
        for request in context.requests:
            prompt = strategy.next_prompt(request)
            if prompt is not None and prompt.parent is not None:
                assert prompt.parent in {c.identity for c in request.history}
