#!/usr/bin/env python3
"""parbench's Python reference workloads: the backends py_thread and py_process.

parbench runs this script once per repetition:

    parbench_py.py --mode thread|process --workload NAME --workers N [--cpus 0,1] --param K=V ...
    parbench_py.py --describe [--param target=MODULE:FUNCTION ...]

It runs the workload's Python version on threading or multiprocessing (fork) workers under the
harness's rules and prints one JSON line: the timings, the verified result's metrics, or
{"error": ...} / {"unsupported": ...}. Standard library only. The pyfunc workload, a user's own
function, is run by parbench_func.py beside it; --describe says what the interpreter is and
whether pyfunc's target imports, before a run starts.

The rules, as in the C++ harness: every worker prepares, checks in at a barrier and waits at a gate;
the gate opens once all are in; wall time runs from the gate's opening to the last worker's finish
(time.monotonic_ns, the CLOCK_MONOTONIC parbench uses); each worker's CPU time, context switches
and page faults cover its own timed region (getrusage RUSAGE_THREAD); the result is checked, and a
wrong one is an error, never a timing.

Which Python object stands for which parameter value is listed in README.md ("Python reference
backends").

One file on purpose, past the ~400 lines the project otherwise keeps to: parbench runs it by path
with the machine's python3 (nothing to install, no package path to set), and every workload's
Python version (40 to 80 lines each) sits next to the harness rules it shares. Its statistics are
checked against the C++ ones by a test (tests/test_python.cpp).
"""

import argparse
import ctypes
import ctypes.util
import json
import multiprocessing as mp
import multiprocessing.pool
import os
import queue
import resource
import sys
import threading
import time
import zlib

MASK64 = (1 << 64) - 1

# Run as a script (or re-imported by a spawned worker), this file is also the module parbench_func
# imports: one copy, so its exception classes and at-fork hook are the same objects.
if __name__ in ("__main__", "__mp_main__"):
    sys.modules["parbench_py"] = sys.modules[__name__]


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


# ---- workloads: __init__ checks parameters (Unsupported), before_gate and work run in each
# worker, after() verifies the outputs and returns (metrics, work units). ----


class CpuSum:
    def __init__(self, p, workers, kit):
        self.n = int(p["n"])
        self.scaling = p["scaling"]
        self.computed = self.n + self.n * int(p["extra_pct"]) // 100
        self.workers = workers

    def work(self, i):
        begin, end = worker_range(self.scaling, self.computed, i, self.workers)
        acc = 0
        for k in range(begin, end):
            acc += k * k
        return acc

    def after(self, outs, wall_ns):
        total_items = self.computed * self.workers if self.scaling == "weak" else self.computed
        got = sum(outs) & MASK64
        want = sum_squares_below(total_items) & MASK64
        if got != want:
            raise WrongResult(f"cpu_sum: sum of squares is {got}, closed form says {want}")
        units = self.n * self.workers if self.scaling == "weak" else self.n
        return {}, units


class Sleep:
    def __init__(self, p, workers, kit):
        self.ms = int(p["ms"])
        self.workers = workers

    def work(self, i):
        t0 = time.monotonic_ns()
        time.sleep(self.ms / 1000)
        return time.monotonic_ns() - t0 - self.ms * 1_000_000

    def after(self, outs, wall_ns):
        if min(outs) < 0:
            raise WrongResult(f"sleep: a worker woke {-min(outs)} ns early")
        return {"max_oversleep_ns": max(outs)}, self.workers


def python_channel(kit, name):
    """A pair of one-way channels for ping-pong or a task queue, as (send, receive) functions."""
    if name == "pipe":
        r, w = kit.ctx.Pipe(duplex=False)  # os.pipe underneath
        return w.send_bytes, r.recv_bytes
    if name == "shm_queue":
        q = kit.ctx.Queue()  # multiprocessing.Queue: a pipe, a lock and a feeder thread
        return q.put, q.get
    if name == "inproc_queue":
        if kit.process:
            raise Unsupported("queue.Queue (inproc_queue) does not cross processes")
        q = queue.Queue()
        return q.put, q.get
    raise Unsupported(
        f"channel {name} has no Python version; the Python backends have pipe "
        "(multiprocessing.Pipe), shm_queue (multiprocessing.Queue) and inproc_queue (queue.Queue)")


def message(seq, payload):
    return seq.to_bytes(8, "little") + (zlib.crc32(payload) ^ (seq & 0xFFFFFFFF)).to_bytes(8, "little") + payload


def check_message(msg, seq, size, what):
    if len(msg) != size:
        raise WrongResult(f"{what}: message {seq} has {len(msg)} bytes, sent {size}")
    got_seq = int.from_bytes(msg[:8], "little")
    crc = int.from_bytes(msg[8:16], "little")
    if got_seq != seq or crc != zlib.crc32(msg[16:]) ^ (seq & 0xFFFFFFFF):
        raise WrongResult(f"{what}: message {seq} arrived as {got_seq} or corrupted")


class IpcPingpong:
    def __init__(self, p, workers, kit):
        if workers != 2:
            raise Unsupported("ipc_pingpong runs with exactly 2 workers")
        if p["wait"] != "block":
            raise Unsupported("Python channels only block (wait=block)")
        self.size = max(16, int(p["size"]))
        self.count = count_or(int(p["count"]), self.size, 8 << 20, 20, 1000)
        self.ping = python_channel(kit, p["channel"])
        self.pong = python_channel(kit, p["channel"])
        self.payload = bytes((k * 31) & 0xFF for k in range(self.size - 16))

    def work(self, i):
        send_ping, recv_ping = self.ping
        send_pong, recv_pong = self.pong
        if i == 1:
            for seq in range(self.count):
                msg = recv_ping()
                check_message(msg, seq, self.size, "ipc_pingpong echo")
                send_pong(msg)
            return None
        rtts = []
        for seq in range(self.count):
            msg = message(seq, self.payload)
            t0 = time.perf_counter_ns()
            send_ping(msg)
            back = recv_pong()
            rtts.append(time.perf_counter_ns() - t0)
            check_message(back, seq, self.size, "ipc_pingpong reply")
        return rtts

    def after(self, outs, wall_ns):
        rtts = sorted(outs[0])
        if len(rtts) != self.count:
            raise WrongResult(f"ipc_pingpong: {len(rtts)} round trips of {self.count}")
        return {
            "rtt_p50_ns": quantile(rtts, 0.5),
            "rtt_p90_ns": quantile(rtts, 0.9),
            "rtt_p99_ns": quantile(rtts, 0.99),
            "rtt_p999_ns": quantile(rtts, 0.999),
            "rtt_max_ns": rtts[-1],
        }, self.count


class IpcFanin:
    """P producers put tasks into one queue; the other workers drain it until every producer's
    sentinel has arrived, and report what they did."""

    def __init__(self, p, workers, kit):
        if p["wait"] != "block":
            raise Unsupported("Python channels only block (wait=block)")
        self.producers = int(p["producers"])
        self.consumers = workers - self.producers
        if self.consumers < 1:
            raise Unsupported(f"ipc_fanin needs more workers than its {self.producers} producers")
        self.size = max(16, int(p["size"]))
        self.count = count_or(int(p["count"]), self.size, 32 << 20, 2000, 50_000)
        self.send, self.recv = python_channel(kit, p["channel"])
        self.payload = bytes((k * 7) & 0xFF for k in range(self.size - 16))

    def work(self, i):
        if i < self.producers:
            for seq in range(self.count * i // self.producers, self.count * (i + 1) // self.producers):
                self.send(message(seq, self.payload))
            for _ in range(self.consumers):
                self.send(b"")  # a sentinel: this producer is done
            return None
        done, sentinels = [], 0
        while sentinels < self.producers:
            msg = self.recv()
            if not msg:
                sentinels += 1
                continue
            seq = int.from_bytes(msg[:8], "little")
            check_message(msg, seq, self.size, "ipc_fanin task")
            done.append(seq)
        return done

    def after(self, outs, wall_ns):
        done = [d for d in outs[self.producers:]]
        seen = sorted(s for d in done for s in d)
        if seen != list(range(self.count)):
            raise WrongResult(f"ipc_fanin: {len(seen)} tasks done for {self.count} put, "
                              f"{len(set(seen))} distinct")
        shares = [len(d) for d in done]
        mean = self.count / len(shares)
        seconds = wall_ns * 1e-9
        return {
            "msgs_per_s": self.count / seconds,
            "mb_per_s": self.count * self.size / seconds / 1e6,
            "jain": jain(shares),
            "min_share": min(shares) / mean,
        }, self.count


def python_lock(kit, name):
    if name != "posix_sem":
        raise Unsupported(
            f"lock {name} has no Python version; the Python backends have posix_sem "
            "(multiprocessing.Lock, a POSIX semaphore)")
    return kit.ctx.Lock()


class LockContention:
    def __init__(self, p, workers, kit):
        self.lock = python_lock(kit, p["lock"])
        self.cs_ns = int(p["cs_ns"])
        self.outside_ns = int(p["outside_ns"])
        self.duration_ns = int(p["duration_ms"]) * 1_000_000
        self.holder = kit.raw_value("i", -1)
        self.last = kit.raw_value("i", -1)
        self.total = kit.raw_value("q", 0)
        self.handoffs = kit.raw_value("q", 0)

    def work(self, i):
        lock, holder, last, total, handoffs = self.lock, self.holder, self.last, self.total, self.handoffs
        n, overlaps, samples, sections = 0, 0, [], []
        deadline = time.monotonic_ns() + self.duration_ns
        while time.monotonic_ns() < deadline:
            sample = n % 8 == 0
            t0 = time.perf_counter_ns() if sample else 0
            lock.acquire()
            if sample:
                t1 = time.perf_counter_ns()
                samples.append(t1 - t0)
            if holder.value != -1:
                overlaps += 1
            holder.value = i
            total.value += 1
            if last.value != i:
                handoffs.value += 1
                last.value = i
            spin_ns(self.cs_ns)
            holder.value = -1
            lock.release()
            if sample:
                # The critical section as it ran, from acquired to released, as the C++ side
                # measures it: the busy work, the protected updates and the release.
                sections.append(time.perf_counter_ns() - t1)
            n += 1
            spin_ns(self.outside_ns)
        return n, overlaps, samples, sections

    def after(self, outs, wall_ns):
        counts = [o[0] for o in outs]
        overlaps = sum(o[1] for o in outs)
        if overlaps or self.total.value != sum(counts):
            raise WrongResult(f"lock_contention: {overlaps} entries found the lock held, "
                              f"{self.total.value} counted under it for {sum(counts)} acquisitions")
        samples = sorted(s for o in outs for s in o[2])
        sections = sorted(s for o in outs for s in o[3])
        total = sum(counts)
        return {
            "ops_per_s": total / (wall_ns * 1e-9),
            "jain": jain(counts),
            "handoff_rate": self.handoffs.value / total if total else 0.0,
            "acq_p50_ns": quantile(samples, 0.5),
            "acq_p99_ns": quantile(samples, 0.99),
            "acq_max_ns": samples[-1] if samples else float("nan"),
            "cs_p50_ns": quantile(sections, 0.5),
        }, total


class Bank:
    START = 1_000_000

    def __init__(self, p, workers, kit):
        self.lock = None if p["lock"] == "none" else python_lock(kit, p["lock"])
        self.ops = int(p["ops"])
        self.amount = int(p["amount"])
        self.workers = workers
        self.balance = kit.raw_value("q", self.START)
        self.updates = kit.raw_value("q", 0)

    def work(self, i):
        balance, updates, amount, lock = self.balance, self.updates, self.amount, self.lock
        for k in range(2 * self.ops):
            delta = amount if k % 2 == 0 else -amount
            if lock is not None:
                with lock:
                    balance.value += delta
                    updates.value += 1
            else:
                balance.value += delta
                updates.value += 1
        return None

    def after(self, outs, wall_ns):
        expected = 2 * self.ops * self.workers
        lost = expected - self.updates.value
        drift = self.balance.value - self.START
        if self.lock is not None and (lost or drift):
            raise WrongResult(f"bank: under the lock the balance drifted by {drift} and "
                              f"{lost} of {expected} updates were lost")
        return {"ops_per_s": expected / (wall_ns * 1e-9), "lost_updates": lost,
                "balance_drift": drift}, expected


class ProxyStore:
    """Worker 0 stands for the server (a Manager's process serves the dict); the others are
    clients that set and read back keys of their own."""

    def __init__(self, p, workers, kit):
        if workers < 2:
            raise Unsupported("proxy_store needs a server and at least one client (2+ workers)")
        self.store = p["store"]
        self.keys = int(p["keys"])
        self.ops = int(p["ops"])
        self.set_pct = int(p["set_pct"])
        self.clients = workers - 1
        self.manager = None
        if self.store == "proxy":
            self.manager = kit.ctx.Manager()  # its server process is a child of this interpreter
            self.table = self.manager.dict()
        else:
            self.table = kit.ctx.Array("q", self.keys, lock=True)  # a Lock around a shared array

    def work(self, i):
        if i == 0:
            return None
        client = i - 1
        own = max(1, self.keys // self.clients)
        base = client * own
        last = {}
        times = []
        x = 12345 + i
        for j in range(self.ops):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            key = base + x % own
            value = (i << 32) | j
            t0 = time.perf_counter_ns()
            if x % 100 < self.set_pct:
                if self.manager is not None:
                    self.table[key] = value
                else:
                    with self.table.get_lock():
                        self.table[key] = value
                times.append(time.perf_counter_ns() - t0)
                last[key] = value
            else:
                if self.manager is not None:
                    got = self.table.get(key, 0)
                else:
                    with self.table.get_lock():
                        got = self.table[key]
                times.append(time.perf_counter_ns() - t0)
                if got != last.get(key, 0):
                    raise WrongResult(f"proxy_store: client {client} read {got} from key {key}, "
                                      f"last set {last.get(key, 0)}")
        return times

    def after(self, outs, wall_ns):
        if self.manager is not None:
            self.manager.shutdown()
        times = sorted(t for o in outs[1:] for t in o)
        total = self.ops * self.clients
        if len(times) != total:
            raise WrongResult(f"proxy_store: {len(times)} operations of {total}")
        return {"ops_per_s": total / (wall_ns * 1e-9), "op_p50_ns": quantile(times, 0.5),
                "op_p99_ns": quantile(times, 0.99), "op_max_ns": times[-1]}, total


class EventWake:
    """Worker 0 sets an Event once per round; the others wait on it. Wake-up latency is from the
    set to each waiter running."""

    def __init__(self, p, workers, kit):
        if p["mechanism"] != "condvar":
            raise Unsupported(
                f"mechanism {p['mechanism']} has no Python version; the Python backends have "
                "condvar (threading.Event / multiprocessing.Event, both a condition variable)")
        if workers < 2:
            raise Unsupported("event needs a setter and at least one waiter (2+ workers)")
        self.rounds = int(p["rounds"])
        self.gap_s = int(p["gap_us"]) / 1e6
        self.event = kit.event()
        self.round = kit.raw_value("q", -1)
        self.set_at = kit.raw_value("q", 0)
        self.barrier = kit.barrier(workers)
        self.waiters = workers - 1

    def work(self, i):
        ev, barrier = self.event, self.barrier
        wakes = []
        for r in range(self.rounds):
            if i == 0:
                time.sleep(self.gap_s)  # the waiters go back to sleep
                self.round.value = r
                self.set_at.value = time.monotonic_ns()
                ev.set()
            else:
                ev.wait()
                wakes.append(time.monotonic_ns() - self.set_at.value)
                if self.round.value != r:
                    raise WrongResult(f"event: a waiter woke in round {r} to round {self.round.value}")
            barrier.wait()  # every waiter is awake
            if i == 0:
                ev.clear()
            barrier.wait()  # cleared before anyone waits again
        return wakes

    def after(self, outs, wall_ns):
        per_waiter = outs[1:]
        if any(len(w) != self.rounds for w in per_waiter):
            raise WrongResult("event: a waiter missed a round")
        wakes = sorted(t for w in per_waiter for t in w)
        last = sorted(max(w[r] for w in per_waiter) for r in range(self.rounds))
        return {"wake_p50_ns": quantile(wakes, 0.5), "wake_p99_ns": quantile(wakes, 0.99),
                "wake_max_ns": wakes[-1], "all_woken_p50_ns": quantile(last, 0.5)}, \
            self.rounds * self.waiters


class SemaphoreAdmit:
    def __init__(self, p, workers, kit):
        if p["mechanism"] != "posix_sem":
            raise Unsupported(
                f"mechanism {p['mechanism']} has no Python version; the Python backends have "
                "posix_sem (multiprocessing.Semaphore)")
        self.k = int(p["k"])
        self.sem = kit.ctx.Semaphore(self.k)
        self.cs_ns = int(p["cs_ns"])
        self.duration_ns = int(p["duration_ms"]) * 1_000_000
        self.inside = kit.ctx.Value("i", 0)  # with its own lock: counting must not race

    def work(self, i):
        sem, inside = self.sem, self.inside
        n, most = 0, 0
        deadline = time.monotonic_ns() + self.duration_ns
        while time.monotonic_ns() < deadline:
            sem.acquire()
            with inside.get_lock():
                inside.value += 1
                most = max(most, inside.value)
            spin_ns(self.cs_ns)
            with inside.get_lock():
                inside.value -= 1
            sem.release()
            n += 1
        return n, most

    def after(self, outs, wall_ns):
        most = max(o[1] for o in outs)
        if most > self.k:
            raise WrongResult(f"semaphore: {most} workers inside a semaphore of {self.k}")
        counts = [o[0] for o in outs]
        return {"ops_per_s": sum(counts) / (wall_ns * 1e-9), "max_inside": most,
                "jain": jain(counts)}, sum(counts)


def pool_task(x, terms):
    acc = 0
    for k in range(terms):
        v = x + k
        acc += v * v
    return acc & MASK64


def run_chunk(fn, args, out_queue, start):
    out_queue.put((start, [fn(*a) for a in args]))


class FreshProcessPool:
    """No pool: a process forked for every chunk, up to `size` at a time."""

    def __init__(self, ctx, size):
        self.ctx, self.size = ctx, size

    def starmap(self, fn, args, chunksize):
        chunksize = chunksize or max(1, -(-len(args) // (4 * self.size)))  # Pool.map's default
        chunks = [(s, args[s:s + chunksize]) for s in range(0, len(args), chunksize)]
        chunks.reverse()
        out = self.ctx.Queue()
        results = [None] * len(args)
        running = {}
        pending = len(chunks)
        while pending:
            while chunks and len(running) < self.size:
                start, part = chunks.pop()
                p = self.ctx.Process(target=run_chunk, args=(fn, part, out, start))
                p.start()
                running[start] = p
            start, values = out.get()
            results[start:start + len(values)] = values
            pending -= 1
            running.pop(start).join()
        return results

    def close(self):
        pass

    def join(self):
        pass


class PoolMap:
    def __init__(self, p, workers, kit):
        self.kind = p["pool"]
        self.tasks = int(p["tasks"])
        self.chunksize = int(p["chunksize"]) or None
        self.terms = int(p["task_terms"])
        self.size = int(p["pool_workers"]) or os.cpu_count() or 1
        self.kit = kit
        one = []
        for x in range(21):
            t0 = time.perf_counter_ns()
            pool_task(x, self.terms)
            one.append(time.perf_counter_ns() - t0)
        self.task_ns = sorted(one)[10]
        self.pool = None
        self.start_ns = 0

    def before_gate(self, i):
        t0 = time.monotonic_ns()
        if self.kind == "thread":
            self.pool = multiprocessing.pool.ThreadPool(self.size)
        elif self.kind == "process":
            self.pool = self.kit.ctx.Pool(self.size)
        else:
            self.pool = FreshProcessPool(self.kit.ctx, self.size)
        self.start_ns = time.monotonic_ns() - t0

    def work(self, i):
        first = i * self.tasks
        args = [(first + k, self.terms) for k in range(self.tasks)]
        t0 = time.monotonic_ns()
        results = self.pool.starmap(pool_task, args, self.chunksize)
        t1 = time.monotonic_ns()
        self.pool.close()
        self.pool.join()
        t2 = time.monotonic_ns()
        checksum = sum((k + 1) * r for k, r in enumerate(results)) & MASK64
        return {"map_ns": t1 - t0, "stop_ns": t2 - t1, "start_ns": self.start_ns,
                "checksum": checksum, "results": len(results)}

    def after(self, outs, wall_ns):
        for i, o in enumerate(outs):
            first = i * self.tasks
            want = sum((k + 1) * ((sum_squares_below(first + k + self.terms)
                                   - sum_squares_below(first + k)) & MASK64)
                       for k in range(self.tasks)) & MASK64
            if o["results"] != self.tasks or o["checksum"] != want:
                raise WrongResult(f"pool_map: worker {i} got {o['results']} of {self.tasks} "
                                  f"results with checksum {o['checksum']}, expected {want}")
        map_ns = max(o["map_ns"] for o in outs)
        per_task = map_ns / self.tasks
        return {"map_ns": map_ns, "per_task_ns": per_task, "task_ns": self.task_ns,
                "overhead_ns": per_task * self.size - self.task_ns,
                "pool_start_ns": max(o["start_ns"] for o in outs),
                "pool_stop_ns": max(o["stop_ns"] for o in outs),
                "pool_size": self.size}, self.tasks * len(outs)


WORKLOADS = {
    "cpu_sum": CpuSum,
    "sleep": Sleep,
    "ipc_pingpong": IpcPingpong,
    "ipc_fanin": IpcFanin,
    "lock_contention": LockContention,
    "bank": Bank,
    "proxy_store": ProxyStore,
    "event": EventWake,
    "semaphore": SemaphoreAdmit,
    "pool_map": PoolMap,
}


# ---- the harness ----


def run_delay_ns():
    """Time this thread was runnable but waiting for a CPU (schedstat's run_delay), or None."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None


def usage():
    return resource.getrusage(resource.RUSAGE_THREAD), run_delay_ns()


def timing_of(ready_ns, pass_ns, end_ns, u0, u1):
    """A worker's timing as parbench reads it: its moments and its timed region's resource use."""
    (r0, delay0), (r1, delay1) = u0, u1
    timing = {
        "ready_ns": ready_ns, "pass_ns": pass_ns, "end_ns": end_ns,
        "user_ns": round((r1.ru_utime - r0.ru_utime) * 1e9),
        "sys_ns": round((r1.ru_stime - r0.ru_stime) * 1e9),
        "vol_ctx_switches": r1.ru_nvcsw - r0.ru_nvcsw,
        "invol_ctx_switches": r1.ru_nivcsw - r0.ru_nivcsw,
        "minor_faults": r1.ru_minflt - r0.ru_minflt,
        "major_faults": r1.ru_majflt - r0.ru_majflt,
        "max_rss_kb": r1.ru_maxrss,
    }
    if delay0 is not None and delay1 is not None:
        timing["run_delay_ns"] = delay1 - delay0
    return timing


def collect(results, runners, workers, process):
    """Every worker's (timing, output) by index, or {"error": ...} for the first that failed or
    died before reporting. Each worker puts (index, error, timing, output) into `results`."""
    got = {}
    errors = []
    while len(got) + len(errors) < workers:
        try:
            i, err, timing, out = results.get(timeout=0.1)
        except queue.Empty:
            if process:
                dead = [i for i, r in enumerate(runners)
                        if r.exitcode not in (None, 0) and i not in got]
                if dead:
                    return {"error": f"worker {dead[0]} exited with code {runners[dead[0]].exitcode} "
                                     "before reporting"}
            continue
        if err:
            errors.append(err)
        else:
            got[i] = (timing, out)
    for r in runners:
        r.join()
    if errors:
        return {"error": errors[0]}
    return got


def release_and_collect(runners, ready, gate, results, workers, process):
    """Starts the runners, waits until every one is at the ready barrier (or one failed before
    it), opens the gate; returns the moment it opened and collect()'s answer."""
    for r in runners:
        r.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass  # a worker failed before the gate; its error is in the queue
    release_ns = time.monotonic_ns()
    gate.set()
    return release_ns, collect(results, runners, workers, process)


def answer(timings, launch_ns, release_ns, units, metrics):
    """The JSON answer of a run whose workers all reported."""
    passes = [t["pass_ns"] for t in timings]
    return {
        "wall_ns": max(t["end_ns"] for t in timings) - release_ns,
        "launch_ns": launch_ns,
        "release_ns": release_ns,
        "startup_ns": max(t["ready_ns"] for t in timings) - launch_ns,
        "start_skew_ns": max(passes) - min(passes),
        "workers": timings,
        "work_units": units,
        "metrics": metrics,
        "python": sys.version.split()[0],
    }


def run(mode, name, params, workers, cpus):
    if name == "pyfunc":
        import parbench_func  # a user's function: its own runner, for every start method
        return parbench_func.run(mode, params, workers, cpus)
    if name not in WORKLOADS:
        raise Unsupported(f"{name} has no Python version; those that do: {', '.join(sorted(WORKLOADS))}")
    kit = Kit(mode)
    wl = WORKLOADS[name](params, workers, kit)
    ready = kit.barrier(workers + 1)
    gate = kit.event()
    results = kit.queue()

    def body(i):
        at_gate = False
        try:
            if cpus:
                os.sched_setaffinity(0, {cpus[i]})  # the calling thread only
            if hasattr(wl, "before_gate"):
                wl.before_gate(i)
            ready_ns = time.monotonic_ns()
            ready.wait()
            at_gate = True
            gate.wait()
            r0 = usage()
            pass_ns = time.monotonic_ns()
            out = wl.work(i)
            end_ns = time.monotonic_ns()
            results.put((i, None, timing_of(ready_ns, pass_ns, end_ns, r0, usage()), out))
        except BaseException as e:  # noqa: BLE001 - every failure becomes the run's error
            if not at_gate:
                # Past the barrier an abort could still break a worker waking from it.
                ready.abort()
            results.put((i, f"worker {i}: {type(e).__name__}: {e}", None, None))

    launch_ns = time.monotonic_ns()
    if kit.process:
        runners = [kit.ctx.Process(target=body, args=(i,)) for i in range(workers)]
    else:
        runners = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(workers)]
    release_ns, got = release_and_collect(runners, ready, gate, results, workers, kit.process)
    if "error" in got:
        return got
    timings = [got[i][0] for i in range(workers)]
    outs = [got[i][1] for i in range(workers)]
    wall_ns = max(t["end_ns"] for t in timings) - release_ns
    metrics, units = wl.after(outs, wall_ns)
    return answer(timings, launch_ns, release_ns, units, metrics)


def gil_enabled():
    """Whether this interpreter runs with its global lock: sys._is_gil_enabled() where it has it
    (3.13 and later; a free-threaded build may run without), else True."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return bool(probe()) if probe else True


def describe(params):
    """What this interpreter is, and whether a user's target (pyfunc's parameters) imports and is
    callable: parbench asks once before a run starts. A problem is {"bad": ...}."""
    import platform
    info = {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil_enabled": gil_enabled(),
        "start_methods": mp.get_all_start_methods(),
        "busy_ns_per_iteration": calibrate_busy(),
        "default_start_method": mp.get_context().get_start_method(),
    }
    if "target" in params:
        import parbench_func
        try:
            parbench_func.check_declaration(params)
        except parbench_func.BadTarget as e:
            return {"bad": str(e)}
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--describe", action="store_true",
                    help="print what this interpreter is and check the pyfunc target; run nothing")
    ap.add_argument("--mode", choices=["thread", "process"])
    ap.add_argument("--workload")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--cpus", default="")
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--busy-ns-per-iteration", type=float,
                    help="the busy loop's calibration (--describe measures it); else measured here")
    a = ap.parse_args()
    if a.busy_ns_per_iteration and a.busy_ns_per_iteration > 0:
        global BUSY_NS_PER_ITERATION
        BUSY_NS_PER_ITERATION = a.busy_ns_per_iteration
    params = dict(p.split("=", 1) for p in a.param)
    if a.describe:
        answer_ = describe(params)
    elif a.mode is None or a.workload is None or a.workers is None:
        ap.error("--mode, --workload and --workers are required to run")
    else:
        cpus = [int(c) for c in a.cpus.split(",")] if a.cpus else []
        try:
            answer_ = run(a.mode, a.workload, params, a.workers, cpus)
        except Unsupported as e:
            answer_ = {"unsupported": str(e)}
        except WrongResult as e:
            answer_ = {"error": f"wrong result: {e}"}
        except Exception as e:  # noqa: BLE001 - reported to parbench as an error row
            answer_ = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(answer_) + "\n")
    sys.stdout.flush()
    # Skip interpreter teardown: worker threads of a failed run may still be blocked.
    os._exit(0)


if __name__ == "__main__":
    main()
