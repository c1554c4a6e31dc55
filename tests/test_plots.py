"""The plot scripts: PNG and SVG from a summary, fitted scaling laws, fixed colours, bad input rejected."""
import csv
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ.get("PARBENCH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), ".."))
SCRIPT = os.path.join(SOURCE, "scripts", "plot_speedup.py")
sys.path.insert(0, os.path.join(SOURCE, "scripts"))
import plot_speedup  # noqa: E402
import plotlib  # noqa: E402

HEADER = ["workload", "backend", "workers", "pin", "n", "reps", "errors", "status", "error",
          "median_wall_ns", "work_units", "speedup", "efficiency"]


def write_summary(path, rows, header=HEADER):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def annotated_svg(d, header, rows):
    """plot_speedup.py --annotate-switches on a summary of `rows`: the SVG's text."""
    summary = os.path.join(d, "r.summary.csv")
    write_summary(summary, rows, header)
    out = os.path.join(d, "plot")
    subprocess.run([sys.executable, SCRIPT, summary, "--annotate-switches", "-o", out], check=True,
                   capture_output=True)
    with open(f"{out}.svg") as f:
        return f.read()


class PlotSpeedup(unittest.TestCase):
    def test_amdahl_fit_recovers_the_serial_fraction(self):
        f = 0.1
        points = [(n, 1 / (f + (1 - f) / n)) for n in (1, 2, 4, 8)]
        self.assertAlmostEqual(plot_speedup.fit_serial_fraction(points, weak=False), f, places=9)

    def test_gustafson_fit_recovers_the_serial_fraction(self):
        f = 0.25
        points = [(n, n - f * (n - 1)) for n in (1, 2, 4, 8)]
        self.assertAlmostEqual(plot_speedup.fit_serial_fraction(points, weak=True), f, places=9)

    def test_no_fit_through_two_worker_counts(self):
        # Through (1, 1) and one more point any serial fraction fits exactly: no law is drawn.
        self.assertIsNone(plot_speedup.fit_serial_fraction([(1, 1.0), (2, 1.6)], weak=False))
        self.assertIsNotNone(plot_speedup.fit_serial_fraction([(1, 1.0), (2, 1.6), (4, 2.2)], weak=False))

    def test_error_bars_from_the_median_ci(self):
        # Work per second is work / wall: the CI's high wall time is the low speedup.
        below, above = plot_speedup.speedup_error(
            {"ci95_lo_wall_ns": "80", "ci95_hi_wall_ns": "125", "median_wall_ns": "100"}, 2.0)
        self.assertAlmostEqual(below, 2.0 - 1.6)
        self.assertAlmostEqual(above, 2.5 - 2.0)
        self.assertIsNone(plot_speedup.speedup_error({"ci95_lo_wall_ns": "", "median_wall_ns": "100"}, 2.0))

    def test_distinct_markers_and_a_legend_for_every_mark(self):
        with tempfile.TemporaryDirectory() as d:
            header = HEADER + ["ci95_lo_wall_ns", "ci95_hi_wall_ns", "median_vol_ctx_switches",
                               "median_invol_ctx_switches"]
            rows = []
            for backend in ("thread", "process"):  # the same figures: the lines coincide
                rows.append(["cpu_sum", backend, 1, "none", 100, 6, 0, "ok", "", 100, 100, 1, 1, 95, 110, 0, 1])
                rows.append(["cpu_sum", backend, 2, "none", 100, 6, 0, "ok", "", 52, 100, 1.92, 0.96, 50, 60, 0, 2])
            svg = annotated_svg(d, header, rows)
            self.assertIn("bars: 95% CI of the median", svg)
            self.assertIn("voluntary/", svg)  # what "cs V/I" means
            self.assertNotIn("fit, serial", svg)  # two worker counts: no fit
        self.assertNotEqual(plotlib.marker_style(0)["marker"], plotlib.marker_style(1)["marker"])
        self.assertGreater(plotlib.marker_style(0)["markersize"], plotlib.marker_style(1)["markersize"])

    def test_writes_png_and_svg(self):
        with tempfile.TemporaryDirectory() as d:
            summary = os.path.join(d, "r.summary.csv")
            write_summary(summary, [
                ["cpu_sum", "thread", 1, "none", 100, 3, 0, "ok", "", 100, 100, 1, 1],
                ["cpu_sum", "thread", 2, "none", 100, 3, 0, "ok", "", 52, 100, 1.92, 0.96],
                ["cpu_sum", "process", 1, "none", 100, 3, 0, "ok", "", 100, 100, 1, 1],
                ["cpu_sum", "process", 2, "none", 100, 3, 0, "ok", "", 51, 100, 1.96, 0.98],
                ["cpu_sum", "process", 4, "none", 100, 0, 1, "error", "timed out", "", "", "", ""],
            ])
            out = os.path.join(d, "plot")
            subprocess.run([sys.executable, SCRIPT, summary, "-o", out], check=True, capture_output=True)
            for ext in ("png", "svg"):
                self.assertGreater(os.path.getsize(f"{out}.{ext}"), 1000)

    def test_annotates_context_switches_and_marks_noisy_cases(self):
        with tempfile.TemporaryDirectory() as d:
            header = HEADER + ["median_vol_ctx_switches", "median_invol_ctx_switches", "noisy"]
            svg = annotated_svg(d, header, [
                ["cpu_sum", "thread", 1, "none", 100, 3, 0, "ok", "", 100, 100, 1, 1, 0, 2, ""],
                ["cpu_sum", "thread", 2, "none", 100, 3, 0, "ok", "", 60, 100, 1.6, 0.8, 1, 40, "steal 12%"],
            ])
            self.assertIn("cs 1/40", svg)
            self.assertIn("noisy", svg)
        self.assertEqual(plot_speedup.switches({"median_vol_ctx_switches": "3.0",
                                                "median_invol_ctx_switches": "12"}), "cs 3/12")
        self.assertIsNone(plot_speedup.switches({"median_vol_ctx_switches": ""}))

    def test_a_merged_report_has_one_line_per_host(self):
        with tempfile.TemporaryDirectory() as d:
            summary = os.path.join(d, "all.summary.csv")
            header = HEADER[:4] + ["host"] + HEADER[4:]
            with open(summary, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(header)
                for host, s2 in (("alpha", 1.9), ("beta", 1.4)):
                    w.writerow(["cpu_sum", "thread", 1, "none", host, 100, 3, 0, "ok", "", 100, 100, 1, 1])
                    w.writerow(["cpu_sum", "thread", 2, "none", host, 100, 3, 0, "ok", "", 60, 100, s2, s2 / 2])
                # mpi ranks on two hosts continue the line of the first host's 1-rank case
                w.writerow(["cpu_sum", "mpi", 1, "none", "alpha", 100, 3, 0, "ok", "", 100, 100, 1, 1])
                w.writerow(["cpu_sum", "mpi", 2, "none", "alpha+beta", 100, 3, 0, "ok", "", 50, 100, 2, 1])
            _, params = plot_speedup.read_summary(summary)
            self.assertEqual(params, ["n"])
            out = os.path.join(d, "plot")
            subprocess.run([sys.executable, SCRIPT, summary, "-o", out], check=True, capture_output=True)
            with open(f"{out}.svg") as f:
                svg = f.read()
            for label in ("alpha: thread", "beta: thread", "alpha: mpi"):
                self.assertIn(label, svg)
            self.assertNotIn("alpha+beta", svg)

    def test_rejects_a_csv_without_the_columns(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "rows.csv")
            with open(path, "w") as f:
                f.write("workload,backend\ncpu_sum,thread\n")
            r = subprocess.run([sys.executable, SCRIPT, path], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("missing columns", r.stderr)

    def test_help_is_the_docstring(self):
        r = subprocess.run([sys.executable, SCRIPT, "--help"], capture_output=True, text=True, check=True)
        self.assertIn("Amdahl", r.stdout)


IPC_HEADER = ["workload", "backend", "workers", "pin", "channel", "size", "wait", "placement", "count",
              "reps", "errors", "status", "error", "median_rtt_p50_ns", "median_rtt_p99_ns", "median_mb_per_s"]


class PlotIpc(unittest.TestCase):
    def summary(self, d):
        path = os.path.join(d, "ipc.summary.csv")
        rows = []
        for backend in ("thread", "process"):
            for channel in ("pipe", "shm_ring", "inproc_queue"):
                for size in (8, 4096, 1048576):
                    ok = not (channel == "inproc_queue" and backend == "process")
                    status = "ok" if ok else "unsupported"
                    rows.append(["ipc_pingpong", backend, 2, "0+1", channel, size, "block", "cross_core", 0, 3, 0,
                                 status, "", 20000 + size / 100 if ok else "", 60000 + size / 50 if ok else "", ""])
                    rows.append(["ipc_stream", backend, 2, "0+1", channel, size, "block", "cross_core", 0, 3, 0,
                                 status, "", "", "", size / 10 if ok else ""])
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(IPC_HEADER)
            w.writerows(rows)
        return path

    def test_latency_and_throughput_plots(self):
        with tempfile.TemporaryDirectory() as d:
            summary = self.summary(d)
            for script in ("plot_ipc_latency.py", "plot_ipc_throughput.py"):
                out = os.path.join(d, script)
                subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", script), summary, "-o", out],
                               check=True, capture_output=True)
                for ext in ("png", "svg"):
                    self.assertGreater(os.path.getsize(f"{out}.{ext}"), 1000)

    def test_a_channel_keeps_its_colour_in_every_panel(self):
        import plotlib
        colors = plotlib.colors_for({"pipe", "fifo", "shm_ring"})
        self.assertEqual(len(set(colors.values())), 3)
        self.assertEqual(colors, plotlib.colors_for({"shm_ring", "pipe", "fifo"}))

    def test_a_speedup_summary_is_not_an_ipc_summary(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.summary.csv")
            write_summary(path, [["cpu_sum", "thread", 1, "none", 100, 3, 0, "ok", "", 100, 100, 1, 1]])
            r = subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", "plot_ipc_latency.py"), path],
                               capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("missing columns", r.stderr)


LOCK_HEADER = ["workload", "backend", "workers", "pin", "lock", "cs_ns", "outside_ns", "duration_ms", "reps",
               "errors", "status", "error", "median_ops_per_s", "median_jain"]


class PlotLocks(unittest.TestCase):
    def test_throughput_and_fairness_plots(self):
        with tempfile.TemporaryDirectory() as d:
            summary = os.path.join(d, "locks.summary.csv")
            rows = []
            for backend in ("thread", "process"):
                for lock in ("atomic", "ticket", "std_mutex"):
                    for workers in (1, 2, 4):
                        ok = not (lock == "std_mutex" and backend == "process")
                        rows.append(["lock_contention", backend, workers, "none", lock, 0, 0, 100, 3, 0,
                                     "ok" if ok else "unsupported", "", 1e8 / workers if ok else "",
                                     1 / workers ** 0.5 if ok else ""])
            with open(summary, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(LOCK_HEADER)
                w.writerows(rows)
            for script in ("plot_lock_throughput.py", "plot_lock_fairness.py"):
                out = os.path.join(d, script)
                subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", script), summary, "-o", out],
                               check=True, capture_output=True)
                for ext in ("png", "svg"):
                    self.assertGreater(os.path.getsize(f"{out}.{ext}"), 1000)

    def test_an_ipc_summary_is_not_a_lock_summary(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.summary.csv")
            write_summary(path, [["cpu_sum", "thread", 1, "none", 100, 3, 0, "ok", "", 100, 100, 1, 1]])
            r = subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", "plot_lock_fairness.py"), path],
                               capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("missing columns", r.stderr)


TIMELINE_HEADER = ["workload", "backend", "workers", "pin", "n", "rep", "worker", "cpu_at_start", "cpu_at_end",
                   "launch_ns", "ready_ns", "release_ns", "start_ns", "end_ns", "user_ns", "sys_ns",
                   "vol_ctx_switches", "invol_ctx_switches", "minor_faults", "major_faults", "cpu_migrations"]


class PlotSpeedupStack(unittest.TestCase):
    SCRIPT = os.path.join(SOURCE, "scripts", "plot_speedup_stack.py")
    PARTS = ["lost_start_skew", "lost_imbalance", "lost_off_cpu", "lost_others_cpu", "lost_more_cpu",
             "lost_ceiling", "lost_residual", "stack_note"]

    def run_on(self, d, rows, header=None):
        summary = os.path.join(d, "s.summary.csv")
        write_summary(summary, rows, header or HEADER + self.PARTS)
        out = os.path.join(d, "stack")
        r = subprocess.run([sys.executable, self.SCRIPT, summary, "-o", out], capture_output=True, text=True)
        return r, out

    def test_one_bar_per_multi_worker_case_and_a_legend_entry_per_part_drawn(self):
        with tempfile.TemporaryDirectory() as d:
            base = ["cpu_sum", "thread", "1", "none", "10", "3", "0", "ok", "", "100", "10", "1", "1"]
            two = ["cpu_sum", "thread", "2", "none", "10", "3", "0", "ok", "", "60", "10", "1.5", "0.75",
                   "0.02", "0.4", "", "0.05", "-0.03", "0.06", "0", ""]
            r, out = self.run_on(d, [base + [""] * 8, two])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.getsize(f"{out}.png") > 0)
            with open(f"{out}.svg") as f:
                svg = f.read()
            for label in ("achieved speedup", "imbalance", "CPU taken by other load", "machine's speedup ceiling",
                          "worker count (the ideal)", "below zero: less than at 1 worker"):
                self.assertIn(label, svg)
            # An empty or all-zero part is not drawn.
            self.assertNotIn("blocked or sleeping", svg)
            self.assertNotIn("residual", svg)

    def test_a_summary_without_stacks_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            r, _ = self.run_on(d, [["cpu_sum", "thread", "1", "none", "10", "3", "0", "ok", "", "100", "10", "1",
                                    "1"]], HEADER)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("no speedup stack columns", r.stderr)
            r, _ = self.run_on(d, [["cpu_sum", "thread", "1", "none", "10", "3", "0", "ok", "", "100", "10", "1",
                                    "1"] + [""] * 8])
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("no case has a speedup stack", r.stderr)


class PlotTimeline(unittest.TestCase):
    SCRIPT = os.path.join(SOURCE, "scripts", "plot_timeline.py")

    def timeline(self, d):
        path = os.path.join(d, "run.timeline.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(TIMELINE_HEADER)
            for backend in ("thread", "process"):
                for rep in (1, 2):
                    for worker in (0, 1):
                        base = 1_000_000_000 * rep
                        # Two workers taking turns on CPU 0: each on a CPU half of its interval.
                        w.writerow(["cpu_sum", backend, 2, "same-cpu", 100, rep, worker, 0, 0, base,
                                    base + 2_000_000, base + 3_000_000, base + 3_100_000 + worker * 1000,
                                    base + 83_000_000, 40_000_000, 0, 0, 10, 2, 0, ""])
        return path

    def test_draws_every_selected_case(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.timeline(d)
            r = subprocess.run([sys.executable, self.SCRIPT, path], check=True, capture_output=True, text=True)
            for ext in ("png", "svg"):
                self.assertGreater(os.path.getsize(os.path.join(d, f"run.timeline.{ext}")), 1000)
            self.assertIn("run.timeline.png", r.stdout)
            out = os.path.join(d, "one")
            subprocess.run([sys.executable, self.SCRIPT, path, "--backend", "process", "--rep", "2", "-o", out],
                           check=True, capture_output=True)
            with open(f"{out}.svg") as f:
                svg = f.read()
            self.assertIn("50% on CPU", svg)
            # The work bar is split: on CPU and off CPU, both named in the legend.
            self.assertIn("working, on CPU", svg)
            self.assertIn("working, off CPU", svg)
            self.assertIn("worker 1", svg)
            self.assertNotIn("cpu_sum thread", svg)

    def test_an_empty_selection_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.timeline(d)
            r = subprocess.run([sys.executable, self.SCRIPT, path, "--workload", "sleep"], capture_output=True,
                               text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("no worker lines match", r.stderr)

    def test_rejects_a_csv_without_the_columns(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "rows.csv")
            with open(path, "w") as f:
                f.write("workload,backend\ncpu_sum,thread\n")
            r = subprocess.run([sys.executable, self.SCRIPT, path], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("missing columns", r.stderr)

    def test_help_is_the_docstring(self):
        r = subprocess.run([sys.executable, self.SCRIPT, "--help"], capture_output=True, text=True, check=True)
        self.assertIn("Gantt", r.stdout)


if __name__ == "__main__":
    unittest.main()
