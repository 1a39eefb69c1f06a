"""MLIR's own tunables (`transform.tune.knob`, `transform.tune.alternatives`) are knobs like `${name:default}`:
read from the text, set by `substitute`, given a space of their choices, tuned by the tuner, accepted by the
evaluator; a schedule written with them is valid MLIR as it stands."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from support.paths import KERNELS

from neurojit.agent import tuner
from neurojit.agent.proposal import Knob, Proposal, space_of
from neurojit.compiler import ScheduleError, compile_kernel
from neurojit.compiler.schedule import knobs_of, substitute
from neurojit.compiler.tune import tunables_of
from neurojit.evaluator import EvalConfig, Evaluator, Verdict

KERNEL = KERNELS / "elementwise_chain.mlir"

# the tile width is a tune.knob (a param that tile_using_for and vectorize take as they are); whether the
# tiles are vectorised at all is a tune.alternatives; one more knob is a ${} placeholder
SCRIPT = """module attributes {transform.with_named_sequence} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  %w = transform.tune.knob<"w"> = 16 from options = [16, 32, 64] -> !transform.param<i64>
  %g = transform.structured.match ops{["linalg.generic"]} in %root : (!transform.any_op) -> !transform.any_op
  %t, %l:2 = transform.structured.tile_using_for %g tile_sizes [${rows:1}, %w]
      : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.tune.alternatives<"how"> selected_region = 0 {
    transform.structured.vectorize %t vector_sizes [${rows:1}, %w] : !transform.any_op, !transform.param<i64>
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_masked_transfers
      transform.apply_patterns.vector.lower_masks
    } : !transform.any_op
    transform.yield
  }, {
    transform.yield
  }
  transform.yield
}
}
"""


def test_both_forms_are_read_and_set():
    assert knobs_of(SCRIPT) == {"rows": 1, "w": 16, "how": 0}
    t = tunables_of(SCRIPT)
    assert t["w"].choices == (16, 32, 64) and t["how"].choices == (0, 1)
    text = substitute(SCRIPT, {"w": 64, "how": 1, "rows": 2})
    assert 'transform.tune.knob<"w"> = 64 from options = [16, 32, 64]' in text
    assert 'transform.tune.alternatives<"how"> selected_region = 1 {' in text
    assert "tile_sizes [2, %w]" in text
    with pytest.raises(ScheduleError, match=r"takes one of \[16, 32, 64\]"):
        substitute(SCRIPT, {"w": 8})


def test_a_tunable_without_a_selection_needs_a_value():
    bare = SCRIPT.replace(" = 16 from options", " options").replace(" selected_region = 0", "")
    assert knobs_of(bare) == {"rows": 1, "w": None, "how": None}
    with pytest.raises(ScheduleError, match="need a value"):
        substitute(bare)
    assert substitute(bare, {"w": 32, "how": 0}) == substitute(SCRIPT, {"w": 32})


def test_the_space_takes_the_choices():
    space = {k.name: k for k in space_of(SCRIPT)}
    assert space["w"] == Knob.of("w", (16, 32, 64)) and space["how"].choices == (0, 1)
    assert not space["rows"].choices and space["rows"].low == 1  # ${rows:1}: within 4x of its default
    assert space["w"].clamp(40) == 32 and space["w"].clamp(1000) == 64


def test_knobs_read_from_tune_knob_ops_are_tuned(tmp_path):
    """The tuner's trials set the tune.knob and the tune.alternatives to their choices; every trial's text
    compiles and computes the kernel."""
    text = KERNEL.read_text()
    naive = compile_kernel(text)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(a.shape).astype(a.dtype) for a in naive.signature.args]
    want = [a.copy() for a in args]
    naive(*want)
    seen = []

    def evaluate(props: list[Proposal]) -> list[Verdict]:
        out = []
        for p in props:
            k = compile_kernel(text, p.text, dict(p.knobs), isolate=False)
            got = [a.copy() for a in args]
            k(*got)
            np.testing.assert_allclose(got[-1], want[-1], rtol=1e-6)
            seen.append(dict(p.knobs))
            # a made-up speedup that prefers wide vectorised tiles
            out.append(Verdict("accept", "ok", "", speedup=1 + p.knobs["w"] / 64 + (1 - p.knobs["how"])))
        return out

    prop = Proposal.of(SCRIPT, "test", "zero-shot", knobs=knobs_of(SCRIPT), space=space_of(SCRIPT))
    res = tuner.tune(prop, evaluate, url=f"sqlite:///{tmp_path}/t.db", study_name="tk", trials=6, batch=2, seed=3)
    assert res.trials == 6 and len(seen) == 6
    assert all(s["w"] in (16, 32, 64) and s["how"] in (0, 1) for s in seen)
    assert len({s["w"] for s in seen}) >= 2 and len({s["how"] for s in seen}) == 2
    assert res.best_knobs["how"] == 0 and res.best_speedup == max(1 + s["w"] / 64 + 1 - s["how"] for s in seen)
    study = optuna.load_study(study_name="tk", storage=f"sqlite:///{tmp_path}/t.db")
    assert {type(t.distributions["w"]).__name__ for t in study.trials} == {"CategoricalDistribution"}


@pytest.mark.slow
def test_the_evaluator_accepts_a_tune_knob_schedule():
    with Evaluator(EvalConfig(bench=False, workers=1)) as ev:
        v = ev.evaluate(KERNEL, SCRIPT, {"w": 32, "how": 0, "rows": 2})
        bad = ev.evaluate(KERNEL, SCRIPT, {"w": 24})
    assert v.accepted, v.detail
    assert not bad.accepted and bad.reason.value == "schedule_error" and "takes one of" in bad.detail
