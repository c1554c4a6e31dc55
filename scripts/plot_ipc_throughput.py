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

    panels = {}
    for r in rows:
        if r["workload"] != "ipc_stream" or r["status"] != "ok" or not r["median_mb_per_s"]:
            continue
        channel = r["channel"] + (" (spin)" if r["wait"] == "spin" else "")
        panels.setdefault((r["backend"], r["placement"]), {}).setdefault(channel, []).append(
            (int(r["size"]), float(r["median_mb_per_s"])))
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no successful ipc_stream case")

    keys = sorted(panels)
    colors = plotlib.colors_for({c for lines in panels.values() for c in lines})
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys) + 2, 5), squeeze=False, sharey=True,
                             layout="constrained")
    for ax, key in zip(axes.flat, keys):
        for channel, pts in sorted(panels[key].items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", ms=3, color=colors[channel], label=channel)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{key[0]}, {key[1].replace('_', ' ')}")
        ax.set_xlabel("message size (bytes)")
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[0].set_ylabel("throughput, MB/s")
    # One legend for the figure, listing every channel once, in a fixed colour.
    handles = [plt.Line2D([], [], color=colors[c], marker="o", ms=3, label=c) for c in sorted(colors)]
    axes.flat[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    plotlib.save(fig, args.output or plotlib.default_output(args.summary, ".ipc_throughput"))


if __name__ == "__main__":
    main()
