"""VerifyLinearity: each rule of TensorLang's linear tensors, a positive and a negative case, the error naming
the value's line and column and each use's."""

import pytest
from mlir import ir

from neurojit.compiler import LinearityError, tensorlang
from neurojit.compiler.tensorlang import verify_linearity

V = "!tensorlang.tensor<f32, [4]>"
UN = f"({V}) -> {V}"
BIN = f"({V}, {V}) -> {V}"


def verify(text):
    with ir.Context() as ctx, ir.Location.unknown():
        verify_linearity(tensorlang.parse(text, "k.tl.mlir", ctx), "k.tl.mlir", text)


def col(text: str, line: int, needle: str) -> int:
    return text.splitlines()[line - 1].index(needle) + 1


def fails(text) -> str:
    with pytest.raises(LinearityError) as e:
        verify(text)
    return str(e.value)


def test_an_argument_used_once_is_linear():
    verify(f"""func.func @f(%a: {V}) -> {V} {{
  %e = "tensorlang.exp"(%a) : {UN}
  return %e : {V}
}}""")


def test_an_argument_never_used():
    text = f"""func.func @f(%a: {V}, %b: {V}) -> {V} {{
  return %a : {V}
}}"""
    where = f"k.tl.mlir:1:{col(text, 1, '%b')}"
    msg = fails(text)
    assert msg.startswith(f"{where}: ") and f"%b ({where}) is never used" in msg


def test_an_argument_used_twice_names_both_uses():
    msg = fails(f"""func.func @f(%a: {V}) -> {V} {{
  %e = "tensorlang.exp"(%a) : {UN}
  %s = "tensorlang.add"(%e, %a) : {BIN}
  return %s : {V}
}}""")
    assert "%a (k.tl.mlir:1:14) is used 2 times, at k.tl.mlir:2:8 and k.tl.mlir:3:8" in msg
    assert "tensorlang.copy" in msg


def test_one_op_using_a_value_twice_names_the_operands():
    msg = fails(f"""func.func @f(%a: {V}) -> {V} {{
  %s = "tensorlang.mul"(%a, %a) : {BIN}
  return %s : {V}
}}""")
    assert "at k.tl.mlir:2:8 (operand 0) and k.tl.mlir:2:8 (operand 1)" in msg


def test_a_result_never_used():
    msg = fails(f"""func.func @f(%a: {V}) -> {V} {{
  %e = "tensorlang.exp"(%a) : {UN}
  %dead = "tensorlang.constant"() {{value = dense<1.0> : tensor<4xf32>}} : () -> {V}
  return %e : {V}
}}""")
    assert msg.startswith("k.tl.mlir:3:11: ") and "%dead (k.tl.mlir:3:11) is never used" in msg


def test_returning_a_value_twice_is_two_uses():
    msg = fails(f"""func.func @f(%a: {V}) -> ({V}, {V}) {{
  return %a, %a : {V}, {V}
}}""")
    assert "%a (k.tl.mlir:1:14) is used 2 times" in msg


def test_copy_gives_a_second_use():
    verify(f"""func.func @f(%a: {V}) -> {V} {{
  %p, %q = "tensorlang.copy"(%a) : ({V}) -> ({V}, {V})
  %s = "tensorlang.add"(%p, %q) : {BIN}
  return %s : {V}
}}""")


def test_each_result_of_copy_is_linear_too():
    msg = fails(f"""func.func @f(%a: {V}) -> {V} {{
  %p, %q = "tensorlang.copy"(%a) : ({V}) -> ({V}, {V})
  return %p : {V}
}}""")
    assert "%q (k.tl.mlir:2:12) is never used" in msg


LOOP = """func.func @f(%a: {V}) -> {V} {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %a) -> ({V}) {{
{body}
  }}
  return %r : {V}
}}"""


def test_values_of_the_loop_body_are_used_there():
    verify(LOOP.format(V=V, body=f"""    %e = "tensorlang.exp"(%acc) : {UN}
    %n = "tensorlang.neg"(%e) : {UN}
    scf.yield %n : {V}"""))


def test_a_value_from_outside_used_in_a_loop_body():
    text = f"""func.func @f(%a: {V}, %b: {V}) -> {V} {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %a) -> ({V}) {{
    %s = "tensorlang.add"(%acc, %b) : {BIN}
    scf.yield %s : {V}
  }}
  return %r : {V}
}}"""
    msg = fails(text)
    # used once as written, but consumed on every iteration
    b = f"k.tl.mlir:1:{col(text, 1, '%b')}"
    assert f"%b ({b}) is used at k.tl.mlir:6:10, inside the body of the scf.for at k.tl.mlir:5:8" in msg
    assert "is used 2 times" not in msg


def test_the_cli_refuses_a_nonlinear_kernel_with_its_location(tmp_path, cli):
    k = tmp_path / "twice.tl.mlir"
    k.write_text(f"""func.func @f(%a: {V}) -> {V} {{
  %s = "tensorlang.add"(%a, %a) : {BIN}
  return %s : {V}
}}""")
    p = cli("run", k)
    assert p.returncode == 2
    assert f"{k}:1:14: linear tensor misused: %a ({k}:1:14) is used 2 times" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


# Paths: within a block uses add up; the branches of an scf.if are alternatives (one runs), so each must use a
# value as often as the others, and the count is the one along a path, not over the function.
IF = """func.func @f(%a: {V}, %b: {V}) -> {V} {{
  %c = arith.constant true
  %r = scf.if %c -> ({V}) {{
{then}
  }} else {{
{other}
  }}
{after}
}}"""


def branches(then: str, other: str, after: str = "", *, v: str = V) -> str:
    return IF.format(V=v, then=then, other=other, after=after or f"  return %r : {v}")


def test_a_value_used_once_in_each_branch_is_used_once():
    verify(branches(f"""    %s = "tensorlang.add"(%a, %b) : {BIN}
    scf.yield %s : {V}""", f"""    %s = "tensorlang.sub"(%a, %b) : {BIN}
    scf.yield %s : {V}"""))


def test_a_value_used_in_one_branch_only_names_the_branches_and_what_to_do():
    text = branches(f"""    %s = "tensorlang.add"(%a, %b) : {BIN}
    scf.yield %s : {V}""", f"""    %n = "tensorlang.neg"(%b) : {UN}
    scf.yield %n : {V}""")
    msg = fails(text)
    a = f"k.tl.mlir:1:{col(text, 1, '%a')}"
    assert msg.startswith(f"{a}: ")
    assert (f"%a ({a}) is not used the same number of times on every path through the scf.if at k.tl.mlir:3:8: "
            f"used 1 time in the then branch (at k.tl.mlir:4:10) and 0 times in the else branch; consume it in "
            f"every branch (or once, before the scf.if)") in msg
    assert "is used 2 times" not in msg and "%b" not in msg  # %b is used once on each path


def test_an_if_without_else_does_not_consume_on_the_other_path():
    b = "!tensorlang.tensor<i1, [4]>"
    text = f"""func.func @f(%a: {V}, %ok: {b}) -> {V} {{
  %c = arith.constant true
  scf.if %c {{
    "tensorlang.assert"(%ok) {{message = "checked"}} : ({b}) -> ()
  }}
  return %a : {V}
}}"""
    msg = fails(text)
    ok = f"k.tl.mlir:1:{col(text, 1, '%ok')}"
    assert msg.startswith(f"{ok}: ")
    assert (f"%ok ({ok}) is not used the same number of times on every path through the scf.if at k.tl.mlir:3:3: "
            "used 1 time in the then branch (at k.tl.mlir:4:5) and 0 times in the else branch") in msg


def test_a_second_use_after_a_branch_is_two_uses_on_that_path():
    text = branches(f"""    %s = "tensorlang.add"(%a, %b) : {BIN}
    scf.yield %s : {V}""", f"""    %s = "tensorlang.sub"(%a, %b) : {BIN}
    scf.yield %s : {V}""", f"""  %t = "tensorlang.add"(%r, %a) : {BIN}
  return %t : {V}""")
    msg = fails(text)
    assert "is used 2 times, at k.tl.mlir:4:10 and k.tl.mlir:10:8" in msg
    assert "not used the same number of times" not in msg


def test_branches_that_disagree_on_two_uses_name_each_use():
    msg = fails(branches(f"""    %s = "tensorlang.add"(%a, %a) : {BIN}
    %n = "tensorlang.neg"(%b) : {UN}
    %t = "tensorlang.add"(%s, %n) : {BIN}
    scf.yield %t : {V}""", f"""    %s = "tensorlang.add"(%a, %b) : {BIN}
    scf.yield %s : {V}"""))
    assert "is used 2 times, at k.tl.mlir:4:10 (operand 0) and k.tl.mlir:4:10 (operand 1)" in msg
    assert "used 2 times in the then branch (at k.tl.mlir:4:10 and k.tl.mlir:4:10) and 1 time in the else" in msg
    assert "%b" not in msg  # once in each branch


def test_a_loop_carried_value_used_once_in_each_branch_of_its_body():
    body = f"""    %c = arith.constant true
    %x = scf.if %c -> ({V}) {{
      %e = "tensorlang.exp"(%acc) : {UN}
      scf.yield %e : {V}
    }} else {{
      %n = "tensorlang.neg"(%acc) : {UN}
      scf.yield %n : {V}
    }}
    scf.yield %x : {V}"""
    verify(LOOP.format(V=V, body=body))
    one_sided = body.replace(f'      %n = "tensorlang.neg"(%acc) : {UN}\n      scf.yield %n : {V}',
                             f'      %n = "tensorlang.constant"() {{value = dense<1.0> : tensor<4xf32>}} : () -> {V}\n'
                             f"      scf.yield %n : {V}")
    msg = fails(LOOP.format(V=V, body=one_sided))
    assert "%acc (k.tl.mlir:5:" in msg and "path through the scf.if at k.tl.mlir:7:10" in msg
    assert "inside the body" not in msg  # the loop's own iteration argument, consumed once per iteration


def test_a_value_from_outside_used_in_both_branches_inside_a_loop():
    text = f"""func.func @f(%a: {V}, %b: {V}) -> {V} {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %a) -> ({V}) {{
    %c = arith.constant true
    %x = scf.if %c -> ({V}) {{
      %s = "tensorlang.add"(%acc, %b) : {BIN}
      scf.yield %s : {V}
    }} else {{
      %s = "tensorlang.sub"(%acc, %b) : {BIN}
      scf.yield %s : {V}
    }}
    scf.yield %x : {V}
  }}
  return %r : {V}
}}"""
    msg = fails(text)
    b = f"k.tl.mlir:1:{col(text, 1, '%b')}"
    # once on every path through the body, but the body runs on every iteration
    assert f"%b ({b}) is used at k.tl.mlir:8:12, inside the body of the scf.for at k.tl.mlir:5:8" in msg
    assert "is used 2 times" not in msg and "same number of times" not in msg
