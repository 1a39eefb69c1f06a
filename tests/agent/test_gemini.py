"""The model-client layer: answer parsing, prices, and GeminiModel on the real google-genai client against a
local fake of the generateContent endpoint (tests/support/fake_gemini.py)."""

from __future__ import annotations

import json
import traceback

import pytest
from support.fake_gemini import FakeGemini, Reply, error, reply
from support.remote_model import RemoteModelChecks

from neurojit.agent.llm import (Answer, ModelError, Price, PriceError, cost_usd, load_prices,
                                parse_answer, price_of)
from neurojit.agent.llm.gemini import ANSWER_SCHEMA, GeminiModel
from neurojit.agent.provider import ProviderError
from neurojit.compiler.errors import NeuroJITError

KEY = "AIzaFAKE-key-0123456789-do-not-leak"
MODULE = "module {\n  func.func @matmul(%a: memref<4x4xf32>) {\n    return\n  }\n}"
SCHEDULE = ("module attributes {transform.with_named_sequence} {\n  transform.named_sequence @__transform_main("
            "%root: !transform.any_op {transform.readonly}) {\n    transform.yield\n  }\n}")
GOOD = json.dumps({"candidates": [{"kind": "module", "code": MODULE, "rationale": "tile it"}]})


# ---- parse_answer ------------------------------------------------------------------------------------------

def test_parse_json_object_list_and_candidates():
    one = {"kind": "module", "code": MODULE, "rationale": "r"}
    assert parse_answer(json.dumps(one)) == [Answer(MODULE, "r", "module")]
    assert parse_answer(json.dumps([one, {"kind": "schedule", "code": SCHEDULE}])) == [
        Answer(MODULE, "r", "module"), Answer(SCHEDULE, "", "schedule")]
    assert parse_answer(GOOD) == [Answer(MODULE, "tile it", "module")]


def test_parse_json_in_a_json_fence_with_fences_inside_the_code():
    inner = json.dumps({"kind": "schedule", "code": f"```mlir\n{SCHEDULE}\n```", "rationale": "why"})
    want = [Answer(SCHEDULE, "why", "schedule")]
    assert parse_answer(f"Here you go:\n```json\n{inner}\n```\n") == want
    assert parse_answer(f"```json\n{inner}\n```") == want
    assert parse_answer(f"Answer: {inner} -- hope it helps") == want


def test_parse_fenced_blocks_and_keeps_the_declared_kind_only_as_said():
    text = f"First:\n```mlir\n{MODULE}\n```\nthen a schedule:\n```\n{SCHEDULE}\n```\nand again\n```mlir\n{MODULE}\n```"
    assert parse_answer(text) == [Answer(MODULE), Answer(SCHEDULE)]
    # What the model called it is kept as said (to be noted); the kind is decided later, from the code
    assert parse_answer(json.dumps({"kind": "module", "code": SCHEDULE}))[0].declared == "module"
    assert parse_answer(json.dumps({"kind": 3, "code": MODULE}))[0].declared is None


def test_parse_malformed_json_falls_back_to_fences_or_nothing():
    broken = '{"kind": "module", "code": "module {  <- unterminated'
    assert parse_answer(broken) == []
    assert parse_answer(f"{broken}\n```mlir\n{MODULE}\n```") == [Answer(MODULE)]
    assert parse_answer(f"```json\n{broken}\n```") == []
    assert parse_answer("") == [] and parse_answer("I cannot help with that.") == []
    assert parse_answer(json.dumps({"candidates": [{"kind": "module"}, {"code": ""}, 3]})) == []
    assert parse_answer("```python\nprint('hi')\n```") == []


def test_parse_bare_module_and_unterminated_fence():
    assert parse_answer(MODULE) == [Answer(MODULE)]
    assert parse_answer(f"```mlir\n{MODULE}\n") == [Answer(MODULE)]  # cut off by MAX_TOKENS


# ---- prices ------------------------------------------------------------------------------------------------

def test_cost_known_long_and_unknown_models():
    assert cost_usd("gemini-3-pro-preview", 100_000, 100_000) == pytest.approx(0.2 + 1.2)
    assert cost_usd("models/gemini-3-pro-preview", 500_000, 0) == pytest.approx(2.0)  # long-prompt rate
    assert cost_usd("gemini-2.5-flash", 1000, 1000) == pytest.approx((0.30 + 2.50) / 1000)
    assert cost_usd("my-local-model", 10**6, 10**6) == 0.0 and price_of("my-local-model") is None
    assert price_of("models/gemini-3-pro-preview") == Price(2.0, 12.0, 4.0, 18.0)


def test_load_prices_overrides_and_rejects_bad_files(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"gemini-3-pro-preview": {"input": 1, "output": 2}, "mine": {"input": 0.5,
                                                                                              "output": 0.5}}))
    table = load_prices(path)
    assert cost_usd("gemini-3-pro-preview", 100_000, 100_000, table) == pytest.approx(0.3)
    assert cost_usd("mine", 10**6, 0, table) == pytest.approx(0.5) and price_of("mine", table) == Price(0.5, 0.5)
    assert price_of("gemini-2.5-pro", table) is not None  # defaults kept
    for bad in ("not json", "[]", '{"m": {"input": 1}}', '{"m": {"input": -1, "output": 1}}',
                '{"m": {"input": 1, "output": 1, "cached": 1}}'):
        path.write_text(bad)
        with pytest.raises(PriceError):
            load_prices(path)
    with pytest.raises(NeuroJITError):
        load_prices(tmp_path / "missing.json")


# ---- GeminiModel against the fake server -------------------------------------------------------------------

@pytest.fixture
def fake():
    with FakeGemini() as server:
        yield server


def model(fake: FakeGemini, **kw) -> GeminiModel:
    kw.setdefault("timeout_s", 5.0)
    kw.setdefault("backoff_s", 0.01)
    return GeminiModel(api_key=KEY, base_url=fake.base_url, **kw)


def assert_no_key(exc: BaseException, m: GeminiModel | None = None) -> None:
    text = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc) + repr(m)
    assert KEY not in text and KEY[:16] not in text


def test_good_json_candidate_and_what_was_sent(fake):
    fake.script(reply(GOOD, tokens_in=120, tokens_out=30, thoughts=50))
    c = model(fake).complete("make it fast", system="you are a compiler")
    assert (c.text, c.tokens_in, c.tokens_out, c.model, c.finish_reason, c.attempts) == (
        GOOD, 120, 80, "gemini-3-pro-preview", "STOP", 1)  # thinking tokens billed as output
    assert c.latency_s > 0
    assert parse_answer(c.text) == [Answer(MODULE, "tile it", "module")]
    [req] = fake.requests
    assert req.path == "/v1beta/models/gemini-3-pro-preview:generateContent"
    assert req.headers["x-goog-api-key"] == KEY
    assert req.body["contents"] == [{"role": "user", "parts": [{"text": "make it fast"}]}]
    assert req.body["systemInstruction"]["parts"] == [{"text": "you are a compiler"}]
    assert req.body["generationConfig"] == {"responseMimeType": "application/json", "responseJsonSchema": ANSWER_SCHEMA}


def test_fenced_block_only_and_free_text_mode(fake):
    fake.script(reply(f"Sure.\n```mlir\n{SCHEDULE}\n```\n"))
    c = model(fake, json_schema=None, name="models/gemini-2.5-flash").complete("go")
    assert parse_answer(c.text) == [Answer(SCHEDULE)]
    assert not fake.requests[0].body.get("generationConfig") and "systemInstruction" not in fake.requests[0].body
    assert fake.requests[0].path == "/v1beta/models/gemini-2.5-flash:generateContent"


def test_malformed_json_answer_is_returned_and_parses_to_nothing(fake):
    fake.script(reply('{"candidates": [{"kind": "module", "code": "module {', finish="MAX_TOKENS"))
    c = model(fake).complete("go")
    assert c.finish_reason == "MAX_TOKENS" and parse_answer(c.text) == []


def test_refused_requests_are_not_retried(fake):
    fake.script(error(403, f"API key {KEY} not valid"), error(404, "no such model"), error(400, "bad"))
    m = model(fake)
    for status, advice in ((403, "API key"), (404, "model name"), (400, "prompt")):
        with pytest.raises(ModelError) as info:
            m.complete("go")
        assert info.value.status == status and advice in str(info.value)
        assert_no_key(info.value, m)
    assert fake.attempts() == 3


def test_unreadable_answer(fake):
    fake.script(Reply(200, b"<html>proxy error</html>"))
    m = model(fake)
    with pytest.raises(ModelError, match="cannot read") as info:
        m.complete("go")
    assert_no_key(info.value, m)


def test_key_from_environment_and_missing_key():
    with FakeGemini() as fake:
        fake.script(reply(GOOD))
        m = GeminiModel(env={"GOOGLE_API_KEY": KEY, "GOOGLE_GEMINI_BASE_URL": fake.base_url}, backoff_s=0.01)
        assert m.complete("go").text == GOOD and fake.requests[0].headers["x-goog-api-key"] == KEY
        assert KEY not in repr(m) and KEY not in str(m)
    with pytest.raises(ProviderError, match="GEMINI_API_KEY") as info:
        GeminiModel(env={"GEMINI_API_KEY": "  "})
    assert isinstance(info.value, NeuroJITError)


class TestGeminiModel(RemoteModelChecks):
    """What every model client on an HTTP API does (support/remote_model.py), on Gemini."""
    KEY, GOOD = KEY, GOOD

    def make_server(self):
        return FakeGemini()

    def make_model(self, base_url, **kw):
        return GeminiModel(api_key=KEY, base_url=base_url, **kw)

    def ok(self, text, *, tokens_out=20, delay_s=0.0):
        return reply(text, tokens_out=tokens_out, delay_s=delay_s)

    def fail(self, status, message="fake error"):
        return error(status, message)

    def throttled(self, delay_s):
        return error(429, "slow down", retry_delay=f"{delay_s}s")
