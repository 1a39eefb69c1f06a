"""Every example kernel, compiled naively, gives numpy's answer on random data and random initial outputs."""

import numpy as np
import pytest

import neurojit
from support.kernel_refs import OUTPUTS, REFERENCES
from support.paths import KERNELS

FAST = ["matmul_256", "matmul_127x255x63", "matmul_bias_relu", "elementwise_chain", "gelu", "row_softmax", "row_sum", "conv2d",
        "matmul.tl", "mlp.tl", "softmax.tl", "torch_linear_relu", "iree_softmax",
        # the schedule library's kernel classes (tests/support/kernel_refs.CLASSES)
        "row_sum_i32", "row_max_select", "argmax", "layer_norm", "dot_product", "matmul_bt", "conv1d", "conv2d_s2",
        "max_pool", "mm_affine", "mm_scf", "col_sum", "attention_scores", "jacobi_2d", "seidel_2d", "iir_rows", "floyd_warshall",
        "permute_nhwc", "nussinov", "gelu_f16"]


def check(stem, seed=0):
    k = neurojit.compile(KERNELS / f"{stem}.mlir")
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(a.shape).astype(a.dtype) for a in k.signature.args]
    outs = [i for i, a in enumerate(k.signature.args) if a.role == "out"]
    assert outs == OUTPUTS[stem]
    ins = [arrays[i] for i in range(len(arrays)) if i not in outs]
    inputs_before = [x.copy() for x in ins]
    expected = REFERENCES[stem](ins, [arrays[i] for i in outs])
    k(*arrays)
    for i, want in zip(outs, expected):
        got = arrays[i]
        # f32 accumulation error grows with the reduction depth; scale by the magnitude of the result
        rtol = 2.0 ** -9 if got.dtype == np.float16 else 1e-4  # (f16: within an ulp or two of numpy's f16 ops)
        atol = rtol / 10 * max(1.0, float(np.abs(want).max()))
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    for before, after in zip(inputs_before, ins):
        assert np.array_equal(before, after), "the kernel wrote into an input"


@pytest.mark.parametrize("stem", FAST)
def test_example_matches_numpy(stem):
    check(stem)


@pytest.mark.slow
def test_matmul_1024_matches_numpy():
    check("matmul_1024")


def test_every_example_is_covered():
    assert sorted(p.stem for p in KERNELS.glob("*.mlir")) == sorted(FAST + ["matmul_1024"])
