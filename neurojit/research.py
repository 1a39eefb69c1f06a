"""The researcher's commands (DESIGN §3): `neurojit experiment`, `neurojit report`, `neurojit dataset` and
`neurojit export --experiment`. They parse and print; the work is in neurojit.experiments."""

from __future__ import annotations

import sys
from pathlib import Path

from neurojit.compiler.errors import NeuroJITError


class ResearchUsageError(NeuroJITError):
    """A research command given options that do not go together."""


def _store(db: str | None):
    from neurojit.agent.store import ResultStore, default_db_url

    return ResultStore(db or default_db_url())


def cmd_experiment(args) -> int:
    from neurojit.experiments import load_experiment, run_experiment
    from neurojit.experiments.estimate import estimate
    from neurojit.experiments.runner import check_names

    exp = load_experiment(args.config)
    db = args.db or exp.db
    if args.dry_run:
        check_names(exp)
        with _store(db) as store:
            est = estimate(exp, store)
        cells = est.cells
        shown = cells[["run_id", "model", "strategy", "sampler", "kernel", "seed", "budget", "status",
                       "candidates_left", "model_calls", "tokens", "usd", "seconds"]].copy()
        shown["usd"] = shown["usd"].map(lambda v: f"{v:.4f}")
        shown["seconds"] = shown["seconds"].map(lambda v: f"{v:.0f}")
        print(f"experiment {exp.id}: {len(cells)} cells ({(cells['status'] == 'finished').sum()} finished)")
        print(shown.to_string(index=False))
        print(f"estimate for what is left: {est.calls} model calls, {est.tokens} tokens, ${est.dollars:.2f}, "
              f"about {est.seconds / 60:.0f} min (rough: see neurojit.experiments.estimate)")
        return 0
    run_experiment(exp, db, progress=sys.stderr)
    with _store(db) as store:
        _print_report(store, args.out, experiment=exp.id)
    return 0


def _print_report(store, out: str | None, **which) -> None:
    """The report's tables on stdout; with `out`, its files written there."""
    from neurojit.experiments import build_report, write_report

    report = build_report(store, Path(out) if out else None, **which)
    print(report.text())
    if out:
        paths = write_report(report, Path(out))
        print(f"\nreport: {paths['markdown']} and {paths['html']}")


def cmd_report(args) -> int:
    from neurojit.experiments import listing

    if args.experiment and args.run_id:
        raise ResearchUsageError("give --experiment ID or --run-id ID, not both")
    with _store(args.db) as store:
        if not (args.experiment or args.run_id):
            if args.out:
                raise ResearchUsageError("--out writes the report of one experiment or run: add --experiment ID "
                                         "or --run-id ID")
            exps, runs = listing(store)
            print("experiments:" if not exps.empty else "experiments: none")
            if not exps.empty:
                print(exps.to_string(index=False))
            print("\nruns:" if not runs.empty else "\nruns: none")
            if not runs.empty:
                print(runs.to_string(index=False))
            return 0
        _print_report(store, args.out, experiment=args.experiment, run_id=args.run_id)
    return 0


def cmd_dataset(args) -> int:
    from neurojit.experiments import write_dataset

    with _store(args.db) as store:
        n = write_dataset(store, args.out, args.experiment)
    print(f"wrote {n} records to {args.out}")
    return 0


def export_experiment_cmd(args) -> int:
    from neurojit.experiments import export_experiment

    with _store(args.db) as store:
        results = export_experiment(store, args.experiment, args.out)
    for r in results:
        if r.folder is None:
            print(f"{r.kernel}: skipped ({r.why})")
        else:
            m = r.manifest
            print(f"{r.kernel}: @{m['symbol']} {m['speedup']:.2f}x from run {m['run_id']} "
                  f"({m['provider']} / {m['strategy']} / {m['sampler'] or 'untuned'}) -> {r.folder}")
    done = sum(r.folder is not None for r in results)
    print(f"exported {done} of {len(results)} kernels of experiment {args.experiment} to {args.out}")
    return 0


def add_parsers(sub) -> None:
    x = sub.add_parser("experiment", help="run a grid of tuning runs (models x strategies x samplers x kernels x seeds)",
                       description="Run every cell of the grid CONFIG.toml describes (format: "
                                   "neurojit.experiments.config; examples: experiments/configs/), each a resumable "
                                   "run tagged with the experiment; run the same command again to continue. Progress "
                                   "per cell on stderr, the report's tables at the end.")
    x.add_argument("config", metavar="CONFIG.toml")
    x.add_argument("--out", metavar="DIR", help="also write the Markdown + HTML report with plots to DIR")
    x.add_argument("--dry-run", action="store_true", help="print the grid and its estimated cost; run nothing")
    x.add_argument("--db", metavar="URL", help="results store (default: the config's db, else sqlite:///neurojit.db)")
    x.set_defaults(func=cmd_experiment)

    r = sub.add_parser("report", help="tables and reports of experiments and runs",
                       description="Without --experiment or --run-id: list the store's experiments and runs. With "
                                   "one: its tables; with --out DIR also report.md, a self-contained report.html, "
                                   "PNG plots and the candidates as CSV and Parquet.")
    r.add_argument("--db", metavar="URL", help="results store (default sqlite:///neurojit.db)")
    r.add_argument("--experiment", metavar="ID")
    r.add_argument("--run-id", metavar="ID")
    r.add_argument("--out", metavar="DIR", help="write the report files into DIR")
    r.set_defaults(func=cmd_report)

    d = sub.add_parser("dataset", help="training data: one record per model exchange and candidate",
                       description="Write one record per model exchange and candidate (prompt, response, candidate, "
                                   "verdict, reason, speedup, reward; see neurojit.experiments.dataset for the "
                                   "reward) as JSON lines or Parquet.")
    d.add_argument("--db", metavar="URL", help="results store (default sqlite:///neurojit.db)")
    d.add_argument("--experiment", metavar="ID", help="only this experiment's runs (default: every run)")
    d.add_argument("--out", required=True, metavar="FILE.jsonl|FILE.parquet")
    d.set_defaults(func=cmd_dataset)
