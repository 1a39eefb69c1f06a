"""The checks every model client on an HTTP API passes (GeminiModel, OpenAIModel), each against its local
fake server (fake_gemini.py, fake_openai.py): retries with backoff and the server's own delay, giving up
after the retries, the whole-request timeout, cancel, very long answers, a refused connection, and the key
kept out of every message and log line.

Subclass `RemoteModelChecks` in a `Test...` class and write its hooks; pytest runs the checks on it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import traceback

import pytest

from neurojit.agent.llm import ModelCancelled, ModelError

from .fake_http import Reply, ScriptedServer


class RemoteModelChecks:
    KEY: str  # an API key the checks make sure never leaks
    GOOD: str  # a good answer's text

    def make_server(self) -> ScriptedServer:
        raise NotImplementedError

    def url(self, server: ScriptedServer) -> str:
        """The base URL a model of this kind is given for `server`."""
        return server.base_url

    def make_model(self, base_url: str, **kw):
        raise NotImplementedError

    def ok(self, text: str, *, tokens_out: int = 20, delay_s: float = 0.0) -> Reply:
        raise NotImplementedError

    def fail(self, status: int, message: str = "fake error") -> Reply:
        raise NotImplementedError

    def throttled(self, delay_s: float) -> Reply:
        """A 429 that asks the client to wait `delay_s` before trying again."""
        raise NotImplementedError

    @pytest.fixture
    def fake(self):
        with self.make_server() as server:
            yield server

    def model(self, fake, **kw):
        kw.setdefault("timeout_s", 5.0)
        kw.setdefault("backoff_s", 0.01)
        return self.make_model(self.url(fake), **kw)

    def assert_no_key(self, exc: BaseException, m=None) -> None:
        text = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc) + repr(m)
        assert self.KEY not in text and self.KEY[:16] not in text

    def test_429_then_success_backs_off_as_the_server_asks(self, fake):
        fake.script(self.throttled(0.3), self.fail(503), self.ok(self.GOOD))
        t0 = time.monotonic()
        c = self.model(fake, retries=4).complete("go")
        assert c.attempts == 3 and fake.attempts() == 3 and c.text == self.GOOD
        assert time.monotonic() - t0 >= 0.3  # the server's delay beat our 0.01 s backoff

    def test_persistent_500_gives_model_error_after_the_retries(self, fake, caplog):
        fake.script(then=self.fail(500, f"internal {self.KEY}"))  # a server echoing the key must not leak it
        m = self.model(fake, retries=2)
        with caplog.at_level(logging.DEBUG), pytest.raises(ModelError) as info:
            m.complete("go")
        assert fake.attempts() == 3 and info.value.attempts == 3 and info.value.status == 500
        assert "failed 3 times" in str(info.value) and "HTTP 500" in str(info.value)
        self.assert_no_key(info.value, m)
        assert self.KEY not in caplog.text and "retry 2 of 2" in caplog.text

    def test_slow_answer_times_out(self, fake):
        fake.script(self.ok(self.GOOD, delay_s=5))
        m = self.model(fake, timeout_s=1.0)
        t0 = time.monotonic()
        with pytest.raises(ModelError, match="did not answer within 1 s") as info:
            m.complete("go")
        assert time.monotonic() - t0 < 2.5 and fake.attempts() == 1  # a timeout is not retried
        self.assert_no_key(info.value, m)

    def test_very_long_answer(self, fake):
        text = "x" * (2 * 1024 * 1024)
        fake.script(self.ok(text, tokens_out=500_000))
        c = self.model(fake).complete("go")
        assert c.text == text and c.tokens_out == 500_000

    def test_connection_refused_is_retried_then_reported(self, fake):
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = self.url(fake).replace(f":{fake.port}", f":{port}")
        m = self.make_model(url, retries=1, backoff_s=0.01, timeout_s=2)
        with pytest.raises(ModelError, match="failed 2 times.*connection") as info:
            m.complete("go")
        self.assert_no_key(info.value, m)

    def test_cancel_stops_a_retry_loop(self, fake):
        fake.script(then=self.fail(503))
        m = self.model(fake, retries=50, backoff_s=0.2, max_backoff_s=0.2)
        threading.Timer(0.5, m.cancel).start()
        t0 = time.monotonic()
        with pytest.raises(ModelCancelled) as info:
            m.complete("go")
        # (uncancelled, the 50 retries take 10 s; 5 s leaves room for a loaded machine: 1.2 s failed once, under a
        # concurrent tuning run)
        assert time.monotonic() - t0 < 5.0 and 1 <= fake.attempts() <= 25
        self.assert_no_key(info.value, m)
        with pytest.raises(ModelCancelled):  # cancel is sticky: the run's budget stays spent
            m.complete("again")

    def test_cancel_interrupts_a_call_in_flight(self, fake):
        fake.script(self.ok(self.GOOD, delay_s=10))
        m = self.model(fake, timeout_s=30)
        threading.Timer(0.3, m.cancel).start()
        t0 = time.monotonic()
        with pytest.raises(ModelCancelled):
            m.complete("go")
        assert time.monotonic() - t0 < 1.0 and m.cancelled
