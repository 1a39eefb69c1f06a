"""A scripted local HTTP server: the base of the fake model APIs (fake_gemini.py, fake_openai.py), so tests
run the real client libraries against answers they choose.

A server listens on 127.0.0.1 (a free port) and answers POSTs to its `endpoint` (a regex on the path) with
the scripted replies in order (`script(...)`); when the script runs out, `then` is repeated, or
`missing()` (a 500) says so. Any other path is recorded and answered `other(received)` (a 404). What
arrived is in `requests` (method, path, lower-case headers, JSON body). `gate(received)` may answer a request
itself, without using the script (a server that refuses an option, say).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # a JSON value, or bytes sent as they are
    delay_s: float = 0.0  # wait this long before answering (a slow model)
    headers: tuple[tuple[str, str], ...] = ()  # extra response headers (Retry-After, ...)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: object  # the JSON the client sent (None if it was not JSON)


@dataclass
class ScriptedServer:
    then: Reply | None = None
    requests: list[Received] = field(default_factory=list)

    endpoint = re.compile(r".*")

    def missing(self) -> Reply:
        return Reply(500, {"error": "fake server: no reply scripted for this request"})

    def other(self, received: Received) -> Reply:
        return Reply(404, {"error": f"fake server: no endpoint {received.method} {received.path}"})

    def gate(self, received: Received) -> Reply | None:
        return None

    def __post_init__(self) -> None:
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a handler still sleeping on a delay must not hold up close()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=type(self).__name__, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def script(self, *replies: Reply, then: Reply | None = None):
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

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            if received.method != "POST" or not self.endpoint.fullmatch(received.path):
                return self.other(received)  # recorded, script untouched
            gated = self.gate(received)
            if gated is not None:
                return gated
            if self._script:
                return self._script.popleft()
            return self.then or self.missing()


def _handler(fake: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            r = fake._answer(Received(self.command, self.path, headers, body))
            if r.delay_s and fake._closing.wait(r.delay_s):
                return
            data = r.body if isinstance(r.body, bytes) else json.dumps(r.body).encode()
            try:
                self.send_response(r.status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in r.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout); that is what the test wanted

        do_GET = do_POST  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the request log is `fake.requests`

    return Handler
