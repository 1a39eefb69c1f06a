"""Kernel analysis (compiler/flops.py): the arithmetic work and the depth of the longest reduction."""

from neurojit.compiler.flops import count_flops, reduction_depth

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


def test_flops_of_a_matmul():
    assert count_flops(MM) == 2 * 4 * 5 * 3
