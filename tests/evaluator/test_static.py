"""Static memory checks: constant-size allocations over the limit (folded by MLIR's sccp) and linearity of
every memref.alloc on every path (evaluator/ownership.py). Pure IR analysis: nothing is compiled or run."""

import pytest
from mlir import ir

from neurojit.evaluator import ownership, sizes, static
from neurojit.evaluator.record import Reason, Rejected

LIMIT = 2 << 30
SIG = "%x: memref<8xf32>, %out: memref<8xf32>"


def _module(body: str, extra: str = "") -> ir.Module:
    text = (f"module {{\n{extra}\n  func.func @k({SIG}) {{\n    %c0 = arith.constant 0 : index\n"
            f"    %c1 = arith.constant 1 : index\n    %c8 = arith.constant 8 : index\n"
            f"    %f = arith.constant 1.0 : f32\n{body}\n    return\n  }}\n}}")
    return ir.Module.parse(text, ir.Context())


def _verdict(body: str, extra: str = "") -> Rejected | None:
    try:
        static.check_memory(_module(body, extra), None, LIMIT)
    except Rejected as r:
        return r
    return None


def _accepts(body: str, extra: str = "") -> None:
    r = _verdict(body, extra)
    assert r is None, r.detail


def _rejects(body: str, reason: Reason, words: str, extra: str = "") -> str:
    r = _verdict(body, extra)
    assert r is not None, "accepted"
    assert r.reason is reason and words in r.detail, (r.reason, r.detail)
    assert "line " in r.detail
    return r.detail


BUF = "memref<8xf32>"
USE = f"memref.store %f, %a[%c0] : {BUF}"


# ---- linearity on every path -------------------------------------------------------------------------

def test_straight_line_alloc_use_dealloc_is_proved():
    _accepts(f"    %a = memref.alloc() : {BUF}\n    {USE}\n    memref.dealloc %a : {BUF}")


def test_dealloc_in_one_branch_is_not_proved():
    detail = _rejects(f"""    %a = memref.alloc() : {BUF}
    %p = arith.cmpi slt, %c0, %c1 : index
    scf.if %p {{
      memref.dealloc %a : {BUF}
    }}""", Reason.UNSAFE_MEMORY, "on every path")
    assert "some branches only" in detail and "scf.if" in detail


def test_dealloc_in_one_branch_with_else_is_not_proved():
    _rejects(f"""    %a = memref.alloc() : {BUF}
    %p = arith.cmpi slt, %c0, %c1 : index
    scf.if %p {{
      memref.dealloc %a : {BUF}
    }} else {{
      {USE}
    }}""", Reason.UNSAFE_MEMORY, "some branches only")


def test_dealloc_in_both_branches_is_proved():
    _accepts(f"""    %a = memref.alloc() : {BUF}
    %p = arith.cmpi slt, %c0, %c1 : index
    scf.if %p {{
      {USE}
      memref.dealloc %a : {BUF}
    }} else {{
      memref.dealloc %a : {BUF}
    }}""")


def test_use_after_a_dealloc_in_both_branches_is_use_after_free():
    _rejects(f"""    %a = memref.alloc() : {BUF}
    %p = arith.cmpi slt, %c0, %c1 : index
    scf.if %p {{
      memref.dealloc %a : {BUF}
    }} else {{
      memref.dealloc %a : {BUF}
    }}
    {USE}""", Reason.UNSAFE_MEMORY, "used after its deallocation")


def test_dealloc_inside_a_loop_of_an_alloc_outside_it_is_refused():
    for loop in ("scf.for %i = %c0 to %c8 step %c1", "affine.for %i = 0 to 8"):
        _rejects(f"""    %a = memref.alloc() : {BUF}
    {loop} {{
      {USE}
      memref.dealloc %a : {BUF}
    }}""", Reason.UNSAFE_MEMORY, "inside a loop")


def test_alloc_and_dealloc_inside_a_loop_body_is_proved():
    _accepts(f"""    scf.for %i = %c0 to %c8 step %c1 {{
      %a = memref.alloc() : {BUF}
      {USE}
      memref.dealloc %a : {BUF}
    }}""")


def test_alloc_in_a_loop_body_without_dealloc_leaks():
    _rejects(f"""    scf.for %i = %c0 to %c8 step %c1 {{
      %a = memref.alloc() : {BUF}
      {USE}
    }}""", Reason.UNSAFE_MEMORY, "leak")


def test_double_free_and_use_after_free_in_straight_line():
    _rejects(f"    %a = memref.alloc() : {BUF}\n    memref.dealloc %a : {BUF}\n    memref.dealloc %a : {BUF}",
             Reason.UNSAFE_MEMORY, "double free")
    _rejects(f"    %a = memref.alloc() : {BUF}\n    memref.dealloc %a : {BUF}\n    {USE}",
             Reason.UNSAFE_MEMORY, "used after")


def test_use_of_a_view_inside_a_loop_after_free_is_use_after_free():
    _rejects(f"""    %a = memref.alloc() : {BUF}
    %v = memref.subview %a[0] [4] [1] : {BUF} to memref<4xf32, strided<[1]>>
    memref.dealloc %a : {BUF}
    scf.for %i = %c0 to %c1 step %c1 {{
      memref.store %f, %v[%i] : memref<4xf32, strided<[1]>>
    }}""", Reason.UNSAFE_MEMORY, "used after")


def test_loop_carried_buffer_freed_through_the_loop_result_is_proved():
    # what bufferization makes of a tensor iter_arg: the buffer passed on unchanged, freed after the loop
    _accepts(f"""    %a = memref.alloc() : {BUF}
    %r = scf.for %i = %c0 to %c8 step %c1 iter_args(%b = %a) -> ({BUF}) {{
      memref.store %f, %b[%i] : {BUF}
      scf.yield %b : {BUF}
    }}
    memref.copy %r, %out : {BUF} to {BUF}
    memref.dealloc %r : {BUF}""")


def test_dealloc_of_a_value_that_may_be_another_buffer_is_not_proved():
    _rejects(f"""    %a = memref.alloc() : {BUF}
    %b = memref.alloc() : {BUF}
    %p = arith.cmpi slt, %c0, %c1 : index
    %r = scf.if %p -> ({BUF}) {{
      scf.yield %a : {BUF}
    }} else {{
      scf.yield %b : {BUF}
    }}
    memref.dealloc %r : {BUF}""", Reason.UNSAFE_MEMORY, "some paths only")


def test_ownership_handed_out_through_yield_and_return_is_explicit():
    helper = f"""  func.func private @make() -> {BUF} {{
    %a = memref.alloc() : {BUF}
    return %a : {BUF}
  }}"""
    _accepts(f"    %m = call @make() : () -> {BUF}\n    memref.dealloc %m : {BUF}", helper)
    module = ir.Module.parse(f"module {{\n{helper}\n}}", ir.Context())
    fn = module.body.operations[0].operation
    alloc = next(op for op in static._walk(fn) if op.name == "memref.alloc")
    found = ownership.follow(alloc, static._alias_closure(fn, [alloc.result]), fn)
    assert found.path is ownership.Path.MOVED and found.at.name == "func.return"
    # handed out after being freed: use after free
    _rejects("", Reason.UNSAFE_MEMORY, "used after", helper.replace("    return", f"    memref.dealloc %a : {BUF}\n    return"))


def test_unstructured_control_flow_is_not_proved():
    text = f"""module {{
  func.func @k({SIG}) {{
    %c0 = arith.constant 0 : index
    %f = arith.constant 1.0 : f32
    %p = arith.constant true
    %a = memref.alloc() : {BUF}
    cf.cond_br %p, ^free, ^done
  ^free:
    memref.dealloc %a : {BUF}
    cf.br ^done
  ^done:
    return
  }}
}}"""
    with pytest.raises(Rejected) as e:
        static.check_memory(ir.Module.parse(text, ir.Context()), None, LIMIT)
    assert e.value.reason is Reason.UNSAFE_MEMORY and "unstructured control flow" in e.value.detail


def test_dealloc_inside_an_op_with_unknown_control_flow_is_not_proved():
    # a linalg body runs once per element: freeing there is not followed
    _rejects(f"""    %a = memref.alloc() : {BUF}
    linalg.generic {{indexing_maps = [affine_map<(i) -> (i)>], iterator_types = ["parallel"]}} outs(%out : {BUF}) {{
    ^bb0(%o: f32):
      memref.dealloc %a : {BUF}
      linalg.yield %o : f32
    }}""", Reason.UNSAFE_MEMORY, "control flow is unknown")
    # an op that runs its single-block body once is followed
    _accepts(f"""    %a = memref.alloc() : {BUF}
    memref.alloca_scope {{
      memref.dealloc %a : {BUF}
    }}""")


def test_dealloc_of_stack_memory_is_refused():
    _rejects(f"    %a = memref.alloca() : {BUF}\n    memref.dealloc %a : {BUF}", Reason.UNSAFE_MEMORY, "stack")


# ---- constant sizes ----------------------------------------------------------------------------------

HUGE = "    %n = arith.constant 25000000000 : index\n"


def test_constant_dynamic_size_over_the_limit_is_refused_even_if_never_read():
    _rejects(HUGE + "    %a = memref.alloc(%n) : memref<?xf32>\n    memref.dealloc %a : memref<?xf32>",
             Reason.MEMORY_LIMIT, "93.1 GiB exceeds")


@pytest.mark.parametrize("size", [
    "%n = arith.muli %c8, %k : index",                                   # arith
    "%n = affine.apply affine_map<(d)[s] -> (d * s)>(%k)[%c8]",          # affine.apply
    "%i = arith.index_cast %k : index to i64\n    %j = arith.muli %i, %i : i64\n"
    "    %n = arith.index_cast %j : i64 to index",                         # casts
    "%d = memref.dim %x, %c0 : memref<8xf32>\n    %n = arith.muli %d, %k : index",  # dim of a static shape
])
def test_sizes_folded_by_mlir_over_the_limit_are_refused(size):
    body = f"    %k = arith.constant 1000000000 : index\n    {size}\n" \
           "    %a = memref.alloc(%n) : memref<?xf32>\n    memref.dealloc %a : memref<?xf32>"
    _rejects(body, Reason.MEMORY_LIMIT, "exceeds")


def test_constant_size_through_a_private_helper_argument_is_refused():
    helper = """  func.func private @scratch(%n: index) {
    %a = memref.alloc(%n) : memref<?xf32>
    memref.dealloc %a : memref<?xf32>
    return
  }"""
    _rejects(HUGE + "    call @scratch(%n) : (index) -> ()", Reason.MEMORY_LIMIT, "exceeds", helper)


def test_dynamic_size_from_data_is_left_to_run_time_and_small_constants_pass():
    _accepts("""    %v = memref.load %x[%c0] : memref<8xf32>
    %i = arith.fptosi %v : f32 to i64
    %n = arith.index_cast %i : i64 to index
    %a = memref.alloc(%n) : memref<?xf32>
    memref.dealloc %a : memref<?xf32>
    %b = memref.alloc(%c8) : memref<?x1024xf64>
    memref.dealloc %b : memref<?x1024xf64>""")


def test_negative_constant_size_is_refused():
    _rejects("    %m = arith.constant -1 : index\n    %a = memref.alloc(%m) : memref<?xf32>\n"
             "    memref.dealloc %a : memref<?xf32>", Reason.MEMORY_LIMIT, "negative")


def test_llvm_alloca_and_globals_of_constant_size_over_the_limit_are_refused():
    _rejects("    %n = llvm.mlir.constant(1000000000 : i64) : i64\n"
             "    %p = llvm.alloca %n x !llvm.array<4 x f32> : (i64) -> !llvm.ptr", Reason.MEMORY_LIMIT, "llvm.alloca")
    _rejects("", Reason.MEMORY_LIMIT, "memref.global",
             '  memref.global "private" @g : memref<25000000000xf32> = uninitialized')


def test_type_bytes_counts_vectors_and_llvm_aggregates():
    ctx = ir.Context()
    assert sizes.type_bytes(ir.Type.parse("vector<4x8xf32>", ctx)) == 128
    assert sizes.type_bytes(ir.Type.parse("!llvm.array<3 x array<4 x i16>>", ctx)) == 24
    assert sizes.type_bytes(ir.Type.parse("!llvm.struct<(f64, ptr, array<2 x i32>)>", ctx)) == 24
    assert sizes.type_bytes(ir.Type.parse("index", ctx)) == 8


def test_a_buffer_a_helper_may_return_is_followed_through_the_call():
    helper = f"""  func.func private @same(%b: {BUF}) -> {BUF} {{
    return %b : {BUF}
  }}"""
    _rejects(f"    %a = memref.alloc() : {BUF}\n    %r = call @same(%a) : ({BUF}) -> {BUF}\n"
             f"    memref.dealloc %r : {BUF}\n    memref.dealloc %a : {BUF}", Reason.UNSAFE_MEMORY, "on every path", helper)
    # passed to a helper as scratch, freed by the caller: proved
    _accepts(f"    %a = memref.alloc() : {BUF}\n    %r = call @same(%a) : ({BUF}) -> {BUF}\n"
             f"    memref.dealloc %a : {BUF}", helper)


def test_two_buffers_carried_by_one_loop_are_told_apart():
    # the loop's results may alias either buffer for the coarse alias closure; origin tells them apart
    _accepts(f"""    %a = memref.alloc() : {BUF}
    %b = memref.alloc() : {BUF}
    %r:2 = scf.for %i = %c0 to %c8 step %c1 iter_args(%p = %a, %q = %b) -> ({BUF}, {BUF}) {{
      memref.store %f, %p[%i] : {BUF}
      memref.copy %p, %q : {BUF} to {BUF}
      scf.yield %p, %q : {BUF}, {BUF}
    }}
    memref.copy %r#1, %out : {BUF} to {BUF}
    memref.dealloc %r#0 : {BUF}
    memref.dealloc %r#1 : {BUF}""")
    # swapping them each trip: which one a result is depends on the trip count
    _rejects(f"""    %a = memref.alloc() : {BUF}
    %b = memref.alloc() : {BUF}
    %r:2 = scf.for %i = %c0 to %c8 step %c1 iter_args(%p = %a, %q = %b) -> ({BUF}, {BUF}) {{
      scf.yield %q, %p : {BUF}, {BUF}
    }}
    memref.dealloc %r#0 : {BUF}
    memref.dealloc %r#1 : {BUF}""", Reason.UNSAFE_MEMORY, "some paths only")


# ownership handed out (scf.yield, func.return): the receiver is held to the same rules in its own block
_YIELDED = """
    %cond = arith.cmpf one, %f, %f : f32
    %r = scf.if %cond -> (memref<8xf32>) {
      %a = memref.alloc() : memref<8xf32>
      scf.yield %a : memref<8xf32>
    } else {
      %b = memref.alloc() : memref<8xf32>
      scf.yield %b : memref<8xf32>
    }
    memref.store %f, %r[%c0] : memref<8xf32>
"""


def test_an_allocation_yielded_out_of_a_branch_is_followed_into_its_receiver():
    _accepts(_YIELDED + "    memref.dealloc %r : memref<8xf32>")
    _rejects(_YIELDED, Reason.UNSAFE_MEMORY, "handed out to the result of scf.if")
    _rejects(_YIELDED + "    scf.if %cond {\n      memref.dealloc %r : memref<8xf32>\n    }",
             Reason.UNSAFE_MEMORY, "some branches only")
    _rejects(_YIELDED + "    memref.dealloc %r : memref<8xf32>\n    memref.dealloc %r : memref<8xf32>",
             Reason.UNSAFE_MEMORY, "double free")


_HELPER = """
  func.func private @scratch() -> memref<8xf32> {
    %t = memref.alloc() : memref<8xf32>
    return %t : memref<8xf32>
  }"""


def test_an_allocation_returned_by_a_helper_is_followed_into_every_call():
    call = "    %t = func.call @scratch() : () -> memref<8xf32>\n"
    _accepts(call + "    memref.dealloc %t : memref<8xf32>", _HELPER)
    _rejects(call + "    memref.store %f, %t[%c0] : memref<8xf32>", Reason.UNSAFE_MEMORY, "leak", _HELPER)
    _rejects(call + "    %u = func.call @scratch() : () -> memref<8xf32>\n    memref.dealloc %t : memref<8xf32>",
             Reason.UNSAFE_MEMORY, "handed out to the result of func.call", _HELPER)


def test_a_hand_off_the_walk_cannot_follow_is_not_proved():
    body = """
    %r = scf.while (%i = %c0) : (index) -> memref<8xf32> {
      %a = memref.alloc() : memref<8xf32>
      %go = arith.cmpi slt, %i, %c1 : index
      scf.condition(%go) %a : memref<8xf32>
    } do {
    ^bb0(%m: memref<8xf32>):
      memref.dealloc %m : memref<8xf32>
      scf.yield %c1 : index
    }
    memref.dealloc %r : memref<8xf32>"""
    r = _verdict(body)
    assert r is not None and r.reason is Reason.UNSAFE_MEMORY


@pytest.mark.parametrize("op", [
    "%p = llvm.alloca %n x f32 : (i64) -> !llvm.ptr",
    "%p = llvm.mlir.addressof @g : !llvm.ptr",
    "%p = llvm.inttoptr %n : i64 to !llvm.ptr",
    "%p = llvm.mlir.zero : !llvm.ptr",
])
def test_a_candidate_may_not_make_raw_llvm_pointers(op):
    extra = "  llvm.mlir.global internal @g(0 : i64) : i64"
    module = _module(f"    %n = llvm.mlir.constant(4 : i64) : i64\n    {op}", extra)
    with pytest.raises(Rejected) as e:
        static.check_raw_pointers(module)
    assert e.value.reason is Reason.UNSAFE_MEMORY and "raw LLVM pointer" in e.value.detail
    static.check_raw_pointers(_module("    %n = llvm.mlir.constant(4 : i64) : i64\n"
                                      "    %m = llvm.add %n, %n : i64", extra))  # values are fine


def test_a_size_read_from_a_constant_table_is_a_constant():
    table = '  memref.global "private" constant @t : memref<2xindex> = dense<[8, 30000000000]>'
    read = "    %g = memref.get_global @t : memref<2xindex>\n    %n = memref.load %g[%IDX] : memref<2xindex>\n" \
           "    %b = memref.alloc(%n) : memref<?xf32>\n    memref.dealloc %b : memref<?xf32>"
    _rejects(read.replace("%IDX", "%c1"), Reason.MEMORY_LIMIT, "GiB", table)
    _accepts(read.replace("%IDX", "%c0"), table)  # 8 floats
    mutable = table.replace(" constant @t", " @t")  # a mutable global's contents are not known statically
    _accepts(read.replace("%IDX", "%c1"), mutable)


def _writes(body: str) -> Rejected | None:
    from neurojit.compiler.kernel import signature_of

    text = (f"module {{\n  func.func @k({SIG}) {{\n    %c0 = arith.constant 0 : index\n"
            f"    %f = arith.constant 1.0 : f32\n{body}\n    return\n  }}\n}}")
    with ir.Context():
        module = ir.Module.parse(text)
        try:
            static.check_writes(module, signature_of(module, "k", text))
        except Rejected as r:
            return r
    return None


@pytest.mark.parametrize("body", [
    "    affine.store %f, %x[0] : memref<8xf32>",
    "    %v = vector.type_cast %x : memref<8xf32> to memref<vector<8xf32>>\n"
    "    %s = arith.constant dense<1.0> : vector<8xf32>\n    memref.store %s, %v[] : memref<vector<8xf32>>",
    "    %r = affine.for %i = 0 to 8 iter_args(%m = %x) -> (memref<8xf32>) {\n"
    "      affine.store %f, %m[%i] : memref<8xf32>\n      affine.yield %m : memref<8xf32>\n    }",
])
def test_every_op_that_takes_an_input_may_write_it_unless_it_only_reads(body):
    r = _writes(body)
    assert r is not None and r.reason is Reason.WRITES_INPUT, r and r.detail


def test_readers_and_views_of_an_input_are_not_writes():
    assert _writes("    %a = affine.load %x[0] : memref<8xf32>\n"
                   "    %v = vector.type_cast %x : memref<8xf32> to memref<vector<8xf32>>\n"
                   "    %w = memref.load %v[] : memref<vector<8xf32>>\n"
                   "    linalg.transpose ins(%x : memref<8xf32>) outs(%out : memref<8xf32>) permutation = [0]\n"
                   "    affine.store %a, %out[0] : memref<8xf32>") is None


NESTED = """module {
  func.func private @scribble(%a: memref<8xf32>) {
    %c0 = arith.constant 0 : index
    %z = arith.constant 0.0 : f32
    memref.store %z, %a[%c0] : memref<8xf32>
    return
  }
  func.func private @relay(%a: memref<8xf32>) {
    func.call @scribble(%a) : (memref<8xf32>) -> ()
    return
  }
  func.func @k(%x: memref<8xf32>, %out: memref<8xf32>) {
    memref.copy %x, %out : memref<8xf32> to memref<8xf32>
    func.call @relay(%x) : (memref<8xf32>) -> ()
    return
  }
}
"""


def test_a_users_kernel_writing_an_input_through_helpers_is_named(tmp_path):
    """The user's kernel hands an input to a helper that hands it on to one that writes it: a usage error
    naming the argument, the op and the function it is in (the candidates' check follows calls the same way,
    adversarial case 197)."""
    from neurojit.compiler.errors import KernelError
    from neurojit.compiler.kernel import load_kernel
    from neurojit.compiler.source import read_source

    path = tmp_path / "k.mlir"
    path.write_text(NESTED)
    with pytest.raises(KernelError) as e:
        static.kernel_writes_inputs(load_kernel(read_source(str(path))))
    assert "line 5:5: @k writes its argument %x (memref.store in @scribble)" in str(e.value)
    path.write_text(NESTED.replace("%x: memref<8xf32>, %out: memref<8xf32>)",
                                   "%x: memref<8xf32> {neurojit.output}, %out: memref<8xf32> {neurojit.output})"))
    static.kernel_writes_inputs(load_kernel(read_source(str(path))))  # marked an output: fine


def test_stack_allocations_past_the_stack_limit_are_refused_and_below_it_accepted():
    # a kernel runs on its caller's thread, whose stack may be small; a deep alloca is also where a candidate
    # kept a cache of results between calls (the third red team: 2.3 MiB, timed at 78-154x on repeated inputs)
    _accepts("    %a = memref.alloca() : memref<32768xf32>\n"  # 128 KiB
             "    %b = memref.alloca() : memref<16384xf32>")  # + 64 KiB
    _rejects("    %a = memref.alloca() : memref<32768xf32>\n"
             "    %b = memref.alloca() : memref<32768xf32>\n"  # 256 KiB
             "    %c = memref.alloca() : memref<4xf32>", Reason.MEMORY_LIMIT, "stack allocations (allocas) take 256 KiB")
    _rejects("    %n = llvm.mlir.constant(300000 : i64) : i64\n"
             "    %p = llvm.alloca %n x i8 : (i64) -> !llvm.ptr", Reason.MEMORY_LIMIT, "stack allocations")
    _accepts("    %a = memref.alloc() : memref<1048576xf32>\n    memref.dealloc %a : memref<1048576xf32>")  # heap: 4 MiB


def test_an_alloca_in_a_loop_counts_once_per_iteration_up_to_its_scope():
    """Every iteration of a loop takes an alloca inside it again, until the function returns (LLVM places it where
    it is): 4 KiB in a 256-iteration loop is 1 MiB of stack, which a caller's 512 KiB thread stack could not hold
    (the twelfth red team of 2026-12-05: counted once, 4 KiB, and accepted). Its memref.alloca_scope hands it back
    after each iteration."""
    tmp = "memref<1024xf32>"  # 4 KiB
    loop = "    %c256 = arith.constant 256 : index\n    scf.for %i = %c0 to %c256 step %c1 {{\n{}\n    }}"
    _rejects(loop.format(f"      %t = memref.alloca() : {tmp}"), Reason.MEMORY_LIMIT, "1024 KiB")
    _rejects(loop.format(f"      %t = memref.alloca() : {tmp}"), Reason.MEMORY_LIMIT, "256 live at once")
    _accepts(loop.format(f"      memref.alloca_scope {{\n        %t = memref.alloca() : {tmp}\n      }}"))
    _accepts(loop.replace("256", "32").format(f"      %t = memref.alloca() : {tmp}"))  # 128 KiB: under the limit
    # nested loops multiply, affine loops too (lower-affine and sccp fold their bounds), and a parallel loop's
    # dimensions; a scope between the alloca and the inner loop ends the count there
    _rejects("    affine.for %i = 0 to 16 {\n      affine.for %j = 0 to 8 {\n"
             f"        %t = memref.alloca() : {tmp}\n      }}\n    }}", Reason.MEMORY_LIMIT, "128 live at once")
    _rejects("    %c16 = arith.constant 16 : index\n    scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c8) step (%c1, %c1) "
             f"{{\n      %t = memref.alloca() : {tmp}\n      scf.reduce\n    }}", Reason.MEMORY_LIMIT, "128 live at once")
    _rejects(f"    scf.forall (%i, %j) in (16, 8) {{\n      %t = memref.alloca() : {tmp}\n    }}",
             Reason.MEMORY_LIMIT, "128 live at once")
    _accepts("    affine.for %i = 0 to 16 {\n      memref.alloca_scope {\n        affine.for %j = 0 to 8 {\n"
             "          %t = memref.alloca() : memref<256xf32>\n        }\n      }\n    }")  # 8 KiB at a time
    # an scf.if runs its region once
    _accepts(f"    %p = arith.cmpf olt, %f, %f : f32\n    scf.if %p {{\n      %t = memref.alloca() : {tmp}\n    }}")


def test_an_alloca_with_no_bound_on_its_stack_use_is_refused():
    """A size that is not a constant, or a loop whose trip count is not (a bound read from the data, a while loop,
    a cycle of blocks): the stack it takes has no bound before the kernel runs, and no allocator sees it (the
    twelfth red team: 1 MiB from a size an scf.for computed, accepted)."""
    _rejects("    %v = memref.load %x[%c0] : memref<8xf32>\n    %i = arith.fptosi %v : f32 to i32\n"
             "    %n = arith.index_cast %i : i32 to index\n    %t = memref.alloca(%n) : memref<?xf32>",
             Reason.MEMORY_LIMIT, "not a constant")
    _accepts("    %n = arith.muli %c8, %c8 : index\n    %t = memref.alloca(%n) : memref<?xf32>")  # folds: 256 bytes
    small = "      %t = memref.alloca() : memref<4xf32>"
    _rejects("    %v = memref.load %x[%c0] : memref<8xf32>\n    %i = arith.fptosi %v : f32 to i32\n"
             f"    %n = arith.index_cast %i : i32 to index\n    scf.for %j = %c0 to %n step %c1 {{\n{small}\n    }}",
             Reason.MEMORY_LIMIT, "trip count is not a constant")
    _rejects(f"    scf.while : () -> () {{\n      %p = arith.cmpf olt, %f, %f : f32\n      scf.condition(%p)\n    }} do {{\n"
             f"{small}\n      scf.yield\n    }}", Reason.MEMORY_LIMIT, "trip count is not a constant")
    _rejects(f"    cf.br ^loop\n  ^loop:\n{small}\n    %p = arith.cmpf olt, %f, %f : f32\n    cf.cond_br %p, ^loop, ^done\n"
             "  ^done:", Reason.MEMORY_LIMIT, "trip count is not a constant")
