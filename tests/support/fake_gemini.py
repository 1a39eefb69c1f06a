"""A local stand-in for the Gemini API's generateContent endpoint, so tests run the real google-genai client.

`FakeGemini()` listens on 127.0.0.1 (a free port); point the client at `base_url`. It serves
`POST /v1beta/models/{model}:generateContent` (what google-genai 3.4 calls with `api_version="v1beta"`);
any other path is recorded and answered 404. Each test scripts the replies in order (`reply(...)`,
`error(...)`, a `delay_s` for slow answers) and reads back what arrived in `requests` (path, headers, JSON
body). When the script runs out, `then` is repeated, or a 500 says so (support/fake_http.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fake_http import Received, Reply, ScriptedServer

__all__ = ["ENDPOINT", "FakeGemini", "Received", "Reply", "error", "reply"]

ENDPOINT = re.compile(r"/v1beta/models/([^/:?]+):generateContent")


def reply(text: str, *, tokens_in: int = 10, tokens_out: int = 20, thoughts: int = 0, finish: str = "STOP",
          delay_s: float = 0.0) -> Reply:
    """A successful generateContent answer whose one candidate holds `text`."""
    usage = {"promptTokenCount": tokens_in, "candidatesTokenCount": tokens_out,
             "totalTokenCount": tokens_in + tokens_out + thoughts}
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return Reply(200, {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": finish,
                                       "index": 0}],
                       "usageMetadata": usage, "modelVersion": "fake"}, delay_s)


def error(status: int, message: str = "fake error", *, retry_delay: str | None = None, delay_s: float = 0.0) -> Reply:
    """A Google-style error body (`{"error": {code, message, status}}`), with a RetryInfo if asked."""
    names = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
             500: "INTERNAL", 503: "UNAVAILABLE"}
    err: dict = {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}
    if retry_delay is not None:
        err["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}]
    return Reply(status, {"error": err}, delay_s)


@dataclass
class FakeGemini(ScriptedServer):
    endpoint = ENDPOINT

    def missing(self) -> Reply:
        return error(500, "fake server: no reply scripted for this request")

    def other(self, received: Received) -> Reply:
        return error(404, f"fake server: no endpoint {received.method} {received.path}")
