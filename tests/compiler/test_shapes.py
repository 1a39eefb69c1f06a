"""Dynamic dimensions given static sizes (compiler/shapes.py): `--shape ARG=DxD` on the command line."""

import numpy as np
import pytest

from neurojit.compiler import KernelError, compile_kernel
from neurojit.compiler.shapes import parse_shapes
from neurojit.compiler.source import read_source

# torch-mlir's form of a bias and ReLU with a dynamic batch: the batch read by tensor.dim for the result's empty
BIAS_RELU = """func.func @bias_relu(%x: tensor<?x24xf32>, %b: tensor<24xf32>) -> tensor<?x24xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x24xf32>
  %e = tensor.empty(%d) : tensor<?x24xf32>
  %z = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>,
                                        affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<?x24xf32>, tensor<24xf32>) outs(%e : tensor<?x24xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %s = arith.addf %v, %w : f32
    %m = arith.maximumf %s, %z : f32
    linalg.yield %m : f32
  } -> tensor<?x24xf32>
  return %r : tensor<?x24xf32>
}"""

# a matmul on memrefs of dynamic sizes everywhere
MATMUL = """func.func @mm(%a: memref<?x?xf64>, %b: memref<?x?xf64>, %c: memref<?x?xf64>) {
  linalg.matmul ins(%a, %b : memref<?x?xf64>, memref<?x?xf64>) outs(%c : memref<?x?xf64>)
  return
}"""


def test_a_tensor_kernel_with_a_dynamic_batch_runs_at_the_shape_given():
    src = read_source(BIAS_RELU, shapes={"x": (7, 24)})
    k = compile_kernel(src)
    assert [a.shape for a in k.signature.args] == [(7, 24), (24,), (7, 24)]
    rng = np.random.default_rng(0)
    x, b = rng.standard_normal((7, 24)).astype(np.float32), rng.standard_normal(24).astype(np.float32)
    out = np.zeros((7, 24), np.float32)
    k(x, b, out)
    np.testing.assert_array_equal(out, np.maximum(x + b, 0))


def test_a_memref_kernel_with_every_size_dynamic_runs_at_the_shapes_given():
    k = compile_kernel(MATMUL, shapes={"a": (5, 9), "%b": (9, 3), "c": (5, 3)})  # (neurojit.compile's keyword)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((5, 9)), rng.standard_normal((9, 3))
    c = np.zeros((5, 3))
    k(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-12)


@pytest.mark.parametrize("shapes, words", [
    ({"q": (3, 3)}, "no argument called; its arguments are a, b, c"),
    ({"a": (5, 9), "b": (8, 3), "c": (5, 3)}, "do not fit @mm"),
    ({"a": (5, 9, 1)}, "does not fit its type"),
    ({"a": (5, 9)}, "argument 1 (%b) of @mm has dynamic shape"),  # (b and c left dynamic: the usual message)
])
def test_shapes_that_do_not_fit_are_told_why(shapes, words):
    with pytest.raises(KernelError, match=None) as e:
        compile_kernel(read_source(MATMUL, shapes=shapes))
    assert words in str(e.value)


def test_a_static_size_given_differently_is_refused_and_one_given_as_it_is_kept():
    with pytest.raises(KernelError, match="does not fit its type"):
        read_source(BIAS_RELU, shapes={"x": (7, 25)})
    k = compile_kernel(read_source(BIAS_RELU, shapes={"x": (7, 24), "b": (24,)}))
    assert k.signature.args[1].shape == (24,)


@pytest.mark.parametrize("items, words", [(["x"], "write ARG=SIZExSIZE"), (["x=3y4"], "write ARG=SIZExSIZE"),
                                          (["x=0x4"], "positive sizes"), (["x=3", "%x=4"], "given twice")])
def test_shape_options_are_parsed_or_told_what_is_wrong(items, words):
    with pytest.raises(ValueError, match=words):
        parse_shapes(items)
    assert parse_shapes(["x=64x768", "%w=3"]) == {"x": (64, 768), "w": (3,)}
