"""Kernel analysis (compiler/flops.py): the arithmetic work and the depth of the longest reduction."""

from neurojit.compiler.flops import count_flops, output_depths, reduction_depth

MM = """func.func @mm(%A: memref<4x3xf32>, %B: memref<3x5xf32>, %C: memref<4x5xf32>) {
  linalg.matmul ins(%A, %B : memref<4x3xf32>, memref<3x5xf32>) outs(%C : memref<4x5xf32>)
  return
}
"""
ADD = """func.func @add(%a: memref<8xf32>, %b: memref<8xf32>) {
  linalg.add ins(%a, %a : memref<8xf32>, memref<8xf32>) outs(%b : memref<8xf32>)
  return
}
"""


def test_reduction_depth_is_the_longest_sum():
    assert reduction_depth(MM) == 3  # each C[i, j] sums 3 products
    assert reduction_depth(ADD) == 1  # no reduction


def test_reduction_depth_of_plain_loops():
    """Kernels written as loops: a store its indices do not move along a loop accumulates over it, a loop
    carrying a float sums its trips, and a buffer made inside a loop is a new place each iteration."""
    from pathlib import Path

    kernels = Path(__file__).resolve().parents[2] / "examples" / "kernels"
    assert reduction_depth((kernels / "mm_scf.mlir").read_text()) == 150  # C[i, j] += A[i, k] B[k, j], k < 150
    assert reduction_depth((kernels / "mm_affine.mlir").read_text()) == 210  # affine.for, the same
    carried = """func.func @rows(%x: memref<6x700xf32>, %out: memref<6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  %c100 = arith.constant 100 : index
  %z = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c6 step %c1 {
    %t = memref.alloca() : memref<7xf32>
    scf.for %b = %c0 to %c7 step %c1 {
      %s = scf.for %j = %c0 to %c100 step %c1 iter_args(%acc = %z) -> (f32) {
        %v = memref.load %x[%i, %j] : memref<6x700xf32>
        %n = arith.addf %acc, %v : f32
        scf.yield %n : f32
      }
      memref.store %s, %t[%b] : memref<7xf32>
    }
    %v = memref.load %t[%c0] : memref<7xf32>
    memref.store %v, %out[%i] : memref<6xf32>
  }
  return
}
"""
    assert reduction_depth(carried) == 100  # the carried sum; %t is new for each i, %out[i] moves with i


def test_reduction_depth_of_a_recurrence_through_memory():
    """out[j] = out[j - 1] + x[j] (a cumulative sum written through its output): the trips along j; an in-place
    update of the same place (out[j] = 2 out[j]) and a read of another buffer's neighbour are no recurrence."""
    scan = """func.func @scan(%x: memref<4x300xf32>, %out: memref<4x300xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %n = arith.constant 300 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c1 to %n step %c1 {
      %jm = arith.subi %j, %c1 : index
      %p = memref.load %SRC[%i, %jm] : memref<4x300xf32>
      %v = memref.load %x[%i, %j] : memref<4x300xf32>
      %s = arith.addf %p, %v : f32
      memref.store %s, %out[%i, %j] : memref<4x300xf32>
    }
  }
  return
}
"""
    assert reduction_depth(scan.replace("%SRC", "%out")) == 299  # j from 1
    assert reduction_depth(scan.replace("%SRC", "%x")) == 1  # out[j] = x[j - 1] + x[j]: a stencil
    assert reduction_depth(scan.replace("%SRC", "%out").replace("[%i, %jm]", "[%i, %j]")) == 1  # in place


RESIDUAL = """#m = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
func.func @resid(%x: memref<4x300xf32>, %res: memref<4x300xf32>, %h: memref<4x300xf32> {neurojit.output},
                 %ss: memref<4xf32> {neurojit.output}, %y: memref<4x300xf32> {neurojit.output}) {
  %z = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#m, #m, #m], iterator_types = ["parallel", "parallel"]}
      ins(%x, %res : memref<4x300xf32>, memref<4x300xf32>) outs(%h : memref<4x300xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%z : f32) outs(%ss : memref<4xf32>)
  linalg.generic {indexing_maps = [#m, #r], iterator_types = ["parallel", "reduction"]}
      ins(%h : memref<4x300xf32>) outs(%ss : memref<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %q = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %q : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#m, #r, #m], iterator_types = ["parallel", "parallel"]}
      ins(%h, %ss : memref<4x300xf32>, memref<4xf32>) outs(%y : memref<4x300xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %d = arith.divf %a, %s : f32
    linalg.yield %d : f32
  }
  return
}
"""


def test_each_output_has_the_depth_of_the_sums_it_flows_from():
    """h = x + r has no sum (depth 1), ss sums 300 squares, y = h / ss inherits ss's depth; loops: unknown."""
    assert output_depths(RESIDUAL) == {2: 1, 3: 300, 4: 300}
    assert reduction_depth(RESIDUAL) == 300
    from pathlib import Path

    assert output_depths((Path(__file__).resolve().parents[2] / "examples/kernels/mm_scf.mlir").read_text()) is None


def test_flops_of_a_matmul():
    assert count_flops(MM) == 2 * 4 * 5 * 3


def test_flops_of_plain_loops():
    # each arithmetic op times the trips around it; the index arithmetic (j - 1) is no flop
    loops = """func.func @k(%a: memref<6x10xf32>, %b: memref<6x10xf32>) {
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  affine.for %i = 0 to 6 {
    scf.for %j = %c1 to %c10 step %c1 {
      %l = arith.subi %j, %c1 : index
      %x = memref.load %a[%i, %l] : memref<6x10xf32>
      %y = memref.load %a[%i, %j] : memref<6x10xf32>
      %s = arith.addf %x, %y : f32
      %m = arith.mulf %s, %s : f32
      memref.store %m, %b[%i, %j] : memref<6x10xf32>
    }
  }
  return
}
"""
    assert count_flops(loops) == 6 * 9 * 2
    triangular = loops.replace("affine.for %i = 0 to 6", "affine.for %i = 0 to 6 {\n    affine.for %t = 0 to #up(%i)")
    triangular = "#up = affine_map<(d0) -> (d0 + 1)>\n" + triangular.replace("  return", "  }\n  return")
    assert count_flops(triangular) is None  # a bound that depends on another loop: not countable


def test_flops_of_a_linalg_op_inside_loops():
    # a matmul in a time loop runs once a trip: 3 x (2 x 4 x 5 x 3)
    timed = """func.func @k(%a: memref<4x3xf32>, %b: memref<3x5xf32>, %c: memref<4x5xf32>) {
  affine.for %t = 0 to 3 {
    linalg.matmul ins(%a, %b : memref<4x3xf32>, memref<3x5xf32>) outs(%c : memref<4x5xf32>)
  }
  return
}
"""
    assert count_flops(timed) == 3 * 2 * 4 * 5 * 3
    tri = "#up = affine_map<(d0) -> (d0 + 1)>\n" + timed.replace(
        "affine.for %t = 0 to 3 {", "affine.for %s = 0 to 3 {\n  affine.for %t = 0 to #up(%s) {").replace(
        "  return", "  }\n  return")
    assert count_flops(tri) is None  # a trip count that depends on another loop: not countable
