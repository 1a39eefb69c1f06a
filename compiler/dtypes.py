"""Element types: MLIR's names for them, numpy's, and which of them hold floats (DESIGN §2).

numpy has no bfloat16; ml_dtypes' (what JAX and TensorFlow use) is imported here, which registers its name with
numpy. Its dtype's kind is "V", not "f": `is_float` is the test every float-only path asks.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

# MLIR element type -> numpy dtype name
DTYPES = {"f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64", "i8": "int8", "i16": "int16",
          "i32": "int32", "i64": "int64"}
BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
# numpy dtype name -> C type (an export's kernel.h, the print sites' C definitions); bf16 as its bits (GCC 12's C
# has no __bf16)
C_TYPES = {"float16": "_Float16", "bfloat16": "uint16_t", "float32": "float", "float64": "double", "int8": "int8_t",
           "int16": "int16_t", "int32": "int32_t", "int64": "int64_t", "bool": "uint8_t"}
# A boolean (i1) argument is stored as i8 holding 0 or 1, numpy's bool: MLIR lays a vector of i1 out in memory as
# packed bits while a memref of i1 has a byte per element, so a vectorised schedule would read the two differently.
# The argument carries this attribute (its numpy dtype name, "bool"); TensorLang's print sites of i1 values too.
DTYPE_ATTR = "neurojit.dtype"
BOOL = "bool"


def is_float(dtype) -> bool:
    """Whether arrays of `dtype` hold floats: numpy's kind "f", and ml_dtypes' bfloat16."""
    d = np.dtype(dtype)
    return d.kind == "f" or d == BFLOAT16
