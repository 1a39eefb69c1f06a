"""The kernel convention (DESIGN §2): outputs, default last argument, and the forms that are rejected."""

import pytest

from support.paths import EXAMPLES

from neurojit.compiler import KernelError, SourceError, load_kernel

MM = """func.func @mm(%A: memref<4x3xf32>, %B: memref<3x5xf32>, %C: memref<4x5xf32>{attr}) {{
  linalg.matmul ins(%A, %B : memref<4x3xf32>, memref<3x5xf32>) outs(%C : memref<4x5xf32>)
  return
}}
"""


def test_last_argument_is_the_output_by_default():
    sig = load_kernel(MM.format(attr="")).signature
    assert [a.role for a in sig.args] == ["in", "in", "out"]
    assert [a.name for a in sig.args] == ["A", "B", "C"]
    assert sig.args[0].shape == (4, 3) and sig.args[0].dtype == "float32"


def test_explicit_outputs():
    text = """func.func @two(%x: memref<8xf64> {neurojit.output}, %y: memref<8xi32>, %z: memref<8xi64> {neurojit.output}) {
  return
}"""
    sig = load_kernel(text).signature
    assert [a.role for a in sig.args] == ["out", "in", "out"]
    assert [a.dtype for a in sig.args] == ["float64", "int32", "int64"]


def test_private_helpers_are_allowed():
    text = MM.format(attr="") + """func.func private @helper(%x: memref<4xf32>) {
  return
}"""
    assert load_kernel(text).signature.name == "mm"


@pytest.mark.parametrize("text, words", [
    ("module {}", "no public func.func"),
    ("func.func private @f(%a: memref<4xf32>) {\n return\n}", "no public func.func"),
    (MM.format(attr="") + MM.format(attr="").replace("@mm", "@mm2"), "2 public functions"),
    ("func.func @f(%a: memref<?xf32>) {\n return\n}", "dynamic shape"),
    ("func.func @f(%a: memref<4xf128>) {\n return\n}", "unsupported element type f128"),
    ("func.func @f(%a: vector<4xf32>) {\n return\n}", "statically shaped memrefs"),  # (f32: a 0-d memref)
    ("func.func @f(%a: memref<4xf32>) -> f32 {\n %c = arith.constant 0.0 : f32\n return %c : f32\n}", "returns values"),
    ("func.func @f() {\n return\n}", "no arguments"),
    ("func.func @f(%a: memref<4xf32, strided<[?]>>) {\n return\n}", "dynamic stride or offset"),
    ("func.func @f(%a: memref<4x4xf32, affine_map<(i, j) -> (j, i)>>) {\n return\n}", "non-default layout"),
    ("func.func private @ext(%a: memref<4xf32>)\nfunc.func @f(%a: memref<4xf32>) {\n call @ext(%a) : (memref<4xf32>) -> ()\n return\n}", "declared but not defined"),
])
def test_rejected_forms(text, words):
    with pytest.raises(KernelError, match=words):
        load_kernel(text)


def test_syntax_error_names_line_and_column():
    text = "func.func @f(%a: memref<4xf32>) {\n  %x = arith.addf %a, %a : f32\n  return\n}"
    with pytest.raises(KernelError) as e:
        load_kernel(text)
    assert e.value.location == "<string>:2:19"
    assert "expects different type" in str(e.value)


def test_missing_file_and_binary_file(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        load_kernel(tmp_path / "nope.mlir")
    blob = tmp_path / "blob.mlir"
    blob.write_bytes(b"\x00\xff\xfe binary")
    with pytest.raises(SourceError, match="not a text file"):
        load_kernel(blob)


def test_a_variant_must_keep_the_baselines_signature():
    from neurojit.compiler.kernel import check_variant
    from neurojit.compiler.source import Source

    base = load_kernel(Source(MM.format(attr=""), "mm.mlir"))
    check_variant(base, load_kernel(Source("// same signature\n" + MM.format(attr=""), "same.mlir")))
    other = load_kernel(Source(MM.format(attr="").replace("@mm", "@other"), "other.mlir"))
    with pytest.raises(KernelError) as e:
        check_variant(base, other)
    assert str(e.value) == ("other.mlir: its signature differs from mm.mlir; a variant must keep the public name "
                            "and argument types")


def test_walk_lists_nested_ops_outer_first_in_program_order_and_survives_changes_on_the_way():
    from mlir import ir

    from neurojit.compiler.kernel import parse_module, walk

    text = (EXAMPLES / "kernels" / "jacobi_2d.mlir").read_text()
    with ir.Context():
        names = [op.name for op in walk(parse_module(text).operation)]  # the module lives as long as the walk
        assert names[:4] == ["func.func", "arith.constant", "affine.for", "affine.for"]
        assert names.count("affine.load") == 10 and names.count("affine.store") == 2 and names[-1] == "func.return"
        assert names.index("affine.store") < names.index("affine.for", names.index("affine.store"))  # sweeps in order
        module = parse_module(text)
        seen = 0
        for op in walk(module.operation):  # erasing what was handed out does not disturb the rest
            seen += 1
            if op.name == "affine.store":
                op.erase()
        assert seen == len(names) and "affine.store" not in str(module)
