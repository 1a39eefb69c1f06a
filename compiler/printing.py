"""`tensorlang.print`: printing a tensor from a kernel, in the JIT and in an exported library.

The lowering (tensorlang/lower.py) turns each print into a call of an external function of its own,
`@__neurojit_print_<n>(memref<shape x elem>)`, declared with the print's label and location as
attributes. With the bare-pointer convention the call passes the data pointer only; the shape, type, label
and location are known per site, here:
  - the JIT binds each site to a ctypes callback that prints the array as numpy does (`callbacks`);
  - `neurojit export` compiles a small C file defining each site (`c_source`) into libkernel.so.
The evaluator allows these calls in a candidate only where the baseline has them (evaluator/platform.py).
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass

import numpy as np
from mlir import ir

from . import dtypes
from .kernel import DTYPES, RUNTIME_PREFIX

PRINT_PREFIX = RUNTIME_PREFIX + "print_"
LABEL_ATTR = "neurojit.label"
LOCATION_ATTR = "neurojit.location"


@dataclass(frozen=True)
class PrintSite:
    symbol: str
    shape: tuple[int, ...]
    dtype: str  # numpy dtype name (bool for i1)
    label: str
    location: str

    def heading(self) -> str:
        return f"{self.label} ({self.location})" if self.location else self.label


def sites(module: ir.Module) -> tuple[PrintSite, ...]:
    """The print sites a module declares (before lowering)."""
    found = []
    for op in module.body.operations:
        op = op.operation
        if op.name != "func.func" or len(op.regions[0].blocks):
            continue
        sym = ir.StringAttr(op.attributes["sym_name"]).value
        if not sym.startswith(PRINT_PREFIX):
            continue
        ftype = ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value)
        mt = ir.MemRefType(ftype.inputs[0])
        elem = str(mt.element_type)
        label = ir.StringAttr(op.attributes[LABEL_ATTR]).value if LABEL_ATTR in op.attributes else sym
        where = ir.StringAttr(op.attributes[LOCATION_ATTR]).value if LOCATION_ATTR in op.attributes else ""
        dtype = ir.StringAttr(op.attributes[dtypes.DTYPE_ATTR]).value if dtypes.DTYPE_ATTR in op.attributes else DTYPES[elem]
        found.append(PrintSite(sym, tuple(mt.shape), dtype, label, where))
    return tuple(found)


def callbacks(found: tuple[PrintSite, ...], stream=None) -> dict[str, object]:
    """symbol -> ctypes callback, for `CompiledKernel(runtime=...)`; prints to `stream` (default stdout)."""
    out = {}
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    for site in found:
        def show(ptr, site=site):
            n = int(np.prod(site.shape)) * np.dtype(site.dtype).itemsize
            data = np.frombuffer((ctypes.c_char * n).from_address(ptr), dtype=site.dtype).reshape(site.shape)
            print(f"{site.heading()}:\n{data}", file=stream or sys.stdout, flush=True)
        out[site.symbol] = proto(show)
    return out


def c_source(found: tuple[PrintSite, ...]) -> str:
    """C definitions of the print sites, for an exported library (printf, nested brackets like numpy)."""
    fmt = {"float16": ('"%g"', "(double)"), "float32": ('"%g"', "(double)"), "float64": ('"%g"', ""),
           "int8": ('"%d"', "(int)"), "int16": ('"%d"', "(int)"), "int32": ('"%d"', "(int)"),
           "int64": ('"%lld"', "(long long)"), "bool": ('"%s"', "")}
    parts = ["#include <stdint.h>\n#include <stdio.h>\n"]
    for s in found:
        f, cast = fmt[s.dtype]
        value = "(p[i] ? \"True\" : \"False\")" if s.dtype == "bool" else f"{cast}p[i]"
        dims = ", ".join(map(str, s.shape)) or "1"
        heading = s.heading().replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f"""
void {s.symbol}(const {dtypes.C_TYPES[s.dtype]} *p) {{
  static const long dims[] = {{{dims}}};
  const int rank = {len(s.shape)};
  long total = 1;
  for (int d = 0; d < rank; d++) total *= dims[d];
  printf("%s:\\n", "{heading}");
  for (long i = 0; i < total; i++) {{
    long rest = i;
    int open = 0, close = 0;
    for (int d = rank - 1; d >= 0; d--) {{ if (rest % dims[d] == 0) open++; else break; rest /= dims[d]; }}
    rest = i + 1;
    for (int d = rank - 1; d >= 0; d--) {{ if (rest % dims[d] == 0) close++; else break; rest /= dims[d]; }}
    for (int k = 0; k < open; k++) putchar('[');
    printf({f}, {value});
    for (int k = 0; k < close; k++) putchar(']');
    putchar(close ? (i + 1 < total ? '\\n' : ' ') : ' ');
  }}
  putchar('\\n');
  fflush(stdout);
}}
""")
    return "".join(parts)
