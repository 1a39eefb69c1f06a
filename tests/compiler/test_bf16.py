"""bf16 kernels (compiler/pipeline.py HALF_EMULATE): numpy's bfloat16 is ml_dtypes'; every bf16 op rounds to bf16
as the kernel says, on any x86 host (no call of `__truncsfbf2`, which the JIT cannot link without AVX512-BF16);
an export declares bf16 arguments as their bits."""

from __future__ import annotations

import ctypes
import re

import ml_dtypes
import numpy as np
import pytest

from neurojit.compiler import compile_kernel, export
from neurojit.compiler.build import lower_kernel

BF = ml_dtypes.bfloat16
CHAIN = """func.func @t(%x: memref<1000xbf16>, %y: memref<1000xbf16>, %o: memref<1000xbf16>) {
  %one = arith.constant 1.000000e+00 : bf16
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%x, %y : memref<1000xbf16>, memref<1000xbf16>) outs(%o : memref<1000xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    BODY
  }
  return
}"""
BODIES = {  # the kernel's body, and numpy's bf16 arithmetic (ml_dtypes rounds each op's result to bf16)
    "sum_squared": ("%v = arith.addf %a, %b : bf16\n    %r = arith.mulf %v, %v : bf16", lambda x, y: (x + y) * (x + y)),
    "silu": ("%n = arith.negf %a : bf16\n    %e = math.exp %n : bf16\n    %d = arith.addf %e, %one : bf16\n"
             "    %r = arith.divf %a, %d : bf16", lambda x, y: x / (np.exp(-x) + BF(1))),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_each_bf16_op_rounds_to_bf16_as_numpys_bfloat16_does(name):
    """Emulated in f32, each op's result is still rounded (the emulation's `contract` conversions folded
    extf(truncf(x)) into x: (x + y)^2 agreed with numpy's on 58% of the elements before `_rounding_kept`)."""
    body, want = BODIES[name]
    text = CHAIN.replace("BODY", body + "\n    linalg.yield %r : bf16")
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal(1000) * 3).astype(BF), rng.standard_normal(1000).astype(BF)
    o = np.zeros(1000, BF)
    compile_kernel(text)(x, y, o)
    assert np.array_equal(o.view(np.uint16), want(x, y).view(np.uint16))


def test_no_conversion_to_bf16_is_left_to_llvm():
    """Every rounding to bf16 is integer ops in the LLVM dialect: no `fptrunc ... to bf16`, which LLVM lowers to
    a call of `__truncsfbf2` on a host without AVX512-BF16 (libgcc 12 has none)."""
    text = CHAIN.replace("BODY", BODIES["silu"][0] + "\n    linalg.yield %r : bf16")
    llvm = str(lower_kernel(text).module)
    assert not re.search(r"llvm\.fptrunc[^\n]*to bf16", llvm) and "__truncsfbf2" not in llvm
    assert not re.search(r"llvm\.f(add|mul|div|sub)[^\n]*: bf16", llvm)  # (the arithmetic is f32's)


def test_a_bf16_kernel_exports_its_arguments_as_their_bits(tmp_path):
    text = CHAIN.replace("BODY", BODIES["sum_squared"][0] + "\n    linalg.yield %r : bf16")
    (tmp_path / "k.mlir").write_text(text)
    out = tmp_path / "export"
    export(tmp_path / "k.mlir", str(out))
    assert "void t(const uint16_t *x, const uint16_t *y, uint16_t *NEUROJIT_RESTRICT o);" in (out / "kernel.h").read_text()
    lib = ctypes.CDLL(str(out / "libkernel.so"))
    lib.t.argtypes, lib.t.restype = [ctypes.c_void_p] * 3, None
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(1000).astype(BF), rng.standard_normal(1000).astype(BF)
    o = np.zeros(1000, BF)
    lib.t(x.ctypes.data, y.ctypes.data, o.ctypes.data)
    assert np.array_equal(o.view(np.uint16), ((x + y) * (x + y)).view(np.uint16))


def test_each_f16_op_rounds_to_f16_as_numpys_float16_does():
    """f16 is emulated in f32 too (LLVM's promotion scalarised some f16 vector ops); each op still rounds."""
    text = CHAIN.replace("bf16", "f16").replace("BODY", BODIES["silu"][0].replace("bf16", "f16")
                                                 + "\n    linalg.yield %r : f16")
    rng = np.random.default_rng(2)
    x, y = (rng.standard_normal(1000) * 3).astype(np.float16), rng.standard_normal(1000).astype(np.float16)
    o = np.zeros(1000, np.float16)
    compile_kernel(text)(x, y, o)
    assert np.array_equal(o.view(np.uint16), (x / (np.exp(-x) + np.float16(1))).view(np.uint16))


def test_a_vectorised_bf16_product_rounds_as_the_naive_one_subnormals_too():
    """The vectorised multiply is emulated in f32 like the scalar one: with no scalar bf16 left in the module (all
    of it in vector and memref shapes), the emulation was skipped, the product reached LLVM as `fmul <N x bfloat>`,
    and on an AVX512-BF16 host subnormal products came out 0."""
    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import VectorizeElementwise
    from neurojit.compiler import host
    from neurojit.compiler.pipeline import _HALF

    assert all(_HALF.search(t) for t in ("vector<1x128xbf16>", "memref<4xf16>", "memref<?xbf16>", "%a: bf16"))
    text = CHAIN.replace("BODY", "%r = arith.mulf %a, %b : bf16\n    linalg.yield %r : bf16")
    info, h = analyze(text), host()
    vec = compile_kernel(text, VectorizeElementwise().text(info, h), VectorizeElementwise().defaults(info, h))
    assert not re.search(r"\bf(mul|add|sub|div) <\d+ x bfloat>", vec.llvm_ir)  # (no bf16 vector arithmetic in LLVM)
    rng = np.random.default_rng(0)
    x = (rng.uniform(0.5, 2.0, 1000) * 1e-20).astype(BF)
    y = (rng.uniform(0.5, 2.0, 1000) * 1e-19).astype(BF)  # products ~1e-39: bf16 subnormals
    want, got = np.zeros(1000, BF), np.zeros(1000, BF)
    compile_kernel(text)(x, y, want)
    vec(x, y, got)
    assert (want != 0).all()
    np.testing.assert_array_equal(got.view(np.uint16), want.view(np.uint16))
