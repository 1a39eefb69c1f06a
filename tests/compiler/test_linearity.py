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
