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

    panels = {}
    for r in rows:
        if r["workload"] != "ipc_pingpong" or r["status"] != "ok" or not r["median_rtt_p50_ns"]:
            continue
        channel = r["channel"] + (" (spin)" if r["wait"] == "spin" else "")
        panels.setdefault((r["backend"], r["placement"]), {}).setdefault(channel, []).append(
            (int(r["size"]), float(r["median_rtt_p50_ns"]) / 1e3, float(r["median_rtt_p99_ns"]) / 1e3))
    if not panels:
        plotlib.fail(__file__, f"{args.summary}: no successful ipc_pingpong case")

    keys = sorted(panels)
    colors = plotlib.colors_for({c for lines in panels.values() for c in lines})
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys) + 2, 5), squeeze=False, sharey=True,
                             layout="constrained")
    for ax, key in zip(axes.flat, keys):
        for channel, pts in sorted(panels[key].items()):
            pts.sort()
            sizes = [p[0] for p in pts]
            ax.plot(sizes, [p[1] for p in pts], "o-", ms=3, color=colors[channel], label=channel)
            ax.fill_between(sizes, [p[1] for p in pts], [p[2] for p in pts], color=colors[channel], alpha=0.08)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{key[0]}, {key[1].replace('_', ' ')}")
        ax.set_xlabel("message size (bytes)")
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[0].set_ylabel("round trip p50, us (band: to p99)")
    # One legend for the figure, listing every channel once, in a fixed colour.
    handles = [plt.Line2D([], [], color=colors[c], marker="o", ms=3, label=c) for c in sorted(colors)]
    axes.flat[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    plotlib.save(fig, args.output or plotlib.default_output(args.summary, ".ipc_latency"))


if __name__ == "__main__":
    main()
