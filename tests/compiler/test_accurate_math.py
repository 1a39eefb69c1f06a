"""math.expm1 and math.log1p keep their digits near 0 (compiler/accurate_math.py): convert-math-to-llvm lowered
them as exp(x) - 1 and log(1 + x), so expm1(1e-10) and log1p(1e-10) were 0."""

from __future__ import annotations

import numpy as np
import pytest

from neurojit.compiler import compile_kernel

KERNEL = """#m = affine_map<(i) -> (i)>
func.func @f(%x: memref<64xDT>, %y: memref<64xDT>) {
  linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel"]} ins(%x : memref<64xDT>) outs(%y : memref<64xDT>) {
  ^bb0(%a: DT, %o: DT):
    %r = OP %a : DT
    linalg.yield %r : DT
  }
  return
}"""


@pytest.mark.parametrize("dt, np_dt", [("f32", np.float32), ("f64", np.float64)])
@pytest.mark.parametrize("op, ref", [("math.expm1", np.expm1), ("math.log1p", np.log1p)])
def test_within_two_ulp_near_zero_and_libms_edges(op, ref, dt, np_dt):
    k = compile_kernel(KERNEL.replace("DT", dt).replace("OP", op))
    tiny = np.finfo(np_dt).smallest_subnormal * 1000
    x = np.array([1e-10, -1e-10, 1e-30, tiny, 0.0, -0.0, 1e-5, -1e-5, 0.3, -0.3, 5.0, -5.0, 80.0, 1000.0, -1000.0,
                  np.inf, -np.inf, np.nan, -1.0, -2.0] + list(np.linspace(-0.9, 3, 44)), np_dt)
    y = np.full_like(x, 7.0)
    k(x, y)
    with np.errstate(all="ignore"):
        exact = ref(x.astype(np.longdouble))
        want = exact.astype(np_dt)
        ok = np.isfinite(want)
        ulps = np.abs(y[ok].astype(np.longdouble) - exact[ok]) / np.spacing(np.abs(want[ok])).astype(np.longdouble)
    assert ulps.max() <= 2.0, (x[ok][ulps.argmax()], y[ok][ulps.argmax()])  # (exp(x) - 1 was 0 at 1e-10)
    np.testing.assert_array_equal(y[~ok], want[~ok])  # Inf, -1 and NaN as libm gives them
    assert np.signbit(y[5])  # -0.0 kept
