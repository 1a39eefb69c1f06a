"""Any OpenAI-compatible chat server through the official `openai` client: llama.cpp's llama-server, vLLM,
Ollama, OpenAI itself and hosted services that speak its API.

Same guarantees as the Gemini client: the library's own retries are off (`max_retries=0`) and
agent/llm/retry.py retries 408, 429, 5xx and dropped connections with backoff (honouring Retry-After),
bounds the whole request by `timeout_s` and makes `cancel()` return at once. Structured output is asked for
as the server allows: a JSON schema first, then JSON mode, then free text (answers are read by the lenient
parser in every case); a server that refuses a format with a 400 or 422 is asked again with the next one,
and the model remembers what worked. The key (OPENAI_API_KEY) is optional for local servers and never
appears in a message.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping

import openai
import pydantic

from ..provider import ProviderError
from .base import Completion, ModelCancelled, ModelError
from .parse import ANSWER_SCHEMA
from .retry import RETRY_STATUS, Caller, RemoteModel, Retry

__all__ = ["FORMATS", "KEY_VARIABLE", "OFFICIAL_URL", "URL_VARIABLE", "OpenAIModel"]

log = logging.getLogger(__name__)

KEY_VARIABLE = "OPENAI_API_KEY"
URL_VARIABLE = "OPENAI_BASE_URL"
OFFICIAL_URL = "https://api.openai.com/v1"
FORMATS = ("json_schema", "json_object", "text")  # strongest first; "auto" starts at the first
# Local servers ignore the key; the client still sends a bearer token, so it gets this placeholder.
_NO_KEY = "no-key"


def _strict(schema: object) -> object:
    """The schema as OpenAI's strict mode wants it: every object closed (additionalProperties false)."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if out.get("type") == "object":
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


class OpenAIModel(RemoteModel):
    """A `ChatModel` on an OpenAI-compatible `/chat/completions` endpoint.

    `base_url` (or OPENAI_BASE_URL; default OpenAI's own API) ends before `/chat/completions`, e.g.
    `http://127.0.0.1:8080/v1` for llama-server or `http://127.0.0.1:11434/v1` for Ollama. `api_key` (or
    OPENAI_API_KEY) is needed for OpenAI's API only. `structured`: "auto" (JSON schema, falling back to JSON
    mode and then to free text when the server refuses), or one of "json_schema", "json_object", "text".
    `env` replaces `os.environ` for the key and the URL.
    """

    def __init__(self, name: str, *, api_key: str | None = None, base_url: str | None = None,
                 timeout_s: float = 120.0, retries: int = 4, backoff_s: float = 1.0, max_backoff_s: float = 60.0,
                 structured: str = "auto", json_schema: dict = ANSWER_SCHEMA, max_tokens: int | None = None,
                 env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        if not name.strip():
            raise ProviderError("--model openai needs a model name: openai:NAME (as the server lists it, e.g. "
                                "openai:qwen2.5-coder:7b)")
        if structured != "auto" and structured not in FORMATS:
            raise ProviderError(f"structured output {structured!r}: choose auto, {', '.join(FORMATS)}")
        if timeout_s <= 0 or retries < 0 or backoff_s < 0:
            raise ProviderError("OpenAIModel needs timeout_s > 0, retries >= 0 and backoff_s >= 0")
        self.name = name.strip()
        self.base_url = (base_url or env.get(URL_VARIABLE, "").strip() or OFFICIAL_URL).rstrip("/")
        key = (api_key or env.get(KEY_VARIABLE, "")).strip()
        if not key and self.base_url == OFFICIAL_URL:
            raise ProviderError(f"--model openai:{self.name} talks to OpenAI's API, which needs a key: set "
                                f"{KEY_VARIABLE}, or point --base-url (or {URL_VARIABLE}) at a local server")
        self.format = FORMATS[0] if structured == "auto" else structured
        self.fallback = structured == "auto"
        self.json_schema = json_schema
        self.max_tokens = max_tokens
        self._key = key
        self._caller = Caller(f"{self.name} at {self.base_url}", timeout_s=timeout_s, retries=retries,
                              backoff_s=backoff_s, max_backoff_s=max_backoff_s)
        self._client = openai.OpenAI(api_key=key or _NO_KEY, base_url=self.base_url, timeout=timeout_s,
                                     max_retries=0)

    def __repr__(self) -> str:
        return (f"OpenAIModel(name={self.name!r}, base_url={self.base_url!r}, timeout_s={self.timeout_s}, "
                f"retries={self.retries}, format={self.format!r})")

    def complete(self, prompt: str, *, system: str | None = None) -> Completion:
        """The model's answer; `ModelError` when retries run out, on a timeout, a refused request or cancel()."""
        start, sent = time.monotonic(), 0
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        while True:
            fmt = self.format
            try:
                response, attempts = self._caller.call(lambda: self._send(messages, fmt), self._classify)
            except ModelError as exc:
                sent += exc.attempts
                if self._weaker(exc, fmt):
                    continue
                exc.attempts = sent
                raise
            try:
                return _completion(response, self.name, time.monotonic() - start, sent + attempts)
            except (AttributeError, TypeError, IndexError) as exc:  # a body of the wrong shape (unvalidated)
                raise ModelError(f"{self._caller.what} sent an answer we cannot read (no chat completion: "
                                 f"{self._scrub(str(exc))}); check the base URL", attempts=sent + attempts) from None

    def _weaker(self, exc: ModelError, fmt: str) -> bool:
        """After the server refused `fmt`, step down to the next format (for this and later calls)."""
        if isinstance(exc, ModelCancelled) or exc.status not in (400, 422) or not self.fallback or fmt == FORMATS[-1]:
            return False
        if self.format == fmt:  # another thread may have stepped down already
            self.format = FORMATS[FORMATS.index(fmt) + 1]
        log.warning("%s refused response_format %s (%s); asking with %s from now on", self._caller.what, fmt,
                    exc, self.format)
        return True

    def _send(self, messages: list[dict], fmt: str):
        extra: dict = {}
        if fmt == "json_schema":
            extra["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "candidates", "schema": _strict(self.json_schema), "strict": True}}
        elif fmt == "json_object":
            extra["response_format"] = {"type": "json_object"}
        if self.max_tokens:
            extra["max_tokens"] = self.max_tokens
        return self._client.chat.completions.create(model=self.name, messages=messages, **extra)

    def _classify(self, exc: BaseException, attempt: int) -> Exception:
        """A `Retry` for a failure worth repeating, else the `ModelError` to raise (never our bugs)."""
        what = self._caller.what
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            summary = f"HTTP {status}: {self._scrub(_message(exc))}"
            if status in RETRY_STATUS:
                return Retry(summary, status, _retry_after(exc.response.headers))
            advice = {401: f"check the API key ({KEY_VARIABLE})", 403: f"check the API key ({KEY_VARIABLE})",
                      404: f"check the model name (--model openai:NAME, {self.name!r} was not found) and the base "
                           "URL (it ends before /chat/completions, e.g. http://127.0.0.1:8080/v1)"}
            return ModelError(f"{what} refused the request ({summary}); "
                              f"{advice.get(status, 'check the prompt and the model settings')}",
                              status=status, attempts=attempt)
        if isinstance(exc, openai.APITimeoutError):
            return self._caller.timeout_error(attempt)
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc
            return Retry(f"a connection error ({type(cause).__name__}: {self._scrub(str(cause))})")
        if isinstance(exc, (openai.APIResponseValidationError, json.JSONDecodeError, pydantic.ValidationError,
                            UnicodeDecodeError)):
            return ModelError(f"{what} sent an answer we cannot read ({self._scrub(str(exc))}); check the base "
                              "URL (an OpenAI-compatible server's, ending before /chat/completions)", attempts=attempt)
        raise exc  # our bug (or the openai client's): keep the traceback


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(inner, str):
            return inner
    return exc.message or ""


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """The delay a 429 or 503 asks for: `retry-after-ms` (OpenAI's) or `Retry-After` in seconds."""
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name, ""))
        except ValueError:
            continue
        if value >= 0:
            return value * scale
    return None


def _completion(response, model: str, latency_s: float, attempts: int) -> Completion:
    choice = response.choices[0] if response.choices else None
    text = (choice.message.content or "") if choice and choice.message else ""
    usage = response.usage
    # completion_tokens includes reasoning tokens where a server reports them: they are billed as output
    return Completion(text, (usage.prompt_tokens or 0) if usage else 0, (usage.completion_tokens or 0) if usage else 0,
                      latency_s, model, (choice.finish_reason or "") if choice else "", attempts)
