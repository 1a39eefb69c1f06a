"""The report's plots (matplotlib, written as PNG): anytime curves with confidence bands, reject reasons,
best speedup per kernel and arm, and a run's lineage tree. Each function takes frames and a path, writes
one figure and returns the path; titles, axis labels with units and legends on every one."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window; set before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .metrics import ARM  # noqa: E402
from .stats import bootstrap_interval  # noqa: E402

__all__ = ["anytime_plot", "lineage_plot", "reasons_plot", "speedup_plot"]

_VERDICT_COLOURS = {"accept": "#2e7d32", "reject": "#c62828", None: "#9e9e9e"}
_X_LABELS = {"index": "evaluations (candidates)", "cum_eval_s": "evaluator time (s, cumulative)",
             "cum_cost_usd": "model cost (USD, cumulative)"}


def _arm(df: pd.DataFrame) -> pd.Series:
    return df[ARM].astype(str).agg(" / ".join, axis=1)


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def anytime_plot(curves: pd.DataFrame, x: str, path: Path) -> Path:
    """Best speedup so far against `x`, one panel per kernel, a line per arm: the mean over seeds and a 95%
    bootstrap band. `curves` is metrics.anytime(frame, x) of finished runs."""
    kernels = sorted(curves["kernel"].unique())
    fig, axes = plt.subplots(1, max(1, len(kernels)), figsize=(5.2 * max(1, len(kernels)), 4.2), squeeze=False)
    curves = curves.assign(arm=_arm(curves))
    for ax, kernel in zip(axes[0], kernels):
        k = curves[curves["kernel"] == kernel]
        grid = np.unique(k["x"].to_numpy(dtype=float))
        if x != "index" and len(grid) > 60:
            grid = np.linspace(grid.min(), grid.max(), 60)
        for arm, a in k.groupby("arm", sort=True):
            # each run's step curve read at the grid's points (before its first point: the baseline, 1.0x)
            runs = [_step(grid, g) for _, g in a.groupby("run_id")]
            values = np.vstack(runs)
            mean = values.mean(axis=0)
            band = [bootstrap_interval(values[:, i]) for i in range(len(grid))]
            (line,) = ax.plot(grid, mean, label=f"{arm} (n={len(runs)})", drawstyle="steps-post")
            ax.fill_between(grid, [b.low for b in band], [b.high for b in band], step="post", alpha=0.2,
                            color=line.get_color())
        ax.set_title(f"{kernel}: best speedup so far")
        ax.set_xlabel(_X_LABELS.get(x, x))
        ax.set_ylabel("speedup over the baseline (x)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, title="model / strategy / sampler", title_fontsize=7)
    return _save(fig, path)


def _step(grid: np.ndarray, g: pd.DataFrame) -> np.ndarray:
    xs, ys = g["x"].to_numpy(dtype=float), g["best"].to_numpy()
    idx = np.searchsorted(xs, grid, side="right") - 1
    return np.where(idx >= 0, ys[np.clip(idx, 0, None)], 1.0)


def reasons_plot(reasons: pd.DataFrame, path: Path) -> Path:
    """Stacked bars: how each arm's evaluated candidates ended (ok = accepted, else the reject reason)."""
    fig, ax = plt.subplots(figsize=(8, 0.6 * max(3, len(reasons)) + 1.5))
    labels = [" / ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in reasons.index]
    left = np.zeros(len(reasons))
    cols = ["ok"] + sorted(c for c in reasons.columns if c != "ok") if "ok" in reasons.columns else sorted(reasons.columns)
    for col in cols:
        vals = reasons[col].to_numpy(dtype=float)
        ax.barh(labels, vals, left=left, label=col, color=_VERDICT_COLOURS["accept"] if col == "ok" else None)
        left += vals
    ax.set_title("How the candidates ended, per arm")
    ax.set_xlabel("candidates evaluated (count)")
    ax.set_ylabel("model / strategy / sampler")
    ax.legend(title="reason", fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def speedup_plot(runs: pd.DataFrame, path: Path) -> Path:
    """Grouped bars: the mean best speedup of each arm on each kernel, with 95% bootstrap intervals over
    seeds (log scale)."""
    runs = runs.assign(arm=_arm(runs))
    kernels = sorted(runs["kernel"].unique())
    arms = sorted(runs["arm"].unique())
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(kernels) * max(1, len(arms)) / 2), 4.5))
    width = 0.8 / max(1, len(arms))
    for j, arm in enumerate(arms):
        means, lows, highs = [], [], []
        for kernel in kernels:
            v = runs[(runs["arm"] == arm) & (runs["kernel"] == kernel)]["best_speedup"].to_numpy()
            ci = bootstrap_interval(np.log(v)) if len(v) else None
            m = np.exp(ci.estimate) if ci else np.nan
            means.append(m)
            lows.append(m - np.exp(ci.low) if ci and np.isfinite(ci.low) else 0)
            highs.append(np.exp(ci.high) - m if ci and np.isfinite(ci.high) else 0)
        ax.bar(np.arange(len(kernels)) + j * width - 0.4 + width / 2, means, width, yerr=[lows, highs],
               capsize=3, label=arm)
    ax.set_xticks(np.arange(len(kernels)), kernels)
    ax.set_yscale("log")
    ax.axhline(1.0, color="black", lw=0.8, ls="--")
    ax.set_title("Best speedup per kernel and arm (geometric mean over seeds, 95% CI)")
    ax.set_xlabel("kernel")
    ax.set_ylabel("best speedup over the baseline (x, log scale)")
    ax.legend(fontsize=7, title="model / strategy / sampler", title_fontsize=7)
    ax.grid(axis="y", alpha=0.3, which="both")
    return _save(fig, path)


def lineage_plot(run: pd.DataFrame, path: Path) -> Path:
    """One run's candidates as a tree: an edge from each candidate to the one it came from (the model's
    parent, or the candidate whose knobs the tuner varied), coloured by verdict, the best one ringed."""
    run = run.sort_values("index")
    ids = list(run["identity"])
    parent = {i: p for i, p in zip(run["identity"], run["parent"]) if isinstance(p, str) and p in ids and p != i}
    children: dict[str | None, list[str]] = {}
    for i in ids:
        children.setdefault(parent.get(i), []).append(i)
    pos: dict[str, tuple[float, int]] = {}
    leaf = [0]

    def place(node: str, depth: int) -> float:  # leaves left to right, parents above their children's middle
        kids = children.get(node, [])
        xs = [place(k, depth + 1) for k in kids]
        x = float(np.mean(xs)) if xs else float(leaf[0])
        if not xs:
            leaf[0] += 1
        pos[node] = (x, depth)
        return x

    for root in children.get(None, []):
        place(root, 0)
    fig, ax = plt.subplots(figsize=(min(18, 2 + 0.35 * max(1, leaf[0])), 4.5))
    for child, par in parent.items():
        (x0, y0), (x1, y1) = pos[par], pos[child]
        ax.plot([x0, x1], [-y0, -y1], color="#bdbdbd", lw=0.8, zorder=1)
    info = run.set_index("identity")
    for verdict, colour in _VERDICT_COLOURS.items():
        sel = [i for i in ids if (info.at[i, "verdict"] if isinstance(info.at[i, "verdict"], str) else None) == verdict]
        if sel:
            speed = info.loc[sel, "speedup"].fillna(1.0).clip(lower=0.5).to_numpy()
            ax.scatter([pos[i][0] for i in sel], [-pos[i][1] for i in sel], s=30 + 25 * np.log2(speed + 1),
                       c=colour, label={"accept": "accepted", "reject": "rejected", None: "not evaluated"}[verdict],
                       zorder=2, edgecolors="white", linewidths=0.5)
    ok = run[run["verdict"] == "accept"]
    if not ok.empty:
        best = ok.loc[ok["speedup"].idxmax()]
        x, y = pos[best["identity"]]
        ax.scatter([x], [-y], s=220, facecolors="none", edgecolors="black", lw=1.5, zorder=3,
                   label=f"best ({best['speedup']:.2f}x)")
    first = run.iloc[0]
    ax.set_title(f"Lineage of run {first['run_id']} ({first['kernel']}, {first['model']} / {first['strategy']} / "
                 f"{first['sampler']})")
    ax.set_xlabel("candidates (leaves in the order proposed)")
    ax.set_ylabel("generation (0: proposed from scratch)")
    depth = max((d for _, d in pos.values()), default=0)
    ax.set_yticks([-d for d in range(depth + 1)], [str(d) for d in range(depth + 1)])
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, path)
