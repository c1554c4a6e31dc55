"""What parbench's Python workloads share (parbench_py.py runs them): their processes die with
their parent, the exceptions that say a case is unsupported or its result wrong, the statistics,
the calibrated busy loop, and the Kit a workload's workers are made from."""

import ctypes
import ctypes.util
import multiprocessing as mp
import os
import queue
import threading
import time

MASK64 = (1 << 64) - 1

PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_forking_pid = [0]


def _remember_parent():
    _forking_pid[0] = os.getpid()


def die_with(parent_pid):
    """This process is killed when its parent dies, as parbench's own workers are; exits at once
    when the parent (parent_pid) is already gone."""
    _LIBC.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _die_with_parent():
    """Every process forked from here (multiprocessing's Process, Pool workers, the Manager's
    server) is killed when its parent dies: a SIGKILLed parbench kills this interpreter (parbench
    set the same on it), and the chain goes on down."""
    die_with(_forking_pid[0])


os.register_at_fork(before=_remember_parent, after_in_child=_die_with_parent)


class Unsupported(Exception):
    """This case has no Python version here; reported as unsupported, not as an error."""


class WrongResult(Exception):
    """The workload's result failed its check."""


def sum_squares_below(n):
    return n * (n - 1) * (2 * n - 1) // 6 if n > 0 else 0


def worker_range(scaling, n, index, workers):
    if scaling == "weak":
        return n * index, n * (index + 1)
    return n * index // workers, n * (index + 1) // workers


def quantile(sorted_values, q):
    """Linear interpolation between order statistics (numpy's default), as parbench's
    quantile_sorted (a test checks both on the same values)."""
    if not sorted_values:
        return float("nan")
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def jain(counts):
    """Jain's fairness index, as parbench's jain_index (a test checks both on the same counts)."""
    total = sum(counts)
    squares = sum(c * c for c in counts)
    return total * total / (len(counts) * squares) if squares else 1.0


# Busy work as the C++ side does it (busy_work.hpp): a loop calibrated once, run for as many
# iterations as the nanoseconds asked for, with no clock read inside it. parbench calibrates it
# when it first asks about the interpreter (--describe, kept in meta.json run.python) and passes the
# figure to every repetition (--busy-ns-per-iteration); run alone, the script calibrates itself.
BUSY_NS_PER_ITERATION = None


def busy_loop(iterations):
    for _ in range(iterations):
        pass


def calibrate_busy(rounds=7, iterations=200_000):
    """ns per iteration of busy_loop: the fastest of `rounds` (the CPU at full speed, as the C++
    calibration takes it)."""
    best = None
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        busy_loop(iterations)
        ns = (time.perf_counter_ns() - t0) / iterations
        best = ns if best is None else min(best, ns)
    return best


def spin_ns(ns):
    global BUSY_NS_PER_ITERATION
    if ns <= 0:
        return
    if BUSY_NS_PER_ITERATION is None:
        BUSY_NS_PER_ITERATION = calibrate_busy()
    busy_loop(max(1, round(ns / BUSY_NS_PER_ITERATION)))


def count_or(count, size, budget, lo, hi):
    """IpcChannel::count_or: a message count from a byte budget when count is 0."""
    return count if count > 0 else max(lo, min(hi, budget // size))


class Kit:
    """The primitives of one mode: threading's or multiprocessing's (fork)."""

    def __init__(self, mode):
        self.mode = mode
        self.ctx = mp.get_context("fork")
        self.process = mode == "process"

    def event(self):
        return self.ctx.Event() if self.process else threading.Event()

    def barrier(self, n):
        return self.ctx.Barrier(n) if self.process else threading.Barrier(n)

    def queue(self):
        return self.ctx.Queue() if self.process else queue.Queue()

    def raw_array(self, typecode, n):
        return self.ctx.RawArray(typecode, n)

    def raw_value(self, typecode, v):
        return self.ctx.RawValue(typecode, v)
