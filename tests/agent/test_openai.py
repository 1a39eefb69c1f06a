"""OpenAIModel on the real `openai` client against a local server that answers like /v1/chat/completions
(tests/support/fake_openai.py): answers, structured output and its fallbacks, refusals, unreadable answers,
the key kept out of every message, a whole tune run; and the checks every remote model passes
(support/remote_model.py: retries, timeouts, cancel)."""

from __future__ import annotations

import json
import traceback

import pytest
from support.fake_openai import FakeOpenAI, Reply, error, reply
from support.remote_model import RemoteModelChecks

from neurojit.agent.llm import Answer, ModelError, cost_usd, parse_answer
from neurojit.agent.llm.openai import OFFICIAL_URL, OpenAIModel
from neurojit.agent.provider import ProviderError
from neurojit.compiler.errors import NeuroJITError

KEY = "sk-FAKE-openai-key-0123456789-do-not-leak"
MODULE = "module {\n  func.func @matmul(%a: memref<4x4xf32>) {\n    return\n  }\n}"
GOOD = json.dumps({"candidates": [{"kind": "module", "code": MODULE, "rationale": "tile it"}]})


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def model(fake: FakeOpenAI, name: str = "qwen2.5-coder:7b", **kw) -> OpenAIModel:
    kw.setdefault("timeout_s", 5.0)
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("env", {})
    return OpenAIModel(name, api_key=KEY, base_url=fake.base_url + "/v1", **kw)


def assert_no_key(exc: BaseException, m: OpenAIModel | None = None) -> None:
    text = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc) + repr(m)
    assert KEY not in text and KEY[:16] not in text


def test_good_answer_and_what_was_sent(fake):
    fake.script(reply(GOOD, tokens_in=120, tokens_out=80))
    c = model(fake).complete("make it fast", system="you are a compiler")
    assert (c.text, c.tokens_in, c.tokens_out, c.model, c.finish_reason, c.attempts) == (
        GOOD, 120, 80, "qwen2.5-coder:7b", "stop", 1)
    assert c.latency_s > 0 and parse_answer(c.text) == [Answer(MODULE, "tile it", "module")]
    [req] = fake.requests
    assert req.path == "/v1/chat/completions" and req.headers["authorization"] == f"Bearer {KEY}"
    assert req.body["model"] == "qwen2.5-coder:7b"  # the name as given: Ollama's tags keep their colon
    assert req.body["messages"] == [{"role": "system", "content": "you are a compiler"},
                                    {"role": "user", "content": "make it fast"}]
    fmt = req.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and schema["properties"]["candidates"]["items"]["required"] == [
        "kind", "code", "rationale"]


def test_a_server_without_structured_output_gets_json_mode_then_free_text_and_a_fenced_answer_is_read(fake):
    fake.formats = frozenset()  # refuses every response_format with a 400, as some servers do
    fake.script(reply(f"Sure:\n```mlir\n{MODULE}\n```\n"), reply(GOOD))
    m = model(fake)
    c = m.complete("go")
    assert [r.body.get("response_format", {}).get("type") for r in fake.requests] == ["json_schema", "json_object",
                                                                                      None]
    assert parse_answer(c.text) == [Answer(MODULE)] and c.attempts == 3 and m.format == "text"
    m.complete("again")  # remembered: no more refused requests
    assert len(fake.requests) == 4 and "response_format" not in fake.requests[-1].body


def test_json_mode_only_server(fake):
    fake.formats = frozenset({"json_object"})
    fake.script(reply(GOOD))
    m = model(fake)
    assert m.complete("go").text == GOOD and m.format == "json_object"
    assert fake.requests[-1].body["response_format"] == {"type": "json_object"}


def test_a_fixed_format_is_never_stepped_down(fake):
    fake.formats = frozenset()
    m = model(fake, structured="json_schema")
    with pytest.raises(ModelError, match="HTTP 400") as info:
        m.complete("go")
    assert info.value.status == 400 and fake.attempts() == 1
    with pytest.raises(ProviderError, match="structured output"):
        model(fake, structured="yaml")


def test_refused_requests_are_not_retried(fake):
    fake.script(error(401, f"key {KEY} not valid"), error(404, "model not found"))
    m = model(fake, structured="text")
    for status, advice in ((401, "OPENAI_API_KEY"), (404, "model name")):
        with pytest.raises(ModelError) as info:
            m.complete("go")
        assert info.value.status == status and advice in str(info.value)
        assert_no_key(info.value, m)
    assert fake.attempts() == 2


def test_malformed_json(fake):
    # the model's text is broken JSON: returned as it is, and the lenient parser finds nothing in it
    fake.script(reply('{"candidates": [{"kind": "module", "code": "module {', finish="length"))
    c = model(fake).complete("go")
    assert c.finish_reason == "length" and parse_answer(c.text) == []
    # the server's body is broken JSON, or not a chat completion: a clear error, never a crash
    m = model(fake)
    for body in (b'{"choices": [{"message": ', b"<html>proxy error</html>", {"choices": "none"}):
        fake.script(Reply(200, body))
        with pytest.raises(ModelError, match="cannot read") as info:
            m.complete("go")
        assert_no_key(info.value, m)


def test_empty_content_and_missing_usage(fake):
    fake.script(Reply(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": None},
                                         "finish_reason": "stop"}]}))
    c = model(fake).complete("go")
    assert (c.text, c.tokens_in, c.tokens_out) == ("", 0, 0)


def test_key_and_url_from_the_environment_and_when_a_key_is_needed(fake):
    fake.script(reply(GOOD), reply(GOOD))
    m = OpenAIModel("m", env={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.base_url + "/v1"}, backoff_s=0.01)
    assert m.complete("go").text == GOOD and fake.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(m) and KEY not in str(m)
    local = OpenAIModel("m", base_url=fake.base_url + "/v1", env={})  # a local server needs no key
    assert local.complete("go").text == GOOD and KEY not in fake.requests[1].headers["authorization"]
    with pytest.raises(ProviderError, match="OPENAI_API_KEY") as info:
        OpenAIModel("gpt-4o", env={})
    assert isinstance(info.value, NeuroJITError)
    assert OpenAIModel("gpt-4o", env={"OPENAI_API_KEY": KEY}).base_url == OFFICIAL_URL
    with pytest.raises(ProviderError, match="model name"):
        OpenAIModel(" ", base_url=fake.base_url, env={})


def test_local_models_cost_nothing_and_openai_models_have_list_prices():
    assert cost_usd("qwen2.5-coder:7b", 10**6, 10**6) == 0.0
    assert cost_usd("gpt-4o-mini", 10**6, 10**6) == pytest.approx(0.15 + 0.60)



class TestOpenAIModel(RemoteModelChecks):
    """What every model client on an HTTP API does (support/remote_model.py), on an OpenAI-compatible server."""
    KEY, GOOD = KEY, GOOD

    def make_server(self):
        return FakeOpenAI()

    def url(self, server):
        return server.base_url + "/v1"

    def make_model(self, base_url, **kw):
        return OpenAIModel("qwen2.5-coder:7b", api_key=KEY, base_url=base_url, env={}, **kw)

    def ok(self, text, *, tokens_out=20, delay_s=0.0):
        return reply(text, tokens_out=tokens_out, delay_s=delay_s)

    def fail(self, status, message="fake error"):
        return error(status, message)

    def throttled(self, delay_s):
        return error(429, "slow down", retry_after=f"{delay_s}")


@pytest.mark.slow
def test_a_whole_tune_run_on_a_local_server(tmp_path, monkeypatch):
    from support.loop import KERNEL, TILE

    from neurojit.agent.budget import Budget
    from neurojit.agent.run import TuneOptions, tune
    from neurojit.agent.store import ResultStore
    from neurojit.evaluator import EvalConfig

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with FakeOpenAI() as fake:
        fake.script(reply(f"Here:\n```mlir\n{TILE}\n```"), then=reply("no more ideas"))
        opts = TuneOptions(model="openai:qwen2.5-coder:7b", base_url=fake.base_url + "/v1", budget=Budget(9, 300),
                           db=f"sqlite:///{tmp_path}/r.db", run_id="o",
                           evaluation=EvalConfig(workers=1, bench_time_cap_s=0.3, random_sets=1))
        s = tune(KERNEL, opts, progress=None)
        sent = fake.attempts()
    ex = ResultStore(f"sqlite:///{tmp_path}/r.db").exchanges("o")
    assert s.status.value == "finished" and s.accepted >= 1 and s.speedup > 1.0
    assert [e.model for e in ex] == ["qwen2.5-coder:7b"] * len(ex) and len(ex) == sent == 2
    assert s.tokens == 60 and s.cost_usd == 0.0  # a local model: tokens counted, nothing billed
