"""The model-client interface: a prompt goes in, a `Completion` (text, tokens, latency) comes out.

Providers build prompts and turn completions into candidates; a `ChatModel` only talks to a model, so the
same provider code runs on Gemini, on a recorded replay or on a fake in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from neurojit.compiler.errors import NeuroJITError

AnswerKind = Literal["module", "schedule"]


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
    """One candidate read out of a completion: a replacement module or a transform schedule."""
    kind: AnswerKind
    code: str
    rationale: str = ""


class ChatModel(Protocol):
    name: str

    def complete(self, prompt: str, *, system: str | None = None) -> Completion:
        """The model's answer to `prompt`; raises `ModelError` when no answer could be had."""


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
