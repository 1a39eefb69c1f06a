"""Poisoned allocas in the checked build (evaluator/poison.py): scalars, indices and vectors of them."""

import numpy as np
from mlir import ir

from neurojit.compiler.build import Parsed, lower_parsed
from neurojit.compiler.jit import CompiledKernel
from neurojit.compiler.kernel import parse_module, signature_of
from neurojit.compiler.pipeline import lowering
from neurojit.evaluator.poison import poison_allocas

# Reads one element of each fresh alloca (never written) and stores its bits in %out.
KERNEL = """module {
  func.func @f(%x: memref<4xf32>, %out: memref<4xi64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %n = memref.dim %x, %c0 : memref<4xf32>
    %a = memref.alloca() : memref<vector<8xf32>>
    %b = memref.alloca() : memref<4xvector<16xi32>>
    %i = memref.alloca() : memref<2xindex>
    %d = memref.alloca(%n) : memref<?x2xvector<4xf64>>
    %v = memref.load %a[] : memref<vector<8xf32>>
    %e = vector.extract %v[5] : f32 from vector<8xf32>
    %bits = arith.bitcast %e : f32 to i32
    %w = arith.extui %bits : i32 to i64
    memref.store %w, %out[%c0] : memref<4xi64>
    %bv = memref.load %b[%c3] : memref<4xvector<16xi32>>
    %be = vector.extract %bv[15] : i32 from vector<16xi32>
    %bw = arith.extsi %be : i32 to i64
    memref.store %bw, %out[%c1] : memref<4xi64>
    %iv = memref.load %i[%c1] : memref<2xindex>
    %iw = arith.index_cast %iv : index to i64
    memref.store %iw, %out[%c2] : memref<4xi64>
    %dv = memref.load %d[%c3, %c1] : memref<?x2xvector<4xf64>>
    %de = vector.extract %dv[2] : f64 from vector<4xf64>
    %dw = arith.bitcast %de : f64 to i64
    memref.store %dw, %out[%c3] : memref<4xi64>
    return
  }
}"""


def test_vector_and_index_allocas_are_poisoned():
    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(KERNEL, "k", ctx)
        sig = signature_of(module, "k", KERNEL)
        assert poison_allocas(module) == 4
        kernel = CompiledKernel(lower_parsed(Parsed(module, sig, str(module), "k"),
                                             pipeline=lowering(runtime_checks=True, generic_alloc=True)))
    out = np.zeros(4, np.int64)
    kernel(np.zeros(4, np.float32), out)
    f32 = np.array([out[0]], np.int64).astype(np.uint32).view(np.float32)[0]
    f64 = out[3:4].view(np.float64)[0]
    assert np.isnan(f32) and np.isnan(f64) and out[1] == -1 and out[2] == -1
