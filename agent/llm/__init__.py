"""Model clients for LLM providers: one `ChatModel` interface, the Gemini and OpenAI-compatible clients
(gemini.py, openai.py, on retry.py), ensembles (ensemble.py), answer parsing and prices."""

from .base import Answer, ChatModel, Completion, ModelCancelled, ModelError
from .parse import parse_answer
from .prices import Price, PriceError, cost_usd, load_prices, price_of

__all__ = ["Answer", "ChatModel", "Completion", "ModelCancelled", "ModelError", "Price", "PriceError", "cost_usd",
           "load_prices", "parse_answer", "price_of"]
