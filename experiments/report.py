"""`neurojit report`: tables of an experiment or a run for the terminal, and with `--out` a Markdown and a
self-contained HTML report (plots embedded) with PNG plots and the data as CSV and Parquet.

Only finished runs enter the statistics: a report of a grid still running says how many cells are
finished and lists the others.
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from neurojit.agent.store import ResultStore
from neurojit.compiler.errors import NeuroJITError

from .frame import candidates_frame, store_best
from .metrics import ARM, anytime, reject_reasons, run_metrics
from .stats import bootstrap_interval, compare

__all__ = ["Report", "ReportError", "build_report", "write_report"]


class ReportError(NeuroJITError):
    """Nothing to report: the experiment or run is not in the store."""


@dataclass
class Section:
    title: str
    text: str = ""
    table: pd.DataFrame | None = None
    images: list[Path] = field(default_factory=list)


@dataclass
class Report:
    title: str
    sections: list[Section]
    candidates: pd.DataFrame  # the tidy frame the report was computed from
    runs: pd.DataFrame  # one row per finished run, with its metrics

    def text(self) -> str:
        """The tables, for a terminal."""
        out = [self.title, "=" * len(self.title)]
        for s in self.sections:
            if s.table is None and not s.text:
                continue
            out += ["", s.title, "-" * len(s.title)]
            if s.text:
                out.append(s.text)
            if s.table is not None and not s.table.empty:
                out.append(s.table.to_string(index=False))
        return "\n".join(out)


def _fmt(v, digits: int = 2, suffix: str = "") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return f"{v:.{digits}f}{suffix}"


def _ci(values, log: bool = False, suffix: str = "x") -> str:
    """mean [low, high] of values (geometric when `log`), from a bootstrap over them."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return "-"
    ci = bootstrap_interval(np.log(v) if log else v)
    f = np.exp if log else (lambda z: z)
    if len(v) < 2:
        return _fmt(f(ci.estimate), suffix=suffix)
    return f"{_fmt(f(ci.estimate), suffix=suffix)} [{_fmt(f(ci.low))}, {_fmt(f(ci.high))}]"


def _arm_table(runs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for arm, g in runs.groupby(ARM, sort=True):
        reached = g["evals_to_90"].notna()
        rows.append({"model": arm[0], "strategy": arm[1], "sampler": arm[2], "runs": len(g),
                     "kernels": g["kernel"].nunique(),
                     "best speedup (geo. mean, 95% CI)": _ci(g["best_speedup"], log=True),
                     "anytime AUC (log2)": _ci(g["anytime_auc"], suffix=""),
                     "reached 90%": f"{int(reached.sum())}/{len(g)}",
                     "evals to 90% (median)": _fmt(g.loc[reached, "evals_to_90"].median(), 1),
                     "eval s to 90% (median)": _fmt(g.loc[reached, "seconds_to_90"].median(), 1),
                     "validity": _fmt(g["accepted"].sum() / max(1, g["evaluated"].sum()) * 100, 0, "%"),
                     "tokens": int(g["tokens"].sum()), "USD": _fmt(g["cost_usd"].sum(), 4),
                     "USD per accepted": _fmt(g["cost_usd"].sum() / g["accepted"].sum() if g["accepted"].sum() else
                                              np.nan, 4)})
    return pd.DataFrame(rows)


def _kernel_table(runs: pd.DataFrame) -> pd.DataFrame:
    runs = runs.assign(arm=runs[ARM].astype(str).agg(" / ".join, axis=1))
    table = runs.groupby(["kernel", "arm"])["best_speedup"].apply(lambda v: _ci(v, log=True)).unstack("arm")
    return table.fillna("-").reset_index()


def _comparisons(runs: pd.DataFrame) -> pd.DataFrame:
    parts = [compare(runs, "best_speedup"), compare(runs, "anytime_auc", log=False)]
    cmp = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(not p.empty for p in parts) else None
    if cmp is None:
        return pd.DataFrame()
    scale = {"best_speedup": ("x", "ratio a/b"), "anytime_auc": ("", "difference a-b")}
    return pd.DataFrame({
        "compared": cmp["axis"], "held fixed": cmp["fixed"], "a": cmp["a"], "b": cmp["b"],
        "metric": [f"{m} ({scale[m][1]})" for m in cmp["metric"]],
        "effect [95% CI]": [f"{_fmt(e, 3, scale[m][0])} [{_fmt(lo, 3)}, {_fmt(hi, 3)}]"
                            for e, lo, hi, m in zip(cmp["effect"], cmp["low"], cmp["high"], cmp["metric"])],
        "pairs": cmp["pairs"], "p (Wilcoxon)": [_fmt(p, 3) for p in cmp["p_value"]], "verdict": cmp["note"]})


def build_report(store: ResultStore, out: Path | None = None, *, experiment: str | None = None,
                 run_id: str | None = None) -> Report:
    """The report of `experiment` or of `run_id`; with `out`, its plots are drawn into out/plots."""
    if experiment is not None:
        exp = store.experiment(experiment)
        if exp is None:
            known = ", ".join(e.id for e in store.experiments()) or "none"
            raise ReportError(f"no experiment {experiment} in this store (experiments: {known}); "
                              "neurojit report --db URL lists them")
        frame = candidates_frame(store, experiment=experiment)
        planned = exp.config.get("cells", [])
        title = f"Experiment {experiment}"
        intro = exp.description
    else:
        if store.get_run(run_id) is None:
            raise ReportError(f"no run {run_id} in this store; neurojit report --db URL lists the runs")
        frame = candidates_frame(store, run_ids=[run_id])
        planned = [{"run_id": run_id}]
        title = f"Run {run_id}"
        intro = ""
    statuses = {r.id: r.status.value for r in store.runs(experiment=experiment)} if experiment else \
        {run_id: store.get_run(run_id).status.value}
    finished_ids = [c["run_id"] for c in planned if statuses.get(c["run_id"]) == "finished"]
    done = frame[frame["run_id"].isin(finished_ids)]
    named = {r: b.speedup for r in finished_ids if (b := store.best(r)) is not None and b.speedup is not None}
    runs = run_metrics(done, store_best(store), named) if not done.empty else pd.DataFrame()
    sections = [Section("Status", _status(planned, statuses, intro))]
    unfinished = [c for c in planned if statuses.get(c["run_id"]) != "finished"]
    if unfinished and experiment:
        sections.append(Section("Cells not finished (left out of the statistics)",
                                table=pd.DataFrame([{**c, "status": statuses.get(c["run_id"], "not started")}
                                                    for c in unfinished])))
    if runs.empty:
        return Report(title, sections, frame, runs)
    sections.append(Section("Arms", "Best speedup: geometric mean over the arm's runs with a 95% bootstrap CI. "
                            "Anytime AUC: mean log2 of the best speedup so far over the budget's evaluations "
                            "(higher: found sooner). Reached 90%: runs that reached 90% of the best speedup the "
                            "store has seen for their kernel, and how many evaluations and evaluator seconds "
                            "that took. Validity: accepted / evaluated.", _arm_table(runs)))
    sections.append(Section("Best speedup per kernel and arm", "Geometric mean over seeds [95% bootstrap CI].",
                            _kernel_table(runs)))
    cmp = _comparisons(runs)
    if not cmp.empty:
        sections.append(Section("Comparisons at equal budget",
                                "Arms that differ in one axis, paired on (kernel, seed, budget). Effect: geometric "
                                "mean ratio of best speedups (1.00x: none) or mean difference of anytime AUC "
                                "(0: none), with a 95% bootstrap CI; p from the two-sided Wilcoxon signed-rank "
                                "test; significant at p < 0.05.", cmp))
    reasons = reject_reasons(done)
    if not reasons.empty:
        sections.append(Section("How candidates ended", "Counts per arm: ok = accepted, else the reject reason.",
                                reasons.reset_index()))
    if out is not None:
        sections.append(Section("Plots", images=_plots(done, runs, reasons, Path(out) / "plots")))
    return Report(title, sections, frame, runs)


def _status(planned: list[dict], statuses: dict, intro: str) -> str:
    n = len(planned)
    finished = sum(statuses.get(c["run_id"]) == "finished" for c in planned)
    running = sum(statuses.get(c["run_id"]) in ("running", "stopped") for c in planned)
    line = f"{finished} of {n} cell(s) finished, {running} started and not finished, {n - finished - running} not started."
    return f"{intro}\n\n{line}" if intro else line


def _plots(done: pd.DataFrame, runs: pd.DataFrame, reasons: pd.DataFrame, where: Path) -> list[Path]:
    from . import plots  # matplotlib, only for a report written to files

    paths = [plots.anytime_plot(anytime(done, "index"), "index", where / "anytime_evaluations.png"),
             plots.anytime_plot(anytime(done, "cum_eval_s"), "cum_eval_s", where / "anytime_seconds.png")]
    if done["cost_usd"].sum() > 0:
        paths.append(plots.anytime_plot(anytime(done, "cum_cost_usd"), "cum_cost_usd", where / "anytime_dollars.png"))
    if not reasons.empty:
        paths.append(plots.reasons_plot(reasons, where / "reasons.png"))
    paths.append(plots.speedup_plot(runs, where / "speedup_by_kernel.png"))
    # the lineage of the run whose model derived the most candidates from others (repairs, mutations), else of
    # the run with the most tuned variants
    derived = done[done["parent"].notna()]
    by_model = derived[derived["tuned_by"] == ""].groupby("run_id").size()
    by_any = derived.groupby("run_id").size()
    pick = (by_model.idxmax() if not by_model.empty else by_any.idxmax() if not by_any.empty
            else runs.loc[runs["best_speedup"].idxmax(), "run_id"])
    paths.append(plots.lineage_plot(done[done["run_id"] == pick], where / "lineage.png"))
    return paths


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    cell = lambda v: str(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def write_report(report: Report, out: Path) -> dict[str, Path]:
    """report.md, report.html (self-contained), candidates.csv/.parquet and runs.csv in `out`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    md, body = [f"# {report.title}"], [f"<h1>{html.escape(report.title)}</h1>"]
    for s in report.sections:
        md.append(f"\n## {s.title}\n")
        body.append(f"<h2>{html.escape(s.title)}</h2>")
        if s.text:
            md.append(s.text + "\n")
            body += [f"<p>{html.escape(p)}</p>" for p in s.text.split("\n\n")]
        if s.table is not None and not s.table.empty:
            md.append(_md_table(s.table) + "\n")
            body.append(s.table.to_html(index=False, border=0, classes="t", na_rep="-"))
        for img in s.images:
            rel = img.relative_to(out).as_posix()
            md.append(f"![{img.stem}]({rel})\n")
            data = base64.b64encode(img.read_bytes()).decode()
            body.append(f'<figure><img alt="{html.escape(img.stem)}" src="data:image/png;base64,{data}">'
                        f"<figcaption>{html.escape(img.stem)}</figcaption></figure>")
    md.append("\n## Data\n\ncandidates.csv and candidates.parquet: one row per candidate (columns in "
              "neurojit.experiments.frame); runs.csv: one row per finished run with its metrics.\n")
    style = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
             "table.t{border-collapse:collapse;font-size:13px;margin:1em 0}"
             "table.t td,table.t th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}"
             "img{max-width:100%}figure{margin:1.5em 0}")
    paths = {"markdown": out / "report.md", "html": out / "report.html", "csv": out / "candidates.csv",
             "parquet": out / "candidates.parquet", "runs": out / "runs.csv"}
    paths["markdown"].write_text("\n".join(md))
    paths["html"].write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(report.title)}"
                             f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>")
    report.candidates.to_csv(paths["csv"], index=False)
    report.candidates.to_parquet(paths["parquet"], index=False)
    report.runs.to_csv(paths["runs"], index=False)
    return paths
