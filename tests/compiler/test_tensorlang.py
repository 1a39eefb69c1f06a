"""TensorLang (DESIGN §2 front doors): every op against numpy, the shape checks, symbolic dimensions.

Kernels here are our own, trusted text: they are converted and compiled in this process (the user's path,
through a child process, is covered by test_front_doors.py)."""

import numpy as np
import pytest

import neurojit
from neurojit.compiler import KernelError
from neurojit.compiler.frontend import convert
from neurojit.compiler.source import Source

RNG = np.random.default_rng(7)
DT = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64}


def T(elem, shape):
    return f"!tensorlang.tensor<{elem}, [{', '.join(map(str, shape))}]>"


def compile_tl(text, dims=None):
    src = convert(Source(text, "<test>"), dims, isolate=False)
    return neurojit.compile(src, isolate=False)


def one_op(op, ins, out, attrs=""):
    """A kernel applying `op` to its arguments: ins = [(elem, shape)], out = (elem, shape)."""
    params = ", ".join(f"%a{i}: {T(*t)}" for i, t in enumerate(ins))
    args = ", ".join(f"%a{i}" for i in range(len(ins)))
    types = ", ".join(T(*t) for t in ins)
    attrs = f" {{{attrs}}}" if attrs else ""
    return (f"func.func @k({params}) -> {T(*out)} {{\n"
            f"  %r = \"tensorlang.{op}\"({args}){attrs} : ({types}) -> {T(*out)}\n"
            f"  return %r : {T(*out)}\n}}\n")


def data(elem, shape, positive=False):
    if elem in ("i32", "i64"):
        return RNG.integers(1 if positive else -50, 50, size=shape).astype(DT[elem])
    x = RNG.standard_normal(shape).astype(DT[elem])
    return np.abs(x) + 0.1 if positive else x


def check(op, ins, out, ref, attrs="", positive=False, rtol=1e-5):
    k = compile_tl(one_op(op, ins, out, attrs))
    arrays = [data(e, s, positive) for e, s in ins]
    before = [a.copy() for a in arrays]
    got = k(*arrays)
    want = ref(*arrays)
    assert got.shape == tuple(out[1]) and got.dtype == DT[out[0]]
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6)
    for a, b in zip(arrays, before):
        assert np.array_equal(a, b), "an input was written"


@pytest.mark.parametrize("op, ref", [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                                     ("div", np.divide), ("max", np.maximum), ("min", np.minimum)])
@pytest.mark.parametrize("shapes", [([4, 3], [4, 3], [4, 3]), ([4, 3], [3], [4, 3]), ([4, 1], [1, 3], [4, 3]),
                                    ([], [2, 3], [2, 3])])
def test_binary_ops_broadcast_like_numpy(op, ref, shapes):
    a, b, out = shapes
    check(op, [("f32", a), ("f32", b)], ("f32", out), ref)


def test_binary_ops_on_integers_and_f64():
    check("add", [("i32", [5]), ("i32", [5])], ("i32", [5]), np.add)
    check("max", [("i64", [2, 5]), ("i64", [5])], ("i64", [2, 5]), np.maximum)
    check("mul", [("f64", [3, 2]), ("f64", [3, 1])], ("f64", [3, 2]), np.multiply)


def test_integer_division_truncates_and_never_traps():
    k = compile_tl(one_op("div", [("i32", [5]), ("i32", [5])], ("i32", [5])))
    a = np.array([7, -7, 5, -2147483648, 9], np.int32)
    b = np.array([2, 2, 0, -1, -3], np.int32)
    np.testing.assert_array_equal(k(a, b), [3, -3, 0, -2147483648, -3])  # C division; x / 0 = 0; MIN / -1 wraps


@pytest.mark.parametrize("op, ref", [("exp", np.exp), ("log", np.log), ("tanh", np.tanh), ("sqrt", np.sqrt),
                                     ("neg", np.negative)])
def test_unary_ops(op, ref):
    check(op, [("f32", [3, 5])], ("f32", [3, 5]), ref, positive=op in ("log", "sqrt"))


def test_neg_on_integers():
    check("neg", [("i64", [6])], ("i64", [6]), np.negative)


@pytest.mark.parametrize("op, ref", [("reduce_sum", np.sum), ("reduce_max", np.max), ("reduce_min", np.min),
                                     ("reduce_mean", np.mean)])
@pytest.mark.parametrize("axis, keep", [(0, False), (1, False), (-1, True), (2, True)])
def test_reductions(op, ref, axis, keep):
    shape = [3, 4, 5]
    out = [1 if (k == axis % 3 and keep) else d for k, d in enumerate(shape) if k != axis % 3 or keep]
    attrs = f"axis = {axis} : i64" + (", keepdims" if keep else "")
    check(op, [("f32", shape)], ("f32", out), lambda x: ref(x, axis=axis, keepdims=keep), attrs)


def test_reductions_on_integers_and_to_a_scalar():
    check("reduce_sum", [("i32", [4, 6])], ("i32", [4]), lambda x: x.sum(axis=1, dtype=np.int32), "axis = 1 : i64")
    check("reduce_max", [("i64", [7])], ("i64", []), lambda x: x.max(), "axis = 0 : i64")


def test_matmul_and_batch_matmul():
    check("matmul", [("f32", [5, 7]), ("f32", [7, 3])], ("f32", [5, 3]), np.matmul, rtol=1e-4)
    check("matmul", [("i32", [4, 6]), ("i32", [6, 2])], ("i32", [4, 2]), np.matmul)
    check("batch_matmul", [("f64", [2, 5, 7]), ("f64", [2, 7, 3])], ("f64", [2, 5, 3]), np.matmul)


@pytest.mark.parametrize("pred, ref", [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                                       ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)])
@pytest.mark.parametrize("elem", ["f32", "i32"])
def test_compare_and_select_are_numpy_where(pred, ref, elem):
    t, row = T(elem, [4, 6]), T(elem, [6])
    text = f"""func.func @w(%a: {t}, %b: {row}, %x: {t}, %y: {row}) -> {t} {{
  %c = "tensorlang.compare"(%a, %b) {{predicate = "{pred}"}} : ({t}, {row}) -> {T("i1", [4, 6])}
  %r = "tensorlang.select"(%c, %x, %y) : ({T("i1", [4, 6])}, {t}, {row}) -> {t}
  return %r : {t}
}}"""
    k = compile_tl(text)
    a, b = data(elem, [4, 6]), data(elem, [6])
    b[:3] = a[0, :3]  # some equal pairs
    x, y = data(elem, [4, 6]), data(elem, [6])
    np.testing.assert_array_equal(k(a, b, x, y), np.where(ref(a, b), x, y))


def test_transpose_reshape_broadcast():
    check("transpose", [("f32", [2, 3, 4])], ("f32", [4, 2, 3]), lambda x: x.transpose(2, 0, 1),
          "permutation = array<i64: 2, 0, 1>")
    check("reshape", [("f32", [2, 6])], ("f32", [3, 2, 2]), lambda x: x.reshape(3, 2, 2))
    check("reshape", [("f32", [1, 1])], ("f32", []), lambda x: x.reshape(()))
    check("broadcast", [("f32", [3, 1])], ("f32", [2, 3, 4]), lambda x: np.broadcast_to(x, (2, 3, 4)))


def test_constant_and_copy():
    t = T("f32", [2, 2])
    text = f"""func.func @c(%a: {t}) -> ({t}, {t}) {{
  %k = "tensorlang.constant"() {{value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>}} : () -> {t}
  %p, %q = "tensorlang.copy"(%a) : ({t}) -> ({t}, {t})
  %s = "tensorlang.add"(%p, %k) : ({t}, {t}) -> {t}
  return %s, %q : {t}, {t}
}}"""
    a = data("f32", [2, 2])
    s, q = compile_tl(text)(a)
    np.testing.assert_allclose(s, a + [[1, 2], [3, 4]])
    np.testing.assert_array_equal(q, a)


def test_print_shows_the_tensor_with_its_location(capfd):
    t = T("f32", [2, 3])
    text = f"""func.func @p(%a: {t}) -> {t} {{
  %e = "tensorlang.exp"(%a) : ({t}) -> {t}
  %s = "tensorlang.print"(%e) {{label = "exp of a"}} : ({t}) -> {t}
  return %s : {t}
}}"""
    a = np.zeros((2, 3), np.float32)
    np.testing.assert_array_equal(compile_tl(text)(a), np.ones((2, 3)))
    out = capfd.readouterr().out
    assert "exp of a (<test>:3:8):" in out and "[[1. 1. 1.]" in out


def test_symbolic_dims_bound_when_compiling():
    t_in, t_out = T("f32", ['"N"', 4]), T("f32", ['"N"'])
    text = f"""func.func @s(%a: {t_in}) -> {t_out} {{
  %n = "tensorlang.symbolic_dim"() {{name = "N", size = 3}} : () -> index
  %r = "tensorlang.reduce_sum"(%a) {{axis = 1 : i64}} : ({t_in}) -> {t_out}
  return %r : {t_out}
}}"""
    assert compile_tl(text).signature.args[0].shape == (3, 4)
    k = compile_tl(text, {"N": 9})
    a = data("f32", [9, 4])
    np.testing.assert_allclose(k(a), a.sum(axis=1), rtol=1e-6)


@pytest.mark.parametrize("text, words, where", [
    (one_op("matmul", [("f32", [4, 5]), ("f32", [6, 3])], ("f32", [4, 3])), "inner dimensions differ", "<test>:2:8"),
    (one_op("add", [("f32", [4, 5]), ("f32", [4])], ("f32", [4, 5])), "do not broadcast", "<test>:2:8"),
    (one_op("add", [("f32", [4, 5]), ("f32", [5])], ("f32", [5, 5])), "must have shape [4, 5]", "<test>:2:8"),
    (one_op("reduce_sum", [("f32", [4, 5])], ("f32", [4]), "axis = 2 : i64"), "axis 2 is out of range", "<test>:2:8"),
    (one_op("reshape", [("f32", [4, 5])], ("f32", [3, 7])), "element counts differ", "<test>:2:8"),
    (one_op("exp", [("i32", [4])], ("i32", [4])), "needs a floating-point tensor", "<test>:2:8"),
    (one_op("exp", [("f32", ['"N"'])], ("f32", ['"N"'])), "no tensorlang.symbolic_dim declares", "<test>:1:14"),
    (one_op("exp", [("f16", [4])], ("f16", [4])), "does not satisfy the constraint of TensorLang (element types: f32", "<test>:1:31"),
])
def test_shape_and_type_errors_name_the_op(text, words, where):
    with pytest.raises(KernelError) as e:
        compile_tl(text)
    assert words in str(e.value) and e.value.location == where


def test_a_symbolic_dim_without_size_asks_for_one():
    t = T("f32", ['"N"'])
    text = f"""func.func @s(%a: {t}) -> {t} {{
  %n = "tensorlang.symbolic_dim"() {{name = "N"}} : () -> index
  %r = "tensorlang.exp"(%a) : ({t}) -> {t}
  return %r : {t}
}}"""
    with pytest.raises(KernelError, match=r"symbolic dimension \"N\" has no size.*dims=") as e:
        compile_tl(text)
    assert e.value.location == "<test>:2:8"
    with pytest.raises(KernelError, match="does not declare"):
        compile_tl(text, {"M": 3})


def test_boolean_arguments_and_results_are_numpy_bools():
    """A mask argument and a comparison's result are numpy bool arrays (stored as i8, marked `neurojit.dtype`);
    a TensorLang kernel could not take or return i1 tensors before."""
    t, b = T("f32", [4, 6]), T("i1", [4, 6])
    text = f"""func.func @w(%m: {b}, %x: {t}, %y: {t}, %p: {t}, %q: {t}) -> ({t}, {b}) {{
  %r = "tensorlang.select"(%m, %x, %y) : ({b}, {t}, {t}) -> {t}
  %c = "tensorlang.compare"(%p, %q) {{predicate = "gt"}} : ({t}, {t}) -> {b}
  return %r, %c : {t}, {b}
}}"""
    k = compile_tl(text)
    assert [a.dtype for a in k.signature.args] == ["bool"] + ["float32"] * 5 + ["bool"]
    m = RNG.random((4, 6)) < 0.5
    x, y, p, q = (data("f32", [4, 6]) for _ in range(4))
    r, c = k(m, x, y, p, q)
    np.testing.assert_array_equal(r, np.where(m, x, y))
    np.testing.assert_array_equal(c, p > q)


def test_boolean_constants_select():
    t, b = T("f32", [2, 2]), T("i1", [2, 2])
    text = f"""func.func @m(%x: {t}, %y: {t}) -> {t} {{
  %mask = "tensorlang.constant"() {{value = dense<[[true, false], [false, true]]> : tensor<2x2xi1>}} : () -> {b}
  %r = "tensorlang.select"(%mask, %x, %y) : ({b}, {t}, {t}) -> {t}
  return %r : {t}
}}"""
    x, y = data("f32", [2, 2]), data("f32", [2, 2])
    np.testing.assert_array_equal(compile_tl(text)(x, y), np.where([[True, False], [False, True]], x, y))
    splat = text.replace("dense<[[true, false], [false, true]]>", "dense<true>")
    np.testing.assert_array_equal(compile_tl(splat)(x, y), x)
