#!/usr/bin/env python3
"""Plot IPC throughput against message size from a parbench summary CSV.

Log-x axis, one line per channel (shm_ring's spin mode as its own line), one panel per backend and
placement, from the ipc_stream cases: the median over repetitions of MB/s (10^6 bytes per second).
Cases that failed or were unsupported are left out.

Usage: plot_ipc_throughput.py PREFIX.summary.csv [-o OUT]   (writes OUT.png and OUT.svg)
"""
import argparse

import plotlib

REQUIRED = ["workload", "backend", "status", "channel", "size", "placement", "wait", "median_mb_per_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", help="PREFIX.summary.csv written by parbench run ipc (or ipc_stream)")
    parser.add_argument("-o", "--output", help="output path without extension (default: PREFIX.ipc_throughput)")
    args = parser.parse_args()
    plt = plotlib.import_pyplot(__file__)
    rows, _ = plotlib.read_csv(__file__, args.summary, REQUIRED)

    panels = plotlib.ipc_panels(rows, "ipc_stream", lambda r: (
        float(r["median_mb_per_s"]),) if r["median_mb_per_s"] else None)
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no successful ipc_stream case")
    fig = plotlib.plot_against_size(plt, panels, "throughput, MB/s")
    plotlib.save(fig, args.output or plotlib.default_output(args.summary, ".ipc_throughput"))


if __name__ == "__main__":
    main()
