"""The registry: built-in providers and strategies from their CLI strings, and third-party ones from Python
entry points (a real installed distribution: a dist-info folder and a module on sys.path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from neurojit.agent.heuristic import HeuristicProvider
from neurojit.agent.llm.replay import ReplayModel
from neurojit.agent.provider import Provider, ProviderError, Strategy
from neurojit.agent.registry import make_model, make_provider, make_strategy, model_names, strategy_names
from neurojit.agent.store import ResultStore
from neurojit.agent.testing import ProviderTestCase
from neurojit.compiler.errors import NeuroJITError

PLUGIN = '''
"""A third party's provider and strategy, as a package would ship them."""
from neurojit.agent.proposal import Proposal
from neurojit.agent.provider import Prompt, Provider, Strategy

SCHEDULE = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    transform.yield
  }
}"""


class OneSchedule(Provider):
    one_shot = True

    def __init__(self, arg, strategy, seed):
        self.name = f"onesched:{arg}" if arg else "onesched"
        self.strategy, self.seed = strategy, seed

    def propose(self, request):
        return [] if request.round else [Proposal.of(SCHEDULE, self.name, self.strategy.name)]


def provider(arg, *, strategy, seed, store, run_id):
    return OneSchedule(arg, strategy, seed)


class Plainly(Strategy):
    name = "plainly"

    def __init__(self, seed):
        self.seed = seed

    def next_prompt(self, request):
        return Prompt("make it fast", {"strategy": self.name, "round": request.round})


def strategy(seed):
    return Plainly(seed)


def not_a_provider(arg, **kw):
    return object()


def broken(arg, **kw):
    raise RuntimeError("the plugin's own bug")
'''

ENTRY_POINTS = """
[neurojit.providers]
onesched = nj_plugin_demo:provider
notaprovider = nj_plugin_demo:not_a_provider
broken = nj_plugin_demo:broken
missing = nj_plugin_demo:no_such_name
gemini = nj_plugin_demo:provider

[neurojit.strategies]
plainly = nj_plugin_demo:strategy
"""


def install(where, name="nj-plugin-demo", entry_points=ENTRY_POINTS, module="nj_plugin_demo", source=PLUGIN):
    """A distribution as pip leaves it: the module and NAME-VERSION.dist-info with METADATA and entry points."""
    info = where / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    if source:
        (where / f"{module}.py").write_text(source)


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield tmp_path / "site"
    sys.modules.pop("nj_plugin_demo", None)


# ---- built-ins ----------------------------------------------------------------------------------------------

def test_built_in_models_and_their_mistakes(tmp_path):
    assert make_model("heuristic") is None and isinstance(make_provider("heuristic"), HeuristicProvider)
    with pytest.raises(ProviderError, match="takes no argument"):
        make_model("heuristic:fast")
    with pytest.raises(ProviderError, match="replay:FILE"):
        make_model("replay")
    with pytest.raises(ProviderError, match="no such cassette"):
        make_model(f"replay:{tmp_path}/none.jsonl")
    cassette = tmp_path / "c.jsonl"
    cassette.write_text("")
    assert isinstance(make_model(f"replay:{cassette}"), ReplayModel)


def test_unknown_names_list_the_choices():
    with pytest.raises(ProviderError) as info:
        make_provider("gpt-5")
    assert "unknown --model 'gpt-5'" in str(info.value)
    assert "heuristic, gemini[:MODEL], replay:FILE|RUN_ID" in str(info.value)
    assert "neurojit.providers" in str(info.value)
    with pytest.raises(NeuroJITError, match="unknown --strategy 'greedy'.*zero-shot, few-shot, repair, evolutionary"):
        make_strategy("greedy")


# ---- plugins ------------------------------------------------------------------------------------------------

def test_a_plugin_provider_and_strategy_resolve_from_their_cli_strings(plugin):
    assert "onesched[:ARG]" in model_names() and strategy_names()[-1] == "plainly"
    assert make_model("onesched:x") is None  # loaded (so a broken plugin fails early), builds its own model
    s = make_strategy("plainly", seed=5)
    assert isinstance(s, Strategy) and type(s).__module__ == "nj_plugin_demo" and s.seed == 5
    p = make_provider("onesched:fast", strategy="plainly", seed=3)
    assert isinstance(p, Provider) and type(p).__module__ == "nj_plugin_demo"
    assert (p.name, p.strategy.name, p.seed, p.one_shot) == ("onesched:fast", "plainly", 3, True)
    with pytest.raises(ProviderError, match="unknown --model 'other'.*onesched\\[:ARG\\]"):
        make_provider("other")
    with pytest.raises(ProviderError, match="unknown --strategy 'other'.*evolutionary, plainly"):
        make_strategy("other")


def test_built_in_names_win_over_a_plugin(plugin, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-not-real")
    with pytest.warns(UserWarning, match="registers --model gemini, a built-in name; the built-in is used"):
        model = make_model("gemini")
    assert type(model).__module__ == "neurojit.agent.llm.gemini"
    assert model_names().count("gemini[:ARG]") == 0


def test_broken_plugins_are_user_errors_that_name_the_plugin(plugin):
    with pytest.raises(ProviderError, match="not a neurojit.agent.provider.Provider"):
        make_provider("notaprovider")
    with pytest.raises(ProviderError, match="nj_plugin_demo:no_such_name from nj-plugin-demo cannot be loaded"):
        make_model("missing")
    with pytest.raises(ProviderError, match="--model broken: the plugin failed while building it .RuntimeError: "
                                            "the plugin's own bug"):
        make_provider("broken")


def test_two_plugins_under_one_name_are_refused(plugin, tmp_path, monkeypatch):
    install(tmp_path / "other", "nj-other", "[neurojit.strategies]\nplainly = nj_plugin_demo:strategy\n", source="")
    monkeypatch.syspath_prepend(str(tmp_path / "other"))
    with pytest.raises(ProviderError, match="registered by several plugins.*nj-plugin-demo.*nj-other|"
                                            "registered by several plugins.*nj-other.*nj-plugin-demo"):
        make_strategy("plainly")


class TestPluginConforms(ProviderTestCase):
    """What a third party's own tests do: the shared suite on its provider."""
    reads_answers = False
    cancel_ends_calls = False

    @pytest.fixture(autouse=True)
    def installed(self, plugin):
        return plugin

    def make_provider(self, context):
        return make_provider("onesched", store=context.store, run_id=context.run_id)


def test_neurojit_tune_runs_a_plugin_provider(plugin, tmp_path, examples):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin), os.environ.get("PYTHONPATH", "")])}
    db = f"sqlite:///{tmp_path}/r.db"
    r = subprocess.run([sys.executable, "-m", "neurojit", "tune", str(examples / "kernels" / "row_sum.mlir"), "--model",
                        "onesched:cli", "--strategy", "plainly", "--budget", "1", "--db", db, "--run-id", "p",
                        "--json"], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["candidates"] == 1
    [cand] = ResultStore(db).candidates("p")
    assert (cand.provider, cand.strategy, cand.kind.value) == ("onesched:cli", "plainly", "schedule")
