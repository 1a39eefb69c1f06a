"""Export: a C program and ctypes call libkernel.so with no NeuroJIT (or Python) involved in the call."""

import ctypes
import json
import pathlib
import re
import subprocess

import numpy as np
import pytest

from support.paths import KERNELS

from neurojit.compiler import export, host

C_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include "kernel.h"
static float A[127 * 63], B[63 * 255], C[127 * 255];
int main(void) {
    FILE *f = fopen("in.bin", "rb");
    if (!f || fread(A, sizeof A, 1, f) != 1 || fread(B, sizeof B, 1, f) != 1 || fread(C, sizeof C, 1, f) != 1) return 3;
    fclose(f);
    matmul(A, B, C);
    f = fopen("out.bin", "wb");
    fwrite(C, sizeof C, 1, f);
    fclose(f);
    return 0;
}
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    manifest = export(KERNELS / "matmul_127x255x63.mlir", str(out))
    return out, manifest


def data():
    rng = np.random.default_rng(5)
    return (rng.standard_normal((127, 63)).astype(np.float32), rng.standard_normal((63, 255)).astype(np.float32),
            rng.standard_normal((127, 255)).astype(np.float32))


def test_files_and_manifest(exported):
    out, manifest = exported
    for name in ("kernel.mlir", "kernel.ll", "kernel.o", "libkernel.so", "kernel.h", "manifest.json"):
        assert (out / name).stat().st_size > 0
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["symbol"] == "matmul"
    assert [(a["name"], a["shape"], a["role"]) for a in on_disk["args"]] == [
        ("A", [127, 63], "in"), ("B", [63, 255], "in"), ("C", [127, 255], "out")]
    assert on_disk["machine"]["cpu"] == host().cpu and on_disk["machine"]["features"]
    assert "void matmul(const float *A, const float *B, float *NEUROJIT_RESTRICT C);" in (out / "kernel.h").read_text()


def test_only_outputs_are_noalias(exported, tmp_path):
    """The output's pointer is LLVM's noalias (every call path refuses an output sharing memory with another
    argument), the inputs' are not (two inputs may be one array); the header says `restrict`, in C and C++."""
    out, _ = exported
    define = next(line for line in (out / "kernel.ll").read_text().splitlines() if line.startswith("define void @matmul("))
    params = re.findall(r"ptr ([^%]*)%\d+", define)  # each pointer's attributes
    assert ["noalias" in p for p in params] == [False, False, True]
    for compiler, name in (("gcc", "main.c"), ("g++", "main.cc")):
        (tmp_path / name).write_text('#include "kernel.h"\nint main(void) { return 0; }\n')
        build = subprocess.run([compiler, "-fsyntax-only", "-Wall", "-Werror", name, f"-I{out}"], cwd=tmp_path,
                               capture_output=True, text=True)
        assert build.returncode == 0, (compiler, build.stderr)


def test_library_is_position_independent(exported):
    out, _ = exported
    dyn = subprocess.run(["readelf", "-d", str(out / "libkernel.so")], capture_output=True, text=True).stdout
    assert "TEXTREL" not in dyn
    syms = subprocess.run(["nm", "-D", "--defined-only", str(out / "libkernel.so")], capture_output=True, text=True).stdout
    assert " T matmul" in syms


def test_c_program_calls_the_library(exported, tmp_path):
    out, _ = exported
    (tmp_path / "main.c").write_text(C_MAIN)
    build = subprocess.run(["gcc", "-O1", "-o", "main", "main.c", f"-I{out}", f"-L{out}", "-lkernel",
                            f"-Wl,-rpath,{out}"], cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    a, b, c = data()
    (tmp_path / "in.bin").write_bytes(a.tobytes() + b.tobytes() + c.tobytes())
    run = subprocess.run(["./main"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0
    got = np.frombuffer((tmp_path / "out.bin").read_bytes(), np.float32).reshape(127, 255)
    np.testing.assert_allclose(got, c + a @ b, rtol=1e-4, atol=1e-4)


def test_ctypes_calls_the_library(exported):
    out, _ = exported
    lib = ctypes.CDLL(str(out / "libkernel.so"))
    lib.matmul.argtypes = [ctypes.c_void_p] * 3
    lib.matmul.restype = None
    a, b, c = data()
    want = c + a @ b
    lib.matmul(a.ctypes.data, b.ctypes.data, c.ctypes.data)
    np.testing.assert_allclose(c, want, rtol=1e-4, atol=1e-4)


STRIDED_COPY = (pathlib.Path(__file__).parents[1] / "evaluator" / "adversarial" / "cases"
                / "138_accept_tile_copy_into_strided_view" / "cand.mlir")


def _dynamic_symbols(lib: str, which: str) -> set[str]:
    out = subprocess.run(["nm", "-D", which, lib], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines()
            if line.split() and line.split()[-2] in ("U", "T", "W", "i", "D", "B", "V")}


def test_strided_memref_copy_exports_with_only_libc_and_libm(tmp_path):
    """memref.copy into a strided view lowers to MLIR's memrefCopy; the export compiles it in."""
    manifest = export(STRIDED_COPY, str(tmp_path))
    assert manifest["runtime"] == {"needs": [], "compiled_in": ["memrefCopy"]}
    so = str(tmp_path / "libkernel.so")
    needed = {line.split("[")[1].rstrip("]") for line in subprocess.run(
        ["readelf", "-d", so], capture_output=True, text=True).stdout.splitlines() if "(NEEDED)" in line}
    assert needed <= {"libc.so.6", "libm.so.6"}
    libs = {line.split("=>")[1].split()[0] for line in subprocess.run(
        ["ldd", so], capture_output=True, text=True).stdout.splitlines() if "=>" in line}
    provided = set().union(*(_dynamic_symbols(p, "--defined-only") for p in libs))
    undefined = _dynamic_symbols(so, "--undefined-only")
    assert "memrefCopy" not in undefined and undefined <= provided, undefined - provided
    lib = ctypes.CDLL(so)
    lib.matmul.argtypes = [ctypes.c_void_p] * 3
    lib.matmul.restype = None
    rng = np.random.default_rng(7)
    a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((16, 20), (20, 24), (16, 24)))
    want = c + a @ b
    lib.matmul(a.ctypes.data, b.ctypes.data, c.ctypes.data)
    np.testing.assert_allclose(c, want, rtol=1e-5, atol=1e-5)


F16_GELU = (pathlib.Path(__file__).parents[1] / "evaluator" / "adversarial" / "cases"
            / "371_accept_f16_gelu_computed_in_f32" / "base.mlir")


def test_an_f16_kernel_exports_with_float16_in_its_header(tmp_path):
    """f16 arguments are C's _Float16 (GCC 12 and Clang on x86-64); numpy's float16 arrays call the library."""
    out = tmp_path / "export"
    export(F16_GELU, str(out))
    header = (out / "kernel.h").read_text()
    assert "void gelu(const _Float16 *x, const _Float16 *b, _Float16 *NEUROJIT_RESTRICT o);" in header, header
    (tmp_path / "main.c").write_text('#include "kernel.h"\nint main(void) { return 0; }\n')
    build = subprocess.run(["gcc", "-fsyntax-only", "-Wall", "-Werror", "main.c", f"-I{out}"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    lib = ctypes.CDLL(str(out / "libkernel.so"))
    lib.gelu.argtypes, lib.gelu.restype = [ctypes.c_void_p] * 3, None
    rng = np.random.default_rng(6)
    x, b = rng.standard_normal((37, 100)).astype(np.float16), rng.standard_normal(100).astype(np.float16)
    o = np.full((37, 100), np.nan, np.float16)
    lib.gelu(x.ctypes.data, b.ctypes.data, o.ctypes.data)
    f = np.float16
    v = x + b  # numpy's f16 ops round each result to f16, as the kernel's lowering does
    want = v * f(0.5) * (np.tanh((v + v * v * v * f(0.044715)) * f(0.797851)) + f(1))
    np.testing.assert_allclose(o, want, rtol=0, atol=float(np.abs(v).max()) * 2.0 ** -11)
