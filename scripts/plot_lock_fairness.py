#!/usr/bin/env python3
"""Plot lock fairness against workers from a parbench summary CSV.

One panel per backend and critical-section length (cs_ns), one line per lock kind, from the
lock_contention cases: the median Jain's fairness index of the workers' acquisition counts
(1 = every worker got the same share; 1/W = one worker got everything). Cases that failed or were
unsupported are left out.

Usage: plot_lock_fairness.py PREFIX.summary.csv [-o OUT]   (writes OUT.png and OUT.svg)
"""
import argparse

import plotlib

REQUIRED = ["workload", "backend", "workers", "status", "lock", "cs_ns", "median_jain"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", help="PREFIX.summary.csv written by parbench run locks (or lock_contention)")
    parser.add_argument("-o", "--output", help="output path without extension (default: PREFIX.lock_fairness)")
    args = parser.parse_args()
    plt = plotlib.import_pyplot(__file__)
    rows, _ = plotlib.read_csv(__file__, args.summary, REQUIRED)
    panels = plotlib.lock_panels(rows, "median_jain")
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no successful lock_contention case")

    def decorate(ax, lines):
        top = max(n for pts in lines.values() for n, _ in pts)
        ax.plot(range(1, top + 1), [1 / n for n in range(1, top + 1)], ":", color="gray", label="1/W (one takes all)")
        ax.set_ylim(0, 1.05)

    fig = plotlib.plot_against_workers(plt, panels, "Jain's fairness index", decorate)
    plotlib.save(fig, args.output or plotlib.default_output(args.summary, ".lock_fairness"))


if __name__ == "__main__":
    main()
