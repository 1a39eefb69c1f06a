"""Every built-in provider through the conformance suite (neurojit.agent.testing.ProviderTestCase): the
heuristic, replay from a cassette, and Gemini on the real google-genai client against a local fake server."""

from __future__ import annotations

import json

import pytest
from support.fake_gemini import FakeGemini, reply

from neurojit.agent.heuristic import HeuristicProvider
from neurojit.agent.llm.base import ChatModel, Completion, ModelError
from neurojit.agent.llm.provider import LLMProvider
from neurojit.agent.registry import make_provider, make_strategy
from neurojit.agent.testing import ProviderTestCase, suite_context


class TestHeuristic(ProviderTestCase):
    reads_answers = False  # a rule book: no model answers
    cancel_ends_calls = False  # nothing in flight to end

    def make_provider(self, context):
        provider = make_provider("heuristic")
        assert isinstance(provider, HeuristicProvider) and provider.one_shot
        return provider


class TestReplay(ProviderTestCase):
    def make_provider(self, context):
        # a cassette answering each request of the suite, as a recorded zero-shot run would have
        strategy = make_strategy("zero-shot")
        path = context.tmp_path / "cassette.jsonl"
        path.write_text("".join(json.dumps({"request_hash": strategy.next_prompt(r).request_hash, "model": "m",
                                            "response": context.answer, "tokens_in": 1, "tokens_out": 2}) + "\n"
                                for r in context.requests))
        provider = make_provider(f"replay:{path}", store=context.store, run_id=context.run_id)
        assert isinstance(provider, LLMProvider) and provider.model.replays and not provider.one_shot
        return provider


class TestGemini(ProviderTestCase):
    @pytest.fixture(autouse=True)
    def server(self, monkeypatch):
        with FakeGemini() as fake:
            monkeypatch.setenv("GEMINI_API_KEY", "test-key-not-real")
            monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake.base_url)
            self.fake = fake
            yield fake

    def make_provider(self, context):
        self.fake.script(then=reply(context.answer))
        provider = make_provider("gemini:gemini-test", store=context.store, run_id=context.run_id)
        assert isinstance(provider, LLMProvider) and not provider.model.replays
        return provider

    def test_a_request_answered_in_the_run_is_not_sent_again(self, context):
        provider = self.make_provider(context)
        provider.propose(context.requests[0])
        provider.propose(context.requests[0])
        assert self.fake.attempts() == 1 and len(context.store.exchanges(context.run_id)) == 1


class _Plain(ChatModel):
    name = "plain"

    def complete(self, prompt, *, system=None):
        return Completion("{}", 1, 1, 0.0, self.name)


def test_chat_model_defaults_declare_what_a_plain_model_cannot_do(tmp_path):
    m = _Plain()
    assert not m.replays
    m.cancel()  # nothing in flight: a no-op
    with pytest.raises(ModelError, match="does not replay"):
        m.answer("0" * 32)
    ctx = suite_context(tmp_path)
    assert LLMProvider(m, make_strategy("zero-shot"), ctx.store, ctx.run_id).propose(ctx.requests[0]) == []
