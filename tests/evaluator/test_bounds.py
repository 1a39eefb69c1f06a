"""The checked build's bounds assertions for vector accesses (evaluator/vector_bounds.py) and views
(evaluator/view_bounds.py): one correct and one overrunning use of each kind the assertion is built from
(lanes of a gather, a transfer marked in_bounds, the consecutive elements of a compressstore, a memref.view
of an i8 buffer, a reinterpret_cast of extract_strided_metadata's base buffer), through the whole evaluator."""

import pytest
from mlir import ir

from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.vector_bounds import guard_vector_accesses
from neurojit.evaluator.view_bounds import guard_views

BASE = """// Baseline: out[i] = 2 x[i] + y[i] over 1003 f32 elements (1003 is not a multiple of any vector width).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %two = arith.constant 2.0 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1003xf32>, memref<1003xf32>) outs(%out : memref<1003xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %p = arith.mulf %a, %two : f32
      %s = arith.addf %p, %b : f32
      linalg.yield %s : f32
    }
    return
  }
}
"""

CANDIDATES = {
    "gather_ok": """module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    %z = arith.constant dense<0.0> : vector<8xf32>
    %off = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : vector<8xi32>
    scf.for %i = %c0 to %n step %c8 {
      %rem = arith.subi %n, %i : index
      %m = vector.create_mask %rem : vector<8xi1>
      %a = vector.gather %x[%i][%off], %m, %z : memref<1003xf32>, vector<8xi32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %b = vector.maskedload %y[%i], %m, %z : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      %sel = arith.select %m, %s, %z : vector<8xi1>, vector<8xf32>
      %l = vector.extract %sel[7] : f32 from vector<8xf32>
      %big = arith.constant 1.0e38 : f32
      %odd = arith.cmpf oeq, %l, %big : f32
      %fin = arith.select %odd, %z, %s : vector<8xf32>
      vector.maskedstore %out[%i], %m, %fin : memref<1003xf32>, vector<8xi1>, vector<8xf32>
    }
    return
  }
}
""",
    "transfer_ok": """module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    %pad = arith.constant 0.0 : f32
    scf.for %i = %c0 to %n step %c8 {
      %a = vector.transfer_read %x[%i], %pad {in_bounds = [false]} : memref<1003xf32>, vector<8xf32>
      %b = vector.transfer_read %y[%i], %pad : memref<1003xf32>, vector<8xf32>
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      vector.transfer_write %s, %out[%i] : vector<8xf32>, memref<1003xf32>
    }
    return
  }
}
""",
    "compress_ok": """module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    %z = arith.constant dense<0.0> : vector<8xf32>
    scf.for %i = %c0 to %n step %c8 {
      %rem = arith.subi %n, %i : index
      %m = vector.create_mask %rem : vector<8xi1>
      %a = vector.maskedload %x[%i], %m, %z : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %b = vector.expandload %y[%i], %m, %z : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      %ms = vector.create_mask %rem : vector<8xi1>
      vector.compressstore %out[%i], %m, %s : memref<1003xf32>, vector<8xi1>, vector<8xf32>
      %big = arith.constant 1.0e38 : f32
      %l = vector.extract %s[0] : f32 from vector<8xf32>
      %odd = arith.cmpf oeq, %l, %big : f32
      scf.if %odd {
        vector.compressstore %out[%i], %ms, %s : memref<1003xf32>, vector<8xi1>, vector<8xf32>
      }
    }
    return
  }
}
""",
    "view_ok": """module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1003 : index
    %nv = arith.constant 1003 : index
    %two = arith.constant 2.0 : f32
    %raw = memref.alloc() : memref<4012xi8>
    %tmp = memref.view %raw[%c0][%nv] : memref<4012xi8> to memref<?xf32>
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1003xf32>
      %p = arith.mulf %a, %two : f32
      memref.store %p, %tmp[%i] : memref<?xf32>
    }
    scf.for %i = %c0 to %n step %c1 {
      %t = memref.load %tmp[%i] : memref<?xf32>
      %b = memref.load %y[%i] : memref<1003xf32>
      %s = arith.addf %t, %b : f32
      memref.store %s, %out[%i] : memref<1003xf32>
    }
    memref.dealloc %raw : memref<4012xi8>
    return
  }
}
""",
    "cast_ok": """module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1003 : index
    %two = arith.constant 2.0 : f32
    %base, %off, %sz, %st = memref.extract_strided_metadata %x : memref<1003xf32> -> memref<f32>, index, index, index
    %same = memref.reinterpret_cast %base to offset: [%off], sizes: [%sz], strides: [%st] : memref<f32> to memref<?xf32, strided<[?], offset: ?>>
    %rows = memref.reinterpret_cast %y to offset: [0], sizes: [17, 59], strides: [59, 1] : memref<1003xf32> to memref<17x59xf32>
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %same[%i] : memref<?xf32, strided<[?], offset: ?>>
      %q = arith.divui %i, %c1 : index
      %r = arith.constant 59 : index
      %row = arith.divui %i, %r : index
      %col = arith.remui %i, %r : index
      %b = memref.load %rows[%row, %col] : memref<17x59xf32>
      %p = arith.mulf %a, %two : f32
      %s = arith.addf %p, %b : f32
      memref.store %s, %out[%i] : memref<1003xf32>
    }
    return
  }
}
""",
    "cast_bad": """module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1003 : index
    %far = arith.constant 2500 : index
    %two = arith.constant 2.0 : f32
    %magic = arith.constant 1.0e38 : f32
    %base, %off, %sz, %st = memref.extract_strided_metadata %x : memref<1003xf32> -> memref<f32>, index, index, index
    %wide = memref.reinterpret_cast %base to offset: [0], sizes: [4000], strides: [1] : memref<f32> to memref<4000xf32>
    %v = vector.load %wide[%far] : memref<4000xf32>, vector<8xf32>
    %e = vector.extract %v[0] : f32 from vector<8xf32>
    %odd = arith.cmpf oeq, %e, %magic : f32
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1003xf32>
      %b = memref.load %y[%i] : memref<1003xf32>
      %p = arith.mulf %a, %two : f32
      %s = arith.addf %p, %b : f32
      %r = arith.select %odd, %magic, %s : f32
      memref.store %r, %out[%i] : memref<1003xf32>
    }
    return
  }
}
""",
}


def _overrun(ok: str, *edits: tuple[str, str]) -> str:
    """The correct candidate `ok` with each (old, new) edit made once: the one change that makes it overrun."""
    for old, new in edits:
        assert ok.count(old) == 1, old
        ok = ok.replace(old, new)
    return ok


# each overrunning variant differs from its correct twin by the access that leaves the buffer
CANDIDATES["gather_bad"] = _overrun(CANDIDATES["gather_ok"], ("6, 7]>", "6, 2000]>"))
CANDIDATES["transfer_bad"] = _overrun(CANDIDATES["transfer_ok"], ("in_bounds = [false]", "in_bounds = [true]"))
CANDIDATES["compress_bad"] = _overrun(CANDIDATES["compress_ok"], ("create_mask %rem : vector<8xi1>\n      vector.compress",
                                                                  "create_mask %c8 : vector<8xi1>\n      vector.compress"),
                                      ("compressstore %out[%i], %m,", "compressstore %out[%i], %ms,"))
CANDIDATES["view_bad"] = _overrun(CANDIDATES["view_ok"], ("%nv = arith.constant 1003", "%nv = arith.constant 2100"))


@pytest.mark.slow
def test_in_bounds_vector_accesses_pass_and_overruns_are_unsafe_memory(tmp_path):
    base = tmp_path / "base.mlir"
    base.write_text(BASE)
    names = list(CANDIDATES)
    with Evaluator(EvalConfig(workers=2, bench=False, random_sets=1, run_timeout_floor_s=3.0)) as ev:
        verdicts = ev.evaluate_batch(base, [CANDIDATES[n] for n in names])
    for name, v in zip(names, verdicts):
        if name.endswith("_ok"):
            assert v.reason.value == "ok", f"{name}: {v.detail}"
        else:
            assert v.reason.value == "unsafe_memory" and "out-of-bounds " in v.detail, f"{name}: {v.detail}"


def test_n_d_and_strided_accesses_get_a_verified_assertion():
    text = """
    func.func @k(%a: memref<16x24xf32>, %i: index, %j: index, %m: vector<8xi1>, %o: vector<8xi32>) {
      %v = vector.load %a[%i, %j] : memref<16x24xf32>, vector<4x8xf32>
      %s = memref.subview %a[0, 0] [8, 8] [2, 1] : memref<16x24xf32> to memref<8x8xf32, strided<[48, 1]>>
      %z = arith.constant dense<0.0> : vector<8xf32>
      %g = vector.gather %s[%i, %j][%o], %m, %z : memref<8x8xf32, strided<[48, 1]>>, vector<8xi32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %p = arith.constant 0.0 : f32
      %t = vector.transfer_read %a[%i, %j], %p {in_bounds = [true, false], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : memref<16x24xf32>, vector<8x4xf32>
      vector.maskedstore %a[%i, %j], %m, %g : memref<16x24xf32>, vector<8xi1>, vector<8xf32>
      return
    }"""
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.parse(text)
        assert guard_vector_accesses(module) == 4
        assert module.operation.verify()
        assert str(module).count("cf.assert") == 4


def test_every_reinterpret_cast_and_view_gets_a_verified_assertion():
    text = """
    func.func @k(%a: memref<16x24xf32>, %b: memref<64xi8>, %n: index) {
      %base, %off, %s0, %s1, %t0, %t1 = memref.extract_strided_metadata %a : memref<16x24xf32> -> memref<f32>, index, index, index, index, index
      %w = memref.reinterpret_cast %base to offset: [%off], sizes: [%s0, %s1], strides: [%t0, %t1] : memref<f32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
      %r = memref.reinterpret_cast %a to offset: [0], sizes: [384], strides: [1] : memref<16x24xf32> to memref<384xf32>
      %c0 = arith.constant 0 : index
      %v = memref.view %b[%c0][%n] : memref<64xi8> to memref<?xf32>
      return
    }"""
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.parse(text)
        assert guard_views(module) == 3
        assert module.operation.verify()
