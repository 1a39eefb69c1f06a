"""Retries, a whole-request timeout and cancellation for one model call, shared by the model clients.

A client hands `Caller.call` two functions: `send()` sends one request (its library's own retries off) and
`classify(exc, attempt)` says what a failure is: a `Retry` (worth repeating: 408, 429, 5xx, a dropped
connection) or the `ModelError` to raise. One call sends at most `retries + 1` requests and backs off
`backoff_s * 2**n` (or the server's own delay, capped at `max_backoff_s`) between them. Each request runs on
a daemon thread so that `cancel()` and the timeout return at once; a thread left behind ends by itself when
the client library's own read timeout fires. `RemoteModel` is the base of the clients that use it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from .base import ChatModel, ModelCancelled, ModelError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_POLL_S = 0.05  # how often a waiting call looks at cancel()

T = TypeVar("T")


class Retry(Exception):
    """A failed attempt worth repeating; `status` is the HTTP status, `delay_s` the delay the server asked for."""

    def __init__(self, summary: str, status: int | None = None, delay_s: float | None = None):
        super().__init__(summary)
        self.status = status
        self.delay_s = delay_s


class Caller:
    """Sends a model's requests with retries, a timeout and cancellation. `what` names the model in messages
    ("Gemini gemini-3-pro-preview"); messages never hold anything but what `classify` put in them."""

    def __init__(self, what: str, *, timeout_s: float, retries: int, backoff_s: float, max_backoff_s: float):
        self.what = what
        self.timeout_s = float(timeout_s)
        self.retries = int(retries)
        self.backoff_s = float(backoff_s)
        self.max_backoff_s = float(max_backoff_s)
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Make the call in flight, and every later one, raise `ModelCancelled` promptly (thread-safe)."""
        self._cancelled.set()

    def call(self, send: Callable[[], T], classify: Callable[[BaseException, int], Exception]) -> tuple[T, int]:
        """`send()`'s result and how many requests it took; `ModelError` when retries run out, on a timeout, a
        refused request or cancel()."""
        last: Retry | None = None
        attempt = 0
        for attempt in range(self.retries + 1):
            if attempt:
                delay = min(max(self.backoff_s * 2 ** (attempt - 1), last.delay_s or 0.0), self.max_backoff_s)
                log.warning("%s: %s; retry %d of %d in %.2f s", self.what, last, attempt, self.retries, delay)
                if self._cancelled.wait(delay):
                    break
            if self._cancelled.is_set():
                break
            try:
                return self._attempt(send, classify, attempt + 1), attempt + 1
            except Retry as exc:
                last = exc
        else:
            raise ModelError(f"{self.what} failed {self.retries + 1} times, last with {last}; try again later or "
                             "allow more retries", status=last.status, attempts=self.retries + 1)
        raise self._cancelled_error(attempt)

    def timeout_error(self, attempt: int) -> ModelError:
        # Not retried: a model that did not answer in timeout_s will most likely not answer in time again.
        return ModelError(f"{self.what} did not answer within {self.timeout_s:g} s; raise the timeout or try "
                          "again later", attempts=attempt)

    def _cancelled_error(self, attempt: int) -> ModelCancelled:
        return ModelCancelled(f"the {self.what} call was cancelled (budget spent or run stopped)", attempts=attempt)

    def _attempt(self, send: Callable[[], T], classify: Callable[[BaseException, int], Exception], attempt: int) -> T:
        box: dict[str, object] = {}
        done = threading.Event()

        def run() -> None:
            try:
                box["response"] = send()
            except BaseException as exc:  # noqa: BLE001 (carried to the waiting thread)
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=run, name=f"model-call {self.what}", daemon=True).start()
        # the library's timeout bounds each read; this bounds the whole request, trickling answers included
        deadline = time.monotonic() + self.timeout_s + 1.0
        while not done.wait(_POLL_S):
            if self._cancelled.is_set():
                raise self._cancelled_error(attempt)
            if time.monotonic() > deadline:
                raise self.timeout_error(attempt)
        if "error" in box:
            raise classify(box["error"], attempt)
        return box["response"]  # type: ignore[return-value]


class RemoteModel(ChatModel):
    """A `ChatModel` behind an HTTP API: its calls go through `self._caller`, its key is `self._key`."""

    _caller: Caller
    _key: str = ""

    @property
    def timeout_s(self) -> float:
        return self._caller.timeout_s

    @property
    def retries(self) -> int:
        return self._caller.retries

    @property
    def cancelled(self) -> bool:
        return self._caller.cancelled

    def cancel(self) -> None:
        """Make the call in flight, and every later one, raise `ModelCancelled` promptly (thread-safe)."""
        self._caller.cancel()

    def _scrub(self, text: str, limit: int = 300) -> str:
        """`text` on one line, shortened, with the key (should a server echo it) blanked out."""
        text = " ".join((text.replace(self._key, "[api key]") if self._key else text).split())
        return text if len(text) <= limit else text[:limit] + "..."
