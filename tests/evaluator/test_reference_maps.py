"""A worker keeps the reference files it maps within a budget (reference.RefSet): every pair's files kept mapped took
a kernel with a 16 MB output past the worker's 8 GiB address-space limit, and every candidate was refused as a crash."""

import numpy as np

from neurojit.evaluator import reference
from neurojit.evaluator.inputs import Pair


def test_mapped_reference_files_stay_within_the_budget_and_read_back_right(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "MAPPED_BYTES", 3 * 8000)  # three files of 1000 float64s
    pairs = [Pair("uniform", "random", i) for i in range(6)]
    for i, p in enumerate(pairs):
        np.save(tmp_path / f"{p.id}.0.base.npy", np.full(1000, float(i)))
    refs = reference.RefSet({"dir": str(tmp_path), "pairs": [[p.set, p.state, p.rep] for p in pairs],
                             "exact": False})
    for _ in range(2):
        for i, p in enumerate(pairs):
            base = refs.outputs(p, 1)[0][0]
            assert base.shape == (1000,) and (base == i).all()
            assert refs._mapped_bytes <= reference.MAPPED_BYTES and len(refs._mapped) <= 3
    # the most recently used stay mapped: the same array object, not mapped again
    last = refs.outputs(pairs[-1], 1)[0][0]
    assert refs.outputs(pairs[-1], 1)[0][0] is last
