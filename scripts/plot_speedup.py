#!/usr/bin/env python3
"""Plot speedup against workers from a parbench summary CSV.

One panel per workload and parameter set, one line per backend (and pinning; and host, in a report
merged from several machines), with the ideal
line and a fitted scaling law: Amdahl's law for strong scaling (fixed total work), Gustafson's law
for weak scaling (work grows with the workers; told apart by the work_units column). The fitted
serial fraction is printed in the legend. Where the summary has the machine's speedup ceiling (its
limit column: N independent loops side by side against one alone, measured by parbench limits) the
panel draws it: the best this machine allows, below the ideal line on a shared or busy host. Cases
with errors are left out. Each line has its own marker shape, each smaller than the last, so points
of lines that coincide stay visible. Error bars are the 95% confidence interval of the case's median
wall time carried to its speedup (cases with 6 or more repetitions). A fit needs 3 or more worker
counts: through two points any law fits. With --annotate-switches each point is labelled "cs V/I"
with the case's median voluntary/involuntary context switches (blocking versus preemption: why a
point fell short of the ideal line), said so in the legend; a point whose case the summary flagged
as noisy is drawn hollow.

Usage: plot_speedup.py PREFIX.summary.csv [--annotate-switches] [-o OUT]   (writes OUT.png and OUT.svg)
"""
import argparse

import plotlib

REQUIRED = ["workload", "backend", "workers", "pin", "reps", "status", "speedup", "work_units"]


def read_summary(path):
    rows, header = plotlib.read_csv(__file__, path, REQUIRED)
    # Parameter columns sit between `host` (`pin` in reports older than `host`) and `reps`.
    first = header.index("host") if "host" in header else header.index("pin")
    return rows, header[first + 1:header.index("reps")]


def switches(row):
    """'vol/invol' median context switches of a summary row, or None when the columns are empty."""
    vol, invol = row.get("median_vol_ctx_switches"), row.get("median_invol_ctx_switches")
    if not vol or not invol:
        return None
    return f"cs {float(vol):.0f}/{float(invol):.0f}"


def speedup_error(row, speedup):
    """(below, above) the speedup from the 95% CI of the median wall time: work per second is
    work / wall, so the CI's high end gives the low speedup. None without a CI. The 1-worker case's
    own spread is not included."""
    lo, hi, median = row.get("ci95_lo_wall_ns"), row.get("ci95_hi_wall_ns"), row.get("median_wall_ns")
    if not lo or not hi or not median or float(lo) <= 0:
        return None
    return (speedup - speedup * float(median) / float(hi), speedup * float(median) / float(lo) - speedup)


def fit_serial_fraction(points, weak):
    """Least-squares serial fraction f of Amdahl (strong) or Gustafson (weak) through the points.

    Amdahl:    1/S = f + (1-f)/N  ->  (1/S - 1/N) = f (1 - 1/N)
    Gustafson: S = N - f (N - 1)  ->  (N - S) = f (N - 1)
    Both are y = f x, so f = sum(xy) / sum(x^2), over the points with N > 1.
    """
    xs, ys = [], []
    for n, s in points:
        if n <= 1 or s <= 0:
            continue
        if weak:
            xs.append(n - 1)
            ys.append(n - s)
        else:
            xs.append(1 - 1 / n)
            ys.append(1 / s - 1 / n)
    if len(xs) < 2:  # with one point beyond N=1 any fraction fits exactly: no evidence of a law
        return None
    f = sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)
    return min(max(f, 0.0), 1.0)


def law(n, f, weak):
    return n - f * (n - 1) if weak else 1 / (f + (1 - f) / n)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", help="PREFIX.summary.csv written by parbench run")
    parser.add_argument("--annotate-switches", action="store_true",
                        help="label points with median voluntary/involuntary context switches")
    parser.add_argument("-o", "--output", help="output path without extension (default: PREFIX.speedup)")
    args = parser.parse_args()
    plt = plotlib.import_pyplot(__file__)

    rows, params = read_summary(args.summary)
    # A merged report (parbench merge) holds several machines: one line per host and backend. An mpi
    # case across hosts ("a+b") continues the line of its first host, where its 1-rank case ran.
    def host_of(r):
        return r.get("host", "").split("+")[0]
    several_hosts = len({host_of(r) for r in rows}) > 1
    panels = {}
    ceilings = {}  # panel -> {workers: the machine's speedup ceiling}
    for r in rows:
        if r["status"] != "ok" or not r["speedup"]:
            continue
        key = (r["workload"],) + tuple(f"{p}={r[p]}" for p in params if r.get(p))
        if r.get("limit") and "speedup ceiling" in r.get("limit_name", ""):
            ceilings.setdefault(key, {1: 1.0})[int(r["workers"])] = float(r["limit"])
        line = (host_of(r) if several_hosts else "", r["backend"], r["pin"])
        panels.setdefault(key, {}).setdefault(line, []).append(
            (int(r["workers"]), float(r["speedup"]), float(r["work_units"]), switches(r), bool(r.get("noisy")),
             speedup_error(r, float(r["speedup"]))))
    # A panel needs at least two worker counts to say anything about scaling.
    panels = {k: v for k, v in panels.items() if any(len({p[0] for p in pts}) > 1 for pts in v.values())}
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no successful case has more than one worker count")

    cols = min(3, len(panels))
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(5.2 * cols, 4.2 * nrows), squeeze=False)
    for ax, (key, lines) in zip(axes.flat, sorted(panels.items())):
        top = 1
        annotated = bars = False
        workers = set()
        for i, ((host, backend, pin), pts) in enumerate(sorted(lines.items())):
            pts.sort()
            ns = [p[0] for p in pts]
            workers.update(ns)
            top = max(top, max(ns))
            one = [p for p in pts if p[0] == 1]
            weak = bool(one) and pts[-1][2] > one[0][2] * 1.5
            label = backend if pin == "none" else f"{backend} (pin {pin})"
            if host:
                label = f"{host}: {label}"
            style = plotlib.marker_style(i)
            (handle,) = ax.plot(ns, [p[1] for p in pts], "-", label=label, **style)
            with_bars = [p for p in pts if p[5]]
            if with_bars:
                bars = True
                ax.errorbar([p[0] for p in with_bars], [p[1] for p in with_bars],
                            yerr=[[p[5][0] for p in with_bars], [p[5][1] for p in with_bars]], fmt="none",
                            ecolor=handle.get_color(), capsize=3, elinewidth=1, zorder=style["zorder"])
            noisy = [p for p in pts if p[4]]
            if noisy:
                ax.plot([p[0] for p in noisy], [p[1] for p in noisy], style["marker"], markersize=style["markersize"] + 3,
                        markerfacecolor="white", color=handle.get_color(), zorder=style["zorder"] + 0.5,
                        label=f"{label}: noisy (hollow)")
            if args.annotate_switches:
                for p in pts:
                    if p[3]:
                        annotated = True
                        ax.annotate(p[3], (p[0], p[1]), textcoords="offset points", xytext=(5, -11 - 9 * i),
                                    fontsize=7, color=handle.get_color())
            f = fit_serial_fraction([(p[0], p[1]) for p in pts], weak)
            if f is not None:
                grid = [1 + j * (max(ns) - 1) / 50 for j in range(51)]
                ax.plot(grid, [law(n, f, weak) for n in grid], "--", color=handle.get_color(), alpha=0.6,
                        label=f"{'Gustafson' if weak else 'Amdahl'} fit, serial {100 * f:.1f}%")
        ax.plot([1, top], [1, top], ":", color="gray", label="ideal")
        ceiling = sorted(ceilings.get(key, {}).items())
        if len(ceiling) > 1:
            ax.plot([c[0] for c in ceiling], [c[1] for c in ceiling], "-.", color="black", alpha=0.7,
                    label=f"machine ceiling ({ceiling[-1][1]:.2f}x at {ceiling[-1][0]})")
        # Legend entries for what the marks mean, drawn as nothing.
        if bars:
            ax.plot([], [], " ", label="bars: 95% CI of the median")
        if annotated:
            ax.plot([], [], " ", label="cs V/I: median voluntary/\ninvoluntary context switches")
        ax.set_title("  ".join(key), fontsize=10)
        ax.set_xlabel("workers")
        ax.set_xticks(sorted(workers))  # worker counts are whole numbers: a tick at each one run
        ax.set_ylabel("speedup (work per second vs 1 worker)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    plotlib.finish(fig, axes, len(panels), args.output or plotlib.default_output(args.summary, ".speedup"))


if __name__ == "__main__":
    main()
