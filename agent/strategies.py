"""Prompting strategies: how a request to a model is built and what feedback goes back.

One small class per strategy, each a `Strategy` (agent/provider.py) with a `name` and
`next_prompt(request) -> Prompt | None` (None: nothing to ask this round); agent/registry.py builds them from
`--strategy`. The texts live in agent/prompts/*.txt; a strategy only chooses a template and fills it.
A prompt's `key` is the stable identity of the request (strategy, kernel, round, the parents and feedback it
carries), not its text: the text also holds measured times that move between runs, and replay must still
find the recorded answer.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from importlib import resources

from .provider import Prompt, Request, Strategy

__all__ = ["Evolutionary", "FewShot", "Prompt", "Repair", "ZeroShot", "system_prompt", "template"]

MAX_REPAIRS = 3  # repair rounds per rejected lineage


def template(name: str) -> string.Template:
    return string.Template(resources.files("neurojit.agent").joinpath("prompts", f"{name}.txt").read_text())


def _machine(request: Request) -> dict:
    h = request.host
    bits = h.get("vector_bits", 128)
    return {"cpu": h.get("cpu", "?"), "vector_bits": bits, "lanes": bits // 32,
            "registers": 32 if bits == 512 else 16, "cores": h.get("cores", 1)}


def _common(request: Request) -> dict:
    info = request.info
    ops = "; ".join(f"{op.name} over loops {list(op.extents)} ({', '.join(op.iterators)})"
                    for op in getattr(info, "ops", ()))
    return {"name": getattr(info, "name", request.kernel_name), "kernel": request.kernel_text.strip(),
            "baseline_ms": f"{request.baseline_ms:.3f}" if request.baseline_ms else "unknown",
            "analysis": ops or "n/a", "round": request.round + 1, **_machine(request)}


def _key(strategy: str, request: Request, **extra) -> dict:
    return {"strategy": strategy, "kernel": hashlib.sha256(request.kernel_text.encode()).hexdigest()[:16],
            "round": request.round, **extra}


def _accepted(history) -> list:
    """Accepted candidates (store records) with a measured speedup, fastest first."""
    ok = [c for c in history if c.verdict is not None and c.verdict.accepted and c.verdict.speedup]
    return sorted(ok, key=lambda c: -c.verdict.speedup)


class ZeroShot(Strategy):
    name = "zero-shot"

    def next_prompt(self, request: Request) -> Prompt | None:
        text = template("zero_shot").substitute(_common(request))
        return Prompt(text, _key(self.name, request))


class FewShot(Strategy):
    """Zero-shot plus the best verified candidates for this kernel or similar ones, from the store."""
    name = "few-shot"

    def __init__(self, shots: int = 3):
        self.shots = shots

    def next_prompt(self, request: Request) -> Prompt | None:
        examples = _accepted(list(request.examples) + list(request.history))[:self.shots]
        if not examples:
            return ZeroShot().next_prompt(request)
        shown = "\n\n".join(f"- {e.kind.value}, {e.verdict.speedup:.2f}x:\n```mlir\n"
                            f"{e.text.strip()}\n```" for e in examples)
        text = template("few_shot").substitute(_common(request), examples=shown)
        return Prompt(text, _key(self.name, request, examples=[e.identity for e in examples]))


class Repair(Strategy):
    """Error feedback: the latest rejected answer goes back with the verifier's detail, up to K rounds."""
    name = "repair"

    def __init__(self, max_attempts: int = MAX_REPAIRS):
        self.max_attempts = max_attempts

    def next_prompt(self, request: Request) -> Prompt | None:
        history = list(request.history)
        by_id = {c.identity: c for c in history}
        for cand in reversed(history):
            v = cand.verdict
            if v is None or v.accepted or cand.provider == "heuristic":
                continue
            depth, p = 1, cand.parent
            while p in by_id:
                depth, p = depth + 1, by_id[p].parent
            if depth > self.max_attempts:
                break
            if any(c.parent == cand.identity for c in history):
                break  # already repaired once
            text = template("repair").substitute(
                _common(request), kind=cand.kind.value, candidate=cand.text.strip(),
                reason=v.reason.value, detail=v.detail, attempt=depth, max_attempts=self.max_attempts)
            return Prompt(text, _key(self.name, request, repair=cand.identity), parent=cand.identity)
        return ZeroShot().next_prompt(request)


class Evolutionary(Strategy):
    """Parents sampled from the best verified candidates; one parent mutates, two cross over."""
    name = "evolutionary"

    def __init__(self, pool: int = 4, seed: int = 0):
        self.pool, self.seed = pool, seed

    def next_prompt(self, request: Request) -> Prompt | None:
        best = _accepted(request.history)[:self.pool]
        if not best:
            return ZeroShot().next_prompt(request)
        rng = random.Random(f"{self.seed}:{request.round}")
        parents = rng.sample(best, 2) if len(best) >= 2 and rng.random() < 0.5 else [rng.choice(best)]
        operation = ("Combine the ideas of the two variants into one that is faster than both."
                     if len(parents) == 2 else "Mutate the variant: change its tiling, vectorisation or loop "
                                               "order to make it faster still.")
        shown = "\n\n".join(f"Variant {i + 1} ({p.kind.value}, {p.verdict.speedup:.2f}x"
                            f"{', knobs ' + json.dumps(p.knobs) if p.knobs else ''}):\n```mlir\n"
                            f"{p.text.strip()}\n```" for i, p in enumerate(parents))
        text = template("evolve").substitute(_common(request), operation=operation, parents=shown)
        return Prompt(text, _key(self.name, request, parents=[p.identity for p in parents]),
                      parent=parents[0].identity)


def system_prompt() -> str:
    return template("system").template
