"""Evaluations per minute: the local sandboxed pool against a Dask cluster on the same machine.

Both evaluate the same batch of distinct candidates (the tiling schedule at different knob values, plus
rejected ones) of one kernel with the same settings: the local pool with N sandboxes, and a
`dask.distributed.LocalCluster` of N worker processes with one thread (so one sandbox) each. Both are warmed
first (sandboxes started, the baseline's references computed), so the numbers are the steady state of a
tuning run. Also printed: Dask's own round trip per task (a task that does nothing), and the extra seconds
per evaluation the cluster costs, which is what a real cluster of several machines must win back.

Run: python benchmarks/dask_throughput.py [--candidates 24] [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import itertools
import pathlib
import statistics
import time

from neurojit.evaluator import EvalConfig, Evaluator

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERNEL = ROOT / "examples" / "kernels" / "matmul_127x255x63.mlir"
TILE = (ROOT / "examples" / "schedules" / "tile_matmul.mlir").read_text()
BROKEN = "module {\n  func.func @matmul(%A: memref<127x63xf32>) {\n    return oops\n  }\n}"


def batch(n: int, skip: int = 0) -> tuple[list[str], list[dict | None]]:
    """n distinct candidates: tilings at other knob values, every sixth a candidate rejected early."""
    sizes = itertools.islice(itertools.product((4, 8, 16, 32, 64), repeat=3), skip, None)
    texts, knobs = [], []
    for i in range(n):
        if i % 6 == 5:
            texts.append(BROKEN.replace("oops", f"oops{skip + i}"))
            knobs.append(None)
        else:
            ti, tj, tk = next(sizes)
            texts.append(TILE)
            knobs.append({"ti": ti, "tj": tj, "tk": tk})
    return texts, knobs


def warm(evaluator: Evaluator, workers: int) -> None:
    texts, knobs = batch(workers, skip=100)
    evaluator.evaluate_batch(str(KERNEL), texts, knobs)  # start every sandbox, compute the references


def timed(evaluator: Evaluator, n: int) -> tuple[float, list]:
    texts, knobs = batch(n)
    t0 = time.perf_counter()
    verdicts = evaluator.evaluate_batch(str(KERNEL), texts, knobs)
    return time.perf_counter() - t0, verdicts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidates", type=int, default=24)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="batches on each, alternating (default 3)")
    args = ap.parse_args()
    n, w = args.candidates, args.workers
    config = EvalConfig(workers=w, bench_time_cap_s=0.5, random_sets=1, pin_cores=False)

    from distributed import Client, LocalCluster

    from neurojit.evaluator.dask import connect

    with LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client, Evaluator(config) as local:
        t0 = time.perf_counter()
        client.gather(client.map(lambda i: i, range(200), pure=False))
        task_ms = (time.perf_counter() - t0) / 200 * 1000
        dask = connect(client, config)
        warm(local, w)
        warm(dask, w)
        walls: dict[str, list[float]] = {"local": [], "dask": []}
        verdicts = {}
        for _ in range(args.repeats):  # alternating, so both see the same load on a shared machine
            for name, ev in (("local", local), ("dask", dask)):
                wall, verdicts[name] = timed(ev, n)
                walls[name].append(wall)
        dask.close()

    same = [(v.verdict, v.reason) for v in verdicts["local"]] == [(v.verdict, v.reason) for v in verdicts["dask"]]
    accepted = sum(v.accepted for v in verdicts["local"])
    local_s, dask_s = statistics.median(walls["local"]), statistics.median(walls["dask"])
    print(f"{n} candidates of {KERNEL.name} ({accepted} accepted), {w} sandboxes, bench cap 0.5 s, "
          f"median of {args.repeats} alternating batches")
    print(f"  local pool:         {local_s:6.1f} s = {60 * n / local_s:6.1f} evaluations/min  "
          f"(batches: {', '.join(f'{x:.1f}' for x in walls['local'])} s)")
    print(f"  Dask LocalCluster:  {dask_s:6.1f} s = {60 * n / dask_s:6.1f} evaluations/min  "
          f"(batches: {', '.join(f'{x:.1f}' for x in walls['dask'])} s; {w} worker processes x 1 thread)")
    print(f"  overhead: {(dask_s - local_s) / n * 1000:+.0f} ms per evaluation "
          f"(Dask's own round trip: {task_ms:.1f} ms per task); same verdicts: {same}")


if __name__ == "__main__":
    main()
