"""The four built-in strategies through the conformance suite (neurojit.agent.testing.StrategyTestCase), and
what each one puts into its prompt."""

from __future__ import annotations

import pytest

from neurojit.agent.registry import make_strategy
from neurojit.agent.strategies import Evolutionary, FewShot, Repair, ZeroShot
from neurojit.agent.testing import StrategyTestCase, suite_context


class BuiltIn(StrategyTestCase):
    cli_name = ""  # what --strategy says

    def make_strategy(self, seed):
        return make_strategy(self.cli_name, seed)


class TestZeroShot(BuiltIn):
    cli_name = "zero-shot"


class TestFewShot(BuiltIn):
    cli_name = "few-shot"


class TestRepair(BuiltIn):
    cli_name = "repair"


class TestEvolutionary(BuiltIn):
    cli_name = "evolutionary"


@pytest.fixture
def requests(tmp_path):
    return suite_context(tmp_path).requests  # (round 0, round 1 with history, round 0 with examples)


def accepted(request):
    return sorted((c for c in request.history + request.examples if c.verdict and c.verdict.accepted),
                  key=lambda c: -c.verdict.speedup)


def test_registry_builds_each_built_in():
    assert [type(make_strategy(n)) for n in ("zero-shot", "few-shot", "repair", "evolutionary")] == [
        ZeroShot, FewShot, Repair, Evolutionary]
    assert make_strategy("evolutionary", 7).seed == 7


def test_few_shot_shows_the_best_verified_candidates(requests):
    fresh, later, with_examples = requests
    s = FewShot(shots=1)
    assert s.next_prompt(fresh).key["strategy"] == "zero-shot"  # nothing verified yet
    for request in (later, with_examples):
        best = accepted(request)[0]
        p = s.next_prompt(request)
        assert p.key["strategy"] == "few-shot" and p.key["examples"] == [best.identity]
        assert best.text.strip() in p.text and f"{best.verdict.speedup:.2f}x" in p.text
    assert len(FewShot(shots=3).next_prompt(later).key["examples"]) == 2  # the two accepted of the history


def test_evolutionary_takes_parents_from_the_best_and_depends_on_the_seed(requests):
    fresh, later, _ = requests
    assert Evolutionary().next_prompt(fresh).key["strategy"] == "zero-shot"
    best = {c.identity for c in accepted(later)}
    prompts = [Evolutionary(seed=s).next_prompt(later) for s in range(8)]
    for p in prompts:
        assert p.key["strategy"] == "evolutionary" and set(p.key["parents"]) <= best
        assert p.parent == p.key["parents"][0]
    assert {len(p.key["parents"]) for p in prompts} == {1, 2}  # mutations and crossovers both happen
    rejected = next(c for c in later.history if not c.verdict.accepted)
    assert all(rejected.identity not in p.key["parents"] for p in prompts)


def test_repair_sends_back_the_rejected_answer_with_the_verifier_detail(requests):
    fresh, later, _ = requests
    rejected = next(c for c in later.history if not c.verdict.accepted)
    p = Repair().next_prompt(later)
    assert p.parent == rejected.identity and p.key["repair"] == rejected.identity
    assert rejected.verdict.detail in p.text and rejected.verdict.reason.value in p.text
    assert Repair().next_prompt(fresh).key["strategy"] == "zero-shot"
    assert Repair(max_attempts=0).next_prompt(later).key["strategy"] == "zero-shot"  # out of attempts
