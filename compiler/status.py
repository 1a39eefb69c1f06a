"""Assertions as a status: a failing assertion never aborts the process.

`cf.assert` (written by the user, or lowered from `tensorlang.assert`) would abort the whole process when
it fails. At load time each one of the public function is replaced by an update of a status output
argument, `%status: memref<1xi64> {neurojit.output, neurojit.status = [{message, location}, ...]}`:
the kernel stores 0 on entry, and assertion i stores i + 1 when it fails and no earlier one has
(branch-free: load, compare, select, store). The kernel runs to its end; the runtime reads the status after
the call (`jit.py`) and raises `AssertionFailed` with the assertion's message and location.

Being an output, the status is compared like any other by the evaluator (a candidate must fail the same
assertion on the same inputs) and needs no runtime support, in the JIT or the exported library. The
asserts that runtime verification inserts in the evaluator's checked build are added during lowering,
after this rewrite, and keep aborting.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, memref

from .kernel import OUTPUT_ATTR, STATUS_ATTR, location_of, the_public_function, walk


def lower_asserts(module: ir.Module, origin: str, names: list[str]) -> list[str]:
    """Replace the public function's `cf.assert`s by status updates (in place); the argument names, with
    `status` added when there were assertions."""
    func = the_public_function(module, origin)  # (helpers, and their assertions, are inlined: to_convention)
    asserts = [op for op in walk(func) if op.name == "cf.assert"]
    if not asserts:
        return names
    i64 = ir.IntegerType.get_signless(64)
    block = func.regions[0].blocks[0]
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    n = len(ftype.inputs)
    attrs = ([ir.DictAttr(a) for a in ir.ArrayAttr(func.attributes["arg_attrs"])] if "arg_attrs" in func.attributes
             else [ir.DictAttr.get({}) for _ in range(n)])
    dicts = [{x.name: x.attr for x in d} for d in attrs]
    if dicts and not any(OUTPUT_ATTR in d for d in dicts):
        dicts[-1][OUTPUT_ATTR] = ir.UnitAttr.get()  # the convention's default output, made explicit
    table = []
    for op in asserts:
        message = ir.StringAttr(op.attributes["msg"]).value if "msg" in op.attributes else ""
        where = location_of(op.location, origin) or f"{origin}: unknown location"
        table.append(ir.DictAttr.get({"message": ir.StringAttr.get(message), "location": ir.StringAttr.get(where)}))
    dicts.append({OUTPUT_ATTR: ir.UnitAttr.get(), STATUS_ATTR: ir.ArrayAttr.get(table)})
    status = block.add_argument(ir.MemRefType.get([1], i64), func.location)
    func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get([*ftype.inputs, status.type], []))
    func.attributes["arg_attrs"] = ir.ArrayAttr.get([ir.DictAttr.get(d) for d in dicts])

    first = block.operations[0]
    with ir.InsertionPoint(first), func.location:
        zero = arith.constant(ir.IndexType.get(), 0)
        memref.store(arith.constant(i64, 0), status, [zero])
    for site, op in enumerate(asserts, start=1):
        with ir.InsertionPoint(op), op.location:
            idx = arith.constant(ir.IndexType.get(), 0)
            current = memref.load(status, [idx])
            clear = arith.cmpi(arith.CmpIPredicate.eq, current, arith.constant(i64, 0))
            failed = arith.xori(op.operands[0], arith.constant(ir.IntegerType.get_signless(1), 1))
            new = arith.select(arith.andi(failed, clear), arith.constant(i64, site), current)
            memref.store(new, status, [idx])
        op.erase()
    taken = set(names)
    name = "status"
    while name in taken:
        name += "_"
    return [*names, name]
