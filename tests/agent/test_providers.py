"""Every built-in provider through the conformance suite (neurojit.agent.testing.ProviderTestCase): the
heuristic, replay from a cassette, Gemini on the real google-genai client and OpenAI-compatible models on the
real `openai` client, each against a local fake server, and an ensemble of the two."""

from __future__ import annotations

import json

import pytest
from support import fake_openai
from support.fake_gemini import FakeGemini, reply

from neurojit.agent.heuristic import HeuristicProvider
from neurojit.agent.llm.ensemble import EnsembleProvider
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


class _AsksOnce:
    """For a provider on a model behind `self.fake`: a request answered in the run is answered from the store."""

    def test_a_request_answered_in_the_run_is_not_sent_again(self, context):
        provider = self.make_provider(context)
        provider.propose(context.requests[0])
        provider.propose(context.requests[0])
        assert self.fake.attempts() == 1 and len(context.store.exchanges(context.run_id)) == 1


class TestGemini(_AsksOnce, ProviderTestCase):
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


class TestOpenAI(_AsksOnce, ProviderTestCase):
    @pytest.fixture(autouse=True)
    def server(self, monkeypatch):
        with fake_openai.FakeOpenAI() as fake:
            monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # a local server needs none
            monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url + "/v1")
            self.fake = fake
            yield fake

    def make_provider(self, context):
        self.fake.script(then=fake_openai.reply(context.answer))
        provider = make_provider("openai:qwen2.5-coder:7b", store=context.store, run_id=context.run_id)
        assert isinstance(provider, LLMProvider) and provider.name == "qwen2.5-coder:7b"
        return provider


class TestEnsemble(ProviderTestCase):
    @pytest.fixture(autouse=True)
    def servers(self, monkeypatch):
        with fake_openai.FakeOpenAI() as one, FakeGemini() as two:
            monkeypatch.setenv("GEMINI_API_KEY", "test-key-not-real")
            monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", two.base_url)
            self.one, self.two = one, two
            yield

    def make_provider(self, context):
        self.one.script(then=fake_openai.reply(context.answer))
        self.two.script(then=reply(context.answer))
        provider = make_provider(["2*openai:qwen2.5-coder:7b@" + self.one.base_url + "/v1", "gemini:gemini-test"],
                                 store=context.store, run_id=context.run_id, seed=1)
        assert isinstance(provider, EnsembleProvider) and provider.name == "qwen2.5-coder:7b+gemini-test"
        return provider

    def test_each_exchange_names_the_model_that_answered(self, context):
        provider = self.make_provider(context)
        for request in context.requests:
            provider.propose(request)
        models = [e.model for e in context.store.exchanges(context.run_id)]
        assert len(models) == 2 and set(models) <= {"qwen2.5-coder:7b", "gemini-test"}  # two distinct requests
        assert models.count("qwen2.5-coder:7b") == self.one.attempts()
        assert models.count("gemini-test") == self.two.attempts()


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
