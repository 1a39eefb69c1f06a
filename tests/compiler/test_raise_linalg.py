"""Loop nests raised to the linalg ops they are (compiler/raise_linalg.py): raised where that is exact (the
raised kernel's naive lowering gives the loops' values bit for bit: same iterations, same order), left as loops
everywhere else, and a structured schedule taking a kernel written as loops."""

import numpy as np
import pytest
from mlir import ir

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules import for_kernel
from neurojit.compiler import ScheduleError, compile_kernel, host
from neurojit.compiler.kernel import walk
from neurojit.compiler.raise_linalg import raise_to_linalg

# PolyBench's style: the product's element zeroed, then summed into in memory
MM_AFFINE = """func.func @mm(%A: memref<13x19xf32>, %B: memref<19x17xf32>, %D: memref<13x17xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.for %i = 0 to 13 {
    affine.for %j = 0 to 17 {
      affine.store %zero, %D[%i, %j] : memref<13x17xf32>
      affine.for %k = 0 to 19 {
        %a = affine.load %A[%i, %k] : memref<13x19xf32>
        %b = affine.load %B[%k, %j] : memref<19x17xf32>
        %p = arith.mulf %a, %b : f32
        %d = affine.load %D[%i, %j] : memref<13x17xf32>
        %s = arith.addf %d, %p : f32
        affine.store %s, %D[%i, %j] : memref<13x17xf32>
      }
    }
  }
  return
}"""

# C-like, by hand: the sum kept in a one-element buffer (an alloca), zeroed, summed into, read after the loop
MM_ACC = """func.func @mm(%A: memref<13x19xf32>, %B: memref<19x17xf32>, %C: memref<13x17xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = arith.constant 13 : index
  %n = arith.constant 17 : index
  %k = arith.constant 19 : index
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloca() : memref<f32>
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      memref.store %zero, %acc[] : memref<f32>
      scf.for %p = %c0 to %k step %c1 {
        %a = memref.load %A[%i, %p] : memref<13x19xf32>
        %b = memref.load %B[%p, %j] : memref<19x17xf32>
        %x = arith.mulf %a, %b : f32
        %s0 = memref.load %acc[] : memref<f32>
        %s = arith.addf %s0, %x : f32
        memref.store %s, %acc[] : memref<f32>
      }
      %r = memref.load %acc[] : memref<f32>
      memref.store %r, %C[%i, %j] : memref<13x17xf32>
    }
  }
  return
}"""

# as a C front end (Polygeist) writes a local `double sum`: a memref<1xf64> read and written at [0]
ROWDOT_ACC = """func.func @rowdot(%A: memref<9x21xf64>, %x: memref<21xf64>, %y: memref<9xf64>) {
  %zero = arith.constant 0.0 : f64
  %sum = memref.alloca() : memref<1xf64>
  affine.for %i = 0 to 9 {
    affine.store %zero, %sum[0] : memref<1xf64>
    affine.for %j = 0 to 21 {
      %a = affine.load %A[%i, %j] : memref<9x21xf64>
      %b = affine.load %x[%j] : memref<21xf64>
      %p = arith.mulf %a, %b : f64
      %s0 = affine.load %sum[0] : memref<1xf64>
      %s = arith.addf %s0, %p : f64
      affine.store %s, %sum[0] : memref<1xf64>
    }
    %r = affine.load %sum[0] : memref<1xf64>
    affine.store %r, %y[%i] : memref<9xf64>
  }
  return
}"""

# by hand in scf: the sum in a register from 0, then a scaled store; the transposed B read B[j][k]
MM_SCF = """func.func @mm(%A: memref<13x11xf64>, %B: memref<15x11xf64>, %C: memref<13x15xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = arith.constant 13 : index
  %n = arith.constant 15 : index
  %k = arith.constant 11 : index
  %zero = arith.constant 0.0 : f64
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      %sum = scf.for %p = %c0 to %k step %c1 iter_args(%acc = %zero) -> (f64) {
        %a = memref.load %A[%i, %p] : memref<13x11xf64>
        %b = memref.load %B[%j, %p] : memref<15x11xf64>
        %ab = arith.mulf %a, %b : f64
        %s = arith.addf %acc, %ab : f64
        scf.yield %s : f64
      }
      memref.store %sum, %C[%i, %j] : memref<13x15xf64>
    }
  }
  return
}"""

# PolyBench's gemm as written there: C scaled in loops i, j, then summed into in loops i, k, j (two statements
# that share only i); the contraction's loops come out as a matmul's (parallel first), each C[i][j] still
# taking its terms in k's order, and alpha * A[i][k] is computed once per element of A, into a buffer
GEMM = """func.func @gemm(%A: memref<20x24xf32>, %B: memref<24x22xf32>, %C: memref<20x22xf32>) {
  %alpha = arith.constant 1.5 : f32
  %beta = arith.constant 1.2 : f32
  affine.for %i = 0 to 20 {
    affine.for %j = 0 to 22 {
      %c = affine.load %C[%i, %j] : memref<20x22xf32>
      %cb = arith.mulf %c, %beta : f32
      affine.store %cb, %C[%i, %j] : memref<20x22xf32>
    }
    affine.for %k = 0 to 24 {
      affine.for %j = 0 to 22 {
        %a = affine.load %A[%i, %k] : memref<20x24xf32>
        %aa = arith.mulf %alpha, %a : f32
        %b = affine.load %B[%k, %j] : memref<24x22xf32>
        %p = arith.mulf %aa, %b : f32
        %c = affine.load %C[%i, %j] : memref<20x22xf32>
        %s = arith.addf %c, %p : f32
        affine.store %s, %C[%i, %j] : memref<20x22xf32>
      }
    }
  }
  return
}"""

# offsets and strides: a 2x2 downsampling of an interior, and a column read at a constant
STRIDED = """func.func @down(%x: memref<31x33xf32>, %out: memref<14x15xf32>) {
  affine.for %i = 0 to 14 {
    affine.for %j = 0 to 15 {
      %a = affine.load %x[2 * %i + 1, 2 * %j + 2] : memref<31x33xf32>
      %b = affine.load %x[2 * %i + 2, 2 * %j + 1] : memref<31x33xf32>
      %c = affine.load %x[%i + 3, 0] : memref<31x33xf32>
      %s = arith.addf %a, %b : f32
      %t = arith.mulf %s, %c : f32
      affine.store %t, %out[%i, %j] : memref<14x15xf32>
    }
  }
  return
}"""

# a compare of an input that varies along i only, feeding a select: no i1 buffer (the lowering takes none)
SELECT = """func.func @f(%a: memref<4xf32>, %x: memref<4x5xf32>, %y: memref<4x5xf32>) {
  %z = arith.constant 0.0 : f32
  affine.for %i = 0 to 4 {
    affine.for %j = 0 to 5 {
      %u = affine.load %a[%i] : memref<4xf32>
      %c = arith.cmpf olt, %u, %z : f32
      %v = affine.load %x[%i, %j] : memref<4x5xf32>
      %s = arith.select %c, %v, %u : f32
      affine.store %s, %y[%i, %j] : memref<4x5xf32>
    }
  }
  return
}"""

# fast-math flags (found by a red-team pass): a contracted multiply-add is neither split into a prologue (LLVM
# fuses it into an FMA only whole) nor named a linalg.matmul (which drops the flags)
FLAGGED = """func.func @f(%A: memref<16x24xf32>, %B: memref<24x32xf32>, %s: memref<16xf32>, %C: memref<16x32xf32>) {
  %three = arith.constant 3.1 : f32
  affine.for %i = 0 to 16 {
    affine.for %j = 0 to 32 {
      affine.for %k = 0 to 24 {
        %a = affine.load %A[%i, %k] : memref<16x24xf32>
        %x = arith.mulf %a, %three fastmath<contract> : f32
        %b = affine.load %B[%k, %j] : memref<24x32xf32>
        %p = arith.mulf %x, %b fastmath<contract> : f32
        %c = affine.load %C[%i, %j] : memref<16x32xf32>
        %y = arith.addf %c, %p fastmath<contract> : f32
        affine.store %y, %C[%i, %j] : memref<16x32xf32>
      }
    }
  }
  return
}"""

# two statements in one body, the second reading what the first wrote at the same element; a 0-d dot product
TWO_AND_DOT = """func.func @f(%a: memref<9x10xi32>, %t: memref<9x10xi32> {neurojit.output}, %e: memref<9x10xi32>,
                         %v: memref<37xi32>, %w: memref<37xi32>, %s: memref<i32>) {
  %two = arith.constant 2 : i32
  affine.for %i = 0 to 9 {
    affine.for %j = 0 to 10 {
      %x = affine.load %a[%i, %j] : memref<9x10xi32>
      %y = arith.muli %x, %two : i32
      affine.store %y, %t[%i, %j] : memref<9x10xi32>
      %z = affine.load %t[%i, %j] : memref<9x10xi32>
      %q = arith.addi %z, %x : i32
      affine.store %q, %e[%i, %j] : memref<9x10xi32>
    }
  }
  %init = affine.load %s[] : memref<i32>
  %d = affine.for %k = 0 to 37 iter_args(%acc = %init) -> (i32) {
    %p = affine.load %v[%k] : memref<37xi32>
    %q = affine.load %w[%k] : memref<37xi32>
    %pq = arith.muli %p, %q : i32
    %r = arith.addi %acc, %pq : i32
    affine.yield %r : i32
  }
  affine.store %d, %s[] : memref<i32>
  return
}"""


def _raised(text: str) -> tuple[int, str, list[str]]:
    with ir.Context():
        module = ir.Module.parse(text)
        made = raise_to_linalg(module)
        module.operation.verify()
        func = module.body.operations[0]
        top = [op.name for op in func.regions[0].blocks[0].operations]
        names = [n for n in top if n.startswith(("linalg.", "affine.", "scf."))]
        assert not [op.name for op in walk(func) if op.name.startswith(("affine.", "scf."))]  # no loop left
        return made, str(module), names


def _arrays(text: str, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for a in compile_kernel(text).signature.args:
        dt = np.dtype(a.dtype)
        x = rng.integers(-50, 50, a.shape) if dt.kind == "i" else rng.standard_normal(a.shape)
        out.append(np.asarray(x, dtype=dt))
    return out


@pytest.mark.parametrize("text,ops", [
    (MM_AFFINE, ["linalg.fill", "linalg.matmul"]),
    (MM_SCF, ["linalg.fill", "linalg.matmul"]),  # B read transposed: a matmul with its indexing maps
    (GEMM, ["linalg.generic", "linalg.generic", "linalg.matmul"]),  # alpha * A computed once per element
    (STRIDED, ["linalg.generic"]),
    (SELECT, ["linalg.generic"]),
    (FLAGGED, ["linalg.generic"]),
    (TWO_AND_DOT, ["linalg.generic", "linalg.generic", "linalg.generic"]),
    (MM_ACC, ["linalg.fill", "linalg.matmul"]),  # the one-element buffer: the value its loop carries
    (ROWDOT_ACC, ["linalg.fill", "linalg.generic"]),
])
def test_raised_loops_are_the_linalg_ops_and_give_the_loops_values_exactly(text, ops):
    made, raised, names = _raised(text)
    assert made == len(ops) and names == ops
    want, got = _arrays(text), _arrays(text)
    compile_kernel(text)(*want)
    compile_kernel(raised)(*got)
    for w, g in zip(want, got):
        assert np.array_equal(w, g)  # the same iterations in the same order: the same bits


def test_a_contraction_written_i_k_j_is_a_matmul_once_its_scaling_is_computed_apart():
    _, raised, _ = _raised(GEMM)
    assert "linalg.matmul ins(%alloc, %arg1" in raised and raised.count("memref.dealloc %alloc") == 1
    info = analyze(GEMM)
    assert info.matmul is not None and info.straight_line and info.local_buffers == 1


def test_strided_reads_are_subviews_of_their_memref():
    _, raised, _ = _raised(STRIDED)
    assert raised.count("memref.subview") == 3 and "strides: [66, 2]" in raised.replace("strided<[66, 2]", "strides: [66, 2]")


NOT_RAISED = {
    # a one-element buffer that is also read as a view (not only loaded and stored): it may change under the
    # loop's feet, so its loads stay loads and the nest stays loops
    "accumulator_viewed": MM_ACC.replace("      %r = memref.load %acc[] : memref<f32>",
                                         "      %v = memref.reinterpret_cast %acc to offset: [0], sizes: [1], "
                                         "strides: [1] : memref<f32> to memref<1xf32>\n"
                                         "      %r = memref.load %acc[] : memref<f32>"),
    # the buffer read before anything is stored in it (what it holds then is not the loop's to carry)
    "accumulator_read_first": MM_ACC.replace("      memref.store %zero, %acc[] : memref<f32>\n", ""),
    # a buffer allocated inside the loop, read first: a fresh one each iteration (its value is not carried, and a
    # load of it cannot be hoisted before the loop that allocates it)
    "accumulator_per_iteration": MM_ACC.replace("  %acc = memref.alloca() : memref<f32>\n", "").replace(
        "      memref.store %zero, %acc[] : memref<f32>\n", "      %acc = memref.alloca() : memref<f32>\n"),
    # a time loop around a sweep: each sweep reads what the last one wrote
    "time": """func.func @f(%a: memref<20xf32>, %b: memref<20xf32>) {
      affine.for %t = 0 to 4 {
        affine.for %i = 1 to 19 {
          %x = affine.load %a[%i - 1] : memref<20xf32>
          %y = affine.load %a[%i + 1] : memref<20xf32>
          %s = arith.addf %x, %y : f32
          affine.store %s, %b[%i] : memref<20xf32>
        }
      }
      return
    }""",
    # a prefix sum: each element reads the one written before it
    "prefix": """func.func @f(%a: memref<20xf32>) {
      affine.for %i = 1 to 20 {
        %x = affine.load %a[%i - 1] : memref<20xf32>
        %y = affine.load %a[%i] : memref<20xf32>
        %s = arith.addf %x, %y : f32
        affine.store %s, %a[%i] : memref<20xf32>
      }
      return
    }""",
    # running sums copied out as they grow: e[i][j] reads d[i] at every j
    "running": """func.func @f(%x: memref<8x9xf32>, %d: memref<8xf32> {neurojit.output}, %e: memref<8x9xf32>) {
      affine.for %i = 0 to 8 {
        affine.for %j = 0 to 9 {
          %v = affine.load %x[%i, %j] : memref<8x9xf32>
          %o = affine.load %d[%i] : memref<8xf32>
          %s = arith.addf %o, %v : f32
          affine.store %s, %d[%i] : memref<8xf32>
          affine.store %s, %e[%i, %j] : memref<8x9xf32>
        }
      }
      return
    }""",
    # the last write wins: not a reduction
    "last": """func.func @f(%x: memref<8x9xf32>, %d: memref<8xf32>) {
      affine.for %i = 0 to 8 {
        affine.for %j = 0 to 9 {
          %v = affine.load %x[%i, %j] : memref<8x9xf32>
          affine.store %v, %d[%i] : memref<8xf32>
        }
      }
      return
    }""",
    # a triangular nest: the inner bound is the outer index
    "triangle": """func.func @f(%x: memref<8x8xf32>, %d: memref<8xf32>) {
      affine.for %i = 0 to 8 {
        affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) {
          %v = affine.load %x[%i, %j] : memref<8x8xf32>
          %o = affine.load %d[%i] : memref<8xf32>
          %s = arith.addf %o, %v : f32
          affine.store %s, %d[%i] : memref<8xf32>
        }
      }
      return
    }""",
    # two statements sharing loop i, the second reading row i's writes as a column
    "across": """func.func @f(%x: memref<8x8xf32>, %c: memref<8x8xf32> {neurojit.output}, %e: memref<8x8xf32>) {
      affine.for %i = 0 to 8 {
        affine.for %j = 0 to 8 {
          %v = affine.load %x[%i, %j] : memref<8x8xf32>
          affine.store %v, %c[%i, %j] : memref<8x8xf32>
        }
        affine.for %j = 0 to 8 {
          %v = affine.load %c[%j, %i] : memref<8x8xf32>
          affine.store %v, %e[%i, %j] : memref<8x8xf32>
        }
      }
      return
    }""",
    # found by a red-team pass (each raised, wrongly, by the first version):
    # a swap: the second statement reads x before the first one's write to it
    "swap": """func.func @f(%x: memref<16xf32> {neurojit.output}, %y: memref<16xf32> {neurojit.output}) {
      affine.for %i = 0 to 16 {
        %a = affine.load %x[%i] : memref<16xf32>
        %b = affine.load %y[%i] : memref<16xf32>
        affine.store %b, %x[%i] : memref<16xf32>
        affine.store %a, %y[%i] : memref<16xf32>
      }
      return
    }""",
    # y[i] read, overwritten, read again: the first read is the old value
    "reread": """func.func @f(%x: memref<6xf32>, %y: memref<6xf32>) {
      affine.for %i = 0 to 6 {
        %a = affine.load %y[%i] : memref<6xf32>
        %v = affine.load %x[%i] : memref<6xf32>
        affine.store %v, %y[%i] : memref<6xf32>
        %b = affine.load %y[%i] : memref<6xf32>
        %s = arith.subf %a, %b : f32
        affine.store %s, %y[%i] : memref<6xf32>
      }
      return
    }""",
    # t[i] read before the loop that sums into it, copied out after it
    "before": """func.func @f(%x: memref<4x5xf32>, %t: memref<4xf32> {neurojit.output}, %y: memref<4x6xf32>) {
      affine.for %i = 0 to 4 {
        %a = affine.load %t[%i] : memref<4xf32>
        affine.for %k = 0 to 5 {
          %o = affine.load %t[%i] : memref<4xf32>
          %v = affine.load %x[%i, %k] : memref<4x5xf32>
          %s = arith.addf %o, %v : f32
          affine.store %s, %t[%i] : memref<4xf32>
        }
        affine.for %j = 0 to 6 {
          affine.store %a, %y[%i, %j] : memref<4x6xf32>
        }
      }
      return
    }""",
    # the written element read once per i, outside the loop over j that writes it: c[i] = c[i] + x[i][8]
    "outer": """func.func @f(%x: memref<8x9xf32>, %c: memref<8xf32>) {
      affine.for %i = 0 to 8 {
        %c0 = affine.load %c[%i] : memref<8xf32>
        affine.for %j = 0 to 9 {
          %v = affine.load %x[%i, %j] : memref<8x9xf32>
          %s = arith.addf %c0, %v : f32
          affine.store %s, %c[%i] : memref<8xf32>
        }
      }
      return
    }""",
    # a carried sum that restarts from c[i] at every j
    "restart": """func.func @f(%x: memref<4x5x6xf32>, %c: memref<4xf32>) {
      affine.for %i = 0 to 4 {
        %c0 = affine.load %c[%i] : memref<4xf32>
        affine.for %j = 0 to 5 {
          %r = affine.for %k = 0 to 6 iter_args(%acc = %c0) -> (f32) {
            %v = affine.load %x[%i, %j, %k] : memref<4x5x6xf32>
            %s = arith.addf %acc, %v : f32
            affine.yield %s : f32
          }
          affine.store %r, %c[%i] : memref<4xf32>
        }
      }
      return
    }""",
    # the carried sum's body reads the element its result will overwrite
    "carried": """func.func @f(%x: memref<4x6xi32>, %c: memref<4xi32>) {
      %z = arith.constant 0 : i32
      affine.for %i = 0 to 4 {
        %r = affine.for %k = 0 to 6 iter_args(%acc = %z) -> (i32) {
          %v = affine.load %x[%i, %k] : memref<4x6xi32>
          %o = affine.load %c[%i] : memref<4xi32>
          %p = arith.muli %v, %o : i32
          %t = arith.addi %acc, %p : i32
          affine.yield %t : i32
        }
        affine.store %r, %c[%i] : memref<4xi32>
      }
      return
    }""",
    # a dot product stored after a loop that copies the old value out
    "later": """func.func @f(%v: memref<7xi32>, %s: memref<i32> {neurojit.output}, %t: memref<5xi32> {neurojit.output}) {
      %z = arith.constant 0 : i32
      %d = affine.for %k = 0 to 7 iter_args(%acc = %z) -> (i32) {
        %p = affine.load %v[%k] : memref<7xi32>
        %r = arith.addi %acc, %p : i32
        affine.yield %r : i32
      }
      affine.for %i = 0 to 5 {
        %o = affine.load %s[] : memref<i32>
        affine.store %o, %t[%i] : memref<5xi32>
      }
      affine.store %d, %s[] : memref<i32>
      return
    }""",
    # a carried sum starting from the element's value before a write to it (found by a second red-team pass)
    "stale": """func.func @f(%A: memref<16x32xf32>, %rowsum: memref<16xf32>) {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c16 = arith.constant 16 : index
      %c32 = arith.constant 32 : index
      %half = arith.constant 0.5 : f32
      scf.for %i = %c0 to %c16 step %c1 {
        %old = memref.load %rowsum[%i] : memref<16xf32>
        %decayed = arith.mulf %old, %half : f32
        memref.store %decayed, %rowsum[%i] : memref<16xf32>
        %s = scf.for %j = %c0 to %c32 step %c1 iter_args(%acc = %old) -> (f32) {
          %a = memref.load %A[%i, %j] : memref<16x32xf32>
          %t = arith.addf %acc, %a : f32
          scf.yield %t : f32
        }
        memref.store %s, %rowsum[%i] : memref<16xf32>
      }
      return
    }""",
    # a transposing copy in place: it reads elements it writes elsewhere
    "transpose": """func.func @f(%x: memref<8x8xf32>) {
      affine.for %i = 0 to 8 {
        affine.for %j = 0 to 8 {
          %v = affine.load %x[%j, %i] : memref<8x8xf32>
          affine.store %v, %x[%i, %j] : memref<8x8xf32>
        }
      }
      return
    }""",
}


@pytest.mark.parametrize("name", sorted(NOT_RAISED))
def test_loops_that_are_not_exactly_linalg_ops_stay_loops(name):
    with ir.Context():
        module = ir.Module.parse(NOT_RAISED[name])
        before = str(module)
        assert raise_to_linalg(module) == 0 and str(module) == before
    assert not analyze(NOT_RAISED[name]).linalg_raised


@pytest.mark.parametrize("text", [
    MM_AFFINE.replace("13", "72").replace("19", "80").replace("17", "96"),
    MM_SCF.replace("13", "72").replace("11", "80").replace("15", "96"),  # B[j][k]: transposed
])
def test_a_matmul_written_as_loops_takes_the_packed_matmul_and_gives_numpys_answer(text):
    info, h = analyze(text), host()
    assert info.linalg_raised and info.is_loops and info.mnk == (72, 96, 80)
    # proposed (first on AVX2; on AVX-512 its 35K vector FMAs are too few to split and the split generic tile
    # ranks first)
    first = next(s for s in for_kernel(info, h) if s.name == "packed_matmul")
    script = first.text(info, h)
    assert 'neurojit.loops = "linalg"' in script
    a, b, d = _arrays(text, 1)
    compile_kernel(text, script, first.defaults(info, h))(a, b, d)
    np.testing.assert_allclose(d, a @ (b if b.shape[0] == 80 else b.T), rtol=1e-5, atol=1e-5)
    # the loop schedules still take the loops as written, ranked after every structured one (fallbacks)
    flags = [s.on_loops for s in for_kernel(info, h, keep=0)]
    assert flags == sorted(flags) and flags[-1]
    for s in for_kernel(info, h, keep=0):
        assert s.on_loops == ("neurojit.loops" not in s.text(info, h))


def test_asking_for_the_linalg_form_of_loops_that_do_not_raise_is_a_schedule_error():
    info, h = analyze(MM_AFFINE), host()
    script = for_kernel(info, h)[0].text(info, h)
    with pytest.raises(ScheduleError, match="do not all raise"):
        compile_kernel(NOT_RAISED["prefix"], script, isolate=False)


def test_a_matmul_summed_in_a_one_element_buffer_takes_the_packed_matmul_and_gives_numpys_answer():
    # it had no proposal at all ("plain scf loops ... none MLIR's dependence analysis proves parallel"): the
    # buffer is the value the k loop carries (compiler/scalars.py), and the nest a fill and a matmul
    text = MM_ACC.replace("13", "72").replace("19", "80").replace("17", "96")
    info, h = analyze(text), host()
    assert info.linalg_raised and info.mnk == (72, 96, 80)
    first = next(s for s in for_kernel(info, h) if s.name == "packed_matmul")  # (first on AVX2: see above)
    a, b, c = _arrays(text, 1)
    compile_kernel(text, first.text(info, h), first.defaults(info, h))(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


# a matmul tiled by hand (or as MLIR's tiling leaves it): output tiles of 8 x 16 in scf loops, its k dim tiled too
# (in an affine loop inside), a linalg.matmul on the views
TILED = """func.func @tiled(%A: memref<24x40xf32>, %B: memref<40x32xf32>, %C: memref<24x32xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %m = arith.constant 24 : index
  %n = arith.constant 32 : index
  scf.for %i = %c0 to %m step %c8 {
    scf.for %j = %c0 to %n step %c16 {
      affine.for %k = 0 to 40 step 10 {
        %a = memref.subview %A[%i, %k] [8, 10] [1, 1] : memref<24x40xf32> to memref<8x10xf32, strided<[40, 1], offset: ?>>
        %b = memref.subview %B[%k, %j] [10, 16] [1, 1] : memref<40x32xf32> to memref<10x16xf32, strided<[32, 1], offset: ?>>
        %c = memref.subview %C[%i, %j] [8, 16] [1, 1] : memref<24x32xf32> to memref<8x16xf32, strided<[32, 1], offset: ?>>
        linalg.matmul ins(%a, %b : memref<8x10xf32, strided<[40, 1], offset: ?>>, memref<10x16xf32, strided<[32, 1], offset: ?>>) outs(%c : memref<8x16xf32, strided<[32, 1], offset: ?>>)
      }
    }
  }
  return
}"""

# a copy of the diagonal 8 x 8 blocks only: one loop offsets both dims of each view
DIAGONAL = """func.func @diag(%A: memref<32x32xf32>, %C: memref<32x32xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  scf.for %i = %c0 to %c32 step %c8 {
    %a = memref.subview %A[%i, %i] [8, 8] [1, 1] : memref<32x32xf32> to memref<8x8xf32, strided<[32, 1], offset: ?>>
    %c = memref.subview %C[%i, %i] [8, 8] [1, 1] : memref<32x32xf32> to memref<8x8xf32, strided<[32, 1], offset: ?>>
    linalg.copy ins(%a : memref<8x8xf32, strided<[32, 1], offset: ?>>) outs(%c : memref<8x8xf32, strided<[32, 1], offset: ?>>)
  }
  return
}"""

# a sum over (j, k) with its inner reduced dim k tiled: each element's terms k-tile first, then j
ROW_SUMS = """func.func @sums(%X: memref<8x6x32xf32>, %S: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  scf.for %k = %c0 to %c32 step %c16 {
    %x = memref.subview %X[0, 0, %k] [8, 6, 16] [1, 1, 1] : memref<8x6x32xf32> to memref<8x6x16xf32, strided<[192, 32, 1], offset: ?>>
    %s = memref.subview %S[0] [8] [1] : memref<8xf32> to memref<8xf32, strided<[1]>>
    linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i)>],
                    iterator_types = ["parallel", "reduction", "reduction"]}
        ins(%x : memref<8x6x16xf32, strided<[192, 32, 1], offset: ?>>) outs(%s : memref<8xf32, strided<[1]>>) {
    ^bb0(%v: f32, %acc: f32):
      %t = arith.addf %acc, %v : f32
      linalg.yield %t : f32
    }
  }
  return
}"""

INDEXED = ROW_SUMS.replace("%t = arith.addf %acc, %v : f32", """%n = linalg.index 2 : index
      %ni = arith.index_cast %n : index to i32
      %nf = arith.sitofp %ni : i32 to f32
      %t0 = arith.addf %acc, %v : f32
      %t = arith.addf %t0, %nf : f32""")

CAPTURED = TILED.replace("        linalg.matmul", """        %two = arith.constant 2.0 : f32
        linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<8x10xf32, strided<[40, 1], offset: ?>>, memref<10x16xf32, strided<[32, 1], offset: ?>>) outs(%c : memref<8x16xf32, strided<[32, 1], offset: ?>>) {
        ^bb0(%p: f32, %q: f32, %r: f32):
          %pq = arith.mulf %p, %q : f32
          %pq2 = arith.mulf %pq, %two : f32
          %s = arith.addf %r, %pq2 : f32
          linalg.yield %s : f32
        }
        // linalg.matmul""")

NOT_UNTILED = {
    "diagonal": DIAGONAL,
    "inner_reduction_tiled": ROW_SUMS,
    "index": INDEXED,  # a tile's own index is not the whole op's

    # tiles of 8 rows over 20: the last one reads past the memref (no exact fold)
    "uneven": TILED.replace("%m = arith.constant 24", "%m = arith.constant 20"),
    # tiles of 8 rows at a step of 4: each row's product added twice
    "overlap": TILED.replace("%c8 = arith.constant 8 ", "%c8 = arith.constant 4 "),
    # a loop whose iv no view takes: the op run 3 times over the same tile
    "repeat": TILED.replace("%A[%i, %k]", "%A[0, %k]").replace("%C[%i, %j]", "%C[0, %j]"),
    # the output read as an input too (in place): tiles see what earlier tiles wrote
    "in_place": TILED.replace("%B[%k, %j] [10, 16]", "%C[%k, %j] [10, 16]").replace(
        "%B: memref<40x32xf32>", "%B: memref<40x40xf32>").replace(
        "memref<40x32xf32> to memref<10x16xf32", "memref<24x32xf32> to memref<10x16xf32").replace(
        "affine.for %k = 0 to 40 step 10", "affine.for %k = 0 to 20 step 10"),
}


@pytest.mark.parametrize("text", [TILED, CAPTURED])  # (a constant of the loop body read in the op's body: MLIR's
# folding hoists it out of the loops first)
def test_loops_that_tile_a_linalg_op_are_the_op_on_the_whole_memrefs_with_the_same_bits(text):
    made, raised, names = _raised(text)
    assert made == 1 and names[0].startswith("linalg.") and "scf.for" not in raised and "affine.for" not in raised
    want, got = _arrays(text), _arrays(text)
    compile_kernel(text)(*want)
    compile_kernel(raised)(*got)
    for w, g in zip(want, got):
        assert np.array_equal(w, g)  # each element's terms in k order, tile after tile: the same bits
    info = analyze(TILED)
    assert info.linalg_raised and "packed_matmul" in [s.name for s in for_kernel(info, host())]
    assert _raised(TILED)[2] == ["linalg.matmul"]


@pytest.mark.parametrize("name", sorted(NOT_UNTILED))
def test_loops_that_do_not_tile_an_op_exactly_stay_loops(name):
    with ir.Context():
        module = ir.Module.parse(NOT_UNTILED[name])
        before = str(module)
        assert raise_to_linalg(module) == 0 and str(module) == before
