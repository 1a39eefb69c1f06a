"""A local stand-in for the Gemini API's generateContent endpoint, so tests run the real google-genai client.

`FakeGemini()` listens on 127.0.0.1 (a free port); point the client at `base_url`. It serves
`POST /v1beta/models/{model}:generateContent` (what google-genai 3.4 calls with `api_version="v1beta"`);
any other path is recorded and answered 404. Each test scripts the replies in order (`reply(...)`,
`error(...)`, a `delay_s` for slow answers) and reads back what arrived in `requests` (path, headers, JSON
body). When the script runs out, `then` is repeated, or a 500 says so.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENDPOINT = re.compile(r"/v1beta/models/([^/:?]+):generateContent")


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # a JSON value, or bytes sent as they are
    delay_s: float = 0.0  # wait this long before answering (a slow model)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: object  # the JSON the client sent (None if it was not JSON)


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
class FakeGemini:
    then: Reply | None = None
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a handler still sleeping on a delay must not hold up close()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-gemini",
                                        daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply, then: Reply | None = None) -> FakeGemini:
        with self._lock:
            self._script.extend(replies)
            if then is not None:
                self.then = then
        return self

    def attempts(self) -> int:
        with self._lock:
            return len(self.requests)

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeGemini:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _record_other(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
        return error(404, f"fake server: no endpoint {received.method} {received.path}")

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            if self._script:
                return self._script.popleft()
            return self.then or error(500, "fake server: no reply scripted for this request")


def _handler(fake: FakeGemini) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            received = Received(self.command, self.path, headers, body)
            # Another path (a different API version, say) is recorded and answered 404, script untouched.
            r = fake._next(received) if self.command == "POST" and ENDPOINT.fullmatch(self.path) \
                else fake._record_other(received)
            if r.delay_s and fake._closing.wait(r.delay_s):
                return
            data = r.body if isinstance(r.body, bytes) else json.dumps(r.body).encode()
            try:
                self.send_response(r.status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout); that is what the test wanted

        do_GET = do_POST  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the request log is `fake.requests`

    return Handler
