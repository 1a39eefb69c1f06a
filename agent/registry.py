"""Providers, chat models and strategies, built from their command-line strings (`--model`, `--strategy`).

Built-in: `--model heuristic | gemini[:MODEL] | replay:FILE|RUN_ID` and
`--strategy zero-shot | few-shot | repair | evolutionary`. Anything else is looked up among the plugins
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

import warnings
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

from .provider import Provider, ProviderError, Strategy
from .strategies import Evolutionary, FewShot, Repair, ZeroShot

__all__ = ["MODELS", "PROVIDER_GROUP", "STRATEGIES", "STRATEGY_GROUP", "make_model", "make_provider",
           "make_strategy", "model_names", "strategy_names"]

PROVIDER_GROUP = "neurojit.providers"
STRATEGY_GROUP = "neurojit.strategies"
MODELS = {"heuristic": "heuristic", "gemini": "gemini[:MODEL]", "replay": "replay:FILE|RUN_ID"}  # name: usage
STRATEGIES: dict[str, Callable[[int], Strategy]] = {  # name: factory(seed)
    "zero-shot": lambda seed: ZeroShot(), "few-shot": lambda seed: FewShot(), "repair": lambda seed: Repair(),
    "evolutionary": lambda seed: Evolutionary(seed=seed)}


def model_names() -> list[str]:
    """What `--model` accepts: the built-ins' usages, then the installed plugins' (`NAME[:ARG]`)."""
    return list(MODELS.values()) + [f"{n}[:ARG]" for n in sorted(_plugins(PROVIDER_GROUP)) if n not in MODELS]


def strategy_names() -> list[str]:
    """What `--strategy` accepts: the built-ins, then the installed plugins."""
    return list(STRATEGIES) + [n for n in sorted(_plugins(STRATEGY_GROUP)) if n not in STRATEGIES]


def make_model(model: str, store=None, *, timeout_s: float = 120.0):
    """The chat model a `--model` value names; None for the heuristic and for plugins (which build their own).

    Called before a run is created, so that a missing key, cassette or plugin fails before anything is
    recorded."""
    name, _, arg = model.partition(":")
    if name in MODELS:
        _warn_if_shadowed(PROVIDER_GROUP, "--model", name)
    if name == "heuristic":
        if arg:
            raise ProviderError(f"--model {model}: the heuristic takes no argument")
        return None
    if name == "gemini":
        from .llm.gemini import DEFAULT_MODEL, GeminiModel

        return GeminiModel(arg or DEFAULT_MODEL, timeout_s=timeout_s)
    if name == "replay":
        from .llm.replay import ReplayModel

        if not arg:
            raise ProviderError("--model replay needs a cassette or a run: replay:FILE or replay:RUN_ID")
        if "/" in arg or arg.endswith((".jsonl", ".json")) or store is None:
            return ReplayModel.from_file(arg)
        return ReplayModel.from_run(store, arg)
    _plugin(PROVIDER_GROUP, "--model", model, name, model_names)
    return None


def make_provider(model: str, *, strategy: str = "zero-shot", seed: int = 0, store=None, run_id: str | None = None,
                  chat=None, prices: dict | None = None) -> Provider:
    """The provider for a `--model` value (see the module docstring); `chat` is the model `make_model` built
    for it, if it was built already."""
    strat = make_strategy(strategy, seed)
    name, _, arg = model.partition(":")
    if chat is None and name not in MODELS:
        factory = _plugin(PROVIDER_GROUP, "--model", model, name, model_names)
        provider = factory(arg, strategy=strat, seed=seed, store=store, run_id=run_id)
        return _checked(provider, Provider, f"--model {model}")
    chat = chat if chat is not None else make_model(model, store)
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
    return _checked(factory(seed), Strategy, f"--strategy {name}")


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
