#!/usr/bin/env python3
"""Plot lock throughput against workers from a parbench summary CSV.

One panel per backend and critical-section length (cs_ns), one line per lock kind, from the
lock_contention cases: median acquisitions per second, log scale. The atomic baseline is drawn
dashed, and a linear-scaling line from the best 1-worker lock shows what perfect scaling would be.
Cases that failed or were unsupported are left out.

Usage: plot_lock_throughput.py PREFIX.summary.csv [-o OUT]   (writes OUT.png and OUT.svg)
"""
import argparse

import plotlib

REQUIRED = ["workload", "backend", "workers", "status", "lock", "cs_ns", "median_ops_per_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", help="PREFIX.summary.csv written by parbench run locks (or lock_contention)")
    parser.add_argument("-o", "--output", help="output path without extension (default: PREFIX.lock_throughput)")
    args = parser.parse_args()
    plt = plotlib.import_pyplot(__file__)
    rows, _ = plotlib.read_csv(__file__, args.summary, REQUIRED)
    panels = plotlib.lock_panels(rows, "median_ops_per_s")
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no successful lock_contention case")

    def decorate(ax, lines):
        best_one = max((pts[0][1] for pts in lines.values() if pts and pts[0][0] == 1), default=None)
        top = max(n for pts in lines.values() for n, _ in pts)
        if best_one:
            ax.plot([1, top], [best_one, best_one * top], ":", color="gray", label="linear")
        ax.set_yscale("log")

    fig = plotlib.plot_against_workers(plt, panels, "acquisitions per second", decorate)
    plotlib.save(fig, args.output or plotlib.default_output(args.summary, ".lock_throughput"))


if __name__ == "__main__":
    main()
