"""A local stand-in for an OpenAI-compatible server (llama.cpp's llama-server, vLLM, Ollama, OpenAI itself):
`POST {base_url}/chat/completions`, so tests run the real `openai` client.

`FakeOpenAI()` listens on 127.0.0.1 (a free port); point the client at `base_url` (it ends in /v1). Tests
script the replies in order (`reply(...)`, `error(...)`, a `delay_s` for slow answers) and read back what
arrived in `requests` (support/fake_http.py). `formats` says which `response_format` types the server takes;
a request asking for another is refused with a 400 without using the script, as servers without structured
output do. `respond(received)`, when given, answers every request instead of the script (a model whose
answer is a function of the prompt, so that two runs asking the same get the same).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .fake_http import Received, Reply, ScriptedServer

__all__ = ["FakeOpenAI", "Received", "Reply", "error", "reply"]


def reply(text: str | None, *, tokens_in: int = 10, tokens_out: int = 20, finish: str = "stop", model: str = "fake",
          delay_s: float = 0.0) -> Reply:
    """A successful chat completion whose one choice holds `text`."""
    return Reply(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000, "model": model,
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                    "finish_reason": finish}],
                       "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                                 "total_tokens": tokens_in + tokens_out}}, delay_s)


def error(status: int, message: str = "fake error", *, retry_after: str | None = None, delay_s: float = 0.0) -> Reply:
    """An OpenAI-style error body (`{"error": {message, type, code}}`), with a Retry-After header if asked."""
    kinds = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
             429: "rate_limit_error"}
    body = {"error": {"message": message, "type": kinds.get(status, "server_error"), "param": None,
                      "code": str(status)}}
    return Reply(status, body, delay_s, (("Retry-After", retry_after),) if retry_after else ())


@dataclass
class FakeOpenAI(ScriptedServer):
    formats: frozenset[str] = field(default_factory=lambda: frozenset({"json_schema", "json_object"}))
    respond: Callable[[Received], Reply] | None = None

    endpoint = re.compile(r"(/[^?]*)?/chat/completions")

    def missing(self) -> Reply:
        return error(500, "fake server: no reply scripted for this request")

    def other(self, received: Received) -> Reply:
        return error(404, f"fake server: no endpoint {received.method} {received.path}")

    def gate(self, received: Received) -> Reply | None:
        asked = (received.body or {}).get("response_format") if isinstance(received.body, dict) else None
        if isinstance(asked, dict) and asked.get("type") not in self.formats:
            return error(400, f"response_format type {asked.get('type')!r} is not supported")
        return self.respond(received) if self.respond is not None else None
