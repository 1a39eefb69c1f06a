"""The `neurojit` command line (DESIGN §3). User errors: one line on stderr, exit 2; no tracebacks."""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

DESCRIPTION = """NeuroJIT: search over variants of an MLIR kernel, verify them, hot-swap the best into a live JIT.

A kernel is an MLIR module with one public func.func on statically shaped memrefs (f16, bf16, f32, f64, i8, i16, i32, i64);
outputs carry {neurojit.output}, else the last argument is the output. Examples: examples/kernels/."""


def cmd_run(args) -> int:
    from neurojit.compiler import compile_kernel
    from neurojit.compiler.flops import count_flops
    from neurojit.compiler.kernel import load_kernel
    from neurojit.compiler.source import read_source
    from neurojit.evaluator.bench import time_calls
    from neurojit.evaluator.indices import safe_arguments
    from neurojit.evaluator.static import kernel_writes_inputs

    source = read_source(_shaped(args.kernel, args))
    # as `tune` and `evaluate` refuse it: an unmarked argument it writes would be timed as an input
    kernel_writes_inputs(load_kernel(source))
    kernel = compile_kernel(source)
    # index inputs within their tables, other integer inputs values a trial call survives (not a zero divisor)
    arrays = safe_arguments(kernel.mlir, kernel.signature, args.seed, [kernel])
    times = time_calls(kernel, arrays, args.repeat)
    q1, med, q3 = np.percentile(times, [25, 50, 75])
    flops = count_flops(kernel.mlir)
    result = {
        "kernel": args.kernel,
        "signature": kernel.signature.describe(),
        "shapes": {a.name: list(a.shape) for a in kernel.signature.args},
        "dtypes": {a.name: a.dtype for a in kernel.signature.args},
        "compile_ms": round(kernel.compile_ms, 3),
        "repeat": args.repeat,
        "median_ms": round(float(med), 6),
        "iqr_ms": round(float(q3 - q1), 6),
        "flops": flops,
        "gflops": round(flops / (med * 1e6), 3) if flops else None,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"kernel     {result['signature']}")
        print(f"compile    {result['compile_ms']:.1f} ms (lower + JIT at O3, naive lowering)")
        print(f"time       median {result['median_ms']:.4f} ms, IQR {result['iqr_ms']:.4f} ms over {args.repeat} calls")
        if result["gflops"] is not None:
            print(f"throughput {result['gflops']:.2f} GFLOP/s ({flops:,} flop per call)")
    return 0


def cmd_export(args) -> int:
    from neurojit.compiler import export
    from neurojit.compiler.kernel import check_variant, load_kernel
    from neurojit.compiler.classify import CandidateKind, classify
    from neurojit.compiler.source import read_source

    if args.experiment:
        if args.kernel or args.run_id or not args.db:
            raise UsageError("export from an experiment takes --db URL --experiment ID (and no kernel file or run)")
        from neurojit.research import export_experiment_cmd

        return export_experiment_cmd(args)
    if args.db or args.run_id:
        if args.kernel or not (args.db and args.run_id):
            raise UsageError("export from a run takes --db URL --run-id ID (and no kernel file)")
        return _export_run(args)
    if not args.kernel:
        raise UsageError("give a kernel: neurojit export K.mlir [CAND.mlir] --out DIR")
    kernel = _shaped(args.kernel, args)
    _preflight(kernel)
    base = load_kernel(kernel)
    source, schedule = kernel, None
    if args.candidate:
        cand = read_source(_shaped(args.candidate, args, candidate=True))
        if classify(cand.text) is CandidateKind.SCHEDULE:
            schedule = cand.text
        else:
            source = cand
            _preflight(cand)
            check_variant(base, load_kernel(cand))
    _preflight(source, schedule)
    manifest = export(source, args.out, schedule, baseline_hash=base.hash)
    print(f"exported @{manifest['symbol']} to {args.out}: kernel.mlir kernel.ll kernel.o libkernel.so kernel.h manifest.json")
    return 0


def _export_run(args) -> int:
    from neurojit.agent.export import export_run

    manifest = export_run(args.db, args.run_id, args.out)
    print(f"exported the best variant of run {manifest['run_id']} (@{manifest['symbol']}, speedup "
          f"{manifest['speedup']:.2f}x) to {args.out}")
    return 0


def cmd_tune(args) -> int:
    from neurojit.agent.budget import Budget
    from neurojit.agent.run import TuneOptions, tune

    if args.budget < 1 or (args.time_limit is not None and args.time_limit <= 0):
        raise UsageError("--budget must be at least 1 and --time-limit positive")
    prices = None
    if args.prices:
        from neurojit.agent.llm.prices import load_prices

        prices = load_prices(args.prices)
    budget = Budget(args.budget, args.time_limit, args.max_tokens, args.max_dollars)
    models = args.model or ["heuristic"]  # several --model values: an ensemble
    opts = TuneOptions(model=models[0] if len(models) == 1 else tuple(models), strategy=args.strategy, budget=budget,
                       db=args.db, run_id=args.run_id, seed=args.seed, sampler=args.sampler, workers=args.workers,
                       prices=prices, record=args.record, base_url=args.base_url, ensemble=args.ensemble,
                       evaluator=args.evaluator, threads=args.threads, finalists=args.finalists)
    if len(args.kernel) > 1 or os.path.isdir(args.kernel[0]):
        if args.shape:
            raise UsageError("--shape gives the shapes of one kernel's arguments; tune a suite's kernels with "
                             "dynamic shapes one at a time")
        return _tune_suite(args, opts)
    summary = tune(_shaped(args.kernel[0], args), opts, progress=sys.stderr)
    if args.json:
        print(json.dumps(summary.to_json()))
    else:
        best = (f"best {summary.best_ms:.4f} ms, speedup {summary.speedup:.2f}x over the baseline "
                f"({summary.baseline_ms:.3f} ms)" if summary.speedup else "no accepted candidate")
        rejected = ", ".join(f"{r} {n}" for r, n in summary.rejected.items()) or "none"
        print(f"run {summary.run_id}: {summary.candidates} candidates, {summary.accepted} accepted; {best}; "
              f"rejected: {rejected}")
        print(f"stopped: {summary.stop_reason}; model tokens {summary.tokens}, cost ${summary.cost_usd:.4f}")
        for line in _export_hint(summary, args.db or "sqlite:///neurojit.db"):
            print(line)
    return 0


def _export_hint(summary, db: str) -> list[str]:
    """What to do with the run's best: export it, or (no candidate faster than the baseline) keep the baseline."""
    if not summary.speedup:  # nothing accepted: nothing to export
        return []
    export = f"neurojit export --db {db} --run-id {summary.run_id} --out DIR"
    if summary.speedup < 1.0:  # the evaluator's timing: no accepted candidate beat the naive lowering
        return [f"no candidate beat the baseline (best {summary.speedup:.2f}x): its naive lowering is the faster "
                "kernel here, and an export of this run refuses to ship a slower one"]
    return [f"export it: {export}"]


def _tune_suite(args, opts) -> int:
    from neurojit.agent.suite import total, tune_suite

    if args.record:
        raise UsageError("--record writes one run's exchanges; record each kernel with its own neurojit tune")
    results = tune_suite(args.kernel, opts, progress=sys.stderr)
    whole = total(results)
    if args.json:
        for r in results:
            print(json.dumps(r.to_json()))
        print(json.dumps(whole))
        return 0
    rows = [(r.kernel, r.summary.run_id, r.summary.status.value, str(r.summary.candidates), str(r.summary.accepted),
             f"{r.summary.speedup:.2f}x" if r.summary.speedup else "-") for r in results]
    print(_table(("kernel", "run", "status", "candidates", "accepted", "best speedup"), rows))
    geomean = f"{whole['geomean_speedup']:.2f}x" if whole["geomean_speedup"] else "-"
    print(f"suite: {whole['kernels']} kernels, {whole['candidates']} candidates, {whole['accepted']} accepted; "
          f"geometric mean of the best speedups {geomean}; model tokens {whole['tokens']}, "
          f"cost ${whole['cost_usd']:.4f}")
    print(f"export one: neurojit export --db {args.db or 'sqlite:///neurojit.db'} --run-id RUN --out DIR")
    return 0


def _table(header, rows) -> str:
    """A plain text table, columns padded to their widest cell."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in (header, *rows))


def cmd_evaluate(args) -> int:
    from neurojit.compiler.source import read_source
    from neurojit.evaluator import EvalConfig, Evaluator

    read_source(args.candidate, convert=False)  # a missing candidate file is a usage error, not a rejection
    base, cand = _shaped(args.baseline, args), _shaped(args.candidate, args, candidate=True)
    with Evaluator(EvalConfig(workers=1, seed=args.seed)) as ev:
        v = ev.evaluate(base, cand)
    if args.json:
        print(json.dumps(v.to_json()))
    else:
        for c in v.checks:
            print(f"{'pass' if c.passed else 'FAIL'}  {c.name:<30} {c.detail}")
        line = f"{v.verdict.upper()} ({v.reason.value}): {v.detail}"
        if v.speedup is not None:
            line += f"\nbaseline {v.baseline_ms:.4f} ms, candidate {v.candidate_ms:.4f} ms, speedup {v.speedup:.3f}x"
        print(line)
    return 0 if v.accepted else 1


def _shaped(path, args, candidate: bool = False):
    """`path` as the commands take it; with --shape, the kernel it holds with those arguments' dynamic dimensions
    made static (compiler/shapes.py: converted in a child process), its messages still naming `path`. A candidate
    that is a transform schedule is left as it is (it is applied to the shaped baseline)."""
    if not getattr(args, "shape", None):
        return path
    from neurojit.compiler.classify import CandidateKind, classify
    from neurojit.compiler.shapes import parse_shapes
    from neurojit.compiler.source import read_source

    try:
        shapes = parse_shapes(args.shape)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if candidate and classify(read_source(path, convert=False).text) is CandidateKind.SCHEDULE:
        return path
    return read_source(path, shapes=shapes)


def _preflight(source, schedule=None) -> None:
    from neurojit.compiler.preflight import preflight
    from neurojit.compiler.source import read_source

    preflight(read_source(source), schedule)


class UsageError(Exception):
    pass


def _shape_option(parser) -> None:
    parser.add_argument("--shape", action="append", metavar="ARG=DxD",
                        help="static sizes for an argument of dynamic shape, e.g. --shape x=64x768 for "
                             "%%x: tensor<?x768xf32>, once per such argument (front ends often emit a dynamic batch "
                             "size; a kernel is compiled, checked and timed at one shape)")


def build_parser() -> argparse.ArgumentParser:
    from neurojit.agent.budget import FINALISTS

    p = argparse.ArgumentParser(prog="neurojit", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    r = sub.add_parser("run", help="compile a kernel (naive lowering), run it on random inputs, time it",
                       description="Compile K with the naive lowering, call it on random inputs and time it.")
    r.add_argument("kernel", metavar="K.mlir")
    r.add_argument("--repeat", type=int, default=10, metavar="N", help="timed calls after one warm-up (default 10)")
    r.add_argument("--seed", type=int, default=0, help="seed for the random inputs (default 0)")
    r.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    _shape_option(r)
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("evaluate", help="evaluate one candidate against a baseline (sandboxed)",
                       description="Verify, check and benchmark CAND (a full module or a transform schedule "
                                   "applied to BASE) against BASE in a sandboxed worker. Exit 0 accept, 1 reject, "
                                   "2 usage error or bad baseline.")
    v.add_argument("baseline", metavar="BASE.mlir")
    v.add_argument("candidate", metavar="CAND.mlir")
    v.add_argument("--seed", type=int, default=None,
                   help="seed of the random input sets (default: a fresh one, which every rejection names)")
    v.add_argument("--json", action="store_true", help="print the verdict record as JSON")
    _shape_option(v)
    v.set_defaults(func=cmd_evaluate)

    e = sub.add_parser("export", help="export a kernel (or a variant of it) as kernel.{mlir,ll,o,h}, libkernel.so",
                       description="Export K, or the variant CAND of K (a full module or a transform schedule), "
                                   "as a standalone library with a plain C function.")
    e.add_argument("kernel", nargs="?", metavar="K.mlir")
    e.add_argument("candidate", nargs="?", metavar="CAND.mlir")
    e.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    e.add_argument("--db", metavar="URL", help="results store of a tuning run")
    e.add_argument("--run-id", metavar="ID", help="the run whose best variant to export")
    e.add_argument("--experiment", metavar="ID", help="export the best variant of every kernel of this experiment "
                                                      "(one folder per kernel)")
    _shape_option(e)
    e.set_defaults(func=cmd_export)

    t = sub.add_parser("tune", help="search for faster verified variants of a kernel (the agent loop)",
                       description="Propose variants of K (schedules from the library, or a model's rewrites), "
                                   "evaluate each in the sandbox, tune the knobs of the best with Optuna, and "
                                   "record everything in the results store. Progress goes to stderr. Killed or "
                                   "interrupted runs resume with the same command and --run-id.")
    t.add_argument("kernel", metavar="K.mlir", nargs="+",
                   help="a kernel; several kernels or a folder of them make a suite: one run each, one budget")
    t.add_argument("--model", action="append", metavar="M",
                   help="heuristic (offline, default) | gemini[:NAME] (needs GEMINI_API_KEY) | replay:FILE|RUN_ID | "
                        "openai:NAME (any OpenAI-compatible server: llama.cpp, vLLM, Ollama; OPENAI_API_KEY if it "
                        "needs one). Given several times: an ensemble, each [WEIGHT*]PROVIDER:NAME[@BASE_URL]")
    t.add_argument("--base-url", metavar="URL", help="where openai: models are served, e.g. http://127.0.0.1:8080/v1 "
                                                     "(default: OPENAI_BASE_URL, else OpenAI's API)")
    t.add_argument("--ensemble", default="weights", metavar="C",
                   help="how an ensemble picks a model per request: weights (default) or bandit (accepted speedup "
                        "per second of model time)")
    t.add_argument("--evaluator", metavar="URL", help="evaluate on a Dask cluster: dask://HOST:PORT (default: "
                                                      "sandboxed workers on this machine)")
    t.add_argument("--strategy", default="zero-shot", metavar="S",
                   help="prompting strategy for model providers: zero-shot (default), few-shot, repair, evolutionary")
    t.add_argument("--budget", type=int, default=40, metavar="N",
                   help="candidates to evaluate at most (default 40); a suite's total, split evenly")
    t.add_argument("--time-limit", type=float, default=600.0, metavar="S",
                   help="wall-clock seconds for this invocation (default 600)")
    t.add_argument("--db", metavar="URL", help="results store and Optuna storage: sqlite:///FILE (default "
                                               "sqlite:///neurojit.db) or postgresql://...")
    t.add_argument("--run-id", metavar="ID", help="resume this run if unfinished, or start a run with this id "
                                                 "(a suite's runs are ID-KERNEL)")
    t.add_argument("--seed", type=int, default=0,
                   help="seed of the tuner (default 0); the evaluator's inputs come from a fresh seed each run, named "
                        "in every rejection")
    t.add_argument("--sampler", default="tpe", metavar="S",
                   help="Optuna sampler that tunes the knobs: tpe (default), random, cmaes, nsga2, gp (needs "
                        "neurojit[gp])")
    t.add_argument("--workers", type=int, default=0, metavar="N", help="evaluator workers (default: one per core)")
    t.add_argument("--threads", type=int, default=0, metavar="N",
                   help="cores a tuned kernel may run on, the schedules' threads knob (default: all cores, like "
                        "numpy); each parallel candidate is timed alone on that many cores")
    t.add_argument("--finalists", type=int, default=FINALISTS, metavar="N",
                   help=f"at the end, time the N best accepted candidates against each other in one process and "
                        f"name the fastest the best (default {FINALISTS}; each was timed in its own evaluation, so "
                        "between near-equals the highest recorded speedup is mostly the luckiest); 0 or 1: no runoff")
    t.add_argument("--max-tokens", type=int, metavar="N", help="stop after this many model tokens (in + out)")
    t.add_argument("--max-dollars", type=float, metavar="USD", help="stop after this much model cost")
    t.add_argument("--prices", metavar="FILE", help='JSON {model: {"input": USD/1M, "output": USD/1M}} overriding '
                                                   "the built-in price table")
    t.add_argument("--record", metavar="FILE", help="write the run's model exchanges to FILE (replay:FILE replays)")
    t.add_argument("--json", action="store_true", help="print the run summary as JSON at the end")
    _shape_option(t)
    t.set_defaults(func=cmd_tune)
    from neurojit import demo
    demo.add_parser(sub)
    from neurojit import research
    research.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from neurojit.compiler.errors import NeuroJITError

    args = build_parser().parse_args(argv)
    if getattr(args, "repeat", 1) is not None and getattr(args, "repeat", 1) < 1:
        print("neurojit: error: --repeat must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except (NeuroJITError, UsageError) as e:
        print(f"neurojit: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neurojit: interrupted", file=sys.stderr)
        return 130
