"""Replay of recorded exchanges: a model that answers each request with the answer recorded for its hash.

A cassette is a JSON-lines file, one recorded exchange per line (`write_cassette` makes one from a run in
the store), or a run of the results store itself (`replay:RUN_ID`). A request with no recorded answer is a
clear error: the replayed run has asked something the recorded one did not.
"""

from __future__ import annotations

import json
import os
import threading

from neurojit.agent.provider import ProviderError

from .base import ChatModel, Completion, ModelCancelled, ModelError


class ReplayModel(ChatModel):
    """A `ChatModel` that `replays`: `answer(request_hash)` gives the recorded answer; nothing is billed."""

    replays = True

    def __init__(self, answers: dict[str, dict], source: str):
        self.answers = answers
        self.source = source
        self.name = f"replay:{source}"
        self._cancelled = threading.Event()

    @classmethod
    def from_file(cls, path: str) -> ReplayModel:
        if not os.path.exists(path):
            raise ProviderError(f"replay:{path}: no such cassette; record one with neurojit tune ... --record {path}")
        answers = {}
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        rec = json.loads(line)
                        answers[rec["request_hash"]] = rec
                    except (ValueError, KeyError):
                        raise ProviderError(f"{path}:{n}: not a recorded exchange (JSON with request_hash, "
                                            "response)") from None
        return cls(answers, path)

    @classmethod
    def from_run(cls, store, run_id: str) -> ReplayModel:
        if store.get_run(run_id) is None:
            raise ProviderError(f"replay:{run_id}: neither a cassette file nor a run in this store")
        return cls({e.request_hash: {"response": e.response, "tokens_in": e.tokens_in, "tokens_out": e.tokens_out,
                                     "model": e.model} for e in store.exchanges(run_id)}, run_id)

    def complete(self, prompt: str, *, system: str | None = None) -> Completion:
        raise ModelError(f"{self.name} answers recorded requests by their hash only; call answer()")

    def cancel(self) -> None:
        self._cancelled.set()

    def answer(self, request_hash: str) -> Completion:
        if self._cancelled.is_set():
            raise ModelCancelled(f"the {self.name} replay was cancelled (budget spent or run stopped)")
        rec = self.answers.get(request_hash)
        if rec is None:
            raise ModelError(f"{self.name} has no recorded answer for request {request_hash}: this run asked "
                             "something the recorded run did not (another kernel, strategy or seed?)")
        return Completion(rec["response"], rec.get("tokens_in", 0), rec.get("tokens_out", 0), 0.0,
                          rec.get("model", self.name))


def write_cassette(store, run_id: str, path: str) -> int:
    """Write the run's exchanges as a cassette; returns how many."""
    rows = store.exchanges(run_id)
    with open(path, "w") as f:
        for e in rows:
            f.write(json.dumps({"request_hash": e.request_hash, "model": e.model, "prompt": e.prompt,
                                "response": e.response, "tokens_in": e.tokens_in, "tokens_out": e.tokens_out})
                    + "\n")
    return len(rows)
