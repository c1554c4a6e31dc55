#!/usr/bin/env python3
"""Plot each multi-worker case's speedup stack from a parbench summary CSV.

One panel per workload and parameter set, one bar per backend (and pinning, and host in a merged
report) and worker count: the achieved speedup at the bottom, then where the rest of the worker
count went, in speedup units (the lost_* columns: start skew, imbalance, time blocked or sleeping,
CPU taken by other load, more CPU per unit of work than at one worker, the machine's own speedup
ceiling, and the residual). The parts add up to the worker count, marked on each bar. A part below
zero (less lost than at one worker: a case that uses less CPU per unit than alone) is drawn hatched
below the axis. Method: docs/measurement.md, speedup stacks.

Usage: plot_speedup_stack.py PREFIX.summary.csv [-o OUT]   (writes OUT.png and OUT.svg)
"""
import argparse

import plotlib

REQUIRED = ["workload", "backend", "workers", "pin", "reps", "status", "speedup"]
PARTS = [
    ("lost_start_skew", "start skew"),
    ("lost_imbalance", "imbalance"),
    ("lost_off_cpu", "blocked or sleeping"),
    ("lost_others_cpu", "CPU taken by other load"),
    ("lost_more_cpu", "more CPU per unit than at 1 worker"),
    ("lost_ceiling", "machine's speedup ceiling"),
    ("lost_residual", "residual"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", help="PREFIX.summary.csv written by parbench run")
    parser.add_argument("-o", "--output", help="output path without extension (default: PREFIX.speedup_stack)")
    args = parser.parse_args()
    rows, header = plotlib.read_csv(__file__, args.summary, REQUIRED)
    if "lost_residual" not in header:
        plotlib.fail(__file__, f"{args.summary}: no speedup stack columns (a report from before they existed)")
    first = header.index("host") if "host" in header else header.index("pin")
    params = header[first + 1:header.index("reps")]
    several_hosts = len({r.get("host", "") for r in rows}) > 1
    panels = {}
    for r in rows:
        if r["status"] != "ok" or not r["speedup"] or r.get("lost_residual", "") == "":
            continue
        key = (r["workload"],) + tuple(f"{p}={r[p]}" for p in params if r.get(p))
        name = r["backend"] if r["pin"] == "none" else f"{r['backend']} pin {r['pin']}"
        if several_hosts:
            name = f"{r['host']}: {name}"
        parts = {c: float(r[c]) for c, _ in PARTS if r.get(c)}
        panels.setdefault(key, []).append((name, int(r["workers"]), float(r["speedup"]), parts))
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no case has a speedup stack (none ran at 1 and more workers)")
    plt = plotlib.import_pyplot(__file__)
    colors = plt.get_cmap("tab10").colors
    cols = min(3, len(panels))
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(5.2 * cols, 4.4 * nrows), squeeze=False)
    for ax, (key, bars) in zip(axes.flat, sorted(panels.items())):
        bars.sort(key=lambda b: (b[0], b[1]))
        xs = range(len(bars))
        ax.bar(xs, [b[2] for b in bars], color="0.35", label="achieved speedup")
        up = [b[2] for b in bars]
        down = [0.0] * len(bars)
        for j, (column, label) in enumerate(PARTS):
            values = [b[3].get(column, 0.0) for b in bars]
            if not any(abs(v) >= 0.005 for v in values):
                continue
            color = colors[j % len(colors)]
            pos = [max(v, 0.0) for v in values]
            neg = [min(v, 0.0) for v in values]
            ax.bar(xs, pos, bottom=up, color=color, label=label)
            if any(v < 0 for v in neg):
                ax.bar(xs, neg, bottom=down, color=color, hatch="//", alpha=0.6)
            up = [u + p for u, p in zip(up, pos)]
            down = [d + n for d, n in zip(down, neg)]
        for x, b in zip(xs, bars):
            ax.plot([x - 0.45, x + 0.45], [b[1], b[1]], "k:", linewidth=1)
        ax.plot([], [], "k:", label="worker count (the ideal)")
        if any(d < 0 for d in down):
            ax.axhline(0, color="black", linewidth=0.6)
            ax.bar([], [], color="white", edgecolor="gray", hatch="//", label="below zero: less than at 1 worker")
        ax.set_xticks(list(xs))
        ax.set_xticklabels([f"{b[0]}\nw={b[1]}" for b in bars], fontsize=8)
        ax.set_ylabel("speedup units")
        ax.set_title("  ".join(key), fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    plotlib.finish(fig, axes, len(panels), args.output or plotlib.default_output(args.summary, ".speedup_stack"))


if __name__ == "__main__":
    main()
