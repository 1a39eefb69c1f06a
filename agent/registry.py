"""Providers, chat models and strategies, built from their command-line strings (`--model`, `--strategy`).

Built-in: `--model heuristic | gemini[:MODEL] | replay:FILE|RUN_ID | openai:NAME` and
`--strategy zero-shot | few-shot | repair | evolutionary`. A model is written `[WEIGHT*]PROVIDER:NAME[@BASE_URL]`,
split at the first `:` only (Ollama's `qwen2.5-coder:7b` is one name); `--model` given several times (a
sequence, or one string of specs separated by spaces) is an ensemble of gemini and openai models, one picked
per request by `--ensemble weights|bandit` (agent/llm/ensemble.py). Anything else is looked up among the plugins
other packages register through Python entry points (`importlib.metadata`):

- group `neurojit.providers`: an entry point named NAME loads a callable
  `factory(arg: str, *, strategy: Strategy, seed: int, store: ResultStore | None, run_id: str | None)
  -> Provider`, which serves `--model NAME[:ARG]` (`arg` is "" without a colon; `strategy` is the one
  `--strategy` names). A plugin with a model behind it can return `LLMProvider(model, strategy, store, run_id)`
  around its own `ChatModel` and get prompts, recording and replay as they are.
- group `neurojit.strategies`: an entry point named NAME loads a callable `factory(seed: int) -> Strategy`,
  which serves `--strategy NAME`.

Built-in names win: a plugin registered under one is never loaded (a warning says so when that name is
used). Two plugins under one name, a plugin that fails to load, and an unknown name are `ProviderError`s
whose sentence lists the choices. Implementations import only the interfaces (agent/provider.py), never
this module, so the registry is the one place that knows them all.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from neurojit.compiler.errors import NeuroJITError

from .llm.ensemble import CHOICES, Choice, Member
from .provider import Provider, ProviderError, Strategy
from .strategies import Evolutionary, FewShot, Repair, ZeroShot

__all__ = ["CHOICES", "MODELS", "PROVIDER_GROUP", "STRATEGIES", "STRATEGY_GROUP", "ModelSpec", "make_choice",
           "make_model", "make_provider", "make_strategy", "model_label", "model_names", "model_specs", "parse_model",
           "strategy_names"]

PROVIDER_GROUP = "neurojit.providers"
STRATEGY_GROUP = "neurojit.strategies"
MODELS = {"heuristic": "heuristic", "gemini": "gemini[:MODEL]", "replay": "replay:FILE|RUN_ID",
          "openai": "openai:NAME[@BASE_URL]"}  # name: usage
ENSEMBLE_MEMBERS = ("gemini", "openai")  # providers an ensemble may mix: those with a ChatModel behind them
STRATEGIES: dict[str, Callable[[int], Strategy]] = {  # name: factory(seed)
    "zero-shot": lambda seed: ZeroShot(), "few-shot": lambda seed: FewShot(), "repair": lambda seed: Repair(),
    "evolutionary": lambda seed: Evolutionary(seed=seed)}


def model_names() -> list[str]:
    """What `--model` accepts: the built-ins' usages, then the installed plugins' (`NAME[:ARG]`)."""
    return list(MODELS.values()) + [f"{n}[:ARG]" for n in sorted(_plugins(PROVIDER_GROUP)) if n not in MODELS]


def strategy_names() -> list[str]:
    """What `--strategy` accepts: the built-ins, then the installed plugins."""
    return list(STRATEGIES) + [n for n in sorted(_plugins(STRATEGY_GROUP)) if n not in STRATEGIES]


@dataclass(frozen=True)
class ModelSpec:
    """One `--model` value, parsed: `[WEIGHT*]PROVIDER[:NAME][@BASE_URL]`."""
    provider: str
    name: str = ""  # "" when no colon was given
    weight: float = 1.0
    base_url: str | None = None  # only for gemini and openai: an http(s) URL after an "@"


_WEIGHT = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*\*\s*(.*)", re.DOTALL)
_AT_URL = re.compile(r"(.*)@(https?://\S+)", re.DOTALL)


def parse_model(text: str) -> ModelSpec:
    """The parts of a `--model` value; a weight that is not a number > 0 is a `ProviderError`."""
    text = text.strip()
    weight = 1.0
    m = _WEIGHT.fullmatch(text)
    if m:
        weight, text = float(m.group(1)), m.group(2).strip()
        if not (math.isfinite(weight) and weight > 0):
            raise ProviderError(f"--model {m.group(0).strip()}: the weight before '*' must be a number > 0")
    provider, _, name = text.partition(":")
    base_url = None
    if provider in ENSEMBLE_MEMBERS:
        at = _AT_URL.fullmatch(name)
        if at:
            name, base_url = at.group(1), at.group(2)
    return ModelSpec(provider, name, weight, base_url)


def model_specs(model: str | Sequence[str]) -> list[str]:
    """The `--model` values in `model`: one string of specs separated by spaces, or a sequence of them."""
    values = [model] if isinstance(model, str) else list(model)
    return [part for v in values for part in v.split()]


def model_label(model: str | Sequence[str]) -> str:
    """One string for a run's record: the specs, separated by spaces (`model_specs` reads it back)."""
    return " ".join(model_specs(model))


def make_model(model: str | Sequence[str], store=None, *, timeout_s: float = 120.0, base_url: str | None = None):
    """The chat model a `--model` value names; None for the heuristic and for plugins (which build their own);
    for several values, the ensemble's members (a tuple of `agent.llm.ensemble.Member`).

    `base_url` (`--base-url`) is where `openai:` models without an `@BASE_URL` of their own are served.
    Called before a run is created, so that a missing key, cassette or plugin fails before anything is
    recorded."""
    specs = model_specs(model)
    if not specs:
        raise ProviderError("--model is empty; give heuristic, a model such as openai:NAME, or several models")
    if len(specs) > 1:
        return _members([parse_model(s) for s in specs], timeout_s, base_url)
    spec = parse_model(specs[0])
    name, arg = spec.provider, spec.name
    model = specs[0]
    if name in MODELS:
        _warn_if_shadowed(PROVIDER_GROUP, "--model", name)
    if name == "heuristic":
        if arg:
            raise ProviderError(f"--model {model}: the heuristic takes no argument")
        return None
    if name == "gemini":
        from .llm.gemini import DEFAULT_MODEL, GeminiModel

        return GeminiModel(arg or DEFAULT_MODEL, base_url=spec.base_url, timeout_s=timeout_s)
    if name == "openai":
        from .llm.openai import OpenAIModel

        if not arg:
            raise ProviderError("--model openai needs the model's name: openai:NAME[@BASE_URL], e.g. "
                                "openai:qwen2.5-coder:7b@http://127.0.0.1:11434/v1")
        return OpenAIModel(arg, base_url=spec.base_url or base_url, timeout_s=timeout_s)
    if name == "replay":
        from .llm.replay import ReplayModel

        if not arg:
            raise ProviderError("--model replay needs a cassette or a run: replay:FILE or replay:RUN_ID")
        if "/" in arg or arg.endswith((".jsonl", ".json")) or store is None:
            return ReplayModel.from_file(arg)
        return ReplayModel.from_run(store, arg)
    _plugin(PROVIDER_GROUP, "--model", model, name, model_names)
    return None


def _members(specs: list[ModelSpec], timeout_s: float, base_url: str | None) -> tuple[Member, ...]:
    for spec in specs:
        if spec.provider not in ENSEMBLE_MEMBERS:
            raise ProviderError(f"--model {spec.provider}: an ensemble mixes models of "
                                f"{' and '.join(ENSEMBLE_MEMBERS)} only (replay:FILE replays a recorded ensemble "
                                "run on its own)")
    models = [make_model(f"{s.provider}:{s.name}" + (f"@{s.base_url}" if s.base_url else ""), timeout_s=timeout_s,
                         base_url=base_url) for s in specs]
    names = [m.name for m in models]
    # one model served twice (two servers, one name) is told apart by where it is served
    labels = [f"{m.name}@{s.base_url or base_url or s.provider}" if names.count(m.name) > 1 else m.name
              for m, s in zip(models, specs)]
    if len(set(labels)) != len(labels):
        raise ProviderError(f"--model {' '.join(labels)}: the same model is given twice; give it once, with a "
                            "weight (2*openai:NAME)")
    return tuple(Member(label, s.weight, m) for label, s, m in zip(labels, specs, models))


def make_choice(name: str) -> Choice:
    """How an ensemble picks its model per request (`--ensemble weights|bandit`)."""
    if name not in CHOICES:
        raise ProviderError(f"unknown --ensemble {name!r}; choose {' or '.join(CHOICES)}")
    return CHOICES[name]()


def make_provider(model: str | Sequence[str], *, strategy: str = "zero-shot", seed: int = 0, store=None,
                  run_id: str | None = None, chat=None, prices: dict | None = None, base_url: str | None = None,
                  ensemble: str = "weights") -> Provider:
    """The provider for a `--model` value, or several (see the module docstring); `chat` is what `make_model`
    built for it, if it was built already. `ensemble` is how an ensemble picks its model per request."""
    strat = make_strategy(strategy, seed)
    specs = model_specs(model)
    if len(specs) > 1:
        from .llm.ensemble import EnsembleProvider

        choice = make_choice(ensemble)
        members = chat if chat is not None else make_model(specs, store, base_url=base_url)
        return EnsembleProvider(members, strat, store, run_id, prices, seed=seed, choice=choice)
    model = specs[0] if specs else ""
    spec = parse_model(model)
    name, arg = spec.provider, spec.name
    if chat is None and name not in MODELS:
        factory = _plugin(PROVIDER_GROUP, "--model", model, name, model_names)
        provider = _run_plugin(f"--model {model}", lambda: factory(arg, strategy=strat, seed=seed, store=store,
                                                                   run_id=run_id))
        return _checked(provider, Provider, f"--model {model}")
    chat = chat if chat is not None else make_model(model, store, base_url=base_url)
    if chat is None:
        from .heuristic import HeuristicProvider

        return HeuristicProvider(strategy=strat.name)
    from .llm.provider import LLMProvider

    return LLMProvider(chat, strat, store, run_id, prices)


def make_strategy(name: str, seed: int = 0) -> Strategy:
    """The strategy a `--strategy` value names (a built-in or a plugin)."""
    if name in STRATEGIES:
        _warn_if_shadowed(STRATEGY_GROUP, "--strategy", name)
        return STRATEGIES[name](seed)
    factory = _plugin(STRATEGY_GROUP, "--strategy", name, name, strategy_names)
    return _checked(_run_plugin(f"--strategy {name}", lambda: factory(seed)), Strategy, f"--strategy {name}")


def _run_plugin(what: str, make: Callable):
    """A plugin's factory called: its own bugs become one sentence (exit 2) with the cause chained, not a
    traceback in the middle of `neurojit tune`; our errors pass as they are."""
    try:
        return make()
    except NeuroJITError:
        raise
    except Exception as exc:
        raise ProviderError(f"{what}: the plugin failed while building it ({type(exc).__name__}: {exc}); "
                            "fix or uninstall the plugin") from exc


def _plugins(group: str) -> dict[str, list[EntryPoint]]:
    # Read each time: entry points are cheap to list, and a test or a long-lived process may install one.
    found: dict[str, list[EntryPoint]] = {}
    for ep in entry_points(group=group):
        found.setdefault(ep.name, []).append(ep)
    return found


def _origin(ep: EntryPoint) -> str:
    return f"{ep.value} from {ep.dist.name if ep.dist else 'an unnamed distribution'}"


def _plugin(group: str, flag: str, given: str, name: str, names: Callable[[], list[str]]) -> Callable:
    """The factory the plugin named `name` registers in `group`."""
    eps = _plugins(group).get(name, [])
    if not eps:
        raise ProviderError(f"unknown {flag} {given!r}; choose one of {', '.join(names())} (more come from "
                            f"packages that register the entry-point group {group})")
    if len(eps) > 1:
        raise ProviderError(f"{flag} {name} is registered by several plugins ({'; '.join(map(_origin, eps))}); "
                            "uninstall all but one")
    try:
        factory = eps[0].load()
    except Exception as exc:  # a third party's bug or a broken install: say which, keep the cause chained
        raise ProviderError(f"{flag} {name}: the plugin {_origin(eps[0])} cannot be loaded "
                            f"({type(exc).__name__}: {exc}); reinstall it or choose another") from exc
    if not callable(factory):
        raise ProviderError(f"{flag} {name}: the plugin {_origin(eps[0])} is not a factory (callable)")
    return factory


def _checked(obj, interface: type, what: str):
    if not isinstance(obj, interface):
        raise ProviderError(f"{what}: the plugin made a {type(obj).__name__}, not a "
                            f"neurojit.agent.provider.{interface.__name__}; subclass it")
    return obj


def _warn_if_shadowed(group: str, flag: str, name: str) -> None:
    for ep in _plugins(group).get(name, []):
        warnings.warn(f"the plugin {_origin(ep)} registers {flag} {name}, a built-in name; the built-in is used",
                      stacklevel=3)
