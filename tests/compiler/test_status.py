"""Assertions as a status: a failing assertion (tensorlang.assert, or cf.assert in a plain kernel) is read by the
runtime after the call and raised as AssertionFailed; the process lives. The asserts that runtime
verification adds in the checked build keep aborting."""

import ctypes

import numpy as np
import pytest

import neurojit
from neurojit.compiler import AssertionFailed, load_kernel
from neurojit.compiler.build import lower_kernel
from neurojit.compiler.pipeline import lowering

V = "!tensorlang.tensor<f32, [4]>"
B = "!tensorlang.tensor<i1, [4]>"
S = "!tensorlang.tensor<f32, []>"
SAFE_LOG = f"""func.func @safe_log(%x: {V}) -> {V} {{
  %a, %b = "tensorlang.copy"(%x) : ({V}) -> ({V}, {V})
  %zero = "tensorlang.constant"() {{value = dense<0.0> : tensor<f32>}} : () -> {S}
  %pos = "tensorlang.compare"(%a, %zero) {{predicate = "gt"}} : ({V}, {S}) -> {B}
  "tensorlang.assert"(%pos) {{message = "log needs positive inputs"}} : ({B}) -> ()
  %l = "tensorlang.log"(%b) : ({V}) -> {V}
  return %l : {V}
}}
"""
# A plain convention kernel with two assertions the user wrote: the first failing one is reported.
PLAIN = """func.func @pick(%x: memref<4xf32>, %i: memref<1xi64>, %out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %iv = memref.load %i[%c0] : memref<1xi64>
  %c4 = arith.constant 4 : i64
  %inside = arith.cmpi ult, %iv, %c4 : i64
  cf.assert %inside, "index out of range"
  %ix = arith.index_cast %iv : i64 to index
  %c3 = arith.constant 3 : index
  %safe = arith.minui %ix, %c3 : index
  %v = memref.load %x[%safe] : memref<4xf32>
  %z = arith.constant 0.0 : f32
  %ok = arith.cmpf oge, %v, %z : f32
  cf.assert %ok, "picked a negative value"
  memref.store %v, %out[%c0] : memref<1xf32>
  return
}
"""


def test_a_failing_tensorlang_assertion_is_a_status_and_the_process_lives():
    k = neurojit.compile(SAFE_LOG)
    np.testing.assert_allclose(k(np.array([1, 2, 3, 4], np.float32)), np.log([1, 2, 3, 4]), rtol=1e-6)
    bad = np.array([1, -2, 3, 4], np.float32)
    with pytest.raises(AssertionFailed) as e:
        k(bad)
    assert e.value.message == "log needs positive inputs" and e.value.location == "<string>:5:3"
    assert str(e.value) == "<string>:5:3: assertion failed: log needs positive inputs"
    np.testing.assert_array_equal(e.value.inputs[0], bad)
    assert e.value.inputs[0] is not bad
    np.testing.assert_allclose(k(np.array([5, 6, 7, 8], np.float32)), np.log([5, 6, 7, 8]), rtol=1e-6)


def test_the_status_is_an_output_of_the_convention_form():
    kernel = load_kernel(SAFE_LOG)
    sig = kernel.signature
    assert [(a.name, a.shape, a.dtype, a.role) for a in sig.args][-1] == ("status", (1,), "int64", "out")
    assert sig.status == 2 and sig.asserts[0].message == "log needs positive inputs"
    assert "cf.assert" not in kernel.text and "neurojit.status" in kernel.text
    # called with every argument (as the evaluator does) it is just another output, never raised
    k = neurojit.compile(SAFE_LOG)
    out, status = np.zeros(4, np.float32), np.full(1, 99, np.int64)
    k(np.array([1, -2, 3, 4], np.float32), out, status)
    assert status[0] == 1
    k(np.array([1, 2, 3, 4], np.float32), out, status)
    assert status[0] == 0


def test_cf_assert_in_a_plain_kernel_first_failure_wins():
    k = neurojit.compile(PLAIN)
    assert [a.role for a in k.signature.args] == ["in", "in", "out", "out"]  # the last argument stays the output
    x, out = np.array([1, -2, 3, 4], np.float32), np.zeros(1, np.float32)
    k(x, np.array([2], np.int64), out)
    assert out[0] == 3
    with pytest.raises(AssertionFailed, match="picked a negative value") as e:
        k(x, np.array([1], np.int64), out)
    assert e.value.location == "<string>:13:3" and e.value.index == 1
    with pytest.raises(AssertionFailed, match="index out of range") as e:
        k(np.full(4, -1, np.float32), np.array([9], np.int64), out)  # both fail: the first is reported
    assert e.value.index == 0


def test_cf_assert_in_a_tensor_function():
    text = """func.func @checked(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %x[%c0] : tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %ok = arith.cmpf oge, %v, %z : f32
  cf.assert %ok, "x[0] must be non-negative"
  return %x : tensor<4xf32>
}"""
    k = neurojit.compile(text)
    x = np.array([1, 2, 3, 4], np.float32)
    np.testing.assert_array_equal(k(x), x)
    with pytest.raises(AssertionFailed, match="x\\[0\\] must be non-negative"):
        k(-x)


def test_a_live_kernel_raises_assertion_failed():
    live = neurojit.LiveKernel(SAFE_LOG)
    with pytest.raises(AssertionFailed):
        live(np.array([0, 1, 1, 1], np.float32))
    np.testing.assert_allclose(live(np.ones(4, np.float32)), np.zeros(4))


def test_runtime_verification_asserts_keep_aborting():
    # the rewrite happens when the kernel is read: asserts added while lowering (checked build) still abort
    checked = str(lower_kernel(PLAIN, pipeline=lowering(runtime_checks=True)).module)
    normal = str(lower_kernel(PLAIN).module)
    assert "llvm.call @abort" in checked and "abort" not in normal


def test_the_exported_library_writes_the_status_and_prints(tmp_path, capfd):
    text = SAFE_LOG.replace(f"  return %l : {V}", f'  %p = "tensorlang.print"(%l) : ({V}) -> {V}\n  return %p : {V}')
    manifest = neurojit.export(text, str(tmp_path))
    header = (tmp_path / "kernel.h").read_text()
    assert "void safe_log(const float *x, float *NEUROJIT_RESTRICT result0, int64_t *NEUROJIT_RESTRICT status);" in header
    assert "status: 1 int64 (out: assertion status, 0 if every assertion held" in header
    assert manifest["args"][2]["status"] == [{"message": "log needs positive inputs", "location": "<string>:5:3"}]
    lib = ctypes.CDLL(str(tmp_path / "libkernel.so"))
    x, y, status = np.array([1, -1, np.e, 1], np.float32), np.zeros(4, np.float32), np.zeros(1, np.int64)
    lib.safe_log(*(ctypes.c_void_p(a.ctypes.data) for a in (x, y, status)))
    assert status[0] == 1 and y[2] == pytest.approx(1.0)
    out = capfd.readouterr().out
    assert "%l (<string>:7:8):" in out and "[0 " in out
