#!/usr/bin/env python3
"""Plot IPC round-trip latency against message size from a parbench summary CSV.

Log-log axes, one line per channel (shm_ring's spin mode as its own line), one panel per backend
and placement, from the ipc_pingpong cases: the median over repetitions of each repetition's p50
round trip, with a shaded band up to the p99. Cases that failed or were unsupported are left out.

Usage: plot_ipc_latency.py PREFIX.summary.csv [-o OUT]   (writes OUT.png and OUT.svg)
"""
import argparse

import plotlib

REQUIRED = ["workload", "backend", "status", "channel", "size", "placement", "wait",
            "median_rtt_p50_ns", "median_rtt_p99_ns"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", help="PREFIX.summary.csv written by parbench run ipc (or ipc_pingpong)")
    parser.add_argument("-o", "--output", help="output path without extension (default: PREFIX.ipc_latency)")
    args = parser.parse_args()
    plt = plotlib.import_pyplot(__file__)
    rows, _ = plotlib.read_csv(__file__, args.summary, REQUIRED)

    panels = plotlib.ipc_panels(rows, "ipc_pingpong", lambda r: (
        float(r["median_rtt_p50_ns"]) / 1e3, float(r["median_rtt_p99_ns"]) / 1e3) if r["median_rtt_p50_ns"] else None)
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no successful ipc_pingpong case")
    fig = plotlib.plot_against_size(plt, panels, "round trip p50, us (band: to p99)")
    plotlib.save(fig, args.output or plotlib.default_output(args.summary, ".ipc_latency"))


if __name__ == "__main__":
    main()
