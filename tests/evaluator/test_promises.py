"""Value promises to the optimiser (evaluator/promises.py): the flags that make a value poison, not the ones
that only change rounding."""

from mlir import ir

from neurojit.evaluator.promises import value_promises


def _promises(body: str) -> list[str]:
    text = f"func.func @k(%a: f32, %b: f32, %i: i32, %j: i32) {{\n{body}\n  return\n}}"
    with ir.Context():
        return value_promises(ir.Module.parse(text))


def test_flags_that_assume_something_of_the_values_are_promises():
    assert _promises("  %x = arith.addf %a, %b fastmath<nnan> : f32") == ["arith.addf nnan"]
    assert _promises("  %x = arith.mulf %a, %b fastmath<fast> : f32") == ["arith.mulf fast"]
    assert _promises("  %x = arith.addi %i, %j overflow<nsw> : i32") == ["arith.addi nsw"]
    assert _promises("  %x = arith.shrui %i, %j exact : i32") == ["arith.shrui exact"]
    assert _promises("  %x = llvm.fadd %a, %b {fastmathFlags = #llvm.fastmath<ninf>} : f32") == ["llvm.fadd ninf"]


def test_rounding_only_flags_are_not():
    assert _promises("  %x = arith.addf %a, %b fastmath<reassoc,contract> : f32\n"
                     "  %y = arith.divf %a, %b fastmath<arcp,afn> : f32\n"
                     "  %z = arith.addi %i, %j : i32") == []
