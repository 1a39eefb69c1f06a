"""An output stays noalias inside the functions MLIR outlines for parallel tasks (compiler/noalias.py)."""

import re

import numpy as np
from mlir import ir

from support.paths import KERNELS

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules import for_kernel
from neurojit.compiler import compile_kernel, host, noalias

CALLS = """
module {
  llvm.func @k(%a: !llvm.ptr, %o: !llvm.ptr {llvm.noalias}, %n: i64) {
    %d0 = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64)>
    %d1 = llvm.insertvalue %o, %d0[0] : !llvm.struct<(ptr, ptr, i64)>
    %d2 = llvm.insertvalue %o, %d1[1] : !llvm.struct<(ptr, ptr, i64)>
    %al = llvm.extractvalue %d2[0] : !llvm.struct<(ptr, ptr, i64)>
    %ptr = llvm.extractvalue %d2[1] : !llvm.struct<(ptr, ptr, i64)>
    %g = llvm.getelementptr %ptr[%n] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    llvm.call @task(%a, %al, %g) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    llvm.call @twice(%a, %o, %g) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    %one = llvm.mlir.constant(1 : i64) : i64
    %s = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
    llvm.call @unknown(%s, %o) : (!llvm.ptr, !llvm.ptr) -> ()
    llvm.call @taken(%a, %o) : (!llvm.ptr, !llvm.ptr) -> ()
    %f = llvm.mlir.addressof @taken : !llvm.ptr
    llvm.call @coro(%a, %o) : (!llvm.ptr, !llvm.ptr) -> ()
    %size = llvm.mlir.constant(4160 : i64) : i64
    %m = llvm.call @malloc(%size) : (i64) -> !llvm.ptr
    %mi = llvm.ptrtoint %m : !llvm.ptr to i64
    %c63 = llvm.mlir.constant(63 : i64) : i64
    %c64 = llvm.mlir.constant(64 : i64) : i64
    %up = llvm.add %mi, %c63 : i64
    %rem = llvm.urem %up, %c64 : i64
    %al64 = llvm.sub %up, %rem : i64
    %buf = llvm.inttoptr %al64 : i64 to !llvm.ptr
    llvm.call @packed(%a, %buf, %o) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    llvm.call @remade(%a, %o) : (!llvm.ptr, !llvm.ptr) -> ()
    llvm.return
  }
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @packed(%x: !llvm.ptr, %b: !llvm.ptr, %y: !llvm.ptr) {
    %v = llvm.load %x : !llvm.ptr -> f32
    llvm.store %v, %b : f32, !llvm.ptr
    %w = llvm.load %b : !llvm.ptr -> f32
    llvm.store %w, %y : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @remade(%x: !llvm.ptr, %y: !llvm.ptr) {
    %i = llvm.ptrtoint %x : !llvm.ptr to i64
    %p = llvm.inttoptr %i : i64 to !llvm.ptr
    %v = llvm.load %p : !llvm.ptr -> f32
    llvm.store %v, %y : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @task(%x: !llvm.ptr, %alloc: !llvm.ptr, %y: !llvm.ptr) {
    %v = llvm.load %x : !llvm.ptr -> f32
    llvm.store %v, %y : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @twice(%x: !llvm.ptr, %y: !llvm.ptr, %z: !llvm.ptr) {
    %v = llvm.load %y : !llvm.ptr -> f32
    llvm.store %v, %z : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @unknown(%x: !llvm.ptr, %y: !llvm.ptr) {
    %v = llvm.load %x : !llvm.ptr -> f32
    llvm.store %v, %y : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @taken(%x: !llvm.ptr, %y: !llvm.ptr) {
    %v = llvm.load %x : !llvm.ptr -> f32
    llvm.store %v, %y : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @coro(%x: !llvm.ptr, %y: !llvm.ptr) attributes {passthrough = ["presplitcoroutine"]} {
    %v = llvm.load %x : !llvm.ptr -> f32
    llvm.store %v, %y : f32, !llvm.ptr
    llvm.return
  }
}
"""


def marked(module, name):
    fn = next(op.operation for op in module.body.operations
              if ir.StringAttr(op.operation.attributes["sym_name"]).value == name)
    if "arg_attrs" not in fn.attributes:
        return []
    return [i for i, a in enumerate(ir.ArrayAttr(fn.attributes["arg_attrs"])) if "llvm.noalias" in ir.DictAttr(a)]


def test_a_parameter_that_can_only_be_one_output_is_marked():
    with ir.Context() as ctx, ir.Location.unknown():
        ctx.allow_unregistered_dialects = False
        module = ir.Module.parse(CALLS)
        noalias.propagate(module, "k")
        # through the descriptor and a GEP; the descriptor's allocated pointer is the output too, but unused
        assert marked(module, "task") == [2]
        assert marked(module, "twice") == []  # the output twice: its two parameters alias
        assert marked(module, "unknown") == []  # beside a pointer of unknown origin
        assert marked(module, "taken") == []  # its address is taken: not every call site is known
        assert marked(module, "coro") == []  # a coroutine's frame outlives the call
        assert marked(module, "packed") == [2]  # beside a buffer the kernel allocated (aligned by arithmetic)
        assert marked(module, "remade") == []  # a pointer made from an integer may be anything
        assert marked(module, "k") == [1]  # (the source, as it was)


def test_a_split_loops_task_gets_the_output_noalias_and_the_answer():
    # a column sum split over 2 tasks: the task's loops store to the output while loading the input, which LLVM
    # vectorises only where it knows the two apart
    text = (KERNELS / "col_sum.mlir").read_text()
    info, h = analyze(text), host()
    split = next(s for s in for_kernel(info, h) if s.name == "naive_split")
    k = compile_kernel(text, split.text(info, h), {**split.defaults(info, h), "threads": 2})
    assert k.threads == 2
    define = next(line for line in k.llvm_ir.splitlines() if line.startswith("define void @parallel_compute_fn("))
    params = re.findall(r"ptr ([^%]*)%\d+", define)
    assert ["noalias" in p for p in params] == [False, True]
    x = np.random.default_rng(0).standard_normal((4096, 512)).astype(np.float32)
    out = np.full(512, np.nan, np.float32)
    k(x, out)
    np.testing.assert_allclose(out, x.sum(axis=0, dtype=np.float64), rtol=1e-4, atol=1e-3)
