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


def save(fig, out):
    for ext in ("png", "svg"):
        fig.savefig(f"{out}.{ext}", dpi=120)
    print(f"{out}.png\n{out}.svg")


def colors_for(names):
    """One fixed colour per name across every panel of a figure, so a single legend reads true."""
    import matplotlib
    cmap = matplotlib.colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {name: cmap(i % cmap.N) for i, name in enumerate(sorted(names))}
