"""Shared by the plot scripts: matplotlib from Debian's python3, and reading a parbench CSV."""
import csv
import os
import sys


def import_pyplot(script):
    """matplotlib.pyplot with the Agg backend, re-running `script` under /usr/bin/python3 when the
    interpreter running it lacks matplotlib (a pyenv or venv python3 first on PATH)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(system) and os.path.exists(system):
            os.execv(system, [system, os.path.abspath(script)] + sys.argv[1:])
        fail(script, "matplotlib is not installed (Debian: apt-get install python3-matplotlib)")


def fail(script, message):
    sys.exit(f"{os.path.basename(script)}: {message}")


def read_csv(script, path, required):
    """Rows of a CSV as dicts, and its header; exits with a clear message if a column is missing."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                fail(script, f"{path}: missing columns: {', '.join(missing)} (is this the right parbench CSV?)")
            return list(reader), header
    except OSError as e:
        fail(script, f"cannot read {path}: {e.strerror}")


def default_output(summary_path, suffix):
    return summary_path.removesuffix(".csv").removesuffix(".summary") + suffix


def finish(fig, axes, used, out):
    """Hides the grid's panels past the first `used`, lays the figure out and saves it."""
    for ax in list(axes.flat)[used:]:
        ax.set_visible(False)
    fig.tight_layout()
    save(fig, out)


def save(fig, out):
    for ext in ("png", "svg"):
        fig.savefig(f"{out}.{ext}", dpi=120)
    print(f"{out}.png\n{out}.svg")


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]


def marker_style(i):
    """Marker keyword arguments for the i-th line of a panel: a different shape per line and each
    smaller than the one before, drawn on top, so points of lines that coincide stay visible."""
    return {"marker": MARKERS[i % len(MARKERS)], "markersize": max(3.0, 9.0 - 1.5 * i),
            "markeredgecolor": "white", "markeredgewidth": 0.6, "zorder": 3 + i}


def colors_for(names):
    """One fixed colour per name across every panel of a figure, so a single legend reads true."""
    import matplotlib
    cmap = matplotlib.colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {name: cmap(i % cmap.N) for i, name in enumerate(sorted(names))}


def ipc_panels(rows, workload, value):
    """{(backend, placement): {channel: [(size, *values)]}} from the successful `workload` rows of a
    summary; value(row) gives the tuple of numbers to plot (None to skip the row)."""
    panels = {}
    for r in rows:
        if r["workload"] != workload or r["status"] != "ok":
            continue
        v = value(r)
        if v is None:
            continue
        channel = r["channel"] + (" (spin)" if r["wait"] == "spin" else "")
        panels.setdefault((r["backend"], r["placement"]), {}).setdefault(channel, []).append((int(r["size"]),) + v)
    return panels


def plot_against_size(plt, panels, ylabel):
    """One log-log panel per (backend, placement), one line per channel in a fixed colour, and one
    legend. Points are (size, y) or (size, y, y_high) for a shaded band from y to y_high."""
    keys = sorted(panels)
    colors = colors_for({c for lines in panels.values() for c in lines})
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys) + 2, 5), squeeze=False, sharey=True,
                             layout="constrained")
    order = {c: i for i, c in enumerate(sorted(colors))}
    for ax, key in zip(axes.flat, keys):
        for channel, pts in sorted(panels[key].items()):
            pts.sort()
            sizes = [p[0] for p in pts]
            ax.plot(sizes, [p[1] for p in pts], "-", color=colors[channel], label=channel,
                    **marker_style(order[channel]))
            if len(pts[0]) > 2:
                ax.fill_between(sizes, [p[1] for p in pts], [p[2] for p in pts], color=colors[channel], alpha=0.08)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{key[0]}, {key[1].replace('_', ' ')}")
        ax.set_xlabel("message size (bytes)")
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[0].set_ylabel(ylabel)
    handles = [plt.Line2D([], [], color=colors[c], label=c, **marker_style(order[c])) for c in sorted(colors)]
    axes.flat[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    return fig


def lock_panels(rows, column):
    """{(backend, cs_ns): {lock: [(workers, value)]}} from the successful lock_contention rows."""
    panels = {}
    for r in rows:
        if r["workload"] != "lock_contention" or r["status"] != "ok" or not r[column]:
            continue
        key = (r["backend"], int(r["cs_ns"]))
        panels.setdefault(key, {}).setdefault(r["lock"], []).append((int(r["workers"]), float(r[column])))
    for lines in panels.values():
        for pts in lines.values():
            pts.sort()
    return panels


def plot_against_workers(plt, panels, ylabel, decorate):
    """One panel per (backend, cs_ns), one line per lock in a fixed colour (atomic dashed), one
    legend; decorate(ax, lines) adds reference lines and scales."""
    keys = sorted(panels)
    colors = colors_for({lock for lines in panels.values() for lock in lines})
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys) + 2, 4.5), squeeze=False, sharey=True,
                             layout="constrained")
    order = {c: i for i, c in enumerate(sorted(colors))}
    for ax, key in zip(axes.flat, keys):
        lines = panels[key]
        for lock, pts in sorted(lines.items()):
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "--" if lock == "atomic" else "-",
                    color=colors[lock], **marker_style(order[lock]))
        decorate(ax, lines)
        ax.set_title(f"{key[0]}, cs_ns={key[1]}")
        ax.set_xlabel("workers")
        ax.set_xticks(sorted({p[0] for pts in lines.values() for p in pts}))
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[0].set_ylabel(ylabel)
    handles = [plt.Line2D([], [], color=colors[c], linestyle="--" if c == "atomic" else "-", label=c,
                          **marker_style(order[c])) for c in sorted(colors)]
    handles += [h for h in axes.flat[-1].get_lines() if h.get_label() and not h.get_label().startswith("_")]
    axes.flat[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    return fig
