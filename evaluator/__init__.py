"""The evaluator: untrusted candidates are verified, checked for memory safety and equivalence, and
benchmarked, all inside sandboxed worker processes (DESIGN §6)."""

from .api import Evaluator
from .config import EvalConfig
from .record import Check, Reason, Verdict

__all__ = ["Check", "EvalConfig", "Evaluator", "Reason", "Verdict"]
