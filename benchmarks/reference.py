"""The evaluator's reference computation (evaluator/reference.py) of a kernel, timed with and without the
order-keeping loop order (evaluator/reorder.py), in this one process, one after the other; the files the
two write are compared bit for bit.

Run: python benchmarks/reference.py [KERNEL.mlir] [--random-sets N]   (default examples/kernels/matmul_1024.mlir)
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import tempfile
import time

from neurojit.evaluator import EvalConfig, reference

KERNELS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "kernels"


class _Session:
    def stage(self, *args):
        pass


def timed(text: str, where: pathlib.Path, over: float, random_sets: int) -> tuple[float, dict]:
    reference.REORDER_OVER_S = over
    where.mkdir()
    job = {"baseline": text, "config": dataclasses.asdict(EvalConfig(random_sets=random_sets)), "dir": str(where),
           "skipped": {}, "done": [], "budget_s": 3600.0}
    t0 = time.perf_counter()
    info = reference.compute(_Session(), job)
    return time.perf_counter() - t0, info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kernel", nargs="?", default=str(KERNELS / "matmul_1024.mlir"))
    ap.add_argument("--random-sets", type=int, default=3)
    args = ap.parse_args()
    text = pathlib.Path(args.kernel).read_text()
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        default = reference.REORDER_OVER_S
        fast_s, fast = timed(text, root / "reordered", default, args.random_sets)
        slow_s, slow = timed(text, root / "naive", float("inf"), args.random_sets)
        names = sorted(f.name for f in (root / "naive").glob("*.npy"))
        same = all((root / "reordered" / n).read_bytes() == (root / "naive" / n).read_bytes() for n in names)
    print(f"{pathlib.Path(args.kernel).name}: {len(slow['done'])} pairs; naive reference {slow_s:.1f} s, "
          f"with the order-keeping loop order {fast_s:.1f} s ({slow_s / fast_s:.1f}x); "
          f"{len(names)} files bit-identical: {same}")
    print(f"order: {fast['order']}")


if __name__ == "__main__":
    main()
