#!/usr/bin/env python3
"""Draw each worker's repetition as a Gantt chart from a parbench timeline CSV.

One panel per case (workload, backend, workers, pin, parameters) and repetition, one bar per worker
on a common time axis starting at the launch: starting up (launch to check-in at the gate), waiting
at the gate, and the work (gate pass to finish), with the gate's release as a vertical line. Whether
workers overlapped, took turns, or finished before the others began shows at a glance. The work bar
is split by the worker's CPU time (user + sys) over it: the dark part is the time it ran on a CPU,
the hatched rest the time it was off CPU (sleeping, blocked, or waiting for a CPU). Only the totals
are recorded, so the dark part is drawn first: the split says how much, not when. A sleeping worker's
bar is almost all hatched; two workers taking turns on one CPU are about half each. Each work bar is
labelled with its CPU (start→end when it moved), that share on CPU, and its context switches
(voluntary/involuntary: blocking versus preemption).

Usage: plot_timeline.py PREFIX.timeline.csv [--workload W] [--backend B] [--workers N] [--rep R]
                        [--max-panels K] [-o OUT]   (writes OUT.png and OUT.svg)
"""
import argparse

import plotlib

REQUIRED = ["workload", "backend", "workers", "pin", "rep", "worker", "cpu_at_start", "cpu_at_end",
            "launch_ns", "ready_ns", "release_ns", "start_ns", "end_ns", "user_ns", "sys_ns", "vol_ctx_switches",
            "invol_ctx_switches"]


def panels_of(rows, params, args):
    """{case title: [worker rows]} for the selected cases, at repetition args.rep."""
    out = {}
    for r in rows:
        if args.workload and r["workload"] != args.workload:
            continue
        if args.backend and r["backend"] != args.backend:
            continue
        if args.workers and int(r["workers"]) != args.workers:
            continue
        if int(r["rep"]) != args.rep:
            continue
        named = " ".join(f"{p}={r[p]}" for p in params if r.get(p))
        title = f"{r['workload']} {r['backend']} workers={r['workers']} pin={r['pin']} {named} rep {r['rep']}"
        out.setdefault(title.strip(), []).append(r)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("timeline", help="PREFIX.timeline.csv written by parbench run")
    parser.add_argument("--workload", help="only this workload")
    parser.add_argument("--backend", help="only this backend")
    parser.add_argument("--workers", type=int, help="only cases with this many workers")
    parser.add_argument("--rep", type=int, default=1, help="repetition to draw (default 1)")
    parser.add_argument("--max-panels", type=int, default=8, help="draw at most this many cases (default 8)")
    parser.add_argument("-o", "--output", help="output path without extension (default: PREFIX.timeline)")
    args = parser.parse_args()
    plt = plotlib.import_pyplot(__file__)

    rows, header = plotlib.read_csv(__file__, args.timeline, REQUIRED)
    params = header[header.index("pin") + 1:header.index("rep")]
    panels = panels_of(rows, params, args)
    if not panels:
        plotlib.fail(__file__, f"{args.timeline}: no worker lines match the selection (rep {args.rep})")
    titles = sorted(panels)[:args.max_panels]

    height = max(2.5, 0.4 + sum(1.0 + 0.35 * len(panels[t]) for t in titles))
    fig, axes = plt.subplots(len(titles), 1, figsize=(10, height), squeeze=False)
    for ax, title in zip(axes.flat, titles):
        workers = sorted(panels[title], key=lambda r: int(r["worker"]))
        t0 = min(int(w["launch_ns"]) for w in workers)
        ms = lambda w, col: (int(w[col]) - t0) / 1e6  # noqa: E731
        for w in workers:
            y = int(w["worker"])
            ax.barh(y, ms(w, "ready_ns"), left=0, height=0.5, color="#d9d9d9",
                    label="starting" if y == 0 else None)
            ax.barh(y, ms(w, "start_ns") - ms(w, "ready_ns"), left=ms(w, "ready_ns"), height=0.5,
                    color="#fdd49e", label="at the gate" if y == 0 else None)
            span = int(w["end_ns"]) - int(w["start_ns"])
            cpu_time = int(w["user_ns"]) + int(w["sys_ns"])
            # CPU time is counted in ticks and may exceed the span by a little: at most the whole bar.
            on = min(span, cpu_time) / 1e6
            ax.barh(y, span / 1e6, left=ms(w, "start_ns"), height=0.5, color="white", edgecolor="#3182bd",
                    hatch="///", linewidth=0.8, label="working, off CPU (sleeping, blocked, waiting)" if y == 0 else None)
            ax.barh(y, on, left=ms(w, "start_ns"), height=0.5, color="#3182bd",
                    label="working, on CPU (user + sys)" if y == 0 else None)
            cpu = w["cpu_at_start"] if w["cpu_at_start"] == w["cpu_at_end"] else f"{w['cpu_at_start']}→{w['cpu_at_end']}"
            on_cpu = f"{100 * cpu_time / span:.0f}% on CPU, " if span > 0 else ""
            ax.text(ms(w, "end_ns"), y,
                    f" cpu {cpu}, {on_cpu}cs {w['vol_ctx_switches']}/{w['invol_ctx_switches']}",
                    va="center", fontsize=7)
        ax.axvline(ms(workers[0], "release_ns"), color="black", linewidth=0.8, linestyle="--",
                   label="gate opened")
        ax.set_yticks([int(w["worker"]) for w in workers])
        ax.set_yticklabels([f"worker {w['worker']}" for w in workers], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("ms since launch")
        ax.margins(x=0.12)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], linestyle=" ", label="cs V/I: voluntary/involuntary context switches"))
    labels.append(handles[-1].get_label())
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.55 / height, 1, 1))  # room for the legend below
    plotlib.save(fig, args.output or args.timeline.removesuffix(".csv"))


if __name__ == "__main__":
    main()
