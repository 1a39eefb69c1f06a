"""The model-client interface: a prompt goes in, a `Completion` (text, tokens, latency) comes out.

Providers build prompts and turn completions into candidates; a `ChatModel` only talks to a model, so the
same provider code runs on Gemini, on a recorded replay or on a fake in tests.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

from neurojit.compiler.errors import NeuroJITError


@dataclass(frozen=True)
class Completion:
    """One model answer. `tokens_out` counts everything billed as output (thinking tokens included)."""
    text: str
    tokens_in: int
    tokens_out: int
    latency_s: float  # wall time of complete(), retries and backoff included
    model: str
    finish_reason: str = ""  # as the model reports it ("STOP", "MAX_TOKENS", ...); "" when unknown
    attempts: int = 1


@dataclass(frozen=True)
class Answer:
    """One candidate's code read out of a completion, with what the model said of it. `declared` is the kind
    the model gave ("module"/"schedule"), kept only to be noted: the code's text decides its kind."""
    code: str
    rationale: str = ""
    declared: str | None = None


class ChatModel(abc.ABC):
    """A model client. Subclass it and write `complete`; the optional abilities have defaults here.

    `replays`: the model answers recorded exchanges by request hash (`answer`) instead of completing
    prompts, and nothing it answers is billed."""

    name: str
    replays: bool = False

    @abc.abstractmethod
    def complete(self, prompt: str, *, system: str | None = None) -> Completion:
        """The model's answer to `prompt`; raises `ModelError` when no answer could be had."""

    def answer(self, request_hash: str) -> Completion:
        """The recorded answer to the request with this hash (only for a model that `replays`)."""
        raise ModelError(f"{self.name} does not replay recorded answers; call complete()")

    def cancel(self) -> None:
        """Make the call in flight, and every later one, raise `ModelCancelled` promptly (thread-safe; never
        raises). The default does nothing, for a model whose calls return at once."""


class ModelError(NeuroJITError):
    """A model call failed for good (retries exhausted, timeout, refused request, cancelled).

    `status` is the last HTTP status when there was one, `attempts` how many requests were sent. The message
    never contains the API key.
    """

    def __init__(self, message: str, *, status: int | None = None, attempts: int = 0):
        self.status = status
        self.attempts = attempts
        super().__init__(message)


class ModelCancelled(ModelError):
    """The call was cancelled (`cancel()`, e.g. because the run's budget is spent)."""
