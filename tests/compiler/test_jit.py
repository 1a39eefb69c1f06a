"""The compiled call path: results, argument validation, the compile cache, IR reflection, schedules."""

import numpy as np
import pytest

import neurojit
from neurojit.compiler import CallError, ScheduleError, compile_kernel, knobs_of, substitute
from neurojit.compiler.jit import CACHE

MM = """func.func @mm(%A: memref<12x10xf32>, %B: memref<10x14xf32>, %C: memref<12x14xf32>) {
  linalg.matmul ins(%A, %B : memref<12x10xf32>, memref<10x14xf32>) outs(%C : memref<12x14xf32>)
  return
}
"""
TILE = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l:3 = transform.structured.tile_using_for %mm tile_sizes [${tm:4}, ${tn:8}, ${tk}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
"""


def arrays(rng):
    return [rng.standard_normal(s).astype(np.float32) for s in ((12, 10), (10, 14), (12, 14))]


def test_matmul_accumulates_into_output():
    k = neurojit.compile(MM)
    a, b, c = arrays(np.random.default_rng(1))
    want = c + a @ b
    k(a, b, c)
    np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("bad, words", [
    (lambda a, b, c: (a, b), "takes 3 arrays"),
    (lambda a, b, c: (a, b, c[:, :7]), r"must have shape \(12, 14\)"),
    (lambda a, b, c: (a, b, c.astype(np.float64)), "must have dtype float32"),
    (lambda a, b, c: (a, b, np.asfortranarray(c)), "C-contiguous"),
    (lambda a, b, c: (a.tolist(), b, c), "must be a numpy array"),
    (lambda a, b, c: (a, b, np.frombuffer(c.tobytes(), np.float32).reshape(12, 14)), "must be writeable"),
])
def test_call_errors_name_the_argument(bad, words):
    k = neurojit.compile(MM)
    with pytest.raises(CallError, match=words):
        k(*bad(*arrays(np.random.default_rng(0))))


EW = """func.func @ew(%x: memref<6x8xf32>, %y: memref<6x8xf32>, %out: memref<6x8xf32> {neurojit.output}) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]} ins(%x, %y : memref<6x8xf32>, memref<6x8xf32>) outs(%out : memref<6x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  }
  return
}"""


def test_an_output_may_not_alias_another_argument():
    # variants are verified on separate buffers: an in-place call k(x, y, x) could differ after a swap
    k = neurojit.compile(EW)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 6, 8)).astype(np.float32)
    both = rng.standard_normal((2, 6, 8)).astype(np.float32)
    for args, named in (((x, y, x), "argument 0"), ((x, y, y), "argument 1"), ((x, y, y[:]), "argument 1"),
                        ((both[0], both[1], both.reshape(2, 6, 8)[1]), "argument 1")):
        with pytest.raises(CallError, match=f"argument 2 \\(%out\\) of @ew shares memory with {named}"):
            k(*args)
    out = np.zeros((6, 8), np.float32)
    k(both[0], both[1], out)  # views of one array that do not overlap are fine
    two = neurojit.compile(EW.replace("%y: memref<6x8xf32>", "%y: memref<6x8xf32> {neurojit.output}"))
    with pytest.raises(CallError, match="argument 2 \\(%out\\) of @ew shares memory with argument 1"):
        two(x, out, out)  # two outputs, one array
    np.testing.assert_array_equal(out, both[0] * both[1])


def test_subclass_and_odd_strides_take_the_checked_path():
    k = neurojit.compile(MM)
    a, b, c = arrays(np.random.default_rng(2))
    want = c + a @ b
    k(a.view(np.matrix), b, c)  # a subclass is fine, it just skips the fast path
    np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5)


def test_cache_hit_on_same_normalised_ir():
    CACHE.clear()
    k1 = compile_kernel(MM)
    k2 = compile_kernel("// a comment changes nothing\n" + MM.replace("  linalg", "     linalg"))
    assert k1 is k2
    assert compile_kernel(MM, TILE, {"tk": 2}) is not k1


def test_reflection_gives_mlir_llvm_dialect_and_llvm_ir():
    k = neurojit.compile(MM)
    assert "linalg.matmul" in k.mlir
    assert "llvm.func @mm" in k.llvm_dialect and "linalg" not in k.llvm_dialect
    assert "define void @mm(ptr" in k.llvm_ir
    assert "nj_obj" not in k.llvm_ir  # the call trampolines are not part of the kernel


def test_schedule_changes_ir_and_keeps_answer():
    naive = compile_kernel(MM)
    tiled = compile_kernel(MM, TILE, {"tk": 3})
    assert "scf.for" in tiled.mlir and "scf.for" not in naive.mlir
    assert "memref.subview" in tiled.mlir
    assert tiled.variant_hash != naive.variant_hash and tiled.source_hash == naive.source_hash
    a, b, c = arrays(np.random.default_rng(3))
    c2 = c.copy()
    naive(a, b, c)
    tiled(a, b, c2)
    np.testing.assert_allclose(c2, c, rtol=1e-5, atol=1e-5)


def test_knobs():
    assert knobs_of(TILE) == {"tm": 4, "tn": 8, "tk": None}
    assert "[4, 16, 2]" in substitute(TILE, {"tn": 16, "tk": 2})
    with pytest.raises(ScheduleError, match="tk need a value"):
        substitute(TILE, {})
    with pytest.raises(ScheduleError, match="no knob"):
        substitute(TILE, {"tk": 1, "bogus": 3})


def test_schedule_that_does_not_apply_is_a_schedule_error():
    conv = TILE.replace("linalg.matmul", "linalg.conv_2d")
    with pytest.raises(ScheduleError):
        compile_kernel(MM, conv, {"tk": 2})
    with pytest.raises(ScheduleError):
        compile_kernel(MM, TILE.replace("tile_sizes [${tm:4}, ${tn:8}, ${tk}]", "tile_sizes [4, 8]"))


ABORTS = {
    # each of these aborts MLIR (assertion) when run in-process; found by trying, see compiler/preflight.py
    "verifier": """func.func @k(%a: memref<4x4xf32>, %c: memref<4x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<4x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}
""",
    "lowering": "func.func @k(%a: memref<2x9223372036854775807xf32>) {\n  return\n}\n",
}


@pytest.mark.isolated
@pytest.mark.parametrize("stage", sorted(ABORTS))
def test_inputs_that_abort_mlir_cost_an_error_not_the_process(stage):
    from neurojit.compiler import CompileError

    with pytest.raises(CompileError, match="MLIR crashed"):
        compile_kernel(ABORTS[stage])
    assert compile_kernel(MM)  # this process is fine


@pytest.mark.isolated
def test_schedule_that_aborts_mlir_is_isolated():
    from neurojit.compiler import CompileError

    bad = TILE.replace("tile_sizes [${tm:4}, ${tn:8}, ${tk}]", "tile_sizes [-2]").replace(
        "%t, %l:3", "%t, %l").replace(", !transform.any_op, !transform.any_op, !transform.any_op)", ", !transform.any_op)")
    with pytest.raises(CompileError, match="MLIR crashed"):
        compile_kernel(MM, bad)


ERF64 = """func.func @erf64(%x: memref<4x37xf64>, %o: memref<4x37xf64> {neurojit.output}) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]} ins(%x : memref<4x37xf64>) outs(%o : memref<4x37xf64>) {
  ^bb0(%a: f64, %b: f64):
    %e = math.erf %a : f64
    linalg.yield %e : f64
  }
  return
}"""
VECTORIZE_ALL = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %g = transform.structured.match ops{["linalg.generic"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l:2 = transform.structured.tile_using_for %g tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.structured.vectorize %t vector_sizes [1, 8] : !transform.any_op
    transform.yield
  }
}"""


def test_a_vector_f64_math_call_without_an_llvm_intrinsic_compiles():
    # math.erf on vector<8xf64> becomes one libm call per lane (its extracts and inserts lowered after it):
    # the JIT had failed on every vectorised f64 erf (a GELU in f64: compile_error on each proposal)
    import math

    k = compile_kernel(ERF64, VECTORIZE_ALL)
    x = np.random.default_rng(4).standard_normal((4, 37))
    out = np.zeros((4, 37))
    k(x, out)
    np.testing.assert_allclose(out, np.vectorize(math.erf)(x), rtol=1e-15, atol=1e-16)


def test_a_compile_error_names_the_ops_the_lowering_left():
    # tensors inside a memref kernel are not bufferized; LLVM's bare "Failure while creating the
    # ExecutionEngine" said nothing of that
    from neurojit.compiler.errors import CompileError

    text = """func.func @ew(%x: memref<16xf32>, %out: memref<16xf32>) {
  %tx = bufferization.to_tensor %x restrict : memref<16xf32> to tensor<16xf32>
  %e = tensor.empty() : tensor<16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%tx : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  bufferization.materialize_in_destination %r in writable %out : (tensor<16xf32>, memref<16xf32>) -> ()
  return
}"""
    with pytest.raises(CompileError, match=r"the lowering left .*bufferization\.to_tensor.*on memrefs throughout"):
        compile_kernel(text, cache=False)


def test_a_dropped_kernel_is_freed_at_once_and_its_call_path_still_works():
    """No reference cycle: a kernel nobody holds is freed without the cyclic collector (a collection in a
    forked evaluator child once destroyed such a kernel's MLIR context, whose threads live in the parent),
    and a call path taken from it keeps the compiled code alive on its own."""
    import gc
    import weakref

    gc.disable()
    try:
        k = compile_kernel(MM, cache=False)
        call, gone = k.call_tuple, weakref.ref(k)
        del k
        assert gone() is None
        a, b, c = arrays(np.random.default_rng(5))
        want = c + a @ b
        call((a, b, c))  # the fast path
        np.testing.assert_allclose(c, want, rtol=1e-5)
        with pytest.raises(CallError, match="must have shape"):
            call((a, b, np.zeros((3, 3), np.float32)))  # the slow path
    finally:
        gc.enable()


def test_a_quantised_matmul_takes_int8_operands_and_accumulates_in_int32():
    """i8 and i16 arguments (quantised kernels: int8 weights and activations, int32 sums) are kernel arguments."""
    text = MM.replace("memref<12x10xf32>", "memref<12x10xi8>").replace("memref<10x14xf32>", "memref<10x14xi16>") \
        .replace("memref<12x14xf32>", "memref<12x14xi32>")
    k = compile_kernel(text)
    assert [a.dtype for a in k.signature.args] == ["int8", "int16", "int32"]
    rng = np.random.default_rng(7)
    a = rng.integers(-128, 128, (12, 10)).astype(np.int8)
    b = rng.integers(-32768, 32768, (10, 14)).astype(np.int16)
    c = rng.integers(-1000, 1000, (12, 14)).astype(np.int32)
    want = c + a.astype(np.int32) @ b.astype(np.int32)
    k(a, b, c)
    assert np.array_equal(c, want)


# reads what an earlier call left in the deep end of its stack frame (copied out through a strided copy, an
# opaque runtime call LLVM cannot see through), then leaves its input there the same way
STALE = """func.func @stale(%x: memref<64xi64>, %out: memref<64xi64>) {
  %buf = memref.alloca() : memref<327680xi64>
  %b = memref.subview %buf[0] [32] [2] : memref<327680xi64> to memref<32xi64, strided<[2]>>
  %o = memref.subview %out[0] [32] [2] : memref<64xi64> to memref<32xi64, strided<[2]>>
  %i = memref.subview %x[0] [32] [2] : memref<64xi64> to memref<32xi64, strided<[2]>>
  memref.copy %b, %o : memref<32xi64, strided<[2]>> to memref<32xi64, strided<[2]>>
  memref.copy %i, %b : memref<32xi64, strided<[2]>> to memref<32xi64, strided<[2]>>
  return
}"""


def test_a_shifted_build_runs_each_call_at_a_random_stack_depth(monkeypatch):
    # the evaluator's builds (`stack_shift`): what one call leaves in stack memory it did not initialise is not
    # where the next call's frame lies, so a cache of results kept there is not found again (the third red team's
    # candidate, timed at 78-154x on the benchmark's repeated inputs). Every build also zeroes its stack slots
    # (compiler/fresh_memory.py), which alone leaves nothing to find: the shift is shown with the zeroing off
    from mlir import ir

    from neurojit.compiler import build
    from neurojit.compiler.build import lower_parsed, parse_kernel
    from neurojit.compiler.jit import CompiledKernel
    from neurojit.compiler.pipeline import LOWER

    x = np.arange(100, 164, dtype=np.int64)

    def hits(shift: bool) -> int:
        k = CompiledKernel(lower_parsed(parse_kernel(STALE, ir.Context()), None, None, LOWER), stack_shift=shift)
        found = 0
        for _ in range(40):
            out = np.zeros(64, np.int64)
            k(x, out)
            found += bool((out[::2] == x[::2]).all())
        return found

    assert hits(False) == 0  # zeroed slots: the earlier call's values are gone
    monkeypatch.setattr(build, "zero_fresh_memory", lambda module: 0)
    assert hits(False) >= 30  # the frame at one depth: the earlier call's values are there (the test can fail)
    assert hits(True) <= 2
