"""The repository's example kernels and schedules: the one place tests find them."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
KERNELS = EXAMPLES / "kernels"
SCHEDULES = EXAMPLES / "schedules"
MATMUL = KERNELS / "matmul_127x255x63.mlir"  # small, odd-sized: the loop tests' kernel
