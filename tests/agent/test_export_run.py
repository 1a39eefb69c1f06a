"""Which variant of a run gets exported (`agent.export.export_run`): the best accepted one, if faster."""

from __future__ import annotations

import json

import pytest

from neurojit.agent.export import ExportError, export_run
from neurojit.agent.proposal import Proposal
from neurojit.agent.store import ResultStore
from neurojit.compiler import load_kernel
from neurojit.compiler.source import Source
from neurojit.evaluator.record import Reason, Verdict

KERNEL = """func.func @scale(%x: memref<64xf32>, %y: memref<64xf32>) {
  linalg.add ins(%x, %x : memref<64xf32>, memref<64xf32>) outs(%y : memref<64xf32>)
  return
}
"""
VARIANT = "// a replacement module, as a model may propose one\n" + KERNEL


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/runs.db"
    with ResultStore(url) as store:
        store.create_run(load_kernel(Source(KERNEL, "scale.mlir")), model="test", strategy="test", run_id="r")
    return url


def _add(db, text, speedup):
    p = Proposal.of(text, "test", "test")
    with ResultStore(db) as store:
        store.add_candidate("r", p)
        store.set_verdict("r", p.identity, Verdict("accept", Reason.OK, "ok", 1.0, 1.0 / speedup, speedup))
    return p


def test_refuses_unknown_runs_and_runs_with_nothing_faster(db, tmp_path):
    with pytest.raises(ExportError, match=f"no run nope in {db}; `neurojit tune K.mlir --db {db}` creates one"):
        export_run(db, "nope", str(tmp_path / "o"))
    with pytest.raises(ExportError, match="run r has no accepted candidate yet"):
        export_run(db, "r", str(tmp_path / "o"))
    _add(db, VARIANT, 0.8)
    with pytest.raises(ExportError, match=r"no variant faster than the baseline \(its best accepted one runs at 0.80x"):
        export_run(db, "r", str(tmp_path / "o"))
    assert not (tmp_path / "o").exists()


def test_exports_the_best_module_variant_with_its_provenance(db, tmp_path):
    best = _add(db, VARIANT, 2.5)
    manifest = export_run(db, "r", str(tmp_path / "o"))
    assert manifest == json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["run_id"] == "r" and manifest["candidate"] == best.identity and manifest["speedup"] == 2.5
    assert manifest["schedule"] is None and manifest["symbol"] == "scale"
    assert manifest["verdict"]["verdict"] == "accept" and manifest["provider"] == "test"
    assert manifest["baseline_hash"] == load_kernel(Source(KERNEL, "scale.mlir")).hash
    assert (tmp_path / "o" / "libkernel.so").exists()
