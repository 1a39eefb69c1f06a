"""Gemini through the real google-genai client, with our own retries, timeout and cancellation.

The client is built with its own retries off (`HttpRetryOptions(attempts=1)`) so that one `complete()`
sends at most `retries + 1` requests, backs off `backoff_s * 2**n` (or the server's RetryInfo delay, capped
at `max_backoff_s`) after a 408, 429, 5xx or dropped connection, and gives up with a `ModelError`
(agent/llm/retry.py does the waiting, the timeout and cancel for every model client).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import time
from collections.abc import Mapping

import pydantic
from google import genai
from google.genai import errors, types

from ..provider import ProviderError
from .base import Completion, ModelError
from .parse import ANSWER_SCHEMA
from .retry import RETRY_STATUS, Caller, RemoteModel, Retry

__all__ = ["ANSWER_SCHEMA", "API_VERSION", "DEFAULT_MODEL", "KEY_VARIABLES", "GeminiModel"]

DEFAULT_MODEL = "gemini-3-pro-preview"
KEY_VARIABLES = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
# google-genai 3.4 defaults to v1 for the Developer API, where (as of late 2025) generateContent rejected
# systemInstruction and responseMimeType; v1beta is the version Google documents them on.
API_VERSION = "v1beta"


def _httpx_errors(name: str) -> tuple[type[BaseException], ...]:
    # google-genai sends through httpx2 when it is installed, else httpx: catch the error types of both.
    found = []
    for module in ("httpx2", "httpx"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            pass
    return tuple(found)


_TIMEOUT_ERRORS = _httpx_errors("TimeoutException")
_TRANSPORT_ERRORS = _httpx_errors("TransportError")


class GeminiModel(RemoteModel):
    """A `ChatModel` on the Gemini API. The key comes from `api_key` or GEMINI_API_KEY / GOOGLE_API_KEY.

    `json_schema` asks for structured output (`ANSWER_SCHEMA` by default; None for free text).
    `env` replaces `os.environ` for the key and GOOGLE_GEMINI_BASE_URL. `api_version` is the URL's version
    segment (`{base_url}/{api_version}/models/{name}:generateContent`).
    """

    def __init__(self, name: str = DEFAULT_MODEL, *, api_key: str | None = None, base_url: str | None = None,
                 timeout_s: float = 120.0, retries: int = 4, backoff_s: float = 1.0, max_backoff_s: float = 60.0,
                 json_schema: dict | None = ANSWER_SCHEMA, api_version: str = API_VERSION,
                 env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        key = (api_key or next((env[v] for v in KEY_VARIABLES if env.get(v, "").strip()), "")).strip()
        if not key:
            raise ProviderError("--model gemini needs an API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), "
                                "or use --model heuristic to tune offline")
        if timeout_s <= 0 or retries < 0 or backoff_s < 0:
            raise ProviderError("GeminiModel needs timeout_s > 0, retries >= 0 and backoff_s >= 0")
        self.name = name.removeprefix("models/")
        self.base_url = base_url or env.get("GOOGLE_GEMINI_BASE_URL") or None
        self.json_schema = json_schema
        self._key = key
        self._caller = Caller(f"Gemini {self.name}", timeout_s=timeout_s, retries=retries, backoff_s=backoff_s,
                              max_backoff_s=max_backoff_s)
        self._client = genai.Client(vertexai=False, api_key=key, http_options=types.HttpOptions(
            base_url=self.base_url, api_version=api_version, timeout=max(1, round(timeout_s * 1000)),
            retry_options=types.HttpRetryOptions(attempts=1)))

    def __repr__(self) -> str:
        return (f"GeminiModel(name={self.name!r}, base_url={self.base_url!r}, timeout_s={self.timeout_s}, "
                f"retries={self.retries})")

    def complete(self, prompt: str, *, system: str | None = None) -> Completion:
        """The model's answer; `ModelError` when retries run out, on a timeout, a refused request or cancel()."""
        start = time.monotonic()
        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json" if self.json_schema is not None else None,
            response_json_schema=self.json_schema)
        response, attempts = self._caller.call(
            lambda: self._client.models.generate_content(model=self.name, contents=prompt, config=config),
            self._classify)
        return _completion(response, self.name, time.monotonic() - start, attempts)

    def _classify(self, exc: BaseException, attempt: int) -> Exception:
        """A `Retry` for a failure worth repeating, else the `ModelError` to raise (never our bugs)."""
        if isinstance(exc, errors.APIError):
            status = exc.code
            summary = f"HTTP {status} {exc.status or ''}: {self._scrub(exc.message or '')}".replace(" :", ":")
            if status in RETRY_STATUS:
                return Retry(summary, status, _retry_delay(exc.details))
            advice = {401: "check the API key (GEMINI_API_KEY)", 403: "check the API key (GEMINI_API_KEY)",
                      404: f"check the model name (--model gemini:NAME), {self.name!r} was not found"}
            return ModelError(f"Gemini {self.name} refused the request ({summary}); "
                              f"{advice.get(status, 'check the prompt and the model settings')}",
                              status=status, attempts=attempt)
        if isinstance(exc, _TIMEOUT_ERRORS):
            return self._caller.timeout_error(attempt)
        if isinstance(exc, _TRANSPORT_ERRORS):
            return Retry(f"a connection error ({type(exc).__name__}: {self._scrub(str(exc))})")
        if isinstance(exc, (errors.UnknownApiResponseError, json.JSONDecodeError, pydantic.ValidationError)):
            return ModelError(f"Gemini {self.name} sent an answer we cannot read ({self._scrub(str(exc))}); "
                              "check the base URL", attempts=attempt)
        raise exc  # our bug (or google-genai's): keep the traceback


def _completion(response: types.GenerateContentResponse, model: str, latency_s: float, attempts: int) -> Completion:
    candidates = response.candidates or []
    first = candidates[0] if candidates else None
    parts = (first.content.parts or []) if first and first.content else []
    text = "".join(p.text for p in parts if p.text and not p.thought)
    if first and first.finish_reason:
        finish = str(getattr(first.finish_reason, "value", first.finish_reason))
    elif response.prompt_feedback and response.prompt_feedback.block_reason:
        finish = f"BLOCKED_{getattr(response.prompt_feedback.block_reason, 'value', '')}"
    else:
        finish = ""
    usage = response.usage_metadata
    tokens_in = (usage.prompt_token_count or 0) if usage else 0
    # Thinking tokens are billed as output, so they count as output here.
    tokens_out = ((usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)) if usage else 0
    return Completion(text, tokens_in, tokens_out, latency_s, model, finish, attempts)


def _retry_delay(details: object) -> float | None:
    """The server's RetryInfo delay ("17s", "0.5s") from a Google error body, if it gave one."""
    error = details.get("error", details) if isinstance(details, dict) else {}
    for item in (error.get("details") or []) if isinstance(error, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("retryDelay"), str):
            m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)s\s*", item["retryDelay"])
            if m:
                return float(m.group(1))
    return None
