"""Fuzz: mutations of correct candidates. The host never dies, every mutant gets a verdict, and no mutant
that the evaluator accepts differs from the baseline when re-checked independently with other inputs."""

import pathlib
import random
import re

import pytest

from neurojit.evaluator import EvalConfig, Evaluator

CASES = pathlib.Path(__file__).resolve().parent / "adversarial" / "cases"
SEEDS = ["01_accept_tiled_matmul_subview", "02_accept_tiled_matmul_nondiv_affine_min",
         "03_accept_temp_buffer_alloc_dealloc", "05_accept_reassociated_reduction"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    body = [i for i, l in enumerate(lines) if "=" in l or "linalg." in l or "memref." in l or "scf." in l]
    kind = rng.choice(["delete", "duplicate", "constant", "swap"])
    i = rng.choice(body)
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "constant":
        nums = list(re.finditer(r"(?<![\w%#])(\d+)(?![\w.])", lines[i]))
        if nums:
            m = rng.choice(nums)
            new = str(max(0, int(m.group(1)) + rng.choice([-1, 1, 2, -2, 7])))
            lines[i] = lines[i][: m.start()] + new + lines[i][m.end():]
    else:
        names = re.findall(r"%\w+", lines[i])
        if len(set(names)) >= 2:
            a, b = rng.sample(sorted(set(names)), 2)
            lines[i] = lines[i].replace(a, "\0").replace(b, a).replace("\0", b)
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_mutants_get_verdicts_and_accepted_ones_are_equivalent(tmp_path):
    rng = random.Random(1234)
    total, accepted = 0, []
    config = EvalConfig(workers=2, bench=False, random_sets=2, run_timeout_floor_s=2.0)
    recheck = EvalConfig(workers=2, bench=False, random_sets=3, seed=99, run_timeout_floor_s=2.0)
    with Evaluator(config) as ev:
        for seed_case in SEEDS:
            base = CASES / seed_case / "base.mlir"
            good = (CASES / seed_case / "cand.mlir").read_text()
            mutants = []
            for k in range(32):  # (50 each before: 4 x 32 keeps CI under its 15 minutes)
                p = tmp_path / f"{seed_case}_{k}.mlir"
                p.write_text(mutate(good, rng))
                mutants.append(p)
            verdicts = ev.evaluate_batch(base, mutants)
            assert len(verdicts) == len(mutants) and all(v is not None for v in verdicts)
            total += len(verdicts)
            accepted += [(base, m) for m, v in zip(mutants, verdicts) if v.accepted]
    assert total >= 128
    assert accepted, "no mutant was accepted, so the re-check below would check nothing"
    by_base: dict = {}
    for base, m in accepted:
        by_base.setdefault(base, []).append(m)
    with Evaluator(recheck) as ev2:
        for base, ms in by_base.items():  # a batch per seed case: both workers busy
            for m, v in zip(ms, ev2.evaluate_batch(base, ms)):
                assert v.accepted, f"{m.name} accepted with seed 0 but not on other inputs: {v.reason.value} {v.detail}"
