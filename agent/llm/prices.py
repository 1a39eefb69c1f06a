"""What model calls cost: a price table in USD per million tokens, and the cost of one call.

Default prices are Google's published list prices for the paid tier of the Gemini Developer API
(https://ai.google.dev/gemini-api/docs/pricing), text input, as quoted by several price trackers in
early 2026; we could not read Google's page itself, so check it and override with `load_prices` when they
change. Output prices include thinking tokens, which Google bills as output. Pro models bill prompts over
200k tokens at a higher rate (`long_*`). Batch, caching and grounding discounts or fees are not modelled.
OpenAI's models are at OpenAI's standard-tier list prices as we knew them in 2025 (reasoning tokens are
billed as output); check https://openai.com/api/pricing and override likewise. A model the table does not
know costs 0: that is right for local servers (llama.cpp, vLLM, Ollama), and a hosted OpenAI-compatible
service's models need a price file (`--prices`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from neurojit.compiler.errors import NeuroJITError

LONG_PROMPT_TOKENS = 200_000  # prompts above this are billed at the long-context rate where a model has one


@dataclass(frozen=True)
class Price:
    """USD per 1M tokens; `long_input`/`long_output` apply to prompts over 200k tokens (None: same rate)."""
    input: float
    output: float
    long_input: float | None = None
    long_output: float | None = None


DEFAULT_PRICES: dict[str, Price] = {
    "gemini-3-pro-preview": Price(2.00, 12.00, 4.00, 18.00),
    "gemini-3.1-pro-preview": Price(2.00, 12.00, 4.00, 18.00),
    "gemini-3-flash-preview": Price(0.50, 3.00),
    "gemini-2.5-pro": Price(1.25, 10.00, 2.50, 15.00),
    "gemini-2.5-flash": Price(0.30, 2.50),
    "gemini-2.5-flash-lite": Price(0.10, 0.40),
    "gemini-2.0-flash": Price(0.10, 0.40),
    "gemini-2.0-flash-lite": Price(0.075, 0.30),
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
}


class PriceError(NeuroJITError):
    """A price file could not be read or does not have the expected shape."""


def price_of(model: str, table: dict[str, Price] | None = None) -> Price | None:
    """The model's price (a "models/" prefix is ignored); None when the table does not know the model."""
    return (DEFAULT_PRICES if table is None else table).get(model.removeprefix("models/"))


def cost_usd(model: str, tokens_in: int, tokens_out: int, table: dict[str, Price] | None = None) -> float:
    """The cost in USD of a call with these token counts.

    An unknown model costs 0.0: check `price_of(model, table) is None` to report that its cost is not counted.
    """
    price = price_of(model, table)
    if price is None:
        return 0.0
    long = tokens_in > LONG_PROMPT_TOKENS
    rate_in = price.long_input if long and price.long_input is not None else price.input
    rate_out = price.long_output if long and price.long_output is not None else price.output
    return (tokens_in * rate_in + tokens_out * rate_out) / 1e6


def load_prices(path: str | Path, base: dict[str, Price] | None = None) -> dict[str, Price]:
    """The default table (or `base`) updated from a JSON file `{model: {"input": x, "output": y}}`.

    `long_input` and `long_output` may be given too; prices are USD per 1M tokens.
    """
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PriceError(f"cannot read the price file {path}: {exc}; give a JSON object "
                         '{"MODEL": {"input": USD_PER_1M, "output": USD_PER_1M}}') from None
    if not isinstance(data, dict):
        raise PriceError(f"the price file {path} must hold a JSON object mapping model names to prices")
    table = dict(DEFAULT_PRICES if base is None else base)
    for model, entry in data.items():
        table[model] = _price(path, model, entry)
    return table


def _price(path: str | Path, model: str, entry: object) -> Price:
    fields = ("input", "output", "long_input", "long_output")
    if not isinstance(entry, dict) or set(entry) - set(fields) or not {"input", "output"} <= set(entry):
        raise PriceError(f"the price file {path}: {model!r} needs {{\"input\": X, \"output\": Y}} "
                         "(optionally long_input, long_output), USD per 1M tokens")
    values = {k: entry.get(k) for k in fields}
    for k, v in values.items():
        if v is None and k.startswith("long_"):
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise PriceError(f"the price file {path}: {model!r} {k} must be a number >= 0 (USD per 1M tokens)")
    return Price(**{k: (None if v is None else float(v)) for k, v in values.items()})
